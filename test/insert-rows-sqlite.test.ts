/**
 * The engine's multi-row inserts (engine-batch.repository.ts `insertRowsJson`, issue #12): on
 * SQLite bound multi-row INSERTs of a power of two of rows each (at most 64), on PostgreSQL one
 * statement with the rows as one JSON parameter. Either way: the rows in the order given, a
 * missing column NULL, and all or none of a call's rows, inside a transaction or not.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompiledQuery, Insertable } from 'kysely';
import type { TrailTable } from '../src/store/schema/engine.js';
import { insertRowsJson } from '../src/store/engine-batch.repository.js';
import { tempDir } from './helpers.js';
import { storeOfFile, TEST_PG_URL } from './pg-target.js';

const COLUMNS = ['vdn_id', 'campaign_id', 'data_id', 'reservation_id', 'at', 'kind', 'gate', 'until', 'call_id', 'detail'] as const;

const t = storeOfFile(tempDir());

/** `n` trail rows of campaign `campaign`: `at` numbers them; every third one lacks `data_id`, every other one has `gate` undefined. */
function rowsOf(campaign: number, n: number): Array<Insertable<TrailTable>> {
  const rows: Array<Insertable<TrailTable>> = [];
  for (let i = 0; i < n; i++) {
    const r: Insertable<TrailTable> = { vdn_id: 1, campaign_id: campaign, at: i, kind: 'dispatched', gate: i % 2 === 0 ? undefined : `g${i}`, detail: `row ${i}` };
    if (i % 3 !== 0) r.data_id = 1000 + i;
    rows.push(r);
  }
  return rows;
}

async function stored(campaign: number) {
  return t.db
    .selectFrom('engine_trail')
    .select(['at', 'data_id', 'reservation_id', 'gate', 'until', 'call_id', 'detail'])
    .where('campaign_id', '=', campaign)
    .orderBy('id')
    .execute();
}

/** The SQL texts of the statements `run` executes (through the store's connection class). */
async function statementsOf(run: () => Promise<void>): Promise<string[]> {
  const proto = await t.db.getExecutor().provideConnection(async (c) => Object.getPrototypeOf(c) as { executeQuery(q: CompiledQuery): Promise<unknown> });
  const original = proto.executeQuery;
  const seen: string[] = [];
  proto.executeQuery = function (this: unknown, q: CompiledQuery) {
    seen.push(q.sql);
    return original.call(this, q);
  };
  try {
    await run();
  } finally {
    proto.executeQuery = original;
  }
  return seen;
}

let nextCampaign = 1;

describe('insertRowsJson', () => {
  for (const n of [1, 15, 16, 17, 100, 1000]) {
    test(`${n} rows: stored in the order given, a missing or undefined column NULL`, async () => {
      const c = nextCampaign++;
      await insertRowsJson(t.db, 'engine_trail', COLUMNS, rowsOf(c, n));
      const got = await stored(c);
      assert.equal(got.length, n);
      for (let i = 0; i < n; i++) {
        const r = got[i]!;
        assert.equal(Number(r.at), i, `row ${i} in order`);
        assert.equal(r.detail, `row ${i}`);
        assert.equal(r.data_id === null ? null : Number(r.data_id), i % 3 === 0 ? null : 1000 + i);
        assert.equal(r.gate, i % 2 === 0 ? null : `g${i}`);
        assert.equal(r.reservation_id, null);
        assert.equal(r.until, null);
        assert.equal(r.call_id, null);
      }
    });
  }

  test('the statements: SQLite bound INSERTs of 64, 32, … rows, largest first; PostgreSQL one statement', async () => {
    const c = nextCampaign++;
    const sqls = await statementsOf(() => t.db.transaction().execute((trx) => insertRowsJson(trx, 'engine_trail', COLUMNS, rowsOf(c, 200))));
    const inserts = sqls.filter((s) => /^insert into/i.test(s));
    if (TEST_PG_URL === undefined) {
      // 200 = 64 + 64 + 64 + 8, each one statement of bound values, in a savepoint of the transaction.
      assert.deepEqual(
        inserts.map((s) => (s.match(/\?/g) ?? []).length / COLUMNS.length),
        [64, 64, 64, 8],
      );
      assert.ok(inserts.every((s) => !s.includes('json_each')));
      assert.deepEqual(
        sqls.filter((s) => /savepoint/i.test(s)),
        ['savepoint campaignd_rows', 'release savepoint campaignd_rows'],
      );
    } else {
      assert.equal(inserts.length, 1);
      assert.match(inserts[0]!, /json_array_elements/);
    }
    assert.equal((await stored(c)).length, 200);
  });

  test('a power of two of rows up to 64 is one statement, without a savepoint (SQLite)', async () => {
    const c = nextCampaign++;
    const sqls = await statementsOf(() => insertRowsJson(t.db, 'engine_trail', COLUMNS, rowsOf(c, 64)));
    assert.equal(sqls.filter((s) => /^insert into/i.test(s)).length, 1);
    assert.equal(sqls.filter((s) => /savepoint|begin|commit/i.test(s)).length, 0);
    assert.equal((await stored(c)).length, 64);
  });

  for (const n of [2, 100, 1000]) {
    test(`${n} rows, the last but one violating NOT NULL, outside a transaction: none of them stays`, async () => {
      const c = nextCampaign++;
      const rows = rowsOf(c, n);
      rows[n - 2] = { ...rows[n - 2]!, kind: undefined as unknown as string };
      await assert.rejects(insertRowsJson(t.db, 'engine_trail', COLUMNS, rows), /null|NOT NULL/i);
      assert.equal((await stored(c)).length, 0);
      // The store goes on: no transaction or savepoint was left open.
      await insertRowsJson(t.db, 'engine_trail', COLUMNS, rowsOf(c, 3));
      assert.equal((await stored(c)).length, 3);
    });
  }

  test('100 rows, one violating NOT NULL, inside a transaction: none of them stays', async () => {
    const c = nextCampaign++;
    const rows = rowsOf(c, 100);
    rows[90] = { ...rows[90]!, kind: undefined as unknown as string };
    if (TEST_PG_URL === undefined) {
      // SQLite: the transaction goes on after the failed call, without its rows, and commits.
      await t.db.transaction().execute(async (trx) => {
        await insertRowsJson(trx, 'engine_trail', COLUMNS, rowsOf(c, 5));
        await assert.rejects(insertRowsJson(trx, 'engine_trail', COLUMNS, rows), /NOT NULL/);
        assert.equal((await trx.selectFrom('engine_trail').select('id').where('campaign_id', '=', c).execute()).length, 5);
        await insertRowsJson(trx, 'engine_trail', COLUMNS, rowsOf(c, 2));
      });
      assert.equal((await stored(c)).length, 7);
    } else {
      // PostgreSQL: a failed statement aborts the transaction, as any does.
      await assert.rejects(
        t.db.transaction().execute(async (trx) => {
          await insertRowsJson(trx, 'engine_trail', COLUMNS, rowsOf(c, 5));
          await insertRowsJson(trx, 'engine_trail', COLUMNS, rows);
        }),
        /null/,
      );
      assert.equal((await stored(c)).length, 0);
    }
  });
});
