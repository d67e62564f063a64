/**
 * The interface invocation journal: batched inserts from the journal writer and the
 * `calllogs` query.
 *
 * @example await insertCallLogs(db, rows); const { rows, total } = await queryCallLogs(db, { vdnId: 1, begin, end, offset: 0, limit: 10 })
 */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from './db.js';
import type { CallLogTable } from './schema/journal.js';

export type CallLogRow = Selectable<CallLogTable>;

/**
 * Inserts journal rows in one statement (the writer caps a batch at 200 rows, 11 columns each,
 * well under SQLite's and PostgreSQL's bound-parameter limits).
 *
 * @example await insertCallLogs(db, [{ id, vdn_id: 1, access_key: 'AK', oper_time: now, method: 'GET', url: '/rest/...', request: '{}', result_code: '0200000', result_desc: 'success', http_status: 200, duration_ms: 3 }])
 */
export async function insertCallLogs(db: Db, rows: readonly Insertable<CallLogTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('call_logs')
    .values([...rows])
    .execute();
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
 * One page of the VDN's journal in time order (oldest first, so pages of a past window stay
 * stable while new requests are journaled), and the number of matching rows.
 *
 * @example const { rows, total } = await queryCallLogs(db, { vdnId: 1, begin: 0, end: Date.now(), offset: 0, limit: 20 })
 */
export async function queryCallLogs(db: Db, f: CallLogFilter): Promise<{ rows: CallLogRow[]; total: number }> {
  let q = db.selectFrom('call_logs').where('vdn_id', '=', f.vdnId).where('oper_time', '>=', f.begin).where('oper_time', '<=', f.end);
  if (f.url !== undefined) q = q.where('url', '=', f.url);
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const total = Number(count.n);
  if (total === 0 || f.offset >= total) return { rows: [], total };
  const rows = await q.selectAll().orderBy('oper_time').orderBy('id').limit(f.limit).offset(f.offset).execute();
  return { rows, total };
}
