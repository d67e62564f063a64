/**
 * Cost of the interface journal per row, in-process (issue #12): the call_logs INSERT of
 * 64-row chunks (the writer's `flushChunkRows`), with and without `call_logs_time` (the index
 * migration 015 drops), and the same rows as one JSON parameter on SQLite (insertRowsJson, what
 * PostgreSQL gets). Two or three stores side by side, each migrated to the latest schema
 * (variant `time-index` re-creates the index); rounds alternate between the variants
 * (A B C A B C …) so that the machine's drift hits each the same. Each round inserts
 * BENCH_ROWS (19,200) appoint/create-sized rows in chunks of 64 at advancing times and prints
 * the CPU µs per row of the whole process (user + system, the checkpoint worker included) and
 * the wall µs per row, per variant, sorted, with the minimum and the median.
 * BENCH_JOURNAL_PG=1 runs the first two variants on PostgreSQL (BENCH_DATABASE_URL or
 * CAMPAIGND_TEST_DATABASE_URL; a schema of its own per variant, dropped afterwards): the
 * server's CPU is not counted there, the wall time is the figure to read.
 * BENCH_JOURNAL_RAW=1: SQLite's own work only (see `RAW` below; the steadiest figure).
 * BENCH_JOURNAL_JSON=0 leaves out json-param; BENCH_JOURNAL_SHARED=1 adds one COMMIT per four
 * chunks; BENCH_JOURNAL_SIZES replaces the variants by chunk sizes (see `SIZES`).
 *
 *   npx tsx bench/profile-journal.ts
 *   BENCH_JOURNAL_RAW=1 BENCH_ROUNDS=16 npx tsx bench/profile-journal.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { sql, type Insertable } from 'kysely';
import { recordedRequest } from '../src/domain/calllogs.js';
import { newLongId } from '../src/domain/ids.js';
import { insertCallLogs } from '../src/store/calllogs.repository.js';
import { openPostgres, openSqlite, type Store } from '../src/store/connect.js';
import { insertRowsJson } from '../src/store/engine-batch.repository.js';
import type { CallLogTable } from '../src/store/schema/journal.js';
import { benchDatabaseUrl } from './lib/backends.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 19_200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const CHUNK = 64;
const PG = process.env.BENCH_JOURNAL_PG === '1';

const COLUMNS = ['id', 'vdn_id', 'access_key', 'oper_time', 'method', 'url', 'request', 'request_params', 'result_code', 'result_desc', 'http_status', 'duration_ms'] as const;

/** The row calllogs-journal.ts builds for a signed appoint/create (recordParams on). */
function row(t: number, n: number): Insertable<CallLogTable> {
  const body = Buffer.from(
    JSON.stringify({ callType: 2, calledNo: String(13800000000 + n), taskId: '1001', appointTime: '2026-12-01 10:00:00', remark: 'bench', callerNo: '075512345678' }),
  );
  const recorded = recordedRequest({ params: { vdnId: '1' }, query: {}, rawBody: body, authenticated: true });
  return {
    id: newLongId(t),
    vdn_id: 1,
    access_key: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
    oper_time: t,
    method: 'POST',
    url: '/rest/isales/v1/openapi/campaigns/1/appoint/create',
    request: recorded.request,
    request_params: recorded.requestParams,
    result_code: '0200000',
    result_desc: 'success',
    http_status: 200,
    duration_ms: 2,
  };
}

interface Variant {
  name: string;
  store: Store;
  insert: (store: Store, rows: Insertable<CallLogTable>[]) => Promise<void>;
  cpu: number[];
  wall: number[];
  cleanup: () => Promise<void>;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-journal-'));
const url = benchDatabaseUrl();
if (PG && url === undefined) throw new Error('BENCH_JOURNAL_PG=1 needs BENCH_DATABASE_URL or CAMPAIGND_TEST_DATABASE_URL');

async function open(name: string): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  if (!PG) return { store: await openSqlite({ file: path.join(dir, `${name}.db`) }), cleanup: async () => {} };
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const store = await openPostgres({ url: url!, schema });
  return {
    store,
    cleanup: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
    },
  };
}

const plain = (s: Store, rows: Insertable<CallLogTable>[]) => insertCallLogs(s.db, rows);
/**
 * BENCH_JOURNAL_RAW=1 (SQLite): SQLite's own work only. Each store is migrated, closed and
 * reopened with plain better-sqlite3 (WAL, synchronous NORMAL, SQLite's own checkpoints every
 * 1,000 pages inside the commits; no checkpoint worker, whose CPU would land in whichever
 * round runs while it copies), and the chunks run as one prepared 64-row INSERT each (the SQL
 * text insertCallLogs compiles). The process's CPU is then only this thread's.
 */
const RAW = process.env.BENCH_JOURNAL_RAW === '1';
const rawOf = new Map<Store, { sqlite: Database.Database; stmt: Database.Statement }>();
async function rawInsert(s: Store, rows: Insertable<CallLogTable>[]): Promise<void> {
  const r = rawOf.get(s)!;
  const values: unknown[] = [];
  for (const row of rows) for (const c of COLUMNS) values.push(row[c] ?? null);
  r.stmt.run(...values);
}
/**
 * BENCH_JOURNAL_SHARED=1: what sharing a COMMIT would save at most (the group-commit idea of the
 * report): every fourth chunk opens a transaction that the next three chunks join, so one
 * COMMIT per 256 rows instead of one per 64.
 */
let open4: { trx: Promise<void>; chunks: Insertable<CallLogTable>[][]; release: () => void } | null = null;
async function sharedCommit(s: Store, rows: Insertable<CallLogTable>[]): Promise<void> {
  if (open4 === null) {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const chunks: Insertable<CallLogTable>[][] = [];
    const trx = s.db.transaction().execute(async (t) => {
      await gate;
      for (const c of chunks) await insertCallLogs(t, c);
    });
    open4 = { trx, chunks, release };
  }
  open4.chunks.push(rows);
  if (open4.chunks.length === 4) {
    const o = open4;
    open4 = null;
    o.release();
    await o.trx;
  }
}
const variants: Variant[] = [];
/**
 * BENCH_JOURNAL_SIZES=64,8,64+64+64+8: instead, one variant per chunk size, or per cycle of
 * sizes (a flush's chunks: 200 rows are 64+64+64+8), each without the index.
 */
const SIZES = (process.env.BENCH_JOURNAL_SIZES ?? '').split(',').filter(Boolean);
const sizesOf = new Map<Variant, number[]>();
for (const size of SIZES) {
  const { store, cleanup } = await open(`size-${size}`);
  const v: Variant = { name: `chunks of ${size}`, store, insert: plain, cpu: [], wall: [], cleanup };
  sizesOf.set(v, size.split('+').map(Number));
  variants.push(v);
}
for (const [name, insert] of SIZES.length > 0
  ? []
  : ([
      ['time-index', plain],
      ['no-time-index', plain],
      ...(PG || RAW || process.env.BENCH_JOURNAL_JSON === '0'
        ? []
        : [['json-param', (s: Store, rows: Insertable<CallLogTable>[]) => insertRowsJson(s.db, 'call_logs', COLUMNS, rows)] as const]),
      ...(process.env.BENCH_JOURNAL_SHARED === '1' && !RAW ? [['no-time-index, 4 chunks per COMMIT', sharedCommit] as const] : []),
    ] as const)) {
  const { store, cleanup } = await open(name);
  if (name === 'time-index') await sql`create index call_logs_time on call_logs (oper_time)`.execute(store.db);
  if (RAW) {
    const probe = Array.from({ length: CHUNK }, () => row(0, 0));
    const text = store.db.insertInto('call_logs').values(probe).compile().sql;
    const file = path.join(dir, `${name}.db`);
    await store.close();
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    rawOf.set(store, { sqlite, stmt: sqlite.prepare(text) });
    variants.push({ name, store, insert: rawInsert, cpu: [], wall: [], cleanup: async () => void rawOf.get(store)!.sqlite.close() });
    continue;
  }
  variants.push({ name, store, insert, cpu: [], wall: [], cleanup });
}

let t = Date.UTC(2026, 10, 30, 12);
let n = 0;
async function round(v: Variant, count: number, record: boolean): Promise<void> {
  // Rows are built before the clock starts: only the INSERT is measured.
  const chunks: Insertable<CallLogTable>[][] = [];
  const sizes = sizesOf.get(v) ?? [CHUNK];
  for (let i = 0, k = 0; i < count; k++) {
    const size = Math.min(sizes[k % sizes.length]!, count - i);
    chunks.push(Array.from({ length: size }, () => row((t += 1), n++)));
    i += size;
  }
  const c0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  for (const c of chunks) await v.insert(v.store, c);
  const w = Number(process.hrtime.bigint() - w0) / 1000;
  const c = process.cpuUsage(c0);
  if (record) {
    v.cpu.push((c.user + c.system) / count);
    v.wall.push(w / count);
  }
}

try {
  for (const v of variants) await round(v, Math.min(ROWS, 6400), false);
  for (let r = 0; r < ROUNDS; r++) for (const v of variants) await round(v, ROWS, true);
  const fmt = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${s.map((x) => x.toFixed(2)).join(' ')}; min ${s[0]!.toFixed(2)}, median ${s[Math.floor(s.length / 2)]!.toFixed(2)}`;
  };
  for (const v of variants) {
    console.log(`${PG ? 'PostgreSQL' : 'SQLite'} ${v.name}: CPU µs/row ${fmt(v.cpu)}`);
    console.log(`${PG ? 'PostgreSQL' : 'SQLite'} ${v.name}: wall µs/row ${fmt(v.wall)}`);
  }
  // Each variant against the first, round by round (the rounds ran side by side).
  for (const v of variants.slice(1)) {
    const d = v.cpu.map((x, i) => x - variants[0]!.cpu[i]!);
    console.log(`${v.name} minus ${variants[0]!.name}, CPU µs/row per round: ${fmt(d)}`);
  }
} finally {
  for (const v of variants) {
    if (!RAW) await v.store.close();
    await v.cleanup();
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
