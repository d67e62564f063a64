/**
 * Attack on issue #12's held write on SQLite (store/group-commit.ts `deferBatchWrite` with a
 * write watch: a request's held row is written after its work). deferBatchWrite's contract is
 * that `write` gets rows "in order": a request that holds two rows of one key must see them
 * written in the order it held them, on both backends (PostgreSQL writes a kind's held rows
 * together, in order; so did SQLite before the write watch). Found by this attack: the watched
 * path wrote the second row at once and the first one after the work, reversing them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../src/store/db.js';
import type { Store } from '../src/store/connect.js';
import { deferBatchWrite, GroupCommit } from '../src/store/group-commit.js';
import { openTestStore } from './pg-target.js';
import { tempDir } from './helpers.js';

let store: Store;
let dir: string;
before(async () => {
  dir = tempDir();
  store = await openTestStore(dir);
  const db = store.db as unknown as Db;
  await sql`create table atk_order (id varchar(40) primary key, at_ms bigint not null)`.execute(db);
});
after(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes rows in order: each row's position is the count of rows written before it. */
const writeOrdered = async (db: Db, ids: string[]) => {
  for (const id of ids) await sql`insert into atk_order (id, at_ms) values (${id}, (select count(*) from atk_order))`.execute(db);
};

describe('attack: rows a request holds under one key', () => {
  test('two rows held by one request are written in the order held, with neighbours of its kind', async () => {
    const db = store.db as unknown as Db;
    const gc = new GroupCommit(db);
    const kind = { kind: 'atk' };
    // One statement per row written, as deferBatchWrite's writers do for one row; the held
    // write is then a single statement on SQLite only when it has one row.
    const one = async (t: Db, ids: string[]) => {
      if (ids.length === 1) return writeOrdered(t, ids);
      await sql`insert into atk_order (id, at_ms) select v.id, (select count(*) from atk_order) + v.n from (${sql.join(
        ids.map((id, n) => sql`select ${id} as id, ${n} as n`),
        sql` union all `,
      )}) v`.execute(t);
    };
    const results = await Promise.allSettled([
      gc.run(async (trx) => {
        await deferBatchWrite(trx, 'atk', 'a1', one);
        return 0;
      }, kind),
      gc.run(async (trx) => {
        await deferBatchWrite(trx, 'atk', 'b1', one);
        await deferBatchWrite(trx, 'atk', 'b2', one);
        return 1;
      }, kind),
      gc.run(async (trx) => {
        await deferBatchWrite(trx, 'atk', 'c1', one);
        return 2;
      }, kind),
    ]);
    assert.equal(gc.stats.batches, 1);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'fulfilled'],
    );
    const rows = (await sql<{ id: string; at_ms: number | string }>`select id, at_ms from atk_order`.execute(db)).rows;
    const order = rows.sort((x, y) => Number(x.at_ms) - Number(y.at_ms)).map((r) => r.id);
    assert.deepEqual(order, ['a1', 'b1', 'b2', 'c1']);
  });
});
