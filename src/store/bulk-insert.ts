/**
 * Multi-row INSERTs of many rows with few distinct shapes (issue #12, call-data add): Kysely
 * builds and compiles the statement of one chunk size once, and every chunk of that size runs it
 * with its own parameters. Building the same insert through the query builder for every chunk
 * costs about as much again as running it (a node per value, then a compiler pass over them),
 * and the identical SQL text also meets the SQLite statement cache (connect.ts) every time.
 */
import type { CompiledQuery } from 'kysely';
import type { DB, Db } from './db.js';

/**
 * Inserts `rows` (each an array of values in `columns` order) into `table`, `chunk` rows per
 * statement; every value is bound as a parameter. Keep `columns.length * chunk` under the
 * backend's parameter limit (SQLite 32,766; PostgreSQL 65,535).
 *
 * @example await insertRowsInChunks(trx, 'call_data_numbers', ['data_id', 'idx', 'called_no', 'delay_time', 'type', 'attempts'], rows, 400)
 */
export async function insertRowsInChunks(db: Db, table: keyof DB & string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>, chunk: number): Promise<void> {
  const compiled = new Map<number, CompiledQuery>();
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    let q = compiled.get(part.length);
    if (q === undefined) {
      const placeholder = Object.fromEntries(columns.map((c) => [c, null]));
      q = db
        .insertInto(table)
        .values(part.map(() => placeholder) as never)
        .compile();
      compiled.set(part.length, q);
    }
    await db.executeQuery({ ...q, parameters: part.flat() });
  }
}
