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
    // Keep writing through the worker's passes: they never end fully copied back by themselves
    // (this worker has no gate), so the WAL passes the limit with frames not yet copied.
    for (const end = Date.now() + 5000; cp.stats.truncate === 0; ) {
      if (Date.now() > end) assert.fail('timed out waiting for a TRUNCATE checkpoint');
      await sql`insert into t (v) select randomblob(1024) from (with recursive n(x) as (select 1 union all select x + 1 from n where x < 100) select x from n)`.execute(store.db);
      await sleep(10);
    }
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

test("under steady writes the worker catches up behind the main connection's gate, so the WAL starts over instead of growing", async () => {
  const dir = tempDir();
  dirs.push(dir);
  const file = path.join(dir, 'campaignd.db');
  const store = await openSqlite({ file });
  await sql`create table t (id integer primary key, v blob)`.execute(store.db);
  // A write transaction every millisecond or so for 3.5 s (~10 MB of WAL a second): a pass
  // (every 1 s) always ends with frames appended behind it.
  let rows = 0;
  let early = 0;
  const start = Date.now();
  for (const end = start + 3.5 * CHECKPOINT_INTERVAL_MS; Date.now() < end; ) {
    await store.db.transaction().execute((trx) => sql`insert into t (v) values (randomblob(2048))`.execute(trx));
    rows++;
    if (early === 0 && Date.now() - start > 1.5 * CHECKPOINT_INTERVAL_MS) early = size(`${file}-wal`);
    await sleep(1);
  }
  const late = size(`${file}-wal`);
  const cp = store.checkpoints?.();
  assert.ok(cp !== undefined, 'the store runs its checkpoint worker');
  assert.ok(cp.worker.gated >= 2, `catch-up passes behind the gate: ${cp.worker.gated}`);
  assert.ok(cp.gate.granted >= 2 && cp.gate.maxMs < 100, `gates ${cp.gate.granted}, longest ${cp.gate.maxMs.toFixed(1)} ms`);
  assert.equal(cp.worker.truncate, 0, 'no TRUNCATE was needed');
  // Without restarts the WAL file would have grown with every write (more than twice over from
  // 1.5 s to 3.5 s); restarted, it keeps the size of about one second of writes.
  assert.ok(early > 0 && late < 2 * early, `the WAL restarted: ${early} bytes at 1.5 s, ${late} at 3.5 s`);
  await store.close();
  const again = await openSqlite({ file });
  const n = await sql<{ n: number }>`select count(*) as n from t`.execute(again.db);
  assert.equal(Number(n.rows[0]!.n), rows, 'no write was lost');
  await again.close();
});
