/**
 * `npm test`'s suite runner: every `test/*.test.ts` on SQLite, then the same files again on
 * PostgreSQL when CAMPAIGND_TEST_DATABASE_URL is set (each test server in a schema of its own,
 * dropped afterwards: pg-target.ts). Without the variable the PostgreSQL pass is skipped with
 * one line saying so. Exit status: non-zero when either pass fails.
 *
 * A few files test the SQLite file itself (they open `campaignd.db`, or test its durability
 * settings); they run in the SQLite pass only: {@link SQLITE_ONLY}. The multi-node test needs
 * PostgreSQL and runs in its pass only: {@link POSTGRES_ONLY}. Both lists are in test/README.md.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Files that are about the SQLite file; each with the reason. */
export const SQLITE_ONLY: Record<string, string> = {
  'checkpointer.test.ts': "the SQLite store's WAL checkpoints in a worker thread (it opens SQLite files itself)",
};

/** Files that need PostgreSQL; each with the reason (they run in the PostgreSQL pass only). */
export const POSTGRES_ONLY: Record<string, string> = {
  'multi-node.test.ts': 'three campaignd processes on one database, one of them killed: what CAMPAIGND_DATABASE_URL is for',
  'pg-connection-loss.test.ts': 'a PostgreSQL backend killed while the store holds its connection (SQLite has no connection to lose)',
};

function run(label: string, files: string[], env: NodeJS.ProcessEnv): number {
  console.log(`\n# ${label}: ${files.length} files`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { cwd: ROOT, env, stdio: 'inherit' });
  return r.status ?? 1;
}

const all = fs
  .readdirSync(path.join(ROOT, 'test'))
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => `test/${f}`);
const only = process.argv.slice(2);
const files = only.length > 0 ? all.filter((f) => only.some((o) => f.includes(o))) : all;

const pgUrl = process.env.CAMPAIGND_TEST_DATABASE_URL || undefined;
const sqliteEnv = { ...process.env };
delete sqliteEnv.CAMPAIGND_TEST_DATABASE_URL;
let status = run(
  'SQLite suite',
  files.filter((f) => !(path.basename(f) in POSTGRES_ONLY)),
  sqliteEnv,
);
if (pgUrl === undefined) {
  console.log('PostgreSQL suite skipped: CAMPAIGND_TEST_DATABASE_URL is not set');
} else {
  const pgFiles = files.filter((f) => !(path.basename(f) in SQLITE_ONLY));
  status = run('PostgreSQL suite', pgFiles, { ...process.env, CAMPAIGND_TEST_DATABASE_URL: pgUrl }) || status;
}
process.exit(status);
