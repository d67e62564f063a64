/**
 * The PostgreSQL pass of the suite: when CAMPAIGND_TEST_DATABASE_URL is set, every test server
 * (in process, `campaignd serve` child, `campaignd keys` run) gets its own schema
 * `campaignd_t_<hash of its data directory>` on that database instead of the SQLite file, so a
 * restart on the same directory finds the same data; the schemas are dropped when the test
 * file ends. Unset: nothing here does anything and every server uses SQLite.
 */
import { after, before } from 'node:test';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { openPostgres, openSqlite, type Store } from '../src/store/connect.js';
import type { Db } from '../src/store/db.js';

/** `postgres://…` of the PostgreSQL pass, or undefined in the SQLite pass. */
export const TEST_PG_URL: string | undefined = process.env.CAMPAIGND_TEST_DATABASE_URL || undefined;

const created = new Set<string>();
let admin: pg.Pool | undefined;

function adminPool(url: string): pg.Pool {
  admin ??= new pg.Pool({ connectionString: url, max: 2, allowExitOnIdle: true });
  return admin;
}

/** The schema a data directory maps to (the same directory, the same schema). */
export function schemaFor(dir: string): string {
  return `campaignd_t_${createHash('sha256').update(dir).digest('hex').slice(0, 20)}`;
}

/**
 * The variables that point a server on `dir` at its schema (empty in the SQLite pass). The
 * schema is dropped when the test file ends, or earlier by {@link dropDatabaseFor}.
 */
export function databaseEnv(dir: string): Record<string, string> {
  if (TEST_PG_URL === undefined) return {};
  const schema = schemaFor(dir);
  created.add(schema);
  return { CAMPAIGND_DATABASE_URL: TEST_PG_URL, CAMPAIGND_DATABASE_SCHEMA: schema };
}

/** Drops the schema of `dir` (no-op in the SQLite pass). */
export async function dropDatabaseFor(dir: string): Promise<void> {
  if (TEST_PG_URL === undefined) return;
  const schema = schemaFor(dir);
  created.delete(schema);
  await adminPool(TEST_PG_URL).query(`drop schema if exists "${schema}" cascade`);
}

after(async () => {
  if (TEST_PG_URL === undefined) return;
  const pool = adminPool(TEST_PG_URL);
  for (const schema of created) await pool.query(`drop schema if exists "${schema}" cascade`);
  created.clear();
  await pool.end();
  admin = undefined;
});

/**
 * Opens the store a server on `dir` used, for tests that look at the stored rows themselves:
 * that directory's schema in the PostgreSQL pass, its `campaignd.db` file otherwise.
 */
export async function openTestStore(dir: string): Promise<Store> {
  if (TEST_PG_URL === undefined) return openSqlite({ file: path.join(dir, 'campaignd.db') });
  created.add(schemaFor(dir));
  return openPostgres({ url: TEST_PG_URL, schema: schemaFor(dir), max: 2 });
}

/**
 * One store for a whole test file, on a directory of its own: opened in a `before` hook and
 * closed in an `after` hook of the file; read `store` and `db` inside the tests.
 *
 * @example const t = storeOfFile(tempDir()); it('…', async () => { await t.db.selectFrom('engine_trail')… })
 */
export function storeOfFile(dir: string): { readonly store: Store; readonly db: Db } {
  let opened: Store | undefined;
  before(async () => {
    opened = await openTestStore(dir);
  });
  after(async () => {
    await opened?.close();
  });
  return {
    get store() {
      if (opened === undefined) throw new Error('storeOfFile: the store is opened in the before hook');
      return opened;
    },
    get db() {
      return this.store.db;
    },
  };
}

/**
 * Makes every UPDATE of `table` fail (a trigger raising "disk on fire") until the returned
 * function is called: a database failure in the middle of a request, on either backend.
 */
export async function failUpdatesOf(store: Store, table: string): Promise<() => Promise<void>> {
  const db = store.db;
  if (store.caps.name === 'sqlite') {
    await sql.raw(`CREATE TRIGGER fail_${table}_update BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`).execute(db);
    return async () => void (await sql.raw(`DROP TRIGGER fail_${table}_update`).execute(db));
  }
  await sql.raw(`CREATE FUNCTION fail_${table}_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$`).execute(db);
  await sql.raw(`CREATE TRIGGER fail_${table}_update BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION fail_${table}_update()`).execute(db);
  return async () => {
    await sql.raw(`DROP TRIGGER fail_${table}_update ON ${table}`).execute(db);
    await sql.raw(`DROP FUNCTION fail_${table}_update()`).execute(db);
  };
}

/**
 * Makes the store refuse every reservation insert whose remark is 'boom' (a trigger on SQLite, a
 * CHECK constraint on PostgreSQL, named `name`): a row the database itself refuses, as a full
 * disk or a constraint would. Returns the function that lifts it.
 */
export async function refuseBoomReservations(store: Store, name: string): Promise<() => Promise<void>> {
  if (store.caps.name === 'sqlite') {
    await sql.raw(`CREATE TRIGGER ${name} BEFORE INSERT ON reservations WHEN new.remark = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END`).execute(store.db);
    return async () => void (await sql.raw(`DROP TRIGGER ${name}`).execute(store.db));
  }
  await sql.raw(`ALTER TABLE reservations ADD CONSTRAINT ${name} CHECK (remark IS DISTINCT FROM 'boom')`).execute(store.db);
  return async () => void (await sql.raw(`ALTER TABLE reservations DROP CONSTRAINT ${name}`).execute(store.db));
}
