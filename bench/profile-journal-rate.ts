/**
 * The journal writer at a steady request rate, in-process (issue #12): a CallLogJournal fed
 * BENCH_RATE (2,000) appoint/create-sized entries a second (BENCH_TICK_MS 5 ms apart, a tick's
 * worth at once) for BENCH_RUN_MS (5,000) per round, as the onResponse hook would, on a SQLite
 * store of the latest schema; the flush writes them on its own (size trigger `flushRows`, or
 * the 100 ms timer) in chunks of 64. Variants: `flushRows` 200 (before) and 192 (three whole
 * chunks), each on its own store, rounds alternating A B A B … (BENCH_ROUNDS, 4). Prints per
 * variant the CPU µs per entry of the whole process (building the row included; pushing
 * costs the same in both), and the INSERT statements and transactions issued per 1,000 entries.
 *
 *   npx tsx bench/profile-journal-rate.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { loadCallLogConfig } from '../src/config/calllogs.js';
import { CallLogJournal } from '../src/http/calllogs-journal.js';
import { openSqlite, type Store } from '../src/store/connect.js';
import type { DB } from '../src/store/db.js';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const TICK = Number(process.env.BENCH_TICK_MS ?? 5);
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

type Entry = Parameters<CallLogJournal['push']>[0];

interface Variant {
  name: string;
  store: Store;
  journal: CallLogJournal;
  counts: { statements: number; transactions: number };
  cpu: number[];
  perK: string[];
}

/** The store's handle, counting what insertCallLogs issues outside a transaction and the transactions it opens. */
function counting(db: Kysely<DB>, counts: Variant['counts']): Kysely<DB> {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'executeQuery') return (q: Parameters<Kysely<DB>['executeQuery']>[0]) => (counts.statements++, target.executeQuery(q));
      if (prop === 'transaction') return () => (counts.transactions++, target.transaction());
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-journal-rate-'));
const variants: Variant[] = [];
for (const flushRows of [200, 192]) {
  const store = await openSqlite({ file: path.join(dir, `rows-${flushRows}.db`) });
  const counts = { statements: 0, transactions: 0 };
  const journal = new CallLogJournal(counting(store.db, counts), { ...loadCallLogConfig({}), flushRows });
  variants.push({ name: `flushRows ${flushRows}`, store, journal, counts, cpu: [], perK: [] });
}

let n = 0;
function entry(): Entry {
  const i = n++;
  return {
    vdnId: 1,
    accessKey: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    operTime: Date.now(),
    method: 'POST',
    url: '/rest/isales/v1/openapi/campaigns/1/appoint/create',
    httpStatus: 200,
    durationMs: 2,
    resultCode: '0200000',
    resultDesc: 'success',
    params: { vdnId: 1 },
    query: {},
    rawBody: Buffer.from(JSON.stringify({ callType: 2, calledNo: String(13800000000 + i), taskId: '1001', appointTime: '2026-12-01 10:00:00', remark: 'bench' })),
    authenticated: true,
  };
}

async function round(v: Variant, record: boolean): Promise<void> {
  const perTick = Math.round((RATE * TICK) / 1000);
  const ticks = Math.round(RUN_MS / TICK);
  const before = { ...v.counts };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < ticks; k++) {
    for (let i = 0; i < perTick; i++) v.journal.push(entry());
    // Next tick on the schedule (not TICK after this one's work): a steady rate.
    const wait = t0 + (k + 1) * TICK - performance.now();
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
  }
  await v.journal.flush();
  const c = process.cpuUsage(c0);
  const entries = perTick * ticks;
  if (record) {
    v.cpu.push((c.user + c.system) / entries);
    const k = entries / 1000;
    v.perK.push(`${((v.counts.statements - before.statements) / k).toFixed(1)}/${((v.counts.transactions - before.transactions) / k).toFixed(1)}`);
  }
}

try {
  for (const v of variants) await round(v, false);
  for (let r = 0; r < ROUNDS; r++) for (const v of variants) await round(v, true);
  for (const v of variants) {
    const s = [...v.cpu].sort((a, b) => a - b);
    console.log(
      `${v.name}: CPU µs/entry ${v.cpu.map((x) => x.toFixed(2)).join(' ')} (in run order); min ${s[0]!.toFixed(2)}, median ${s[Math.floor(s.length / 2)]!.toFixed(2)}; statements/transactions per 1,000 entries ${v.perK.join(' ')}`,
    );
  }
} finally {
  for (const v of variants) await v.store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
