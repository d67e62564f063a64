/**
 * Group commit with a write watch (store/group-commit.ts `acceptWriteWatch`, issue #12), on the
 * store of the pass: on SQLite a request's savepoint is taken only when it is about to write, and
 * its held write (`deferBatchWrite`) runs after its work, alone and without a savepoint when it
 * wrote nothing else. What must hold: a request that writes directly and then has its held write
 * refused loses both on SQLite (only its own); a request that only reads and fails
 * leaves its neighbours alone; a held write of two statements made without a savepoint cannot be
 * undone alone, so on SQLite it fails the whole batch (nothing stored, every request answered
 * with an error) instead of leaving half a request behind; and an appoint/create-like request
 * (reads, then one held insert) runs no savepoint statement on SQLite.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../src/store/db.js';
import type { Store } from '../src/store/connect.js';
import { deferBatchWrite, GroupCommit } from '../src/store/group-commit.js';
import { DomainError } from '../src/domain/errors.js';
import { openTestStore, TEST_PG_URL } from './pg-target.js';
import { tempDir } from './helpers.js';

let store: Store;
let dir: string;
before(async () => {
  dir = tempDir();
  store = await openTestStore(dir);
  await sql`create table gw_probe (id varchar(40) primary key, job integer not null)`.execute(store.db as unknown as Db);
});
after(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const insertProbe = (db: Db, id: string, job: number) => sql`insert into gw_probe (id, job) values (${id}, ${job})`.execute(db);
const probeIds = async (db: Db) => (await sql<{ id: string }>`select id from gw_probe order by id`.execute(db)).rows.map((r) => r.id);
const writeOne = async (db: Db, ids: string[]) => {
  for (const id of ids) await insertProbe(db, id, 0);
};

describe('group commit with a write watch', () => {
  test('a request that writes and then has its held write refused loses both (SQLite); read-only failures and held writes around it are unaffected', async () => {
    const db = store.db as unknown as Db;
    await sql`delete from gw_probe`.execute(db);
    await insertProbe(db, 'taken', -1);
    const gc = new GroupCommit(db);
    const kind = { kind: 'probe' };
    const results = await Promise.allSettled([
      gc.run(async (trx) => {
        await deferBatchWrite(trx, 'probe', 'a-held', writeOne);
        return 0;
      }, kind),
      gc.run(async (trx) => {
        // Writes at once (its savepoint is taken here), then its held row is refused.
        await insertProbe(trx, 'b-direct', 1);
        await deferBatchWrite(trx, 'probe', 'taken', writeOne);
        return 1;
      }, kind),
      gc.run(async (trx) => {
        await sql`select count(*) as n from gw_probe`.execute(trx);
        throw new DomainError('04000003', 'refused after reading');
      }, kind),
      gc.run(async (trx) => {
        // Held, then refused by its own work: the held row is never written.
        await deferBatchWrite(trx, 'probe', 'd-held', writeOne);
        throw new DomainError('04000003', 'refused after holding');
      }, kind),
      gc.run(async (trx) => {
        await insertProbe(trx, 'e-direct', 4);
        await deferBatchWrite(trx, 'probe', 'e-held', writeOne);
        return 4;
      }, kind),
    ]);
    assert.equal(gc.stats.batches, 1);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled'],
    );
    // PostgreSQL writes the held rows after the request returned (in one statement with the next
    // requests' rows): a request that also wrote directly keeps that write when its held row is
    // refused (deferBatchWrite's contract: a request that holds a write writes nothing else).
    assert.deepEqual(await probeIds(db), TEST_PG_URL === undefined ? ['a-held', 'e-direct', 'e-held', 'taken'] : ['a-held', 'b-direct', 'e-direct', 'e-held', 'taken']);
  });

  test('a held write of two statements without a savepoint fails the whole batch on SQLite (nothing stored); PostgreSQL writes it', async () => {
    const db = store.db as unknown as Db;
    await sql`delete from gw_probe`.execute(db);
    const gc = new GroupCommit(db);
    const two = async (trx: Db, ids: string[]) => {
      for (const id of ids) {
        await insertProbe(trx, `${id}-1`, 0);
        await insertProbe(trx, `${id}-2`, 0);
      }
    };
    const results = await Promise.allSettled([
      gc.run(async (trx) => {
        await insertProbe(trx, 'before', 0);
        return 0;
      }),
      gc.run(
        async (trx) => {
          await deferBatchWrite(trx, 'probe', 'two', two);
          return 1;
        },
        { kind: 'probe' },
      ),
    ]);
    if (TEST_PG_URL === undefined) {
      assert.deepEqual(
        results.map((r) => r.status),
        ['rejected', 'rejected'],
      );
      assert.deepEqual(await probeIds(db), []);
    } else {
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'fulfilled'],
      );
      assert.deepEqual(await probeIds(db), ['before', 'two-1', 'two-2']);
    }
  });

  test('SQLite: a request that only reads and holds one write runs no savepoint statement', { skip: TEST_PG_URL !== undefined }, async () => {
    const db = store.db as unknown as Db;
    await sql`delete from gw_probe`.execute(db);
    // Seen by its effect: with a savepoint open when the held write runs, `release savepoint
    // gc_request` would succeed; without one SQLite refuses it.
    const gc = new GroupCommit(db);
    let released: string | undefined;
    const [r] = await Promise.allSettled([
      gc.run(
        async (trx) => {
          await sql`select count(*) as n from gw_probe`.execute(trx);
          await deferBatchWrite(trx, 'probe', 'held', async (t, ids) => {
            await writeOne(t, ids);
            try {
              await sql`release savepoint gc_request`.execute(t);
              released = 'released';
            } catch (e) {
              released = (e as Error).message;
            }
          });
          return 0;
        },
        { kind: 'probe' },
      ),
    ]);
    assert.equal(r!.status, 'fulfilled');
    assert.match(released ?? '', /no such savepoint/);
    assert.deepEqual(await probeIds(db), ['held']);
  });
});
