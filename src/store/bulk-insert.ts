/**
 * Multi-row INSERTs of many rows of one shape (issue #12, call-data add): Kysely builds and
 * compiles the statement of a row count once, and every chunk of that many rows runs it with its
 * own parameters. Building the same insert through the query builder for every chunk costs about
 * as much again as running it (a node per value, then a compiler pass over them); the identical
 * SQL text also meets the SQLite statement cache (connect.ts) every time.
 */
import { createQueryId, type CompiledQuery } from 'kysely';
import type { DB, Db } from './db.js';

/**
 * Compiled `insert into t (columns) values (…), …` kept for reuse (full chunks): by adapter
 * class (the dialect), then by table, columns and row count. Bounded: a few entries per table.
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
 * Inserts the rows whose values `params` holds, one row after another, each in `columns` order
 * (so `params.length` is a multiple of `columns.length`), in one statement; every value is a
 * bound parameter. `keep`: the statement of this row count is kept for the next call (pass it for
 * full chunks, not for a last, shorter one). Keep `params.length` under the backend's parameter
 * limit (SQLite 32,766; PostgreSQL 65,535).
 *
 * @example await insertRows(trx, 'call_data_numbers', ['data_id', 'idx', 'called_no', 'delay_time', 'type', 'attempts'], [1001, 0, '13800000000', 0, null, 0], false)
 */
export async function insertRows(db: Db, table: keyof DB & string, columns: readonly string[], params: unknown[], keep: boolean): Promise<void> {
  if (params.length === 0) return;
  if (params.length % columns.length !== 0) throw new Error(`bulk insert into ${table}: ${params.length} values are not rows of ${columns.length} columns`);
  const q = insertStatement(db, table, columns, params.length / columns.length, keep);
  await db.executeQuery({ sql: q.sql, query: q.query, queryId: createQueryId(), parameters: params });
}
