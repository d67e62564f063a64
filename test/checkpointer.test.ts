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
import { CHECKPOINT_INTERVAL_MS, openSqlite, WAL_LIMIT_PAGES, WAL_RESTART_PAGES, type Store } from '../src/store/connect.js';
import { ConnectionGate, startCheckpointer } from '../src/store/checkpointer.js';
import { tempDir } from './helpers.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A new SQLite store in a temporary directory, with a table `t (id, v blob)` to write to. Its
 * worker asks for the gate whenever a pass ended behind (`walRestartPages` 1), unless told otherwise.
 */
async function storeWithTable(walRestartPages = 1): Promise<{ file: string; store: Store }> {
  const dir = tempDir();
  dirs.push(dir);
  const file = path.join(dir, 'campaignd.db');
  const store = await openSqlite({ file, walRestartPages });
  await sql`create table t (id integer primary key, v blob)`.execute(store.db);
  return { file, store };
}

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
  const { file, store } = await storeWithTable();
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
  const { file, store } = await storeWithTable();
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

test('long transactions, failing transactions and a second store on the file while the worker asks for the gate: nothing waits long, every commit is kept', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const file = path.join(dir, 'campaignd.db');
  const a = await openSqlite({ file, walRestartPages: 1 });
  await sql`create table t (id integer primary key, who text not null, v blob)`.execute(a.db);
  const b = await openSqlite({ file, walRestartPages: 1 });
  const committed = { a: 0, b: 0 };
  let failed = 0;
  let slowest = 0;
  const start = Date.now();
  // The two stores take turns (in one thread, a store waiting for the other's write lock would
  // block the event loop); store A's transactions sometimes wait 30 ms inside, or throw.
  for (let i = 0; Date.now() < start + 3 * CHECKPOINT_INTERVAL_MS; i++) {
    const store = i % 3 === 2 ? b : a;
    const who = store === a ? 'a' : 'b';
    const t0 = Date.now();
    try {
      await store.db.transaction().execute(async (trx) => {
        await sql`insert into t (who, v) values (${who}, randomblob(2048))`.execute(trx);
        if (store === a && i % 7 === 0) await sleep(30);
        if (store === a && i % 11 === 0) throw new Error('refused');
        await sql`insert into t (who, v) values (${who}, randomblob(2048))`.execute(trx);
      });
      committed[who] += 2;
    } catch (e) {
      assert.equal((e as Error).message, 'refused');
      failed++;
    }
    slowest = Math.max(slowest, Date.now() - t0);
    await sleep(1);
  }
  const cp = a.checkpoints?.();
  assert.ok(cp !== undefined && cp.gate.granted >= 1, `gates granted: ${cp?.gate.granted}`);
  // A gate is given back by the worker or after GATE_MAX_MS; a transaction waits for one at most.
  assert.ok(cp.gate.maxMs < 150, `longest gate ${cp.gate.maxMs.toFixed(1)} ms`);
  assert.ok(slowest < 1000, `slowest transaction ${slowest} ms`);
  assert.ok(failed > 0 && committed.b > 0);
  // Closed while the other store still writes, then the other.
  const closing = b.close();
  await a.db.transaction().execute((trx) => sql`insert into t (who) values ('a')`.execute(trx));
  committed.a++;
  await closing;
  await a.close();
  const again = await openSqlite({ file });
  const rows = await sql<{ who: string; n: number }>`select who, count(*) as n from t group by who order by who`.execute(again.db);
  assert.deepEqual(
    rows.rows.map((r) => [r.who, Number(r.n)]),
    [
      ['a', committed.a],
      ['b', committed.b],
    ],
  );
  await again.close();
});

test('a store closed while writes are in flight closes promptly; what it acknowledged is kept', async () => {
  const { file, store } = await storeWithTable();
  let acked = 0;
  let stop = false;
  const writer = (async () => {
    while (!stop) {
      try {
        await store.db.transaction().execute((trx) => sql`insert into t (v) values (randomblob(4096))`.execute(trx));
        acked++;
      } catch {
        return;
      }
      // SQLite answers within microtasks: without a turn of the event loop, no timer (nor the
      // worker's message asking for the gate) would ever run.
      await new Promise((r) => setImmediate(r));
    }
  })();
  // Past the first pass (1 s), which under these writes asks for the gate.
  await sleep(1.3 * CHECKPOINT_INTERVAL_MS);
  const t0 = Date.now();
  await store.close();
  const closeMs = Date.now() - t0;
  stop = true;
  await writer;
  assert.ok(closeMs < 2000, `close took ${closeMs} ms`);
  const again = await openSqlite({ file });
  const n = await sql<{ n: number }>`select count(*) as n from t`.execute(again.db);
  assert.ok(Number(n.rows[0]!.n) >= acked && Number(n.rows[0]!.n) <= acked + 1, `${n.rows[0]!.n} rows stored, ${acked} acknowledged`);
  await again.close();
});

test('ConnectionGate: granted only while the connection is idle; a connection acquired meanwhile waits until it is opened (once)', async () => {
  const gate = new ConnectionGate();
  // Busy: the request waits for the release.
  assert.equal(gate.enter(), undefined);
  const box: { open?: () => void } = {};
  const asked = gate.hold().then((open) => {
    box.open = open;
  });
  await sleep(5);
  assert.equal(box.open, undefined, 'not granted while the connection is in use');
  gate.leave();
  await asked;
  const open = box.open as (() => void) | undefined;
  assert.ok(open !== undefined, 'granted at the release');
  // Held: the next acquirer waits, then enters.
  const waiting = gate.enter();
  assert.ok(waiting instanceof Promise);
  let entered = false;
  const acquirer = (async () => {
    for (let held: Promise<void> | undefined = waiting; held !== undefined; held = gate.enter()) await held;
    entered = true;
  })();
  await sleep(5);
  assert.equal(entered, false);
  open();
  open();
  await acquirer;
  assert.equal(entered, true);
  assert.equal(gate.stats.granted, 1, 'opening twice counts once');
  // A request while the acquirer holds the connection waits for its release again.
  let second = false;
  const again = gate.hold().then((open) => {
    second = true;
    open();
  });
  await sleep(5);
  assert.equal(second, false);
  gate.leave();
  await again;
  assert.equal(gate.enter(), undefined, 'open again');
  gate.leave();
});

test('a gate not granted for a while (a long transaction holds the connection) does not stop the passes', async () => {
  const { store } = await storeWithTable();
  // Writes, then one transaction that keeps the connection for 3.5 intervals: the worker's pass
  // asks for the gate, which cannot be granted until that transaction ends.
  for (let i = 0; i < 20; i++) await sql`insert into t (v) values (randomblob(4096))`.execute(store.db);
  let during = 0;
  let before = 0;
  await store.db.transaction().execute(async (trx) => {
    await sql`insert into t (v) values (randomblob(4096))`.execute(trx);
    await sleep(1.2 * CHECKPOINT_INTERVAL_MS);
    before = store.checkpoints!()!.worker.passive;
    await sleep(2.3 * CHECKPOINT_INTERVAL_MS);
    during = store.checkpoints!()!.worker.passive;
  });
  assert.ok(before >= 1, `the first pass ran: ${before}`);
  assert.ok(during > before, `passes went on while the gate waited: ${before} then ${during}`);
  const gatedBefore = store.checkpoints!()!.worker.gated;
  await waitFor(
    'the late grant and its catch-up pass',
    () => store.checkpoints!()!.worker.gated > gatedBefore || store.checkpoints!()!.gate.granted > 0,
    3 * CHECKPOINT_INTERVAL_MS,
  );
  const n = await sql<{ n: number }>`select count(*) as n from t`.execute(store.db);
  assert.equal(Number(n.rows[0]!.n), 21);
  await store.close();
});

test('the worker asks for the gate only once the WAL holds its restart figure: a few gates under steady writes, none under light ones', async () => {
  // 512 pages (2 MiB): at several MB of WAL a second, a gate every second or so, not after every pass…
  const { file, store } = await storeWithTable(512);
  const light = await storeWithTable(512);
  try {
    // …and a store writing a page now and then never reaches it (its WAL restarts by itself: a
    // pass between writes copies everything back).
    for (let i = 0; i < 20; i++) {
      await light.store.db.transaction().execute((trx) => sql`insert into t (v) values (randomblob(100))`.execute(trx));
      await sleep(100);
    }
    let rows = 0;
    // WAL bytes per write transaction, from the first half second (before any pass could restart it).
    let perTx = 0;
    const start = Date.now();
    for (const end = start + 5 * CHECKPOINT_INTERVAL_MS; Date.now() < end; ) {
      await store.db.transaction().execute((trx) => sql`insert into t (v) values (randomblob(2048))`.execute(trx));
      rows++;
      if (perTx === 0 && Date.now() - start >= CHECKPOINT_INTERVAL_MS / 2) perTx = size(`${file}-wal`) / rows;
      await sleep(1);
    }
    const cp = store.checkpoints!()!;
    const passes = cp.worker.passive - cp.worker.gated;
    assert.ok(cp.gate.granted >= 1, `the WAL passed 512 frames and restarted behind the gate: ${cp.gate.granted} gates`);
    assert.ok(cp.worker.truncate === 0, 'no TRUNCATE was needed');
    // The WAL file keeps its largest size: about the figure plus a pass interval of writes (the
    // first restart comes at the first pass past 2 MiB, 1-2 s in), against 5 s of writes without
    // restarts, however fast this machine writes.
    const unrestarted = perTx * rows;
    assert.ok(size(`${file}-wal`) < 0.6 * unrestarted, `WAL ${size(`${file}-wal`)} bytes against ${Math.round(unrestarted)} unrestarted: bounded by the restarts`);
    assert.equal(light.store.checkpoints!()!.gate.granted, 0, 'a WAL below the figure never asks for the gate');
    assert.ok(passes >= 3, `passes ran meanwhile: ${passes}`);
    await store.close();
    const again = await openSqlite({ file });
    const n = await sql<{ n: number }>`select count(*) as n from t`.execute(again.db);
    assert.equal(Number(n.rows[0]!.n), rows, 'no write was lost');
    await again.close();
  } finally {
    await light.store.close();
  }
  assert.ok(WAL_RESTART_PAGES >= 4096 && WAL_RESTART_PAGES < WAL_LIMIT_PAGES, 'the store restarts its WAL every few seconds under load, before the TRUNCATE bound');
});
