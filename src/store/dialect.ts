/**
 * Dialect differences live here as named capability flags; nothing else asks "is this
 * Postgres?" (STYLE.md guideline 4).
 */
import { PostgresAdapter, sql, type CompiledQuery, type Expression, type QueryResult, type RawBuilder, type SqlBool } from 'kysely';
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

/**
 * The claimed table's `state`, written so that no index can serve it: `coalesce(state, '')`
 * (state is never null). For the repeated state test of a claim, `UPDATE t … WHERE id IN
 * (SELECT … LIMIT n) AND <this> = 'pending'`: with a plain `state = …` SQLite (no statistics)
 * drives the UPDATE from the `(state, …)` index and visits EVERY row in that state to find the
 * claimed ids — measured 20–40 ms per engine pass, on the event loop, with 100,000 reservations
 * pending tomorrow (issue #12). Written this way it looks the claimed ids up by primary key
 * and only tests the state; PostgreSQL's plan is the same either way.
 *
 * @example db.updateTable('t').set(…).where('id', 'in', claim).where(stateOutsideIndex(), '=', 'pending')
 */
export function stateOutsideIndex(): RawBuilder<string> {
  return sql<string>`coalesce(${sql.ref('state')}, '')`;
}

/** What a node tells the others on the same database (PostgreSQL `NOTIFY`). */
export type NodeTopic = 'work' | 'keys' | 'clock';

/**
 * Hears a notice: `topic`, and for `work` the instant the new work falls due (epoch ms of the
 * engine's clock; `undefined` = now, a bare `work` notice).
 */
export type NoticeListener = (topic: NodeTopic, dueAt?: number) => void;

const localListeners = new Set<NoticeListener>();

/**
 * On SQLite (no LISTEN/NOTIFY): `fn` hears every {@link notifyNodes} of this process, at once
 * (inside a transaction: before the commit; the engine's nudge only schedules a pass, which
 * reads after it). Returns the function that stops listening.
 *
 * @example const off = onLocalNotice((t, dueAt) => t === 'work' && engine.nudge(dueAt))
 */
export function onLocalNotice(fn: NoticeListener): () => void {
  localListeners.add(fn);
  return () => localListeners.delete(fn);
}

/**
 * The `NOTIFY` payload of a notice: `work:<epoch ms>` for work falling due at that instant, the
 * bare topic otherwise (`work` alone means "due now", as before due times were sent).
 */
export function noticePayload(topic: NodeTopic, dueAt?: number): string {
  return topic === 'work' && dueAt !== undefined && Number.isFinite(dueAt) ? `work:${Math.round(dueAt)}` : topic;
}

/** A `NOTIFY` payload read back ({@link noticePayload}); undefined for anything else. */
export function parseNoticePayload(payload: string | undefined): { topic: NodeTopic; dueAt?: number } | undefined {
  if (payload === 'work' || payload === 'keys' || payload === 'clock') return { topic: payload };
  const m = /^work:(-?\d{1,16})$/.exec(payload ?? '');
  return m ? { topic: 'work', dueAt: Number(m[1]) } : undefined;
}

/**
 * Tells every node listening on this database (store/signals.ts) that `topic` changed: new
 * work (`work`, falling due at `dueAt`, epoch ms of the engine clock; omitted: now), access keys
 * (`keys`), the manual clock (`clock`). An engine wakes for new work only when it falls due
 * before its own next planned pass (engine.ts `nudge`), so a reservation due tomorrow costs no
 * engine pass. Inside a transaction the notice is sent at commit, never for a rollback; a
 * transaction's `work` notices become one, for the earliest instant: the group committer
 * (group-commit.ts) sends it with its COMMIT ({@link deferNotices}); any other transaction sends
 * a notice only when it is earlier than those it already sent. The channel is named after the
 * current schema, so databases shared by several schemas (the test suite) do not hear each other.
 * SQLite has no such thing (one process): the in-process listeners of {@link onLocalNotice} hear
 * it at once (the key cache also reloads on a timer).
 */
export async function notifyNodes(db: Db, topic: NodeTopic, dueAt?: number): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    // One process on SQLite: its own listeners (the engine's nudge) hear it at once.
    for (const fn of localListeners) fn(topic, dueAt);
    return;
  }
  if (db.isTransaction) {
    // PostgreSQL delivers a transaction's identical notices once anyway: one statement is enough
    // (a group-committed batch of creates would otherwise send one per request).
    const sent = notifiedIn.get(db) ?? { topics: new Set<NodeTopic>(), workAt: Number.POSITIVE_INFINITY, deferred: false };
    notifiedIn.set(db, sent);
    if (topic === 'work') {
      const at = dueAt ?? Number.NEGATIVE_INFINITY;
      // A notice for an earlier instant already covers this one.
      if (at >= sent.workAt) return;
      sent.workAt = at;
      if (sent.deferred) return;
    } else {
      if (sent.topics.has(topic)) return;
      sent.topics.add(topic);
    }
  }
  await sql`select pg_notify('campaignd_' || md5(current_schema()), ${noticePayload(topic, dueAt)})`.execute(db);
}

/** Notices already sent (or deferred) inside a transaction (keyed by the transaction's handle). */
const notifiedIn = new WeakMap<Db, { topics: Set<NodeTopic>; workAt: number; deferred: boolean }>();

/**
 * Collects the `work` notices of transaction `trx` instead of sending them; the caller sends the
 * earliest once, before its COMMIT, with {@link deferredNotice}'s statement (group-commit.ts).
 * Only PostgreSQL sends notices; on SQLite this changes nothing.
 */
export function deferNotices(trx: Db): void {
  notifiedIn.set(trx, { topics: new Set(), workAt: Number.POSITIVE_INFINITY, deferred: true });
}

/**
 * The SQL (no parameters, one statement) that sends the earliest `work` notice collected in
 * `trx` since {@link deferNotices}, or undefined when none was; ran before the COMMIT, PostgreSQL
 * delivers it at the commit (never after a rollback).
 */
export function deferredNotice(trx: Db): string | undefined {
  const sent = notifiedIn.get(trx);
  if (sent === undefined || !sent.deferred || sent.workAt === Number.POSITIVE_INFINITY) return undefined;
  const payload = noticePayload('work', sent.workAt === Number.NEGATIVE_INFINITY ? undefined : sent.workAt);
  return `select pg_notify('campaignd_' || md5(current_schema()), '${payload}')`;
}

/**
 * Whether a query without parameters may hold several statements separated by `;` (PostgreSQL's
 * simple query protocol: one round trip for all of them). SQLite prepares one statement at a time.
 */
export function acceptsScripts(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Whether many rows are best written as ONE statement with one JSON parameter
 * ({@link jsonRecords}) rather than in chunks of bound values: on PostgreSQL each statement is a
 * round trip; on SQLite binding values is cheaper than reading JSON (engine-batch.repository.ts
 * `insertRowsJson`: ~1.2-3x per row on the engine's tables), and statements cost no round trip.
 */
export function rowsAsOneStatement(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Whether a statement on `db` runs on the event loop from its start to its end: SQLite
 * (better-sqlite3 is synchronous, and Kysely's SQLite driver resolves each query without
 * yielding), so statements awaited one after another never let a timer or an HTTP request in
 * between them. On PostgreSQL every statement waits for the server, which yields; there a
 * statement also costs a round trip, which on SQLite it does not.
 */
export function statementsHoldTheLoop(db: Db): boolean {
  return !(db.getExecutor().adapter instanceof PostgresAdapter);
}

const NO_TURN: Promise<void> = Promise.resolve();
/** The latest turn handed out by {@link betweenStatements}: the next one starts after it. */
let lastTurn: Promise<void> = NO_TURN;

/**
 * A turn of the event loop between two of the engine's own statements (issue #12, p99 latency):
 * on SQLite ({@link statementsHoldTheLoop}) it resolves from `setImmediate`, so the timers and
 * I/O that are ready (HTTP requests) run first (callers asking meanwhile get later turns, one
 * each); elsewhere, and inside a transaction
 * (`db.isTransaction`), it resolves at once without a turn. Why: an idle engine pass on SQLite
 * ran its ~15 statements and the next-event lookup's ~8 reads as one uninterrupted stretch,
 * 4-7 ms every second on the 2-core VM (lead's measure, CAMPAIGND_ENGINE_POLL_MS=1000, 100,000
 * reservations pending tomorrow), and every request that arrived meanwhile waited for it (~13
 * of them per stall at 2,000 req/s). Never inside a transaction: it holds SQLite's single
 * connection, and the group-committed HTTP batches would wait for it through the turn. Only the
 * engine calls this (its passes, the next-event lookup, the callback claims); the interface's
 * requests and their group-committed writes get no extra turn, except a move of the manual
 * clock, which waits for the passes it runs.
 *
 * @example await betweenStatements(db); const grant = await takeCps(db, now, max, max);
 */
export function betweenStatements(db: Db): Promise<void> {
  if (db.isTransaction || !statementsHoldTheLoop(db)) return NO_TURN;
  // Each caller gets a turn of its own: two asking in the same turn (the callbacks' claim beside
  // the next-event lookup) would otherwise be resumed by setImmediate callbacks of the same
  // check phase, with no I/O between their statements.
  const turn = lastTurn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  lastTurn = turn;
  return turn;
}

/**
 * Independent reads (each a function that starts one), answered in order. On PostgreSQL they
 * are sent together (each on its own pooled connection: one wait for the server instead of one
 * per read, issue #12); on SQLite ({@link statementsHoldTheLoop}) they run one after another
 * with a turn of the event loop between two of them ({@link betweenStatements}), none before the
 * first (the caller gives one before a group of statements when it needs to).
 *
 * @example const [a, b] = await independentReads(db, [() => readA(db), () => readB(db)]);
 */
export async function independentReads<T extends unknown[]>(db: Db, reads: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  const starts = reads as ReadonlyArray<() => Promise<unknown>>;
  if (!statementsHoldTheLoop(db)) return (await Promise.all(starts.map((read) => read()))) as T;
  const out: unknown[] = [];
  for (const [i, read] of starts.entries()) {
    if (i > 0) await betweenStatements(db);
    out.push(await read());
  }
  return out as T;
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
 * Runs one SQL text with positional parameters on the store's single connection, synchronously,
 * and answers what Kysely's driver would (`rows` for a reader; `numAffectedRows` and `insertId`
 * otherwise). Registered by a store that can ({@link acceptDirectQueries}: SQLite).
 */
export type DirectRunner = (sqlText: string, parameters: readonly unknown[]) => QueryResult<unknown>;

/** Stores (by their adapter, which their transactions share) that run queries directly. */
const directStores = new WeakMap<object, DirectRunner>();
/** Transactions that currently hold their store's connection and run compiled queries directly. */
const directTransactions = new WeakMap<Db, DirectRunner>();

/**
 * Declares that `db`'s store can run a compiled query straight on its connection (connect.ts,
 * SQLite: the prepared statement of its cache). Only transactions marked with
 * {@link runDirectlyIn} use it.
 */
export function acceptDirectQueries(db: Db, run: DirectRunner): void {
  directStores.set(db.getExecutor().adapter, run);
}

/**
 * Marks `trx`, a transaction that holds its store's connection until the returned function is
 * called, so that {@link executeCompiled} on it skips Kysely's executor (issue #12: its
 * connection provider, promises and result transformation cost ~5 µs a query on SQLite, several
 * times what SQLite takes for the statements of an appoint/create). Call the returned function
 * before the transaction ends (COMMIT or ROLLBACK). A store that did not
 * {@link acceptDirectQueries} (PostgreSQL) is left as it is.
 *
 * @example const done = runDirectlyIn(trx); try { … } finally { done(); }
 */
export function runDirectlyIn(trx: Db): () => void {
  const run = directStores.get(trx.getExecutor().adapter);
  if (run === undefined || !trx.isTransaction) return () => {};
  directTransactions.set(trx, run);
  return () => directTransactions.delete(trx);
}

/**
 * Executes a compiled query (store/query-template.ts, `CompiledQuery.raw`): in a transaction
 * marked by {@link runDirectlyIn}, straight on the store's connection and synchronously (a
 * failing statement throws); anywhere else through Kysely, as `db.executeQuery`. Same result
 * either way; await it.
 *
 * @example const { rows } = await executeCompiled(trx, campaignEndQuery(trx, 1, 46))
 */
export function executeCompiled<O>(db: Db, query: CompiledQuery<O>): QueryResult<O> | Promise<QueryResult<O>> {
  const run = directTransactions.get(db);
  if (run === undefined) return db.executeQuery(query);
  return run(query.sql, query.parameters) as QueryResult<O>;
}

/** Column types of a {@link jsonRows} table. */
export type JsonRowsType = 'bigint' | 'integer' | 'text';

/**
 * A derived table of many rows sent as ONE bound parameter (issue #12: set-based engine writes,
 * `UPDATE … FROM` it): `json` is a JSON array of arrays, each inner array one row with the
 * values of `columns` in order (numbers, strings or null). SQLite reads it with `json_each`,
 * PostgreSQL with `json_array_elements` (through an array, see the code; cast to each column's
 * type). The SQL text does not depend on the number of rows, so a statement built on it can be compiled and prepared once
 * (query-template.ts).
 *
 * @example sql`update t set a = v.a from ${jsonRows(db, [['id', 'bigint'], ['a', 'text']], '[[1,"x"]]')} as v where t.id = v.id`
 */
export function jsonRows(db: Db, columns: ReadonlyArray<readonly [name: string, type: JsonRowsType]>, json: string): RawBuilder<unknown> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // The elements go through an array: `unnest` of an array the planner cannot see into is
    // estimated at 10 rows (`json_array_elements` at 100), so it drives the join, each row
    // looked up by key. From `json_array_elements` directly, the planner (estimating the claimed
    // rows it joins with at 1: no statistics for a lease owner just written) put this table
    // inside a nested loop, and each engine UPDATE of 500 records re-read the JSON once per
    // claimed row: 100-200 ms measured with 10,000 records, ~10 ms this way.
    const cols = columns.map(([name, type], i) => sql`(e.value ->> ${sql.lit(i)})::${sql.raw(type)} as ${sql.id(name)}`);
    return sql`(select ${sql.join(cols)} from unnest(array(select json_array_elements(cast(${json} as json)))) as e(value))`;
  }
  const cols = columns.map(([name], i) => sql`value ->> ${sql.lit(i)} as ${sql.id(name)}`);
  return sql`(select ${sql.join(cols)} from json_each(${json}))`;
}

/**
 * A derived table of many rows of table `table`, sent as ONE bound parameter, for multi-row
 * INSERTs whose SQL text does not depend on the number of rows (issue #12). `encode` turns the
 * rows into that parameter (a column a row lacks, or holds undefined, is NULL); `from(json)` is
 * the table, with the `columns` and an `ord` column numbering the rows in the order given.
 * PostgreSQL gets objects keyed by column and types each column as the table does
 * (`json_populate_record`); SQLite gets arrays in column order (`json_each`, the values as JSON
 * gives them: reading an array element is cheaper there than looking up a key).
 *
 * @example const t = jsonRecords(db, 't', ['a', 'b']); sql`insert into t (a, b) select a, b from ${t.from(t.encode(rows))} as v order by ord`
 */
export function jsonRecords(
  db: Db,
  table: string,
  columns: ReadonlyArray<string>,
): { encode: (rows: ReadonlyArray<object>) => string; from: (json: string) => RawBuilder<unknown> } {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const cols = sql.join(columns.map((c) => sql`r.${sql.id(c)}`));
    return {
      encode: (rows) => JSON.stringify(rows),
      from: (json) =>
        sql`(select ${cols}, e.ord - 1 as ord from json_array_elements(cast(${json} as json)) with ordinality as e(value, ord), lateral json_populate_record(null::${sql.table(table)}, e.value) as r)`,
    };
  }
  return {
    encode: (rows) => JSON.stringify(rows.map((r) => columns.map((c) => (r as Record<string, unknown>)[c] ?? null))),
    from: (json) => sql`(select ${sql.join(columns.map((c, i) => sql`value ->> ${sql.lit(i)} as ${sql.id(c)}`))}, key as ord from json_each(${json}))`,
  };
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
