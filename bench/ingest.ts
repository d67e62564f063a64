/**
 * Ingest scenario (issue #12), on SQLite and (with BENCH_DATABASE_URL) PostgreSQL: call-data add
 * at the largest batch size the server accepts
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
import { startCampaignd } from './lib/processes.js';
import { backends, pgClient, pgSkippedNote, type Backend } from './lib/backends.js';
import { emit, type Figure } from './lib/report.js';
import { createCampaign, KEY_ENV, ok } from './lib/signed.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const BATCH = 10_000;
const MAX_CAMPAIGNS = 19;
const P = '/rest/isales/v1/openapi/campaigns/1';

const rowsOf = (c: number, n: number) => Array.from({ length: n }, (_, i) => ({ sessionId: `s${c}-${i}`, called: String(13000000000 + c * BATCH + i) }));

/** campaignd's add path: `rows` records in signed requests of BATCH, one at a time; seconds. */
async function throughInterface(env: Record<string, string>): Promise<number> {
  const cd = await startCampaignd({ ...KEY_ENV, ...env, CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLDATA_MAX: String(BATCH), CAMPAIGND_LOG_LEVEL: 'warn' });
  try {
    const batches = Math.ceil(ROWS / BATCH);
    // A VDN holds at most 20 IVR campaigns: 19 take the requests in turn, one is for the warm-up.
    const campaigns: number[] = [];
    for (let c = 0; c < Math.min(batches, MAX_CAMPAIGNS); c++) campaigns.push(await createCampaign(cd.url, `bench-ingest-${c}`));
    const bodies = Array.from({ length: batches }, (_, c) => ({ callDataList: rowsOf(c, Math.min(BATCH, ROWS - c * BATCH)) }));
    const warm = await createCampaign(cd.url, 'bench-ingest-warm');
    await ok(cd.url, 'POST', `${P}/calldata/${warm}`, { callDataList: rowsOf(999, BATCH) });
    const t0 = process.hrtime.bigint();
    for (const [c, body] of bodies.entries()) await ok(cd.url, 'POST', `${P}/calldata/${campaigns[c % campaigns.length]}`, body);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    await cd.stop();
  }
}

/** The limit on SQLite: prepared statements through better-sqlite3, one transaction per BATCH; seconds. */
function rawSqlite(file: string): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const insertData = db.prepare(
    `insert into call_data (vdn_id, campaign_id, batch_id, session_id, state, due_at, number_index, attempts, succeeded, created_at, updated_at)
     values (1, ?, null, ?, 'ready', ?, 0, 0, 0, ?, ?)`,
  );
  const insertNumber = db.prepare('insert into call_data_numbers (data_id, idx, called_no, delay_time, type, attempts) values (?, 0, ?, 0, null, 0)');
  const t1 = process.hrtime.bigint();
  for (let c = 0; c * BATCH < ROWS; c++) {
    const rows = rowsOf(c, Math.min(BATCH, ROWS - c * BATCH));
    const now = Date.now();
    db.transaction(() => {
      for (const r of rows) {
        const { lastInsertRowid } = insertData.run(c + 1, r.sessionId, now, now, now);
        insertNumber.run(lastInsertRowid, r.called);
      }
    })();
  }
  const seconds = Number(process.hrtime.bigint() - t1) / 1e9;
  db.close();
  return seconds;
}

/** The limit on PostgreSQL: the same statements, prepared, through one pg connection; seconds. */
async function rawPostgres(url: string, schema: string): Promise<number> {
  const client = await pgClient(url, schema);
  try {
    const t1 = process.hrtime.bigint();
    for (let c = 0; c * BATCH < ROWS; c++) {
      const rows = rowsOf(c, Math.min(BATCH, ROWS - c * BATCH));
      const now = Date.now();
      await client.query('begin');
      for (const r of rows) {
        const { rows: ids } = await client.query({
          name: 'data',
          text: `insert into call_data (vdn_id, campaign_id, batch_id, session_id, state, due_at, number_index, attempts, succeeded, created_at, updated_at)
                 values (1, $1, null, $2, 'ready', $3, 0, 0, 0, $3, $3) returning id`,
          values: [c + 1, r.sessionId, now],
        });
        await client.query({
          name: 'number',
          text: 'insert into call_data_numbers (data_id, idx, called_no, delay_time, type, attempts) values ($1, 0, $2, 0, null, 0)',
          values: [ids[0].id, r.called],
        });
      }
      await client.query('commit');
    }
    return Number(process.hrtime.bigint() - t1) / 1e9;
  } finally {
    await client.end();
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-bench-ingest-'));
const figures: Figure[] = [];
const notes: string[] = [];
try {
  for (const store of await backends()) {
    // A second, fresh store of the same kind for the raw loop, migrated by starting campaignd on it once.
    const [rawStore] = (await backends()).filter((b) => b.name === store.name) as [Backend];
    try {
      const apiSeconds = await throughInterface(store.env(path.join(dir, `${store.name}-api`)));
      const rawDir = path.join(dir, `${store.name}-raw`);
      await (await startCampaignd({ ...KEY_ENV, ...rawStore.env(rawDir), CAMPAIGND_ENGINE: 'off', CAMPAIGND_LOG_LEVEL: 'warn' })).stop();
      const rawSeconds = rawStore.pg ? await rawPostgres(rawStore.pg.url, rawStore.pg.schema) : rawSqlite(rawStore.sqliteFile!(rawDir));
      const api = ROWS / apiSeconds;
      const raw = ROWS / rawSeconds;
      figures.push({
        scenario: 'ingest',
        measure: `call-data add, ${BATCH.toLocaleString('en-US')} records per request (${store.name})`,
        value: api,
        unit: 'records/s',
        reference: { label: `raw ${store.pg ? 'pg' : 'better-sqlite3'} insert loop`, value: raw },
        ratio: api / raw,
        target: '≥ 0.3',
        met: api / raw >= 0.3,
        how: `${ROWS.toLocaleString('en-US')} records in ${Math.ceil(ROWS / BATCH)} signed requests, one at a time, engine off; raw loop: same rows and tables, prepared statements, one transaction per ${BATCH.toLocaleString('en-US')}`,
      });
    } finally {
      await store.cleanup();
      await rawStore.cleanup();
    }
  }
  const skipped = pgSkippedNote();
  if (skipped) notes.push(skipped);
  emit({ scenario: 'ingest', figures, notes });
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
