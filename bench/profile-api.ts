/**
 * Profiles campaignd under wrk on a signed appoint/create (issue #12): starts it with
 * `--cpu-prof` (SQLite, or PostgreSQL with BENCH_DATABASE_URL and BENCH_PROFILE_PG=1), loads it
 * for BENCH_SECONDS (default 10) with 32 connections, stops it and prints the top self-time
 * functions (IDLE included: time the event loop waited with nothing to run) and the rate, and
 * the server's CPU time per request (user + system, from /proc, all its threads and its main
 * thread alone: steadier than the rate on a shared machine, since time spent descheduled is not
 * counted).
 *
 *   npx tsx bench/profile-api.ts            (the .cpuprofile stays in the printed directory;
 *                                           BENCH_PROFILE=0: the rate alone, without the profiler)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { throughput } from './lib/load.js';
import { cpuMs, startCampaignd } from './lib/processes.js';
import { backends } from './lib/backends.js';
import { createCampaign, KEY_ENV, signedRequest } from './lib/signed.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PATH = '/rest/isales/v1/openapi/campaigns/1/appoint/create';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-prof-'));
const stores = await backends();
const store = process.env.BENCH_PROFILE_PG === '1' ? stores.find((s) => s.name === 'PostgreSQL')! : stores[0]!;
const cd = await startCampaignd(
  { ...KEY_ENV, ...store.env(path.join(dir, 'data')), CAMPAIGND_LOG_LEVEL: 'warn' },
  process.env.BENCH_PROFILE === '0' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`],
);
try {
  const taskId = await createCampaign(cd.url, 'prof');
  const appointTime = Date.now() + 86_400_000;
  const reqs = Array.from({ length: 20_000 }, (_, n) =>
    signedRequest(cd.url, 'POST', PATH, JSON.stringify({ callType: 2, calledNo: String(13800000000 + n), taskId: String(taskId), appointTime, remark: 'bench' })),
  );
  await throughput(cd.url, reqs, 32, 2);
  const pid = cd.child.pid!;
  const cpu0 = cpuMs(pid);
  const main0 = cpuMs(pid, pid);
  const r = await throughput(cd.url, reqs, 32, SECONDS);
  const perRequestUs = ((cpuMs(pid) - cpu0) * 1000) / (r.rps * SECONDS + r.errors);
  const mainUs = ((cpuMs(pid, pid) - main0) * 1000) / (r.rps * SECONDS + r.errors);
  console.log(
    `${store.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} bad; server CPU ${perRequestUs.toFixed(0)} µs per request (main thread ${mainUs.toFixed(1)})`,
  );
} finally {
  await cd.stop();
  await store.cleanup();
}
for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
  const prof = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
    nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
    samples: number[];
    timeDeltas: number[];
  };
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  let total = 0;
  for (const n of prof.nodes) {
    const t = self.get(n.id) ?? 0;
    total += t;
    const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*node_modules\//, '').replace(/.*\/dist\//, 'dist/')}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + t);
  }
  console.log(`${path.join(dir, f)}: top self time`);
  for (const [k, t] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_TOP ?? 30))) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
}
