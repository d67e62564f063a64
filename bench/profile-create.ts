/**
 * CPU time per appoint/create through the domain and the group committer, in-process: no HTTP,
 * no signature, no load tool (issue #12). The HTTP figure of bench/profile-api.ts moves by
 * ±10 µs between runs on a shared 2-core machine; this one isolates the store path (checks,
 * reads, the reservation insert, savepoints, BEGIN/COMMIT) and moves by a few µs, so a change
 * to that path can be judged by it (alternate the two builds, compare minima and medians). It starts the real app (engine on, as the
 * server), creates one campaign, then runs BENCH_ROUNDS (6) rounds of BENCH_CREATES (20,000)
 * creates, BENCH_BATCH (16) at a time (one group-committed batch each), and prints the CPU
 * time (user + system, the whole process) per create of each round, sorted, with the minimum
 * and the median. SQLite, or PostgreSQL with BENCH_DATABASE_URL and BENCH_PROFILE_PG=1 (a
 * schema of its own, dropped afterwards); the PostgreSQL server's own CPU is not counted.
 *
 *   npx tsx bench/profile-create.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { createReservation } from '../src/domain/reservations.js';
import { backends } from './lib/backends.js';
import { createCampaign, KEY_ENV } from './lib/signed.js';

const CREATES = Number(process.env.BENCH_CREATES ?? 20_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-create-'));
const stores = await backends();
const store = process.env.BENCH_PROFILE_PG === '1' ? stores.find((s) => s.name === 'PostgreSQL')! : stores[0]!;
const config = loadConfig({ ...KEY_ENV, ...store.env(dir), CAMPAIGND_PORT: '0' });
const app = await startApp(config, { logger: pino({ level: 'silent' }) });
try {
  const ctx = { db: app.store.db, clock: app.clock, config };
  const taskId = String(await createCampaign(app.url, 'profile-create'));
  let n = 0;
  /** CPU µs per create over `count` creates. */
  const round = async (count: number): Promise<number> => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < count; i += BATCH) {
      const appointTime = Date.now() + 86_400_000;
      await Promise.all(Array.from({ length: BATCH }, () => createReservation(ctx, 1, { callType: 2, calledNo: String(13800000000 + n++), taskId, appointTime, remark: 'bench' })));
    }
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / count;
  };
  await round(Math.min(CREATES, 5000));
  const perCreate: number[] = [];
  for (let r = 0; r < ROUNDS; r++) perCreate.push(await round(CREATES));
  perCreate.sort((a, b) => a - b);
  console.log(
    `${store.name}: CPU µs per create (batches of ${BATCH}): ${perCreate.map((x) => x.toFixed(1)).join(' ')}; min ${perCreate[0]!.toFixed(1)}, median ${perCreate[Math.floor(perCreate.length / 2)]!.toFixed(1)}`,
  );
} finally {
  await app.close();
  await store.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
}
