/**
 * WAL checkpoints off the event loop (store/checkpointer.ts, issue #12): the SQLite store's main
 * connection never checkpoints (wal_autocheckpoint = 0); a worker thread's connection copies the
 * WAL back into the database file every second, truncates a WAL grown past its limit, and closes
 * before the main connection, whose close removes the WAL. Real files, real time (seconds).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { CHECKPOINT_INTERVAL_MS, openSqlite, WAL_LIMIT_PAGES } from '../src/store/connect.js';
import { startCheckpointer } from '../src/store/checkpointer.js';
import { tempDir } from './helpers.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('the store copies its WAL back from a worker thread, never in a COMMIT, and closes cleanly', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const file = path.join(dir, 'campaignd.db');
  const store = await openSqlite({ file });
  const r = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(store.db);
  assert.equal(Number(r.rows[0]!.wal_autocheckpoint), 0, 'the main connection never checkpoints');
  await sql`create table t (id integer primary key, v blob)`.execute(store.db);
  await sleep(CHECKPOINT_INTERVAL_MS * 1.5);
  const before = size(file);
  // ~4 MiB in 20 transactions (each far below SQLite's default 1,000-page autocheckpoint).
  for (let i = 0; i < 20; i++)
    await sql`insert into t (v) select randomblob(1024) from (with recursive n(x) as (select 1 union all select x + 1 from n where x < 200) select x from n)`.execute(store.db);
  await waitFor('the worker to copy the WAL back into the database file', () => size(file) - before >= 4_000_000, 5 * CHECKPOINT_INTERVAL_MS);
  await store.close();
  assert.equal(fs.existsSync(`${file}-wal`), false, 'the last connection (the main one) closed after the worker and removed the WAL');
  const again = await openSqlite({ file });
  const n = await sql<{ n: number }>`select count(*) as n from t`.execute(again.db);
  assert.equal(Number(n.rows[0]!.n), 4000);
  await again.close();
});

test('a WAL grown past its limit is truncated by the worker', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const file = path.join(dir, 'campaignd.db');
  const store = await openSqlite({ file });
  await sql`create table t (id integer primary key, v blob)`.execute(store.db);
  // A second worker on a small limit, the store's own keeping its 1 s pace: 2 MiB of WAL.
  const limitPages = 512;
  const cp = await startCheckpointer({ file, synchronous: 'normal', intervalMs: 100, limitPages });
  try {
    // Keep writing through the worker's passes: the WAL never ends fully copied back by itself.
    for (let i = 0; i < 40; i++) {
      await sql`insert into t (v) select randomblob(1024) from (with recursive n(x) as (select 1 union all select x + 1 from n where x < 100) select x from n)`.execute(store.db);
      await sleep(10);
    }
    await waitFor('a TRUNCATE checkpoint', () => cp.stats.truncate > 0, 5000);
    assert.ok(size(`${file}-wal`) <= limitPages * 4096 * 2, `WAL ${size(`${file}-wal`)} bytes`);
  } finally {
    await cp.close();
    await store.close();
  }
  assert.ok(WAL_LIMIT_PAGES * 4096 >= 16 * 1024 * 1024, 'the store bounds its WAL at tens of MiB');
});

test('a checkpoint worker on a file it cannot open fails to start (the store then checkpoints on its main connection)', async () => {
  // A worker on a missing file fails to start: the caller falls back (connect.ts).
  const dir = tempDir();
  dirs.push(dir);
  await assert.rejects(startCheckpointer({ file: path.join(dir, 'missing.db'), synchronous: 'normal', intervalMs: 1000, limitPages: 100 }));
});
