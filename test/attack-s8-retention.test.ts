/**
 * Attack on journal retention by a range of the primary key (session 8, migration 015,
 * domain/ids.ts `longIdsBefore`): a manual clock moved past 10^13 ms (year 2286; the clock goes
 * up to 9999) makes journal ids whose time prefix wraps, so they sort before every older id.
 * What must hold with such rows present and a cutoff that still has an id bound (before 2286): exactly the rows whose time is before the cutoff go, oldest first, chunk by
 * chunk, and the wrapped rows (recent by their time) stay; on both backends.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { longIdsBefore, newLongId } from '../src/domain/ids.js';
import { insertCallLogs } from '../src/store/calllogs.repository.js';
import { pruneOlderThan } from '../src/store/retention.repository.js';
import { tempDir } from './helpers.js';
import { openTestStore } from './pg-target.js';
import { callLogRow } from './http-fixtures.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('rows of a clock past 10^13 ms (wrapped ids) stay while a cutoff before 2286 prunes the old ones', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const store = await openTestStore(dir);
  try {
    const cutoff = 1e13 - 1000;
    assert.equal(longIdsBefore(cutoff), '9999999999000' + '0'.repeat(17), 'the cutoff has an id bound');
    const old = [newLongId(1e13 - 5000), newLongId(1e13 - 2000), newLongId(1e13 - 1001)];
    const atBound = newLongId(1e13 - 1000); // at the cutoff: stays
    const wrapped = [newLongId(1e13), newLongId(1e13 + 7), newLongId(3e14)]; // ids 0000000000000…, …7, 0000000000000… (3e14 % 1e13 = 0)
    await insertCallLogs(store.db, [
      ...old.map((id, i) => callLogRow(id, [1e13 - 5000, 1e13 - 2000, 1e13 - 1001][i]!)),
      callLogRow(atBound, 1e13 - 1000),
      ...wrapped.map((id, i) => callLogRow(id, [1e13, 1e13 + 7, 3e14][i]!)),
    ]);
    const left = async () => (await store.db.selectFrom('call_logs').select('oper_time').orderBy('oper_time').execute()).map((r) => Number(r.oper_time));
    // Chunks of 2: the wrapped rows sort first by id and must not take the chunk's places.
    assert.equal((await pruneOlderThan(store.db, cutoff, 2)).callLogs, 2);
    assert.deepEqual(await left(), [1e13 - 1001, 1e13 - 1000, 1e13, 1e13 + 7, 3e14], 'the two oldest went first');
    assert.equal((await pruneOlderThan(store.db, cutoff, 2)).callLogs, 1);
    assert.equal((await pruneOlderThan(store.db, cutoff, 2)).callLogs, 0);
    assert.deepEqual(await left(), [1e13 - 1000, 1e13, 1e13 + 7, 3e14]);
    // A cutoff past 10^13 (no id bound): the times alone decide, the wrapped rows included.
    assert.equal((await pruneOlderThan(store.db, 1e13 + 7, 5000)).callLogs, 2);
    assert.deepEqual(await left(), [1e13 + 7, 3e14]);
  } finally {
    await store.close();
  }
});
