/**
 * Dialect differences live here as named capability flags; nothing else asks "is this
 * Postgres?" (STYLE.md guideline 4).
 */
import { PostgresAdapter, sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from './db.js';
export type DialectName = 'sqlite' | 'postgres';

export interface DialectCaps {
  name: DialectName;
  /** `FOR UPDATE SKIP LOCKED` is available for claims. */
  skipLocked: boolean;
  /** LISTEN/NOTIFY can nudge other nodes. */
  listenNotify: boolean;
  /** Column type of an auto-incrementing integer primary key. */
  serialType: 'integer' | 'serial';
}

export const DIALECTS: Record<DialectName, DialectCaps> = {
  sqlite: { name: 'sqlite', skipLocked: false, listenNotify: false, serialType: 'integer' },
  postgres: { name: 'postgres', skipLocked: true, listenNotify: true, serialType: 'serial' },
};

/**
 * An auto-incrementing integer primary key for the schema builder:
 * `integer primary key autoincrement` on SQLite, `serial primary key` on PostgreSQL.
 *
 * @example const id = serialKey(caps); db.schema.createTable('t').addColumn('id', id.type, id.build)
 */
export function serialKey(caps: DialectCaps) {
  return {
    type: caps.serialType as 'integer',
    build: <C extends { primaryKey(): C; autoIncrement(): C }>(c: C): C => (caps.serialType === 'serial' ? c.primaryKey() : c.primaryKey().autoIncrement()),
  };
}

/**
 * `ref IN (claim)` for a claim subquery (`… LIMIT n FOR UPDATE SKIP LOCKED`) that must run
 * exactly once. On PostgreSQL a plain `IN (subquery)` may be rescanned while the UPDATE runs,
 * and each rescan skips the rows the statement itself already changed and takes the next ones,
 * so more than `n` rows would be claimed; `= any(array(subquery))` runs it once, as an init plan.
 *
 * @example db.updateTable('t').set(…).where((eb) => claimedIn(caps, eb.ref('id'), eb.selectFrom('t').select('id').limit(3)))
 */
export function claimedIn(caps: DialectCaps, ref: Expression<unknown>, claim: Expression<unknown>): RawBuilder<SqlBool> {
  return caps.skipLocked ? sql<SqlBool>`${ref} = any(array(${claim}))` : sql<SqlBool>`${ref} in (${claim})`;
}

/** What a node tells the others on the same database (PostgreSQL `NOTIFY`). */
export type NodeTopic = 'work' | 'keys' | 'clock';

const localListeners = new Set<(topic: NodeTopic) => void>();

/**
 * On SQLite (no LISTEN/NOTIFY): `fn` hears every {@link notifyNodes} of this process, at once
 * (inside a transaction: before the commit; the engine's nudge only schedules a pass, which
 * reads after it). Returns the function that stops listening.
 *
 * @example const off = onLocalNotice((t) => t === 'work' && engine.nudge())
 */
export function onLocalNotice(fn: (topic: NodeTopic) => void): () => void {
  localListeners.add(fn);
  return () => localListeners.delete(fn);
}

/**
 * Tells every node listening on this database (store/signals.ts) that `topic` changed: new
 * due work (`work`), access keys (`keys`), the manual clock (`clock`). Inside a transaction
 * the notice is sent at commit, never for a rollback. The channel is named after the current
 * schema, so databases shared by several schemas (the test suite) do not hear each other.
 * SQLite has no such thing (one process): the in-process listeners of {@link onLocalNotice} hear
 * it at once (the key cache also reloads on a timer).
 */
export async function notifyNodes(db: Db, topic: NodeTopic): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    // One process on SQLite: its own listeners (the engine's nudge) hear it at once.
    for (const fn of localListeners) fn(topic);
    return;
  }
  if (db.isTransaction) {
    // PostgreSQL delivers a transaction's identical notices once anyway: one statement is enough
    // (a group-committed batch of creates would otherwise send one per request).
    const sent = notifiedIn.get(db) ?? new Set<NodeTopic>();
    if (sent.has(topic)) return;
    sent.add(topic);
    notifiedIn.set(db, sent);
  }
  await sql`select pg_notify('campaignd_' || md5(current_schema()), ${topic})`.execute(db);
}

/** Topics already notified inside a transaction (keyed by the transaction's handle). */
const notifiedIn = new WeakMap<Db, Set<NodeTopic>>();

/**
 * Whether a query without parameters may hold several statements separated by `;` (PostgreSQL's
 * simple query protocol: one round trip for all of them). SQLite prepares one statement at a time.
 */
export function acceptsScripts(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * A transaction for the engine's per-attempt work (dispatch, settle), whose every
 * check-then-write is guarded by a row lock: a conditional UPDATE of the attempt's own row
 * (lease owner, state) or an upserted lock row (`contact_locks`). On PostgreSQL it runs READ
 * COMMITTED without the store's write lock (connect.ts), so the nodes settle in parallel; on
 * SQLite it is the usual IMMEDIATE transaction.
 *
 * @example await rowLockTransaction(db).execute(async (trx) => …)
 */
export function rowLockTransaction(db: Db) {
  return db.transaction().setIsolationLevel('read committed');
}

/**
 * Reserves `n` new values of `table`'s auto-incrementing `id` key ({@link serialKey}) for a
 * multi-row INSERT that names them, so the caller knows each row's id without one statement
 * (and one RETURNING) per row. Returns them ascending.
 * - PostgreSQL: `n` values of the column's sequence (unique whatever else runs meanwhile).
 * - SQLite (`integer primary key autoincrement`): the `n` ids after the largest one ever used
 *   (`sqlite_sequence`) or present, i.e. those AUTOINCREMENT would assign; inserting them moves
 *   `sqlite_sequence` on as usual. Call it inside a write transaction (`BEGIN IMMEDIATE`: no
 *   other connection inserts meanwhile) and insert the ids before reserving again.
 *
 * @example const ids = await reserveSerialIds(trx, 'call_data', 10_000)
 */
export async function reserveSerialIds(db: Db, table: 'call_data', n: number): Promise<number[]> {
  if (n <= 0) return [];
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const r = await sql<{ id: number }>`select nextval(pg_get_serial_sequence(${table}, 'id')) as id from generate_series(1, ${n})`.execute(db);
    return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
  }
  const r = await sql<{ last: number }>`select max(
      coalesce((select seq from sqlite_sequence where name = ${table}), 0),
      coalesce((select max(id) from ${sql.table(table)}), 0)) as last`.execute(db);
  const last = Number(r.rows[0]?.last ?? 0);
  return Array.from({ length: n }, (_, i) => last + 1 + i);
}
