/**
 * Profiles the engine's dispatch path (issue #12) the way bench/engine.ts drives it: due
 * call-data records in suspended campaigns (BENCH_RECORDS, default 50,000; 10,000 per campaign),
 * resumed at once, until every record was handed to the simulated dialer. Prints, per backend,
 * the dispatch rate, this process's CPU time per dispatch (user + system, process.cpuUsage:
 * steadier than the rate on a shared machine, since time spent descheduled is not counted), the
 * SQL statements sent per dispatch on PostgreSQL (round trips), and with BENCH_PROFILE=1 the top
 * self-time functions of the dispatch phase (V8's profiler, started when the campaigns resume;
 * "(idle)" is time the event loop waited, on PostgreSQL mostly for the database).
 *
 * With BENCH_LAG=1 a second phase follows, as bench/engine.ts part 2: BENCH_RESERVATIONS
 * (default 3,000) automatic reservations falling due over 20 s, and what stands between a
 * reservation's due time and its hand-off to the dialer: the fire lag (p50/p90/p99/max), the
 * engine passes (how long each ran, the wait between two), the statements per pass, and with
 * BENCH_STATEMENTS=1 the statements of that phase by text (count, time waited per statement).
 * A reservation falling due during a pass is claimed by the next one, so its lag is roughly the
 * rest of that pass, the wait, and the next pass up to its dispatch (issue #12).
 *
 *   npx tsx bench/profile-engine.ts            (BENCH_ONLY=sqlite|pg to run one backend)
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { backends, type Backend } from './lib/backends.js';
import { createCampaign, KEY_ENV, ok } from './lib/signed.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 50_000);
const PER_CAMPAIGN = 10_000;
const P = '/rest/isales/v1/openapi/campaigns/1';
const PROFILE = process.env.BENCH_PROFILE === '1';
const LAG = process.env.BENCH_LAG === '1';
const RESERVATIONS = Number(process.env.BENCH_RESERVATIONS ?? 3000);

/** User + system CPU time of every PostgreSQL server process so far, ms (Linux /proc; shared with whatever else uses that server). */
function pgServerCpuMs(): number {
  let ms = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const f = stat.split(') ')[1]!.split(' ');
      ms += (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      /* gone meanwhile */
    }
  }
  return ms;
}

// Statements sent to PostgreSQL (every pg query, the pool's included). With BENCH_STATEMENTS=1
// also tallied by SQL text (its first 90 characters): count and time waited for the answer.
let pgQueries = 0;
const TALLY = process.env.BENCH_STATEMENTS === '1';
const tally = new Map<string, { n: number; ms: number }>();
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  pgQueries++;
  const r = (query as (...a: unknown[]) => unknown).apply(this, args);
  if (TALLY && typeof args[0] === 'string' && r instanceof Promise) {
    const key = args[0].replace(/\s+/g, ' ').slice(0, 90);
    const t0 = performance.now();
    void r.then(
      () => {
        const e = tally.get(key) ?? { n: 0, ms: 0 };
        e.n++;
        e.ms += performance.now() - t0;
        tally.set(key, e);
      },
      () => {},
    );
  }
  return r;
} as typeof pg.Client.prototype.query;

async function runOn(store: Backend, dir: string): Promise<void> {
  const config = loadConfig({
    ...KEY_ENV,
    ...store.env(dir),
    CAMPAIGND_PORT: '0',
    CAMPAIGND_CALLDATA_MAX: String(PER_CAMPAIGN),
    CAMPAIGND_MAX_CPS: '10000',
    // BENCH_LAG: a reservation falls due at its appointTime, as in bench/engine.ts.
    CAMPAIGND_APPOINT_LEAD_SECONDS: '0',
    CAMPAIGND_SIM_RING_SECONDS: '1-2',
    CAMPAIGND_SIM_TALK_SECONDS: '1-2',
  });
  const app = await startApp(config, { logger: pino({ level: 'warn' }) });
  try {
    const engine = app.engine!;
    const base = app.url;
    const campaigns: number[] = [];
    for (let c = 0; c * PER_CAMPAIGN < RECORDS; c++) {
      const id = await createCampaign(base, `prof-engine-${c}`, { deviceSign: '1', callCount: 1000, callInterval: 1 });
      await ok(base, 'PUT', `${P}/${id}/pause`, undefined);
      campaigns.push(id);
    }
    let loaded = 0;
    for (const [c, id] of campaigns.entries()) {
      const n = Math.min(PER_CAMPAIGN, RECORDS - loaded);
      const callDataList = Array.from({ length: n }, (_, i) => ({ sessionId: `s${c}-${i}`, called: String(13000000000 + loaded + i) }));
      await ok(base, 'POST', `${P}/calldata/${id}`, { callDataList });
      loaded += n;
    }
    let dispatched = 0;
    let last = 0;
    const off = engine.events.on('attempt:dispatched', (e) => {
      if (e.dataId !== undefined) {
        dispatched++;
        last = Date.now();
      }
    });
    const session = new inspector.Session();
    if (PROFILE) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
    }
    const cpu0 = process.cpuUsage();
    const q0 = pgQueries;
    tally.clear();
    const pg0 = pgServerCpuMs();
    const t0 = Date.now();
    await Promise.all(campaigns.map((id) => ok(base, 'PUT', `${P}/${id}/resume`, undefined)));
    const deadline = Date.now() + 300_000;
    while (dispatched < RECORDS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const cpu = process.cpuUsage(cpu0);
    const queries = pgQueries - q0;
    const pgCpu = pgServerCpuMs() - pg0;
    off();
    const wall = (last - t0) / 1000;
    const line = `${store.name}: ${dispatched} dispatched in ${wall.toFixed(1)} s = ${Math.round(dispatched / wall)}/s; CPU ${(((cpu.user + cpu.system) / Math.max(1, dispatched)) | 0).toString()} µs per dispatch`;
    console.log(
      store.name === 'PostgreSQL'
        ? `${line}; ${(queries / Math.max(1, dispatched)).toFixed(2)} statements per dispatch; PostgreSQL server CPU ${((pgCpu * 1000) / Math.max(1, dispatched)) | 0} µs per dispatch`
        : line,
    );
    if (TALLY) {
      for (const [sqlText, e] of [...tally.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
        console.log(`${String(e.n).padStart(7)} × ${(e.ms / e.n).toFixed(2).padStart(7)} ms  ${sqlText}`);
      }
    }
    if (PROFILE) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      fs.writeFileSync(path.join(dir, '..', `${store.name}.cpuprofile`), JSON.stringify(profile));
      printTop(profile as unknown as Prof);
    }
    if (LAG) await lagPhase(store, engine, base);
  } finally {
    await app.close();
  }
}

/** The p-th percentile of ascending `sorted`. */
function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** BENCH_LAG=1: reservations falling due over 20 s, their fire lag and the engine passes meanwhile. */
async function lagPhase(store: Backend, engine: NonNullable<Awaited<ReturnType<typeof startApp>>['engine']>, base: string): Promise<void> {
  const SPREAD_MS = 20_000;
  const resCampaign = await createCampaign(base, 'prof-engine-reservations', { deviceSign: '1', callCount: 1000, callInterval: 1 });
  const start = Date.now() + 15_000 + 3 * RESERVATIONS;
  const dueOf = new Map<string, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < RESERVATIONS; i = next++) {
        const appointTime = start + Math.floor((i * SPREAD_MS) / RESERVATIONS);
        if (appointTime < Date.now() + 200) continue;
        const r = await ok<{ id: string }>(base, 'POST', `${P}/appoint/create`, { callType: 2, calledNo: String(15000000000 + i), taskId: String(resCampaign), appointTime });
        dueOf.set(r.id, appointTime);
      }
    }),
  );
  while (Date.now() < start - 200) await new Promise((r) => setTimeout(r, 50));
  // Passes: the engine's own tick() wrapped (the timer calls it through the instance).
  const passes: Array<{ at: number; end: number }> = [];
  const tick = engine.tick.bind(engine);
  engine.tick = () => {
    const p = { at: performance.now(), end: Number.NaN };
    passes.push(p);
    const r = tick();
    void r.then(() => (p.end = performance.now()));
    return r;
  };
  const lag: number[] = [];
  const off = engine.events.on('attempt:dispatched', (e) => {
    const due = e.reservationId !== undefined ? dueOf.get(e.reservationId) : undefined;
    if (due !== undefined) lag.push(Date.now() - due);
  });
  const q0 = pgQueries;
  tally.clear();
  while (lag.length < dueOf.size && Date.now() < start + SPREAD_MS + 60_000) await new Promise((r) => setTimeout(r, 50));
  off();
  engine.tick = tick;
  const done = passes.filter((p) => !Number.isNaN(p.end));
  const runs = done.map((p) => p.end - p.at).sort((a, b) => a - b);
  const waits = done
    .slice(1)
    .map((p, i) => p.at - done[i]!.end)
    .sort((a, b) => a - b);
  lag.sort((a, b) => a - b);
  const f = (a: number[]) => `p50 ${pct(a, 50).toFixed(1)}, p90 ${pct(a, 90).toFixed(1)}, p99 ${pct(a, 99).toFixed(1)}`;
  console.log(`${store.name}: fire lag of ${lag.length} reservations: ${f(lag)}, max ${lag.at(-1)} ms`);
  console.log(`  ${done.length} passes: ran ${f(runs)} ms; waited between passes ${f(waits)} ms`);
  if (store.name === 'PostgreSQL') console.log(`  ${((pgQueries - q0) / Math.max(1, done.length)).toFixed(1)} statements per pass`);
  if (TALLY) {
    for (const [sqlText, e] of [...tally.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
      console.log(`${String(e.n).padStart(7)} × ${(e.ms / e.n).toFixed(2).padStart(7)} ms  ${sqlText}`);
    }
  }
}

interface Prof {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

function printTop(prof: Prof): void {
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  let total = 0;
  for (const n of prof.nodes) {
    const t = self.get(n.id) ?? 0;
    total += t;
    const where = n.callFrame.url ? `${n.callFrame.url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${n.callFrame.lineNumber + 1}` : '';
    const k = `${n.callFrame.functionName || '(anonymous)'} ${where}`;
    byFn.set(k, (byFn.get(k) ?? 0) + t);
  }
  const top = [...byFn.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_TOP ?? 30));
  for (const [k, t] of top) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-prof-engine-'));
const only = process.env.BENCH_ONLY;
for (const store of await backends()) {
  if ((only === 'sqlite' && store.name !== 'SQLite') || (only === 'pg' && store.name !== 'PostgreSQL')) {
    await store.cleanup();
    continue;
  }
  try {
    await runOn(store, path.join(root, store.name));
  } finally {
    await store.cleanup();
  }
}
console.log(`profiles in ${root}`);
