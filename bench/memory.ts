/**
 * Memory scenario (issue #12): the resident memory of a campaignd process (SQLite) holding
 * 1,000,000 call-data records with its engine running (simulated dialer, dialling them).
 * Target: RSS ≤ 200 MB.
 *
 * The campaign is created through the interface; the million records are then written straight
 * into the store's tables while campaignd is stopped (loading them through the interface is the
 * ingest scenario's business), and campaignd is started again on that file: its RSS is sampled
 * from /proc every 250 ms for BENCH_SECONDS while the engine dispatches, with a statistics query
 * and a call-data page read in between. VmHWM is the process's peak.
 *
 *   npx tsx bench/memory.ts     (BENCH_RECORDS=1000000 BENCH_SECONDS=30)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { rssOf, startCampaignd } from './lib/processes.js';
import { emit } from './lib/report.js';
import { call, createCampaign, KEY_ENV } from './lib/signed.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const MB = 1024 * 1024;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-bench-memory-'));
const env = { ...KEY_ENV, CAMPAIGND_DATA_DIR: dir, CAMPAIGND_STATISTICS_INTERVAL_SECONDS: '0', CAMPAIGND_LOG_LEVEL: 'warn', CAMPAIGND_MAX_UNCOMPLETED: String(RECORDS) };
try {
  const first = await startCampaignd(env);
  let campaignId: number;
  try {
    campaignId = await createCampaign(first.url, 'bench-memory', { deviceSign: '1', callCount: 100, callInterval: 1 });
  } finally {
    await first.stop();
  }
  const db = new Database(path.join(dir, 'campaignd.db'));
  db.pragma('journal_mode = WAL');
  const insertData = db.prepare(
    `insert into call_data (vdn_id, campaign_id, session_id, state, due_at, number_index, attempts, succeeded, created_at, updated_at)
     values (1, ?, ?, 'ready', ?, 0, 0, 0, ?, ?)`,
  );
  const insertNumber = db.prepare('insert into call_data_numbers (data_id, idx, called_no, delay_time, type, attempts) values (?, 0, ?, 0, null, 0)');
  const now = Date.now();
  for (let i = 0; i < RECORDS; i += 50_000) {
    db.transaction(() => {
      for (let j = i; j < Math.min(RECORDS, i + 50_000); j++) {
        const { lastInsertRowid } = insertData.run(campaignId, `m${j}`, now, now, now);
        insertNumber.run(lastInsertRowid, String(13000000000 + j));
      }
    })();
  }
  db.close();
  const dbMb = fs.statSync(path.join(dir, 'campaignd.db')).size / MB;

  const cd = await startCampaignd(env);
  let peakSampled = 0;
  let last = { rss: 0, peak: 0 };
  try {
    const pid = cd.child.pid as number;
    const end = Date.now() + SECONDS * 1000;
    let i = 0;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 250));
      last = rssOf(pid);
      peakSampled = Math.max(peakSampled, last.rss);
      if (++i % 20 === 0) {
        await call(cd.url, 'GET', `/rest/isales/v1/openapi/campaigns/1/calldata/${campaignId}/1`, undefined);
        const stats = await call(cd.url, 'GET', `/rest/isales/v2/openapi/campaigns/1/statistics?campaignId=${campaignId}`, undefined);
        if (stats.status !== 200 && stats.status !== 429) throw new Error(`statistics answered HTTP ${stats.status}`);
      }
    }
  } finally {
    await cd.stop();
  }
  const peak = Math.max(last.peak, peakSampled) / MB;
  emit({
    scenario: 'memory',
    figures: [
      {
        scenario: 'memory',
        measure: `RSS with ${RECORDS.toLocaleString('en-US')} call-data records stored, engine dialling (SQLite)`,
        value: peak,
        unit: 'MB (peak)',
        target: '≤ 200 MB',
        met: peak <= 200,
        how: `VmHWM of the campaignd process over ${SECONDS} s; last VmRSS ${(last.rss / MB).toFixed(0)} MB; database file ${dbMb.toFixed(0)} MB`,
      },
    ],
    notes: [],
  });
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
