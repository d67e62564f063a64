/**
 * Profiles campaignd's call-data add (issue #12, ingest scenario): starts it with the engine off
 * (SQLite, or PostgreSQL with BENCH_DATABASE_URL and BENCH_PROFILE_PG=1), optionally under
 * `--cpu-prof`, sends BENCH_REQUESTS (default 10) signed v1 adds of 10,000 records one at a time
 * (after one warm-up), and prints the rate, the server's CPU time per record (user + system,
 * from /proc: steadier than the rate on a shared machine) and the top self-time functions.
 * With SQLTIME=1 the server's stderr is echoed (see the sqltime patch of the notes).
 *
 *   npx tsx bench/profile-ingest.ts         (BENCH_PROFILE=0: the figures alone, no profiler)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuMs, startCampaignd } from './lib/processes.js';
import { backends } from './lib/backends.js';
import { createCampaign, KEY_ENV, ok } from './lib/signed.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10);
const BATCH = 10_000;
const P = '/rest/isales/v1/openapi/campaigns/1';
const rowsOf = (c: number, n: number) => Array.from({ length: n }, (_, i) => ({ sessionId: `s${c}-${i}`, called: String(13000000000 + c * BATCH + i) }));

/** The measured requests' time span (µs of the monotonic clock the profiler's timestamps use). */
let window: [number, number] = [0, Number.MAX_SAFE_INTEGER];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-prof-ingest-'));
const stores = await backends();
const store = process.env.BENCH_PROFILE_PG === '1' ? stores.find((s) => s.name === 'PostgreSQL')! : stores[0]!;
const cd = await startCampaignd(
  { ...KEY_ENV, ...store.env(path.join(dir, 'data')), CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLDATA_MAX: String(BATCH), CAMPAIGND_LOG_LEVEL: 'warn' },
  process.env.BENCH_PROFILE === '0' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`],
);
if (process.env.SQLTIME) cd.child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
try {
  const campaigns: number[] = [];
  for (let c = 0; c < Math.min(REQUESTS, 19); c++) campaigns.push(await createCampaign(cd.url, `prof-ingest-${c}`));
  const bodies = Array.from({ length: REQUESTS }, (_, c) => ({ callDataList: rowsOf(c, BATCH) }));
  await ok(cd.url, 'POST', `${P}/calldata/${await createCampaign(cd.url, 'prof-ingest-warm')}`, { callDataList: rowsOf(999, BATCH) });
  const cpu0 = cpuMs(cd.child.pid!);
  const t0 = process.hrtime.bigint();
  for (const [c, body] of bodies.entries()) await ok(cd.url, 'POST', `${P}/calldata/${campaigns[c % campaigns.length]}`, body);
  const t1 = process.hrtime.bigint();
  window = [Number(t0 / 1000n), Number(t1 / 1000n)];
  const seconds = Number(t1 - t0) / 1e9;
  const perRecordUs = ((cpuMs(cd.child.pid!) - cpu0) * 1000) / (REQUESTS * BATCH);
  console.log(`${store.name}: ${((REQUESTS * BATCH) / seconds).toFixed(0)} records/s; server CPU ${perRecordUs.toFixed(2)} µs per record`);
  if (process.env.SQLTIME) await new Promise((r) => setTimeout(r, 5500));
} finally {
  await cd.stop();
  await store.cleanup();
}
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
  const prof = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  // Only the samples taken while the measured requests ran (not the start-up, the warm-up).
  const self = new Map<number, number>();
  let at = prof.startTime;
  prof.samples.forEach((id, i) => {
    at += prof.timeDeltas[i] ?? 0;
    if (at >= window[0] && at <= window[1]) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  });
  const byFn = new Map<string, number>();
  let total = 0;
  for (const n of prof.nodes) {
    const t = self.get(n.id) ?? 0;
    total += t;
    const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
  }
  console.log(`${path.join(dir, f)}: top self time while the measured requests ran (µs window ${window[0]}..${window[1]})`);
  for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_TOP ?? 40))) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
}
