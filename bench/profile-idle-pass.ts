/**
 * The idle engine pass on SQLite (issue #12, p99 latency): what one pass and the next-event
 * lookup cost, and how long they hold the event loop at a stretch, on a store with
 * BENCH_RESERVATIONS (default 100,000) automatic reservations due tomorrow (the shape
 * bench/api.ts leaves behind) in a few campaigns, nothing due now.
 *
 * Each round moves a manual clock one second on and runs `engine.advanceTo(now)`: one pass
 * (reap, CPS grant, each worker's tick, CPS given back, callbacks), the next-event lookup and
 * one more callback claim. Printed per run: the wall time of a round (µs: median and p90 over
 * BENCH_ROUNDS rounds, nothing else running), and in separate rounds, with a chain of
 * setImmediate callbacks turning beside it, the longest gap between two of its turns, i.e. the
 * longest stretch the engine held the loop without giving it back (µs), and the turns per round.
 * With BENCH_PLAN=1 it prints SQLite's EXPLAIN QUERY PLAN of the statements an idle pass runs.
 *
 * With BENCH_SERVER_SECONDS=n the whole server then runs on the store for n seconds (system
 * clock, no requests), and it prints the longest stretch without a turn of the event loop in
 * each second (what a request arriving then would wait for).
 *
 *   npx tsx bench/profile-idle-pass.ts           (BENCH_FILE=…/campaignd.db to keep and reuse the store)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/index.js';
import { ManualClock } from '../src/engine/clock.js';
import { createEngine } from '../src/engine/factory.js';
import { openSqlite } from '../src/store/connect.js';

const RESERVATIONS = Number(process.env.BENCH_RESERVATIONS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const CAMPAIGNS = 3;
const DAY = 86_400_000;

const file = process.env.BENCH_FILE ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'idle-pass-')), 'campaignd.db');
const fresh = !fs.existsSync(file);
const store = await openSqlite({ file });
const { db, caps } = store;
const creation = Date.now();

if (fresh) {
  await db.transaction().execute(async (trx) => {
    for (let i = 1; i <= CAMPAIGNS; i++) {
      await trx
        .insertInto('campaigns')
        .values({
          vdn_id: 1,
          name: `idle ${i}`,
          name_nfc: `idle ${i}`,
          description: null,
          device_type: 2,
          begin_time: creation - DAY,
          end_time: creation + 60 * DAY,
          max_alerting_time: 30,
          schedule_param: '{}',
          ivr_param: JSON.stringify({ deviceSign: '100', callCount: 10, callInterval: 1 }),
          skill_param: null,
          init_status: 0,
          suspended: 0,
          call_back_url: null,
          priority: null,
          created_at: creation,
          updated_at: creation,
          time_zone: null,
          region: null,
          rule_pack: null,
          call_policy: null,
          call_order: null,
          deleted_at: null,
        } as never)
        .execute();
    }
  });
  // Reservations as appoint/create writes them (callType 2: due 5 minutes before appointTime).
  const raw = new Database(file);
  const ins = raw.prepare(
    `insert into reservations (id, vdn_id, campaign_id, call_type, called_no, appoint_time, remark, state, due_at, timeout, attempts, created_at, updated_at)
     values (?, 1, ?, 2, ?, ?, 'bench', 'pending', ?, 0, 0, ?, ?)`,
  );
  raw.transaction(() => {
    for (let n = 0; n < RESERVATIONS; n++) {
      const appoint = creation + DAY + n * 10;
      ins.run(`r${String(n).padStart(12, '0')}`, (n % CAMPAIGNS) + 1, String(13800000000 + n), appoint, appoint - 300_000, creation, creation);
    }
  })();
  raw.close();
}

// A kept store: its clock starts where the store was made (reservations due a day later) and the
// CPS row of an earlier run is dropped (a pass for an earlier second than the row's gets no budget).
const made = (await sql<{ t: number | null }>`select min(created_at) as t from reservations`.execute(db)).rows[0]?.t;
const start = Number(made ?? Date.now());
await db.deleteFrom('engine_pacing').execute();

const config = loadConfig({ ...process.env, CAMPAIGND_CLOCK: 'manual', CAMPAIGND_DATA_DIR: path.dirname(file) });
const clock = new ManualClock(start);
const engine = createEngine({ db, caps, clock, config });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;

async function round(): Promise<void> {
  clock.set(clock.now() + 1000);
  await engine.advanceTo(clock.now(), (ms) => clock.set(ms));
}

// Warm-up (statement cache, JIT).
for (let i = 0; i < 50; i++) await round();

if (process.env.BENCH_PLAN === '1') {
  // The statements of one round, as better-sqlite3 runs them (text, parameters, µs), then SQLite's plan of each.
  const proto = Object.getPrototypeOf(new Database(':memory:').prepare('select 1')) as Record<'all' | 'run' | 'get', (...a: unknown[]) => unknown>;
  const seen: Array<{ text: string; params: unknown[]; us: number[] }> = [];
  const orig = { all: proto.all, run: proto.run, get: proto.get };
  for (const m of ['all', 'run', 'get'] as const) {
    proto[m] = function (this: { source: string }, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return orig[m].apply(this, args);
      } finally {
        const us = (performance.now() - t0) * 1000;
        const params = (Array.isArray(args[0]) ? args[0] : args) as unknown[];
        const e = seen.find((x) => x.text === this.source);
        if (e) e.us.push(us);
        else seen.push({ text: this.source, params, us: [us] });
      }
    };
  }
  for (let i = 0; i < 20; i++) await round();
  Object.assign(proto, orig);
  const raw = new Database(file, { readonly: true });
  for (const s of seen) {
    console.log(`\n${median(s.us).toFixed(0)} µs (x${s.us.length / 20}/round): ${s.text}\n  params ${JSON.stringify(s.params)}`);
    for (const r of raw.prepare(`explain query plan ${s.text}`).all(...s.params) as Array<{ detail: string }>) console.log(`  ${r.detail}`);
  }
  raw.close();
}

const wall: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const t0 = performance.now();
  await round();
  wall.push((performance.now() - t0) * 1000);
}

const stretches: number[] = [];
const turns: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  let spinning = true;
  let last = performance.now();
  let longest = 0;
  let n = 0;
  const spin = () => {
    const t = performance.now();
    longest = Math.max(longest, t - last);
    last = t;
    n++;
    if (spinning) setImmediate(spin);
  };
  // A turn of the loop first, so that the chain runs beside the whole round.
  await new Promise<void>((resolve) => setImmediate(resolve));
  setImmediate(spin);
  last = performance.now();
  await round();
  const t = performance.now();
  longest = Math.max(longest, t - last);
  spinning = false;
  stretches.push(longest * 1000);
  turns.push(n);
}

const reservations = (await sql<{ n: number }>`select count(*) as n from reservations`.execute(db)).rows[0]!.n;
console.log(
  JSON.stringify({
    reservations,
    rounds: ROUNDS,
    roundUs: { median: Math.round(median(wall)), p90: Math.round(p90(wall)) },
    longestStretchUs: { median: Math.round(median(stretches)), p90: Math.round(p90(stretches)), max: Math.round(Math.max(...stretches)) },
    turnsPerRound: median(turns),
  }),
);
await engine.stop();
await store.close();

// BENCH_SERVER_SECONDS=n: the whole server on this store for n seconds, system clock, engine
// polling every CAMPAIGND_ENGINE_POLL_MS (1 s), no requests: the longest stretch without a turn
// of the event loop in each second (a setImmediate chain beside it), and how many stretches
// were longer than 1 ms.
const seconds = Number(process.env.BENCH_SERVER_SECONDS ?? 0);
if (seconds > 0) {
  const { startApp } = await import('../src/app.js');
  const { pino } = await import('pino');
  const app = await startApp(
    loadConfig({
      ...process.env,
      CAMPAIGND_CLOCK: 'system',
      CAMPAIGND_PORT: '0',
      CAMPAIGND_DATA_DIR: path.dirname(file),
      CAMPAIGND_ACCESS_KEY: 'benchAK',
      CAMPAIGND_SECRET_KEY: 'bench-secret-key-0001',
    }),
    { logger: pino({ level: 'silent' }) },
  );
  await new Promise((r) => setTimeout(r, 2000));
  const worst: number[] = [];
  let over1ms = 0;
  let last = performance.now();
  let second = Math.floor(last / 1000);
  let worstThisSecond = 0;
  const end = last + seconds * 1000;
  await new Promise<void>((resolve) => {
    const spin = () => {
      const t = performance.now();
      const gap = t - last;
      last = t;
      if (gap > 1) over1ms++;
      if (Math.floor(t / 1000) !== second) {
        worst.push(worstThisSecond * 1000);
        worstThisSecond = 0;
        second = Math.floor(t / 1000);
      }
      worstThisSecond = Math.max(worstThisSecond, gap);
      if (t < end) setImmediate(spin);
      else resolve();
    };
    setImmediate(spin);
  });
  await app.close();
  console.log(
    JSON.stringify({
      serverSeconds: seconds,
      worstStretchPerSecondUs: { median: Math.round(median(worst)), p90: Math.round(p90(worst)), max: Math.round(Math.max(...worst)) },
      stretchesOver1ms: over1ms,
    }),
  );
}
