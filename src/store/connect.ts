/**
 * Opening the store: SQLite (default, one file in the data directory) with the durability
 * settings campaignd relies on, and the versioned migrations applied at start.
 *
 * Durability: WAL mode with `synchronous = NORMAL`. A transaction is in the WAL file (the OS
 * page cache) when `COMMIT` returns, so a killed process (kill -9) loses nothing that was
 * acknowledged; only a power loss can drop the last transactions. `CAMPAIGND_SQLITE_SYNC=full`
 * trades throughput for power-loss durability.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type Migration,
  type MigrationProvider,
  type SqliteDialectConfig,
} from 'kysely';
import type { DB } from './db.js';
import { DIALECTS, type DialectCaps } from './dialect.js';
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
import { agents } from './migrations/012-agents.js';

export interface Store {
  db: Kysely<DB>;
  caps: DialectCaps;
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
    '012-agents': agents(caps),
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrate(db: Kysely<DB>, caps: DialectCaps): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticProvider(migrationsFor(caps)) });
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
export async function pendingMigrations(db: Kysely<DB>, caps: DialectCaps): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(migrationsFor(caps)) });
  return (await migrator.getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs about as much as
 * running a small statement. Repositories issue a fixed set of SQL texts, so memoising the
 * prepared statements by text removes that cost from every request (bounded, LRU-evicted).
 */
function withStatementCache(sqlite: Database.Database, max = 512) {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sqlText: string): Database.Statement {
      let stmt = cache.get(sqlText);
      if (stmt) {
        cache.delete(sqlText);
      } else {
        stmt = sqlite.prepare(sqlText);
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sqlText, stmt);
      return stmt;
    },
  };
}

/**
 * SQLite transactions begin IMMEDIATE (Kysely's driver says plain `begin`, a deferred one). A
 * deferred transaction that reads and then writes fails at once with SQLITE_BUSY when another
 * process committed in between (busy_timeout does not help there); IMMEDIATE takes the write
 * lock at BEGIN, so two processes on one file queue up instead (busy_timeout bounds the wait).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

export interface SqliteOptions {
  file: string;
  synchronous?: 'normal' | 'full';
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
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  const caps = DIALECTS.sqlite;
  await migrate(db, caps);
  return {
    db,
    caps,
    async close() {
      await db.destroy();
    },
  };
}
