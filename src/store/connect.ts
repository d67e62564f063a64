/**
 * Opening the store: SQLite (default, one file in the data directory) with the durability
 * settings campaignd relies on, and the versioned migrations applied at start.
 *
 * Durability: WAL mode with `synchronous = NORMAL`. A transaction is in the WAL file (the OS
 * page cache) when `COMMIT` returns, so a killed process (kill -9) loses nothing that was
 * acknowledged; only a power loss can drop the last transactions. `CAMPAIGND_SQLITE_SYNC=full`
 * trades throughput for power-loss durability. Interface writes are group-committed
 * (group-commit.ts): one COMMIT for the requests of one event-loop turn. The WAL is copied back
 * into the database file by a worker thread's own connection (checkpointer.ts), a PASSIVE
 * checkpoint every second, never inside a commit nor on the event loop.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  PostgresDialect,
  PostgresDriver,
  type PostgresDialectConfig,
  type TransactionSettings,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type SchemaMetadata,
  type TableMetadata,
  type Driver,
  type Migration,
  type MigrationProvider,
  type SqliteDialectConfig,
} from 'kysely';
import type { DB } from './db.js';
import { acceptDirectQueries, DIALECTS, type DialectCaps, type DirectRunner } from './dialect.js';
import { ConnectionGate, startCheckpointer, type Checkpointer, type CheckpointStats } from './checkpointer.js';
import { acceptSavepointScripts, acceptWriteWatch, SAVEPOINT_SCRIPT, type WriteWatch } from './group-commit.js';
import { DeferringConnection, deferredStatements } from './deferred-statements.js';
import { initial } from './migrations/001-initial.js';
import { callData } from './migrations/002-call-data.js';
import { policies } from './migrations/003-policies.js';
import { calendar } from './migrations/004-calendar.js';
import { journal } from './migrations/005-journal.js';
import { engine } from './migrations/006-engine.js';
import { contactSafety } from './migrations/007-contact-safety.js';
import { retention } from './migrations/009-retention.js';
import { surface } from './migrations/008-surface.js';
import { sipCalls } from './migrations/010-sip-calls.js';
import { pacing } from './migrations/011-pacing.js';
import { agents } from './migrations/012-agents.js';
import { agentLedger } from './migrations/013-agent-ledger.js';
import { engineDispatch } from './migrations/014-engine-dispatch.js';
import { journalTimeIndex } from './migrations/015-journal-time-index.js';
import { journalRequestParams } from './migrations/016-journal-request-params.js';
import { journalQueryIndex } from './migrations/017-journal-query-index.js';

export interface Store {
  db: Kysely<DB>;
  caps: DialectCaps;
  /** PostgreSQL: the schema of campaignd's tables, when one was configured. */
  schema?: string;
  /**
   * SQLite with its checkpoint worker: the worker's latest statistics and the main connection's
   * gate (how often and how long the worker held it back, ms); for tests and the bench.
   */
  checkpoints?(): { worker: CheckpointStats; gate: ConnectionGate['stats'] } | undefined;
  close(): Promise<void>;
}

/** The ordered migrations; names sort in the order they must run. */
function migrationsFor(caps: DialectCaps): Record<string, Migration> {
  return {
    '001-initial': initial(caps),
    '002-call-data': callData(caps),
    '003-policies': policies(caps),
    '004-calendar': calendar(caps),
    '005-journal': journal(caps),
    '006-engine': engine(caps),
    '007-contact-safety': contactSafety(caps),
    '009-retention': retention(caps),
    '008-surface': surface(caps),
    '010-sip-calls': sipCalls(caps),
    '011-pacing': pacing(caps),
    '012-agents': agents(caps),
    '013-agent-ledger': agentLedger(caps),
    '014-engine-dispatch': engineDispatch(caps),
    '015-journal-time-index': journalTimeIndex(caps),
    '016-journal-request-params': journalRequestParams(caps),
    '017-journal-query-index': journalQueryIndex(caps),
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/**
 * The migrator; on PostgreSQL with a schema its bookkeeping tables live in that schema (Kysely
 * otherwise finds another schema's `kysely_migration` when it looks whether they exist).
 */
function migratorFor(db: Kysely<DB>, caps: DialectCaps, schema?: string): Migrator {
  return new Migrator({ db, provider: new StaticProvider(migrationsFor(caps)), ...(schema === undefined ? {} : { migrationTableSchema: schema }) });
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrate(db: Kysely<DB>, caps: DialectCaps, schema?: string): Promise<void> {
  const migrator = migratorFor(db, caps, schema);
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Names of the migrations this build knows that the store has not applied (empty when the
 * schema is current). Used by `/readyz`.
 */
export async function pendingMigrations(db: Kysely<DB>, caps: DialectCaps, schema?: string): Promise<string[]> {
  const migrator = migratorFor(db, caps, schema);
  return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs about as much as
 * running a small statement. Repositories issue a fixed set of SQL texts, so memoising the
 * prepared statements by text removes that cost from every request (bounded). Eviction is
 * "second chance" (a CLOCK approximation of LRU): a hit only marks the entry used, instead of
 * moving it to the back of the map on every statement (issue #12); when the cache is full, the
 * oldest entries that were used since they were last passed go to the back unmarked, and the
 * first unused one is evicted. Every statement of the connection is prepared here, so this is
 * also where the group committer's {@link WriteWatch} sees a statement that may write
 * (better-sqlite3's `readonly` is false) before it runs. A `SAVEPOINT` of the request's own
 * (engine-batch.repository.ts `insertRowsJson`: `campaignd_rows`) counts as such a statement
 * although it writes nothing: the request's `gc_request` must be taken before it, outside it;
 * taken inside it, the request's `RELEASE campaignd_rows` would release `gc_request` too, and
 * the batch's own RELEASE (or ROLLBACK TO) of `gc_request` would then fail the whole batch.
 */
function withStatementCache(sqlite: Database.Database, max = 512) {
  const cache = new Map<string, { stmt: Database.Statement; used: boolean; watched: boolean }>();
  const savepoint = sqlite.prepare('savepoint gc_request');
  /** What the group committer watches for ({@link WriteWatch}): 0 nothing, 1 take the savepoint at the first write, 2 allow one write. */
  let watching: 0 | 1 | 2 = 0;
  /** Writes prepared while watching (2 and more: one too many for a single write). */
  let writes = 0;
  /** A statement about to run that may write, while the group committer watches. */
  const beforeWrite = () => {
    writes++;
    if (watching === 1) {
      watching = 0;
      savepoint.run();
    } else if (writes > 1) {
      throw new Error('group commit: a held write ran more than one writing statement (deferBatchWrite wants one)');
    }
  };
  const watch: WriteWatch = {
    savepointOnWrite() {
      watching = 1;
      writes = 0;
    },
    singleWrite() {
      watching = 2;
      writes = 0;
    },
    end() {
      watching = 0;
      return writes;
    },
    inTransaction: () => sqlite.inTransaction,
  };
  return {
    close: () => sqlite.close(),
    watch,
    prepare(sqlText: string): Database.Statement {
      const hit = cache.get(sqlText);
      if (hit !== undefined) {
        hit.used = true;
        if (watching !== 0 && hit.watched) beforeWrite();
        return hit.stmt;
      }
      const stmt = SAVEPOINT_SCRIPT.test(sqlText) ? script(sqlText.split('; ').map((part) => sqlite.prepare(part))) : argumentsBound(sqlite.prepare(sqlText));
      while (cache.size >= max) {
        const [oldest, entry] = cache.entries().next().value as [string, { stmt: Database.Statement; used: boolean; watched: boolean }];
        cache.delete(oldest);
        if (entry.used) {
          entry.used = false;
          cache.set(oldest, entry);
        }
      }
      // A statement that may write, or a request's own SAVEPOINT (not the batcher's scripts).
      const watched = !stmt.readonly || (/^\s*savepoint\s/i.test(sqlText) && !SAVEPOINT_SCRIPT.test(sqlText));
      cache.set(sqlText, { stmt, used: false, watched });
      if (watching !== 0 && watched) beforeWrite();
      return stmt;
    },
  };
}

/** Parameters at most that a statement is given as separate arguments ({@link argumentsBound}). */
export const SPREAD_MAX_PARAMETERS = 1024;

/**
 * True when `parameters` can be given to better-sqlite3 as separate arguments with the same
 * meaning as the array: at most {@link SPREAD_MAX_PARAMETERS} of them (a call's arguments live
 * on the stack), each a primitive (but a symbol) or a byte array (as separate arguments, a plain
 * object would be read as named parameters and an array would be flattened, and a function or a
 * symbol refused with another message; in an array all are refused alike).
 */
function spreadable(parameters: readonly unknown[]): boolean {
  if (parameters.length > SPREAD_MAX_PARAMETERS) return false;
  for (let i = 0; i < parameters.length; i++) {
    const v = parameters[i];
    const t = typeof v;
    if (!(v === null || t === 'string' || t === 'number' || t === 'bigint' || t === 'undefined' || t === 'boolean' || (t === 'object' && ArrayBuffer.isView(v)))) return false;
  }
  return true;
}

/**
 * A prepared statement whose `all`, `get`, `run` and `iterate`, given one array of anonymous
 * parameters (how Kysely's driver and {@link directRunner} call them), pass its values to
 * better-sqlite3 as separate arguments when {@link spreadable}: better-sqlite3 reads an array
 * argument element by element through V8's `Object::Get`, and separate arguments directly
 * (issue #12: measured 2.4–2.8 → 1.9–2.0 µs for a 25-value insert, 56 → 43–47 µs for a
 * 64-row, 704-value journal insert; the same values are bound either way). Any other call is
 * passed on as it is, and the statement's other methods too.
 */
export function argumentsBound(stmt: Database.Statement): Database.Statement {
  const call =
    <R>(method: (...args: unknown[]) => R) =>
    (...args: unknown[]): R =>
      args.length === 1 && Array.isArray(args[0]) && spreadable(args[0]) ? method.apply(stmt, args[0]) : method.apply(stmt, args);
  const bound = {
    reader: stmt.reader,
    readonly: stmt.readonly,
    source: stmt.source,
    get busy() {
      return stmt.busy;
    },
    all: call(stmt.all),
    get: call(stmt.get),
    run: call(stmt.run),
    iterate: call(stmt.iterate),
    columns: () => stmt.columns(),
    // The modes apply to the statement itself; chaining answers this wrapper.
    bind: (...args: unknown[]) => (stmt.bind(...args), bound),
    raw: (on?: boolean) => (stmt.raw(on), bound),
    pluck: (on?: boolean) => (stmt.pluck(on), bound),
    expand: (on?: boolean) => (stmt.expand(on), bound),
    safeIntegers: (on?: boolean) => (stmt.safeIntegers(on), bound),
  };
  return bound as unknown as Database.Statement;
}

/**
 * One "statement" that runs several (no parameters, no rows), in order: the group committer's
 * savepoint scripts (group-commit.ts `SAVEPOINT_SCRIPT`), which SQLite would otherwise need one
 * query each for. Answers the last statement's run info.
 */
function script(statements: Database.Statement[]): Database.Statement {
  return {
    reader: false,
    // Savepoint statements change no row (what the write watch asks).
    readonly: true,
    run() {
      let info: Database.RunResult = { changes: 0, lastInsertRowid: 0 };
      for (const s of statements) info = s.run();
      return info;
    },
  } as unknown as Database.Statement;
}

/**
 * Runs a query on the statement cache's connection as Kysely's SQLite driver does (dialect.ts
 * `executeCompiled`, for the transactions that hold the connection): `rows` of a reader,
 * `numAffectedRows` and `insertId` of any other statement.
 */
function directRunner(statements: { prepare(sqlText: string): Database.Statement }): DirectRunner {
  return (sqlText, parameters) => {
    const stmt = statements.prepare(sqlText);
    if (stmt.reader) return { rows: stmt.all(parameters) };
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  };
}

/**
 * SQLite transactions begin IMMEDIATE (Kysely's driver says plain `begin`, a deferred one). A
 * deferred transaction that reads and then writes fails at once with SQLITE_BUSY when another
 * process committed in between (busy_timeout does not help there); IMMEDIATE takes the write
 * lock at BEGIN, so two processes on one file queue up instead (busy_timeout bounds the wait).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  readonly #gate: ConnectionGate;
  constructor(config: SqliteDialectConfig, gate: ConnectionGate) {
    super(config);
    this.#gate = gate;
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  /** The connection is also the checkpoint worker's gate (checkpointer.ts): held back while the worker catches up. */
  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    for (let held = this.#gate.enter(); held !== undefined; held = this.#gate.enter()) await held;
    return connection;
  }
  override async releaseConnection(): Promise<void> {
    this.#gate.leave();
    await super.releaseConnection();
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #gate: ConnectionGate;
  constructor(config: SqliteDialectConfig, gate: ConnectionGate) {
    super(config);
    this.#config = config;
    this.#gate = gate;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#gate);
  }
}

/** How often the WAL is checkpointed (PASSIVE: never waits for readers or writers), ms. */
export const CHECKPOINT_INTERVAL_MS = 1000;
/**
 * WAL frames (pages, 4 KiB each) past which the checkpoint worker truncates the WAL (64 MiB);
 * also the on-disk size the WAL file is cut back to when SQLite starts it over (`journal_size_limit`).
 */
export const WAL_LIMIT_PAGES = 16_384;
/**
 * WAL frames (32 MiB) from which the checkpoint worker restarts the WAL behind the main
 * connection's gate (checkpointer.ts): at 2,000 appoint/create a second (~13 MB of WAL a second)
 * a gate every ~2.5 s rather than every second (issue #12, p99 latency).
 */
export const WAL_RESTART_PAGES = 8_192;
/** Without the worker (it failed): SQLite's own checkpoint runs only when the WAL exceeds this many pages. */
export const WAL_BACKSTOP_PAGES = 10_000;

export interface SqliteOptions {
  file: string;
  synchronous?: 'normal' | 'full';
  /** WAL frames from which the checkpoint worker restarts the WAL (default {@link WAL_RESTART_PAGES}; tests use small figures). */
  walRestartPages?: number;
}

/**
 * Opens (creating if needed) a SQLite store and migrates it.
 *
 * @example const store = await openSqlite({ file: './data/campaignd.db' })
 */
export async function openSqlite(opts: SqliteOptions): Promise<Store> {
  fs.mkdirSync(path.dirname(opts.file), { recursive: true, mode: 0o700 });
  const existed = fs.existsSync(opts.file);
  const sqlite = new Database(opts.file);
  if (!existed) {
    // The file holds secret keys: owner-only.
    try {
      fs.chmodSync(opts.file, 0o600);
    } catch {
      /* best effort on filesystems without modes */
    }
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  // The CLI and the server may write the same file: wait instead of failing with SQLITE_BUSY.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma(`journal_size_limit = ${WAL_LIMIT_PAGES * 4096}`);
  // Checkpoints off the request path (issue #12): SQLite's automatic checkpoint runs inside the
  // COMMIT that crosses 1,000 WAL pages, i.e. inside some request's answer time; a checkpoint on
  // the event loop stalls every request for its copies and fsyncs. A worker thread checkpoints
  // instead (checkpointer.ts), and the main connection never does (wal_autocheckpoint = 0).
  sqlite.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
  const gate = new ConnectionGate();
  const statements = withStatementCache(sqlite);
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: statements }, gate) });
  acceptSavepointScripts(db);
  acceptDirectQueries(db, directRunner(statements));
  acceptWriteWatch(db, statements.watch);
  const caps = DIALECTS.sqlite;
  let checkpointer: Checkpointer | undefined;
  let checkpoints: NodeJS.Timeout | undefined;
  // Without the worker (an in-memory or temporary store has no file another connection could
  // open; a failed worker): a timer on the main connection, and SQLite's own as a backstop.
  const checkpointHere = () => {
    sqlite.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
    checkpoints ??= setInterval(() => {
      sql`pragma wal_checkpoint(PASSIVE)`.execute(db).catch(() => {
        /* the next tick tries again; the backstop bounds the WAL meanwhile */
      });
    }, CHECKPOINT_INTERVAL_MS);
    checkpoints.unref();
  };
  try {
    await migrate(db, caps);
    if (sqlite.memory || opts.file === '' || String(sqlite.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') checkpointHere();
    else {
      checkpointer = await startCheckpointer({
        file: opts.file,
        synchronous: opts.synchronous ?? 'normal',
        intervalMs: CHECKPOINT_INTERVAL_MS,
        limitPages: WAL_LIMIT_PAGES,
        restartPages: opts.walRestartPages ?? WAL_RESTART_PAGES,
        gate,
        onFailure: () => checkpointHere(),
      }).catch(() => undefined);
      if (checkpointer) sqlite.pragma('wal_autocheckpoint = 0');
      else checkpointHere();
    }
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return {
    db,
    caps,
    checkpoints: () => (checkpointer ? { worker: { ...checkpointer.stats }, gate: { ...gate.stats } } : undefined),
    async close() {
      if (checkpoints) clearInterval(checkpoints);
      // The worker's connection first: the main connection's close then runs the last checkpoint.
      await checkpointer?.close();
      await db.destroy();
    },
  };
}

/**
 * PostgreSQL transactions begin with one transaction-scoped advisory lock (key
 * {@link WRITE_LOCK_KEY}), taken by every node on the database. That gives every transaction the
 * guarantee an IMMEDIATE SQLite transaction has: no other transaction runs its check-then-write
 * in between (name uniqueness, quotas, round pacing, the CPS budget, contact caps, claims). So
 * every query and every caller stays the same on both backends, and several nodes on one
 * database behave like one; statements outside a transaction run concurrently as usual, and so
 * do the engine's per-attempt transactions, which rely on row locks (`rowLockTransaction`).
 * Decision (issue #10): correctness across nodes first; the lock is held only for the length
 * of one short transaction.
 */
export const WRITE_LOCK_KEY = 0x63616d70; // 'camp'

/**
 * The BEGIN (and the lock) of a transaction is held back and sent with its first statement, its
 * COMMIT carries the statements held back last (deferred-statements.ts): a transaction costs
 * its statements' round trips plus one, not plus three (issue #12).
 */
class LockingPostgresDriver extends PostgresDriver {
  readonly #wrappers = new WeakMap<DatabaseConnection, DeferringConnection>();

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    let c = this.#wrappers.get(inner);
    if (c === undefined) {
      c = new DeferringConnection(inner);
      this.#wrappers.set(inner, c);
    }
    return c;
  }

  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as DeferringConnection;
    c.discard();
    await super.releaseConnection(c.inner as Parameters<PostgresDriver['releaseConnection']>[0]);
  }

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    // A transaction that names READ COMMITTED guards itself with row locks (rowLockTransaction
    // in dialect.ts): the hot engine paths, per attempt.
    if (settings.isolationLevel !== undefined || settings.accessMode !== undefined) {
      const begin = ['start transaction', settings.isolationLevel && `isolation level ${settings.isolationLevel}`, settings.accessMode].filter(Boolean).join(' ');
      const lock = settings.isolationLevel === 'read committed' ? [] : [`select pg_advisory_xact_lock(${WRITE_LOCK_KEY})`];
      await connection.executeQuery(deferredStatements([begin, ...lock]));
      return;
    }
    await connection.executeQuery(deferredStatements(['begin', `select pg_advisory_xact_lock(${WRITE_LOCK_KEY})`]));
  }
}

class LockingPostgresDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;
  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new LockingPostgresDriver(this.#config);
  }
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

/**
 * What Kysely's migrator asks the database (does the schema, do its bookkeeping tables exist),
 * answered for the current schema only. Kysely's own PostgreSQL introspector reads every
 * schema's columns, which is slow on a shared database and fails when another schema is being
 * dropped meanwhile (`schema "…" does not exist`). Columns are not listed (nothing here uses them).
 */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}
  async getSchemas(): Promise<SchemaMetadata[]> {
    const r = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(this.db);
    return r.rows;
  }
  async getTables(): Promise<TableMetadata[]> {
    const r = await sql<{ name: string; schema: string; kind: string }>`
      select c.relname as name, n.nspname as schema, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'm')`.execute(this.db);
    return r.rows.map((t) => ({ name: t.name, schema: t.schema, isView: t.kind === 'v' || t.kind === 'm', columns: [] }));
  }
  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

/** int8 (20), numeric (1700) come back as JavaScript numbers: every value campaignd stores fits. */
const PG_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

export interface PostgresOptions {
  /** `postgres://user[:password]@host[:port]/database` (CAMPAIGND_DATABASE_URL). */
  url: string;
  /** Schema that holds campaignd's tables (created when missing); unset = the server's search_path. */
  schema?: string;
  /** Pool size (connections per node). */
  max?: number;
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Opens a PostgreSQL store (a `pg` pool) and migrates it. Several nodes may open the same
 * database at once: Kysely's migrator takes a lock so that one of them applies the migrations.
 *
 * @example const store = await openPostgres({ url: 'postgres://postgres@127.0.0.1:5432/campaignd' })
 */
export async function openPostgres(opts: PostgresOptions): Promise<Store> {
  if (opts.schema !== undefined) {
    const admin = new pg.Client({ connectionString: opts.url });
    // A lost connection fails the awaited call; its 'error' event must not end the process.
    admin.on('error', () => {});
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${quoteIdent(opts.schema)}`);
    } catch (e) {
      // Two nodes creating the schema at once: one wins, the other sees a unique violation.
      if ((e as { code?: string }).code !== '23505') throw e;
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    types: PG_TYPES,
    ...(opts.schema === undefined ? {} : { options: `-c search_path=${quoteIdent(opts.schema)}` }),
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // So must one that loses it while checked out (its backend killed between two statements of a
  // transaction): pg emits 'error' on the client then, and without a listener of the client's
  // own that event ended the process. The transaction's next statement fails instead, and the
  // pool drops the client when it is released (no longer queryable).
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new LockingPostgresDialect({ pool }) });
  const caps = DIALECTS.postgres;
  try {
    await migrate(db, caps, opts.schema);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return {
    db,
    caps,
    ...(opts.schema === undefined ? {} : { schema: opts.schema }),
    async close() {
      await db.destroy();
    },
  };
}

export interface StoreConfig {
  databaseUrl?: string;
  databaseSchema?: string;
  databaseFile: string;
  sqliteSync?: 'normal' | 'full';
}

/** The configured store: PostgreSQL when CAMPAIGND_DATABASE_URL is set, else the SQLite file. */
export function openStore(config: StoreConfig): Promise<Store> {
  if (config.databaseUrl !== undefined) return openPostgres({ url: config.databaseUrl, schema: config.databaseSchema });
  return openSqlite({ file: config.databaseFile, synchronous: config.sqliteSync });
}
