/**
 * SQLite statements get their parameters as separate arguments (connect.ts `argumentsBound`,
 * issue #12): better-sqlite3 must store exactly what it stores when given the array, refuse
 * what it refuses in an array (an object or an array as a value is not read as named
 * parameters nor flattened), and take more values than a call's arguments should hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { inspect } from 'node:util';
import Database from 'better-sqlite3';
import { CompiledQuery, sql } from 'kysely';
import { argumentsBound, openSqlite, SPREAD_MAX_PARAMETERS } from '../src/store/connect.js';
import { executeCompiled, runDirectlyIn } from '../src/store/dialect.js';
import { writeTransaction } from '../src/store/group-commit.js';
import { tempDir } from './helpers.js';

const VALUES: unknown[] = [null, '', 'é ☎ 𝄞', 0, -7, 1.5, 2 ** 53 - 1, 2n ** 60n, Buffer.from([0, 1, 255]), 'x'.repeat(300)];
const INSERT = `insert into probe (${VALUES.map((_, i) => `c${i}`).join(', ')}) values (${VALUES.map(() => '?').join(', ')})`;
const READ = `select ${VALUES.map((_, i) => `typeof(c${i}) || ':' || quote(c${i})`).join(' || char(10) || ')} as v from probe order by rowid`;

async function withStore(fn: (store: Awaited<ReturnType<typeof openSqlite>>, file: string) => Promise<void>): Promise<void> {
  const file = path.join(tempDir(), 'args.db');
  const store = await openSqlite({ file });
  try {
    await sql.raw(`create table probe (${VALUES.map((_, i) => `c${i}`).join(', ')})`).execute(store.db);
    await fn(store, file);
  } finally {
    await store.close();
  }
}

test('values bound as separate arguments are stored as better-sqlite3 stores them from an array (Kysely and direct transactions)', async () => {
  const reference = new Database(':memory:');
  reference.exec(`create table probe (${VALUES.map((_, i) => `c${i}`).join(', ')})`);
  reference.prepare(INSERT).run(VALUES);
  const expected = (reference.prepare(READ).get() as { v: string }).v;
  reference.close();
  await withStore(async (store) => {
    await store.db.executeQuery(CompiledQuery.raw(INSERT, VALUES));
    await writeTransaction(store.db, async (trx) => {
      const done = runDirectlyIn(trx);
      try {
        await executeCompiled(trx, CompiledQuery.raw(INSERT, VALUES));
      } finally {
        done();
      }
    });
    const rows = await store.db.executeQuery<{ v: string }>(CompiledQuery.raw(READ));
    assert.deepEqual(
      rows.rows.map((r) => r.v),
      [expected, expected],
    );
    // better-sqlite3 binds every JS number as a REAL, a bigint as an INTEGER.
    assert.match(
      expected,
      /^null:NULL\ntext:''\ntext:'é ☎ 𝄞'\nreal:0\.0\nreal:-7\.0\nreal:1\.5\nreal:9007199254740991\.0\ninteger:1152921504606846976\nblob:X'0001FF'\ntext:'x{300}'$/,
    );
  });
});

test('an array or an object given as one value is refused as in an array, not flattened nor read as named parameters; nothing is written', async () => {
  await withStore(async (store) => {
    const two = 'insert into probe (c0, c1) values (?, ?)';
    await assert.rejects(store.db.executeQuery(CompiledQuery.raw(two, [[1, 2]])), /can only bind/i);
    await assert.rejects(store.db.executeQuery(CompiledQuery.raw(two, [{ c0: 1 }, 2])), /can only bind/i);
    await assert.rejects(store.db.executeQuery(CompiledQuery.raw('insert into probe (c0) values (?)', [{ a: 1 }])), /can only bind/i);
    const n = await store.db.executeQuery<{ n: number }>(CompiledQuery.raw('select count(*) as n from probe'));
    assert.equal(n.rows[0]!.n, 0);
  });
});

test(`more than ${SPREAD_MAX_PARAMETERS} parameters are bound from the array, in order`, async () => {
  await withStore(async (store) => {
    const count = SPREAD_MAX_PARAMETERS * 4 + 3;
    const values = Array.from({ length: count }, (_, i) => `v${i}`);
    await store.db.executeQuery(CompiledQuery.raw(`insert into probe (c0) values ${values.map(() => '(?)').join(', ')}`, values));
    const r = await store.db.executeQuery<{ c0: string }>(CompiledQuery.raw('select c0 from probe order by rowid'));
    assert.deepEqual(
      r.rows.map((x) => x.c0),
      values,
    );
    const few = await store.db.executeQuery<{ s: number }>(CompiledQuery.raw('select ? * 2 + ? as s', [20, 1]));
    assert.equal(few.rows[0]!.s, 41);
  });
});

test('every way of calling a statement answers (or fails) as the statement itself does', () => {
  const db = new Database(':memory:');
  try {
    db.exec('create table t (a, b)');
    db.exec("insert into t values (1, 'x'), (2, 'y')");
    const texts = ['select ? as a, ? as b', 'select @a as a, @b as b', 'select * from t where a = ?', 'select * from t', 'select ? as a, @b as b'];
    const shapes: unknown[][] = [
      [],
      [[]],
      [[1, 2]],
      [1, 2],
      [[1], 2],
      [[[1], 2]],
      [{ a: 1, b: 2 }],
      [{ a: 1 }, 2],
      [undefined],
      [undefined, 1],
      [1, undefined],
      [[1, { b: 2 }]],
      [1, { b: 2 }],
      [[Buffer.from('z'), 3n]],
      [2],
      [[2]],
      [() => 1],
      [[() => 1, 2]],
      [[Symbol('s'), 2]],
      [Symbol('s'), 2],
      [[true, 2]],
      [[1.5, -0]],
    ];
    const outcome = (f: () => unknown): unknown => {
      try {
        const v = f();
        return { ok: v !== null && typeof v === 'object' && Symbol.iterator in v ? [...(v as Iterable<unknown>)] : v };
      } catch (e) {
        return { error: `${(e as Error).name}: ${(e as Error).message}` };
      }
    };
    let differentOutcomes = 0;
    for (const text of texts) {
      const plain = db.prepare(text);
      const bound = argumentsBound(db.prepare(text));
      for (const args of shapes) {
        for (const m of ['all', 'get', 'iterate'] as const) {
          if (!plain.reader) continue;
          const expected = outcome(() => (plain[m] as (...a: unknown[]) => unknown)(...args));
          assert.deepEqual(
            outcome(() => (bound[m] as (...a: unknown[]) => unknown)(...args)),
            expected,
            `${text} ${m}(${args.map((a) => inspect(a)).join(', ')})`,
          );
          if (JSON.stringify(expected, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) !== '{}') differentOutcomes++;
        }
      }
      assert.equal(bound.reader, plain.reader);
      assert.equal(bound.source, plain.source);
    }
    assert.ok(differentOutcomes > 50);
    // Modes apply to the statement and chain on the wrapper.
    const s = argumentsBound(db.prepare('select a, b from t order by a'));
    assert.equal(s.raw(true), s);
    assert.deepEqual(s.all([]), [
      [1, 'x'],
      [2, 'y'],
    ]);
    assert.equal(s.raw(false).pluck(true), s);
    assert.deepEqual(s.all(), [1, 2]);
    assert.deepEqual(
      s.columns().map((c) => c.name),
      ['a', 'b'],
    );
  } finally {
    db.close();
  }
});
