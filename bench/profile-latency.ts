/**
 * Latency of a signed appoint/create on SQLite at a fixed offered rate (issue #12: p99 < 5 ms at
 * 2,000 req/s), with what the WAL did meanwhile: campaignd in its own process, wrk at
 * BENCH_RATE (default 2000) req/s over 32 connections for BENCH_SECONDS (default 10), after a
 * 3 s warm-up at full speed; repeated BENCH_RUNS times (default 3). Prints per run p50, p99,
 * the achieved rate, and the largest WAL file seen (sampled every 100 ms; a WAL that restarts
 * keeps about one second of writes, one that does not grows until its TRUNCATE bound).
 *
 *   npm run build && npx tsx bench/profile-latency.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latencyAt, throughput } from './lib/load.js';
import { startCampaignd } from './lib/processes.js';
import { createCampaign, KEY_ENV, signedRequest } from './lib/signed.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PATH = '/rest/isales/v1/openapi/campaigns/1/appoint/create';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-latency-'));
const cd = await startCampaignd({ ...KEY_ENV, CAMPAIGND_DATA_DIR: dir, CAMPAIGND_LOG_LEVEL: 'warn' });
try {
  const taskId = await createCampaign(cd.url, 'latency');
  const appointTime = Date.now() + 86_400_000;
  const reqs = Array.from({ length: 20_000 }, (_, n) =>
    signedRequest(cd.url, 'POST', PATH, JSON.stringify({ callType: 2, calledNo: String(13800000000 + n), taskId: String(taskId), appointTime, remark: 'bench' })),
  );
  await throughput(cd.url, reqs, 32, 3);
  const wal = path.join(dir, 'campaignd.db-wal');
  for (let run = 1; run <= RUNS; run++) {
    let maxWal = 0;
    const sampler = setInterval(() => {
      if (fs.existsSync(wal)) maxWal = Math.max(maxWal, fs.statSync(wal).size);
    }, 100);
    const r = await latencyAt(cd.url, reqs, 32, SECONDS, RATE);
    clearInterval(sampler);
    console.log(
      `run ${run}: p50 ${r.p50} ms, p99 ${r.p99} ms, achieved ${r.rps.toFixed(0)} of ${RATE} req/s, ${r.errors} bad replies; largest WAL ${(maxWal / 1048576).toFixed(1)} MiB`,
    );
  }
} finally {
  await cd.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
