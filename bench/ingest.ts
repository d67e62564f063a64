/**
 * Ingest scenario (issue #12): call-data add at the largest batch size the server accepts
 * (CAMPAIGND_CALLDATA_MAX=10000) against the limit, a raw better-sqlite3 insert loop writing the
 * same rows into the same tables (prepared statements, one transaction per 10,000 rows, the
 * same WAL/synchronous settings). Target ≥ 0.3.
 *
 * campaignd runs as its own process with the engine off (the add path alone is measured);
 * requests go one at a time, each to a different campaign (the vendor's 1 s spacing is per
 * campaign), so the figure is the server's, not the spacing's.
 *
 *   npx tsx bench/ingest.ts     (BENCH_ROWS=200000)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqlite } from '../src/store/connect.js';
import { startCampaignd } from './lib/processes.js';
import { emit } from './lib/report.js';
import { createCampaign, KEY_ENV, ok } from './lib/signed.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const BATCH = 10_000;
const P = '/rest/isales/v1/openapi/campaigns/1';

const rowsOf = (c: number, n: number) => Array.from({ length: n }, (_, i) => ({ sessionId: `s${c}-${i}`, called: String(13000000000 + c * BATCH + i) }));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-bench-ingest-'));
try {
  // campaignd, through the signed interface.
  const cd = await startCampaignd({
    ...KEY_ENV,
    CAMPAIGND_DATA_DIR: path.join(dir, 'cd'),
    CAMPAIGND_ENGINE: 'off',
    CAMPAIGND_CALLDATA_MAX: String(BATCH),
    CAMPAIGND_LOG_LEVEL: 'warn',
  });
  let apiSeconds: number;
  const batches = Math.ceil(ROWS / BATCH);
  try {
    const campaigns: number[] = [];
    for (let c = 0; c < batches; c++) campaigns.push(await createCampaign(cd.url, `bench-ingest-${c}`));
    const bodies = campaigns.map((_, c) => ({ callDataList: rowsOf(c, Math.min(BATCH, ROWS - c * BATCH)) }));
    // Warm-up on a separate campaign.
    const warm = await createCampaign(cd.url, 'bench-ingest-warm');
    await ok(cd.url, 'POST', `${P}/calldata/${warm}`, { callDataList: rowsOf(999, BATCH) });
    const t0 = process.hrtime.bigint();
    for (const [c, id] of campaigns.entries()) await ok(cd.url, 'POST', `${P}/calldata/${id}`, bodies[c]);
    apiSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    await cd.stop();
  }

  // The limit: the same rows straight into a migrated store's tables.
  const file = path.join(dir, 'raw', 'campaignd.db');
  const store = await openSqlite({ file });
  await store.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insertData = db.prepare(
    `insert into call_data (vdn_id, campaign_id, batch_id, session_id, state, due_at, number_index, attempts, succeeded, created_at, updated_at)
     values (1, ?, null, ?, 'ready', ?, 0, 0, 0, ?, ?)`,
  );
  const insertNumber = db.prepare('insert into call_data_numbers (data_id, idx, called_no, delay_time, type, attempts) values (?, 0, ?, 0, null, 0)');
  const t1 = process.hrtime.bigint();
  for (let c = 0; c < batches; c++) {
    const rows = rowsOf(c, Math.min(BATCH, ROWS - c * BATCH));
    const now = Date.now();
    db.transaction(() => {
      for (const r of rows) {
        const { lastInsertRowid } = insertData.run(c + 1, r.sessionId, now, now, now);
        insertNumber.run(lastInsertRowid, r.called);
      }
    })();
  }
  const rawSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  db.close();

  const api = ROWS / apiSeconds;
  const raw = ROWS / rawSeconds;
  emit({
    scenario: 'ingest',
    figures: [
      {
        scenario: 'ingest',
        measure: `call-data add, ${BATCH.toLocaleString('en-US')} records per request (SQLite)`,
        value: api,
        unit: 'records/s',
        reference: { label: 'raw better-sqlite3 insert loop', value: raw },
        ratio: api / raw,
        target: '≥ 0.3',
        met: api / raw >= 0.3,
        how: `${ROWS.toLocaleString('en-US')} records in ${batches} signed requests, one at a time, engine off; raw loop: same rows and tables, one transaction per ${BATCH.toLocaleString('en-US')}`,
      },
    ],
    notes: [],
  });
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
