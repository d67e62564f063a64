/**
 * Multi-row INSERTs of many rows of one shape (issue #12, call-data add): Kysely builds and
 * compiles the statement of a chunk size once, and every chunk of that size runs it with its own
 * parameters. Building the same insert through the query builder for every chunk costs about as
 * much again as running it (a node per value, then a compiler pass over them); the identical SQL
 * text also meets the SQLite statement cache (connect.ts) every time.
 */
import { createQueryId, type CompiledQuery } from 'kysely';
import type { DB, Db } from './db.js';

/**
 * Compiled `insert into t (columns) values (…), …` of full chunks: by adapter class (the
 * dialect), then by table, columns and rows. A few entries per table; a last, shorter chunk is
 * compiled when needed and not kept.
 */
const compiled = new Map<unknown, Map<string, CompiledQuery>>();

function insertStatement(db: Db, table: keyof DB & string, columns: readonly string[], rows: number, keep: boolean): CompiledQuery {
  // The SQL text (placeholders, quoting) depends on the dialect.
  const adapter = db.getExecutor().adapter.constructor;
  let byShape = compiled.get(adapter);
  if (byShape === undefined) compiled.set(adapter, (byShape = new Map()));
  const key = `${table}(${columns.join(',')})x${rows}`;
  let q = byShape.get(key);
  if (q === undefined) {
    const placeholder = Object.fromEntries(columns.map((c) => [c, null]));
    q = db
      .insertInto(table)
      .values(Array.from({ length: rows }, () => placeholder) as never)
      .compile();
    if (q.parameters.length !== rows * columns.length) throw new Error(`bulk insert into ${table}: ${q.parameters.length} parameters compiled, ${rows * columns.length} expected`);
    if (keep) {
      if (byShape.size >= 32) byShape.delete(byShape.keys().next().value as string);
      byShape.set(key, q);
    }
  }
  return q;
}

/**
 * Inserts rows into `table`: `values` holds them one after another, each as its values in
 * `columns` order (so `values.length` is a multiple of `columns.length`); `chunk` rows per
 * statement, every value a bound parameter. Keep `columns.length * chunk` under the backend's
 * parameter limit (SQLite 32,766; PostgreSQL 65,535).
 *
 * @example await insertRowsInChunks(trx, 'call_data_numbers', ['data_id', 'idx', 'called_no', 'delay_time', 'type', 'attempts'], [1001, 0, '13800000000', 0, null, 0], 400)
 */
export async function insertRowsInChunks(db: Db, table: keyof DB & string, columns: readonly string[], values: readonly unknown[], chunk: number): Promise<void> {
  const width = columns.length;
  if (values.length % width !== 0) throw new Error(`bulk insert into ${table}: ${values.length} values are not rows of ${width} columns`);
  const step = chunk * width;
  for (let i = 0; i < values.length; i += step) {
    const parameters = values.slice(i, i + step);
    const q = insertStatement(db, table, columns, parameters.length / width, parameters.length === step);
    await db.executeQuery({ sql: q.sql, query: q.query, queryId: createQueryId(), parameters });
  }
}
