/**
 * engine-batch.repository.ts `insertRowsJson` inside a group-committed request (group-commit.ts
 * `writeTransaction`, issue #12). On SQLite the rows that need several statements are written
 * inside `SAVEPOINT campaignd_rows`; the group committer takes a request's savepoint
 * (`gc_request`) just before the request's first statement that may write. When the request's
 * first write is such an insert, `gc_request` must still be the outer savepoint: otherwise
 * `RELEASE campaignd_rows` releases `gc_request` with it, and the batch's own RELEASE or
 * ROLLBACK TO `gc_request` fails the whole batch (every request of it, none stored). No caller
 * does this today (the engine's writes run in transactions of their own); this pins the
 * guarantee the function's contract ("in the caller's transaction") gives.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Insertable } from 'kysely';
import type { TrailTable } from '../src/store/schema/engine.js';
import { insertRowsJson } from '../src/store/engine-batch.repository.js';
import { writeTransaction } from '../src/store/group-commit.js';
import { tempDir } from './helpers.js';
import { storeOfFile, TEST_PG_URL } from './pg-target.js';

const COLUMNS = ['vdn_id', 'campaign_id', 'at', 'kind', 'detail'] as const;

const t = storeOfFile(tempDir());

function rowsOf(campaign: number, n: number): Array<Insertable<TrailTable>> {
  return Array.from({ length: n }, (_, i) => ({ vdn_id: 1, campaign_id: campaign, at: i, kind: 'note', detail: `row ${i}` }));
}

async function count(campaign: number): Promise<number> {
  return (await t.db.selectFrom('engine_trail').select('id').where('campaign_id', '=', campaign).execute()).length;
}

describe('insertRowsJson as the first write of a group-committed request', () => {
  test('65 rows: the request and the others of its batch commit', async () => {
    const [a, b, c] = await Promise.all([
      writeTransaction(t.db, async (trx) => {
        await insertRowsJson(trx, 'engine_trail', COLUMNS, rowsOf(9001, 65));
        return 'a';
      }),
      writeTransaction(t.db, async (trx) => {
        await insertRowsJson(trx, 'engine_trail', COLUMNS, rowsOf(9002, 3));
        return 'b';
      }),
      writeTransaction(t.db, async (trx) => {
        await insertRowsJson(trx, 'engine_trail', COLUMNS, rowsOf(9003, 100));
        return 'c';
      }),
    ]);
    assert.deepEqual([a, b, c], ['a', 'b', 'c']);
    assert.deepEqual([await count(9001), await count(9002), await count(9003)], [65, 3, 100]);
  });

  test("a failing row (100 rows) fails only its request; its rows and the request's other writes are undone, the batch commits", async () => {
    const bad = rowsOf(9011, 100);
    bad[70] = { ...bad[70]!, kind: undefined as unknown as string };
    const results = await Promise.allSettled([
      writeTransaction(t.db, async (trx) => {
        await insertRowsJson(trx, 'engine_trail', COLUMNS, rowsOf(9010, 5));
      }),
      writeTransaction(t.db, async (trx) => {
        await insertRowsJson(trx, 'engine_trail', COLUMNS, bad);
      }),
      writeTransaction(t.db, async (trx) => {
        try {
          await insertRowsJson(trx, 'engine_trail', COLUMNS, bad);
        } catch {
          // The request goes on without the failed call's rows.
        }
        await insertRowsJson(trx, 'engine_trail', COLUMNS, rowsOf(9012, 7));
      }),
    ]);
    assert.equal(results[0]!.status, 'fulfilled');
    assert.equal(results[1]!.status, 'rejected');
    assert.match(String((results[1] as PromiseRejectedResult).reason), /NOT NULL|null/i);
    if (TEST_PG_URL === undefined) {
      // SQLite: the request goes on after the failed call, without its rows, and commits.
      assert.equal(results[2]!.status, 'fulfilled');
      assert.deepEqual([await count(9010), await count(9011), await count(9012)], [5, 0, 7]);
    } else {
      // PostgreSQL: a failed statement aborts the request's writes (its savepoint is rolled back), as any does.
      assert.equal(results[2]!.status, 'rejected');
      assert.deepEqual([await count(9010), await count(9011), await count(9012)], [5, 0, 0]);
    }
  });
});
