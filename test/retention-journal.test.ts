/**
 * Journal retention by the primary key (issue #12, migration 015): `call_logs_time` is gone and
 * `pruneOlderThan` finds old journal rows by a range of their ids, which begin with their
 * `oper_time` (domain/ids.ts). The rows deleted are exactly those before the cutoff, chunk by
 * chunk, oldest first; an existing store with journal rows migrates without losing any. On the
 * store of the pass (SQLite file, or a PostgreSQL schema of its own: pg-target.ts).
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { CompiledQuery, sql } from 'kysely';
import fc from 'fast-check';
import { longIdsBefore, newLongId } from '../src/domain/ids.js';
import { callLogsMatching, insertCallLogs, queryCallLogs, type CallLogFilter } from '../src/store/calllogs.repository.js';
import { pendingMigrations, type Store } from '../src/store/connect.js';
import { pruneCallLogsQuery, pruneOlderThan } from '../src/store/retention.repository.js';
import { tempDir } from './helpers.js';
import { openTestStore } from './pg-target.js';
import { callLogRow, undoJournalQueryIndex } from './http-fixtures.js';

const DAY = 86_400_000;
const CUTOFF = Date.UTC(2026, 10, 1, 12);

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function freshStore(): Promise<{ store: Store; dir: string }> {
  const dir = tempDir();
  dirs.push(dir);
  return { store: await openTestStore(dir), dir };
}

async function ids(store: Store): Promise<string[]> {
  return (await store.db.selectFrom('call_logs').select('id').orderBy('id').execute()).map((r) => r.id);
}

/** Runs `fn` on a fresh store when the pass runs on SQLite; skips the test on PostgreSQL. */
async function onSqlite(t: TestContext, whyNotPostgres: string, fn: (store: Store) => Promise<void>): Promise<void> {
  const { store } = await freshStore();
  try {
    if (store.caps.name !== 'sqlite') {
      t.skip(whyNotPostgres);
      return;
    }
    await fn(store);
  } finally {
    await store.close();
  }
}

/** The store of `dir` opened again: every migration applied, the one query index, `rows` all kept. */
async function reopenedMigrated(dir: string, rows: ReadonlyArray<{ id: string }>): Promise<Store> {
  const again = await openTestStore(dir);
  assert.deepEqual(await pendingMigrations(again.db, again.caps, again.schema), []);
  assert.deepEqual(await journalIndexes(again), ['call_logs_vdn_time_url']);
  assert.deepEqual(
    await ids(again),
    rows.map((r) => r.id),
  );
  return again;
}

/** SQLite's `explain query plan` lines of a compiled query. */
async function planOf(store: Store, q: { sql: string; parameters: readonly unknown[] }): Promise<string[]> {
  const plan = await store.db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
  return plan.rows.map((r) => r.detail);
}

async function journalIndexes(store: Store): Promise<string[]> {
  const r =
    store.caps.name === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'call_logs' and sql is not null order by name`.execute(store.db)
      : await sql<{
          name: string;
        }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = 'call_logs' and indexname <> 'call_logs_pkey' order by indexname`.execute(
          store.db,
        );
  return r.rows.map((x) => x.name);
}

describe('journal ids bound their time (domain/ids.ts longIdsBefore)', () => {
  test('the bound is 30 digits: the cutoff ms rounded up, zero-padded to 13, then 17 zeros; none at or before 1970 or from 10^13 ms', () => {
    assert.equal(longIdsBefore(CUTOFF), `${String(CUTOFF).padStart(13, '0')}${'0'.repeat(17)}`);
    assert.equal(longIdsBefore(1), `0000000000001${'0'.repeat(17)}`);
    assert.equal(longIdsBefore(1.2), `0000000000002${'0'.repeat(17)}`);
    assert.equal(longIdsBefore(1e13 - 1), `9999999999999${'0'.repeat(17)}`);
    for (const none of [0, -1, 1e13, 1e13 + 1, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(longIdsBefore(none), null, String(none));
  });

  test('property: for whole ms t and any cutoff with a bound, newLongId(t) < bound exactly when t < cutoff', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 - 1 }), fc.integer({ min: -5, max: 5 }), fc.double({ min: 0, max: 1, noNaN: true }), (t, d, frac) => {
        const cutoff = Math.max(0.5, t + d - frac);
        const bound = longIdsBefore(cutoff);
        if (bound === null) return;
        assert.equal(bound.length, 30);
        assert.equal(newLongId(t) < bound, t < cutoff, `t=${t} cutoff=${cutoff}`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('journal retention by primary key', () => {
  test('exactly the rows before the cutoff go (a row at the cutoff ms and rows of one ms stay together), chunk by chunk, oldest first', async () => {
    const { store } = await freshStore();
    try {
      const oldest = newLongId(CUTOFF - 3 * DAY);
      const justBefore = [newLongId(CUTOFF - 1), newLongId(CUTOFF - 1), newLongId(CUTOFF - 1)];
      const atCutoff = [newLongId(CUTOFF), newLongId(CUTOFF)];
      const after1 = newLongId(CUTOFF + 1);
      // An id that does not follow the layout (it sorts before every real one) on a recent row:
      // its time keeps it (no writer makes such ids; the guard costs nothing).
      const odd = '000000000000000000000000000001';
      await insertCallLogs(store.db, [
        callLogRow(after1, CUTOFF + 1),
        ...atCutoff.map((id) => callLogRow(id, CUTOFF)),
        ...justBefore.map((id) => callLogRow(id, CUTOFF - 1)),
        callLogRow(oldest, CUTOFF - 3 * DAY),
        callLogRow(odd, CUTOFF + 5),
      ]);
      assert.deepEqual(await pruneOlderThan(store.db, CUTOFF, 2), { callLogs: 2, trail: 0, callbacks: 0, agentCalls: 0, agentExposure: 0, contactAttempts: 0, contactLocks: 0 });
      // Oldest first: the 3-day-old row and the first of the millisecond before the cutoff.
      assert.deepEqual(await ids(store), [odd, justBefore[1]!, justBefore[2]!, ...atCutoff, after1]);
      assert.equal((await pruneOlderThan(store.db, CUTOFF, 2)).callLogs, 2);
      assert.equal((await pruneOlderThan(store.db, CUTOFF, 2)).callLogs, 0);
      assert.deepEqual(await ids(store), [odd, ...atCutoff, after1]);
      // One ms later the rows of the old cutoff ms go, all of them in one chunk.
      assert.equal((await pruneOlderThan(store.db, CUTOFF + 1, 5000)).callLogs, 2);
      assert.deepEqual(await ids(store), [odd, after1]);
      assert.equal((await pruneOlderThan(store.db, CUTOFF + 2, 5000)).callLogs, 1);
      assert.deepEqual(await ids(store), [odd]);
    } finally {
      await store.close();
    }
  });

  test('a cutoff with no id bound (at or before 1970, from 10^13 ms on) compares the times alone', async () => {
    const { store } = await freshStore();
    try {
      const rows = [
        callLogRow(newLongId(-5), -5),
        callLogRow(newLongId(0), 0),
        callLogRow(newLongId(1e13 - 1), 1e13 - 1),
        // From 10^13 ms the id's time prefix wraps: these ids begin 0000000000005 and …10.
        callLogRow(newLongId(1e13 + 5), 1e13 + 5),
        callLogRow(newLongId(1e13 + 10), 1e13 + 10),
      ];
      await insertCallLogs(store.db, rows);
      const times = async () => (await store.db.selectFrom('call_logs').select('oper_time').orderBy('oper_time').execute()).map((r) => Number(r.oper_time));
      assert.equal((await pruneOlderThan(store.db, 0, 5000)).callLogs, 1);
      assert.deepEqual(await times(), [0, 1e13 - 1, 1e13 + 5, 1e13 + 10]);
      assert.equal((await pruneOlderThan(store.db, 1e13 + 10, 5000)).callLogs, 3);
      assert.deepEqual(await times(), [1e13 + 10]);
    } finally {
      await store.close();
    }
  });

  test('SQLite: the chunk is found through the primary key, not by a scan of the table', async (t) => {
    await onSqlite(t, 'the PostgreSQL planner picks by its statistics (the pkey is used once the table is large)', async (store) => {
      const details = await planOf(store, pruneCallLogsQuery(store.db, CUTOFF, 5000).compile());
      assert.ok(
        details.some((d) => /SEARCH call_logs USING (COVERING )?INDEX sqlite_autoindex_call_logs_1 \(id<\?\)/.test(d)),
        details.join('\n'),
      );
      assert.ok(!details.some((d) => /SCAN call_logs/.test(d)), details.join('\n'));
    });
  });
});

describe('migration 015', () => {
  test('a new store has no call_logs_time; the calllogs query index stays', async () => {
    const { store } = await freshStore();
    try {
      assert.deepEqual(await journalIndexes(store), ['call_logs_vdn_time_url']);
    } finally {
      await store.close();
    }
  });

  test('a store at 014 with journal rows migrates: the index is dropped, every row is kept, retention works', async () => {
    const { store, dir } = await freshStore();
    const rows = Array.from({ length: 300 }, (_, i) => callLogRow(newLongId(CUTOFF - 150 + i), CUTOFF - 150 + i));
    try {
      // The rows first (today's insert writes `request_params`), then back to the schema of
      // 014: the indexes of 005 and 009, no `request_params` (016), no record of 015, 016 nor
      // 017 (Kysely refuses a store whose applied migrations skip one).
      await insertCallLogs(store.db, rows);
      await sql`create index call_logs_time on call_logs (oper_time)`.execute(store.db);
      await undoJournalQueryIndex(store.db);
      await sql`alter table call_logs drop column request_params`.execute(store.db);
      await sql`delete from kysely_migration where name in ('015-journal-time-index', '016-journal-request-params', '017-journal-query-index')`.execute(store.db);
      assert.deepEqual(await pendingMigrations(store.db, store.caps, store.schema), ['015-journal-time-index', '016-journal-request-params', '017-journal-query-index']);
      assert.deepEqual(await journalIndexes(store), ['call_logs_time', 'call_logs_vdn_time', 'call_logs_vdn_url_time']);
    } finally {
      await store.close();
    }
    const again = await reopenedMigrated(dir, rows);
    try {
      assert.equal((await pruneOlderThan(again.db, CUTOFF, 5000)).callLogs, 150);
      assert.deepEqual(
        await ids(again),
        rows.slice(150).map((r) => r.id),
      );
    } finally {
      await again.close();
    }
  });
});

describe('migration 017: one calllogs query index (vdn_id, oper_time, url)', () => {
  const URLS = ['/rest/isales/v1/openapi/campaigns/1/appoint/create', '/rest/isales/v1/openapi/campaigns/1/calldata/add', '/rest/isales/v1/openapi/campaigns/2/appoint/create'];
  /** 600 rows over 3 VDNs and 3 urls, several per millisecond. */
  const rows = Array.from({ length: 600 }, (_, i) => ({
    ...callLogRow(newLongId(CUTOFF + Math.floor(i / 3)), CUTOFF + Math.floor(i / 3)),
    vdn_id: 1 + (i % 3),
    url: URLS[Math.floor(i / 3) % 3]!,
  }));
  const filters: CallLogFilter[] = [
    { vdnId: 1, begin: CUTOFF, end: CUTOFF + 1000, offset: 0, limit: 500 },
    { vdnId: 2, begin: CUTOFF + 20, end: CUTOFF + 120, offset: 5, limit: 17 },
    { vdnId: 1, begin: CUTOFF, end: CUTOFF + 1000, url: URLS[1], offset: 0, limit: 500 },
    { vdnId: 3, begin: CUTOFF + 50, end: CUTOFF + 150, url: URLS[0], offset: 3, limit: 9 },
    { vdnId: 1, begin: CUTOFF + 10, end: CUTOFF + 10, url: URLS[1], offset: 0, limit: 10 },
  ];
  const answers = async (store: Store) => Promise.all(filters.map(async (f) => queryCallLogs(store.db, f)));

  test('a store at 016 with journal rows migrates: the two indexes become one, every row is kept, every query answers the same', async () => {
    const { store, dir } = await freshStore();
    let before: Awaited<ReturnType<typeof answers>>;
    try {
      // Back to the schema before 017: the two indexes of 005 and no record of 017.
      await undoJournalQueryIndex(store.db);
      await sql`delete from kysely_migration where name = '017-journal-query-index'`.execute(store.db);
      assert.deepEqual(await pendingMigrations(store.db, store.caps, store.schema), ['017-journal-query-index']);
      await insertCallLogs(store.db, rows);
      before = await answers(store);
      assert.ok(before.every((a) => a.total > 0 && a.rows.length > 0));
    } finally {
      await store.close();
    }
    const again = await reopenedMigrated(dir, rows);
    try {
      assert.deepEqual(await answers(again), before);
    } finally {
      await again.close();
    }
  });

  test('SQLite: the calllogs count and page, with and without url, read a range of the new index, never the whole table', async (t) => {
    await onSqlite(t, 'the PostgreSQL planner picks by its statistics', async (store) => {
      await insertCallLogs(store.db, rows);
      for (const f of filters) {
        for (const q of [
          callLogsMatching(store.db, f).select((eb) => eb.fn.countAll<number>().as('n')),
          callLogsMatching(store.db, f).selectAll().orderBy('oper_time').orderBy('id').limit(f.limit).offset(f.offset),
        ]) {
          const details = (await planOf(store, q.compile())).join('\n');
          assert.match(details, /SEARCH call_logs USING (COVERING )?INDEX call_logs_vdn_time_url \(vdn_id=\? AND oper_time>\? AND oper_time<\?\)/, details);
          assert.doesNotMatch(details, /SCAN call_logs/, details);
        }
      }
    });
  });
});
