/**
 * engine-batch.repository.ts `insertRowsJson` (issue #12) at the row counts around its chunking
 * on SQLite (powers of two up to 64 rows a statement, largest first) and the engine's slice
 * (500): every row stored once, in the order given, with its values as given (a 100,000-character
 * text, an integer above 2^52, a column left undefined or null), inside a caller's transaction
 * and outside one; on PostgreSQL the same rows (one statement).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Insertable } from 'kysely';
import type { TrailTable } from '../src/store/schema/engine.js';
import { insertRowsJson } from '../src/store/engine-batch.repository.js';
import { tempDir } from './helpers.js';
import { storeOfFile } from './pg-target.js';

const COLUMNS = ['vdn_id', 'campaign_id', 'at', 'kind', 'detail', 'call_id', 'until'] as const;

const t = storeOfFile(tempDir());

/** `n` trail rows of campaign `c`: `at` numbers them; every seventh `detail` is 100,000 characters long. */
function rowsOf(c: number, n: number): Array<Insertable<TrailTable>> {
  return Array.from({ length: n }, (_, i) => ({
    vdn_id: 1,
    campaign_id: c,
    at: i,
    kind: 'note',
    detail: `${'x'.repeat(i % 7 === 0 ? 100_000 : 3)}${i}`,
    call_id: i % 2 === 1 ? `c${i}` : undefined,
    until: i % 3 === 0 ? 2 ** 52 + i : null,
  }));
}

let campaign = 0;
describe('insertRowsJson at the chunk boundaries', () => {
  for (const n of [63, 64, 65, 127, 128, 129, 500]) {
    for (const inTransaction of [false, true]) {
      test(`${n} rows ${inTransaction ? 'inside a transaction' : 'outside a transaction'}: each once, in order, as given`, async () => {
        const c = ++campaign;
        const rows = rowsOf(c, n);
        if (inTransaction) await t.db.transaction().execute((trx) => insertRowsJson(trx, 'engine_trail', COLUMNS, rows));
        else await insertRowsJson(t.db, 'engine_trail', COLUMNS, rows);
        const got = await t.db.selectFrom('engine_trail').select(['at', 'detail', 'call_id', 'until']).where('campaign_id', '=', c).orderBy('id').execute();
        assert.equal(got.length, n);
        for (const [i, r] of got.entries()) {
          assert.equal(Number(r.at), i, `row ${i} in order`);
          assert.equal(r.detail, rows[i]!.detail);
          assert.equal(r.call_id, rows[i]!.call_id ?? null);
          assert.equal(r.until === null ? null : Number(r.until), rows[i]!.until);
        }
      });
    }
  }
});
