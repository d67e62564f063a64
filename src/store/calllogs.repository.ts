/**
 * The interface invocation journal: batched inserts from the journal writer and the
 * `calllogs` query.
 *
 * @example await insertCallLogs(db, rows); const { rows, total } = await queryCallLogs(db, { vdnId: 1, begin, end, offset: 0, limit: 10 })
 */
import type { CompiledQuery, Insertable, Selectable } from 'kysely';
import { queryTemplate } from './query-template.js';
import { rowsAsOneStatement } from './dialect.js';
import { insertRowsJson } from './engine-batch.repository.js';
import type { Db } from './db.js';
import type { CallLogTable } from './schema/journal.js';

export type CallLogRow = Selectable<CallLogTable>;

/** The journal's columns, in the order the insert templates bind them. */
const COLUMNS = ['id', 'vdn_id', 'access_key', 'oper_time', 'method', 'url', 'request', 'request_params', 'result_code', 'result_desc', 'http_status', 'duration_ms'] as const;
const WIDTH = COLUMNS.length;
/** Rows per statement: powers of two up to this (the writer's batches are at most 200 rows). */
const MAX_CHUNK = 128;

/**
 * An insert of exactly `n` rows, built and compiled once (store/query-template.ts): Kysely's
 * building and compiling of a 200-row insert cost about 5 µs per row, as much as SQLite's
 * writing it (issue #12). Only powers of two are used, so at most eight templates exist.
 */
const insertTemplates = new Map<number, (db: Db, ...values: unknown[]) => CompiledQuery<unknown>>();
function insertOf(n: number): (db: Db, ...values: unknown[]) => CompiledQuery<unknown> {
  let t = insertTemplates.get(n);
  if (t === undefined) {
    t = queryTemplate((d: Db, ...values: unknown[]) =>
      d
        .insertInto('call_logs')
        .values(Array.from({ length: n }, (_, r) => Object.fromEntries(COLUMNS.map((c, i) => [c, values[r * WIDTH + i]])) as unknown as Insertable<CallLogTable>)),
    );
    insertTemplates.set(n, t);
  }
  return t;
}

/**
 * Writes the values of a journal row in {@link COLUMNS} order into `values` from `k` (undefined
 * as null) and answers the next index. Each column read by its name (issue #12: a loop over the
 * names made one keyed, megamorphic read per value).
 */
function rowValues(row: Insertable<CallLogTable>, values: unknown[], k: number): number {
  values[k] = row.id;
  values[k + 1] = row.vdn_id ?? null;
  values[k + 2] = row.access_key ?? null;
  values[k + 3] = row.oper_time;
  values[k + 4] = row.method;
  values[k + 5] = row.url;
  values[k + 6] = row.request ?? null;
  values[k + 7] = row.request_params ?? null;
  values[k + 8] = row.result_code ?? null;
  values[k + 9] = row.result_desc ?? null;
  values[k + 10] = row.http_status;
  values[k + 11] = row.duration_ms;
  return k + WIDTH;
}

// rowValues must follow COLUMNS (checked once, when the module loads).
{
  const names: unknown[] = [];
  rowValues(Object.fromEntries(COLUMNS.map((c) => [c, c])) as unknown as Insertable<CallLogTable>, names, 0);
  if (names.join() !== COLUMNS.join()) throw new Error(`calllogs.repository: rowValues writes ${names.join()}, the columns are ${COLUMNS.join()}`);
}

/**
 * Inserts journal rows, all or none. PostgreSQL: in one statement, the rows as one JSON
 * parameter. SQLite: in one statement when their number is a power of two up to 128, else in a
 * transaction of such statements (e.g. 200 = 128 + 64 + 8 rows), each compiled once. A column
 * left undefined is written as null.
 *
 * @example await insertCallLogs(db, [{ id, vdn_id: 1, access_key: 'AK', oper_time: now, method: 'GET', url: '/rest/...', request: '{}', result_code: '0200000', result_desc: 'success', http_status: 200, duration_ms: 3 }])
 */
export async function insertCallLogs(db: Db, rows: readonly Insertable<CallLogTable>[]): Promise<void> {
  if (rows.length === 0) return;
  if (rowsAsOneStatement(db)) {
    // PostgreSQL: one statement, one round trip, atomic by itself: no transaction, so the
    // journal never waits for (nor holds up) the store's write lock.
    await insertRowsJson(db, 'call_logs', COLUMNS, rows);
    return;
  }
  const chunks: number[] = [];
  for (let size = MAX_CHUNK, left = rows.length; left > 0; size >>= 1) {
    while (left >= size) {
      chunks.push(size);
      left -= size;
    }
  }
  const write = async (d: Db) => {
    let at = 0;
    for (const size of chunks) {
      const values: unknown[] = new Array(size * WIDTH);
      for (let r = 0, k = 0; r < size; r++) k = rowValues(rows[at + r]!, values, k);
      await d.executeQuery(insertOf(size)(d, ...values));
      at += size;
    }
  };
  if (chunks.length === 1 || db.isTransaction) await write(db);
  else await db.transaction().execute(write);
}

export interface CallLogFilter {
  vdnId: number;
  /** Inclusive bounds on `oper_time`, epoch ms. */
  begin: number;
  end: number;
  /** Exact path, when given. */
  url?: string;
  offset: number;
  limit: number;
}

/**
 * The journal rows of a filter, unordered (the rows `queryCallLogs` counts and pages through):
 * a range of `call_logs_vdn_time_url (vdn_id, oper_time, url)` (migration 017).
 */
export function callLogsMatching(db: Db, f: Pick<CallLogFilter, 'vdnId' | 'begin' | 'end' | 'url'>) {
  const q = db.selectFrom('call_logs').where('vdn_id', '=', f.vdnId).where('oper_time', '>=', f.begin).where('oper_time', '<=', f.end);
  return f.url === undefined ? q : q.where('url', '=', f.url);
}

/**
 * One page of the VDN's journal in time order (oldest first, so pages of a past window stay
 * stable while new requests are journaled), and the number of matching rows.
 *
 * @example const { rows, total } = await queryCallLogs(db, { vdnId: 1, begin: 0, end: Date.now(), offset: 0, limit: 20 })
 */
export async function queryCallLogs(db: Db, f: CallLogFilter): Promise<{ rows: CallLogRow[]; total: number }> {
  const q = callLogsMatching(db, f);
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const total = Number(count.n);
  if (total === 0 || f.offset >= total) return { rows: [], total };
  const rows = await q.selectAll().orderBy('oper_time').orderBy('id').limit(f.limit).offset(f.offset).execute();
  return { rows, total };
}
