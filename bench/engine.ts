/**
 * Engine scenario (issue #12): 100,000 due call-data records and 10,000 automatic reservations
 * through the simulated dialer on the real clock, on SQLite and (with BENCH_DATABASE_URL)
 * PostgreSQL.
 *
 * - Dispatch rate: records are loaded into suspended campaigns, the campaigns are resumed at
 *   once, and the time until every record was handed to the dialer gives dispatches/s
 *   (target ≥ 5,000/s). Pacing is opened as far as the interfaces allow (callCount 1000 per
 *   1 s per campaign, CAMPAIGND_MAX_CPS 10000) so that the engine, not the pacing, is measured.
 * - Fire lag: the reservations fall due spread over 20 s; lag = the moment the engine handed a
 *   reservation to the dialer − its due time (appointTime − CAMPAIGND_APPOINT_LEAD_SECONDS, set
 *   to 0 here); target p99 ≤ 100 ms.
 *
 * campaignd runs in this process (its engine events are the measuring instrument) and is driven
 * through its signed HTTP interface; nothing else runs in the process.
 *
 *   npx tsx bench/engine.ts     (BENCH_RECORDS=100000 BENCH_RESERVATIONS=10000; BENCH_ONLY=sqlite|pg for one backend)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { backends, pgSkippedNote, type Backend } from './lib/backends.js';
import { emit, type Figure } from './lib/report.js';
import { createCampaign, KEY_ENV, ok } from './lib/signed.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const RESERVATIONS = Number(process.env.BENCH_RESERVATIONS ?? 10_000);
const PER_CAMPAIGN = 10_000;
const SPREAD_MS = 20_000;
const P = '/rest/isales/v1/openapi/campaigns/1';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function runOn(store: Backend, dir: string): Promise<Figure[]> {
  const config = loadConfig({
    ...KEY_ENV,
    ...store.env(dir),
    CAMPAIGND_PORT: '0',
    CAMPAIGND_CALLDATA_MAX: String(PER_CAMPAIGN),
    CAMPAIGND_MAX_CPS: '10000',
    CAMPAIGND_APPOINT_LEAD_SECONDS: '0',
    CAMPAIGND_SIM_RING_SECONDS: '1-2',
    CAMPAIGND_SIM_TALK_SECONDS: '1-2',
  });
  const app = await startApp(config, { logger: pino({ level: 'warn' }) });
  try {
    const engine = app.engine;
    if (!engine) throw new Error('engine is off');
    const base = app.url;

    // 1. Dispatch rate over 100,000 due records.
    const campaigns: number[] = [];
    for (let c = 0; c * PER_CAMPAIGN < RECORDS; c++) {
      const id = await createCampaign(base, `bench-engine-${c}`, { deviceSign: '1', callCount: 1000, callInterval: 1 });
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
    const dispatchedAt: number[] = [];
    const fireLag: number[] = [];
    const dueOf = new Map<string, number>();
    const off = engine.events.on('attempt:dispatched', (e) => {
      const t = Date.now();
      if (e.dataId !== undefined) dispatchedAt.push(t);
      else if (e.reservationId !== undefined) {
        const due = dueOf.get(e.reservationId);
        if (due !== undefined) fireLag.push(t - due);
      }
    });
    const t0 = Date.now();
    await Promise.all(campaigns.map((id) => ok(base, 'PUT', `${P}/${id}/resume`, undefined)));
    const deadline = Date.now() + 600_000;
    while (dispatchedAt.length < RECORDS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const elapsed = (dispatchedAt.at(-1)! - t0) / 1000;
    const rate = dispatchedAt.length / elapsed;
    if (dispatchedAt.length < RECORDS) notes.push(`${store.name}: only ${dispatchedAt.length} of ${RECORDS} records were dispatched within 10 minutes`);

    // 2. Fire lag of 10,000 automatic reservations falling due over 20 s.
    const resCampaign = await createCampaign(base, 'bench-engine-reservations', { deviceSign: '1', callCount: 1000, callInterval: 1 });
    process.stderr.write(`[engine] ${store.name}: ${dispatchedAt.length} records dispatched in ${elapsed.toFixed(1)} s = ${Math.round(rate)}/s\n`);
    // Head start for loading them through the API, 8 requests at a time (15 s, plus 3 ms a
    // reservation on a loaded machine); one that could no longer be loaded before its due time
    // is left out and said so.
    const headStart = 15_000 + 3 * RESERVATIONS;
    const start = Date.now() + headStart;
    let next = 0;
    let tooLate = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < RESERVATIONS; i = next++) {
          const appointTime = start + Math.floor((i * SPREAD_MS) / RESERVATIONS);
          if (appointTime < Date.now() + 200) {
            tooLate++;
            continue;
          }
          const r = await ok<{ id: string }>(base, 'POST', `${P}/appoint/create`, { callType: 2, calledNo: String(15000000000 + i), taskId: String(resCampaign), appointTime });
          dueOf.set(r.id, appointTime);
        }
      }),
    );
    if (tooLate > 0) notes.push(`${store.name}: ${tooLate} reservations could not be loaded before their due time (head start ${headStart / 1000} s) and were left out`);
    const resLoaded = RESERVATIONS - tooLate;
    const resDeadline = start + SPREAD_MS + 120_000;
    while (fireLag.length < resLoaded && Date.now() < resDeadline) await new Promise((r) => setTimeout(r, 50));
    off();
    fireLag.sort((a, b) => a - b);
    if (fireLag.length < RESERVATIONS) notes.push(`${store.name}: only ${fireLag.length} of ${RESERVATIONS} reservations were dispatched`);
    process.stderr.write(
      `[engine] ${store.name}: fire lag p50 ${percentile(fireLag, 50)} ms, p99 ${percentile(fireLag, 99)} ms, max ${fireLag.at(-1)} ms (${fireLag.length} reservations)\n`,
    );

    const figures: Figure[] = [
      {
        scenario: 'engine',
        measure: `${RECORDS.toLocaleString('en-US')} due records through the simulated dialer (${store.name}), dispatch rate`,
        value: rate,
        unit: 'dispatches/s',
        target: '≥ 5,000/s',
        met: rate >= 5000 && dispatchedAt.length === RECORDS,
        how: `${campaigns.length} campaign(s) of up to ${PER_CAMPAIGN} records resumed together; callCount 1000/1 s each, CAMPAIGND_MAX_CPS 10000, poll ${config.engine.pollMs} ms; ${dispatchedAt.length} dispatched in ${elapsed.toFixed(1)} s`,
      },
      {
        scenario: 'engine',
        measure: `${RESERVATIONS.toLocaleString('en-US')} automatic reservations (${store.name}), fire lag p99`,
        value: percentile(fireLag, 99),
        unit: 'ms',
        target: '≤ 100 ms',
        met: percentile(fireLag, 99) <= 100 && fireLag.length === RESERVATIONS,
        how: `due over ${SPREAD_MS / 1000} s; p50 ${percentile(fireLag, 50)} ms, max ${fireLag.at(-1)} ms; poll ${config.engine.pollMs} ms`,
      },
    ];
    return figures;
  } finally {
    await app.close();
  }
}

const notes: string[] = [];
const figures: Figure[] = [];
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-bench-engine-'));
try {
  // BENCH_ONLY=sqlite|pg: one backend (the other is dropped unmeasured).
  const only = process.env.BENCH_ONLY;
  for (const store of await backends()) {
    if ((only === 'sqlite' && store.name !== 'SQLite') || (only === 'pg' && store.name !== 'PostgreSQL')) {
      await store.cleanup();
      continue;
    }
    try {
      figures.push(...(await runOn(store, path.join(root, store.name))));
    } finally {
      await store.cleanup();
    }
  }
  const skipped = pgSkippedNote();
  if (skipped) notes.push(skipped);
  emit({ scenario: 'engine', figures, notes });
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
