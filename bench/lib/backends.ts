/**
 * The stores a scenario is measured on: SQLite always, and PostgreSQL when `BENCH_DATABASE_URL`
 * (or `CAMPAIGND_TEST_DATABASE_URL`) names a database — each run in a fresh schema of its own,
 * dropped afterwards, so that the figures sit side by side in one run.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';

export interface Backend {
  name: 'SQLite' | 'PostgreSQL';
  /** The campaignd environment that selects this store (data directory `dir` for SQLite). */
  env(dir: string): Record<string, string>;
  /** For PostgreSQL: the URL and schema; for SQLite: the database file under `dir`. */
  sqliteFile?(dir: string): string;
  pg?: { url: string; schema: string };
  /** Drops what the run created (the PostgreSQL schema). */
  cleanup(): Promise<void>;
}

/** The PostgreSQL URL benchmarks use, if any. */
export function benchDatabaseUrl(): string | undefined {
  return process.env.BENCH_DATABASE_URL || process.env.CAMPAIGND_TEST_DATABASE_URL || undefined;
}

/** A client on the benchmark database with `search_path` set to `schema`. */
export async function pgClient(url: string, schema: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`set search_path to "${schema}"`);
  return client;
}

function sqlite(): Backend {
  return {
    name: 'SQLite',
    env: (dir) => ({ CAMPAIGND_DATA_DIR: dir }),
    sqliteFile: (dir) => path.join(dir, 'campaignd.db'),
    cleanup: async () => {},
  };
}

async function postgres(url: string): Promise<Backend> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  return {
    name: 'PostgreSQL',
    env: (dir) => ({ CAMPAIGND_DATA_DIR: dir, CAMPAIGND_DATABASE_URL: url, CAMPAIGND_DATABASE_SCHEMA: schema }),
    pg: { url, schema },
    async cleanup() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
    },
  };
}

/** The backends of this run, in order; the caller runs `cleanup()` on each. */
export async function backends(): Promise<Backend[]> {
  const url = benchDatabaseUrl();
  return url ? [sqlite(), await postgres(url)] : [sqlite()];
}

/** A note for the report when PostgreSQL was not measured. */
export function pgSkippedNote(): string | null {
  return benchDatabaseUrl() ? null : 'PostgreSQL not measured: set BENCH_DATABASE_URL=postgres://… (npm run bench sets it when a PostgreSQL answers on 127.0.0.1:5432)';
}
