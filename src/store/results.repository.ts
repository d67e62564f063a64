/**
 * Call results (one row per completed attempt, written by the engine), the per-day failure
 * counts, and the business-result writeback on call data.
 *
 * @example const { rows, total } = await listCallResults(db, { vdnId: 1, campaignId: 46, offset: 0, limit: 100 })
 */
import { sql, type Selectable } from 'kysely';
import type { Db } from './db.js';
import type { BusinessResultTable } from './schema/policies.js';
import type { CallDataTable, CallResultTable } from './schema/call-data.js';

export type CallResultRow = Selectable<CallResultTable>;
export type BusinessResultRow = Selectable<BusinessResultTable>;

const DAY_MS = 86400_000;

export interface CallResultFilter {
  vdnId: number;
  campaignId: number;
  sessionId?: string;
  customField?: string;
  /** Half-open window on the time the result was recorded, epoch ms. */
  from?: number;
  until?: number;
  /** Only the latest attempt of each record (call data or reservation): `showDetail` 0. */
  finalOnly?: boolean;
  offset: number;
  limit: number;
}

/**
 * One page of a campaign's call results, oldest first, and the number of matches.
 *
 * @example const { rows, total } = await listCallResults(db, { vdnId: 1, campaignId: 46, sessionId: 's-1', offset: 0, limit: 2000 })
 */
export async function listCallResults(db: Db, f: CallResultFilter): Promise<{ rows: CallResultRow[]; total: number }> {
  let q = db.selectFrom('call_results').where('campaign_id', '=', f.campaignId).where('vdn_id', '=', f.vdnId);
  if (f.sessionId !== undefined) q = q.where('session_id', '=', f.sessionId);
  if (f.customField !== undefined) q = q.where('custom_field', '=', f.customField);
  if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
  if (f.until !== undefined) q = q.where('created_at', '<', f.until);
  if (f.finalOnly) {
    q = q.where('id', 'in', (eb) =>
      eb
        .selectFrom('call_results as l')
        .select((e) => e.fn.max('l.id').as('id'))
        .where('l.campaign_id', '=', f.campaignId)
        .where('l.vdn_id', '=', f.vdnId)
        .groupBy(sql`coalesce(cast(l.data_id as varchar(32)), l.reservation_id, l.call_id)`),
    );
  }
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const total = Number(count.n);
  if (total === 0 || f.offset >= total) return { rows: [], total };
  const rows = await q.selectAll().orderBy('created_at').orderBy('id').limit(f.limit).offset(f.offset).execute();
  return { rows, total };
}

/** @example const row = await findCallResult(db, 1, '1644464743-1388') */
export async function findCallResult(db: Db, vdnId: number, callId: string): Promise<CallResultRow | undefined> {
  return db.selectFrom('call_results').selectAll().where('vdn_id', '=', vdnId).where('call_id', '=', callId).executeTakeFirst();
}

/**
 * Failed calls of a campaign per UTC day and fail code, in `[from, until)`. The day is
 * `created_at / 86400000` (integer division on both SQLite and PostgreSQL bigints).
 *
 * @example const rows = await failCountsByDay(db, 1, 46, from, until) // [{ day: 19800, failCode: '00603', n: 4 }]
 */
export async function failCountsByDay(db: Db, vdnId: number, campaignId: number, from: number, until: number): Promise<{ day: number; failCode: string; n: number }[]> {
  const day = sql<number>`created_at / ${sql.lit(DAY_MS)}`;
  const rows = await db
    .selectFrom('call_results')
    .select([day.as('day'), 'fail_code', (eb) => eb.fn.countAll<number>().as('n')])
    .where('campaign_id', '=', campaignId)
    .where('vdn_id', '=', vdnId)
    .where('call_status', '=', 5)
    .where('created_at', '>=', from)
    .where('created_at', '<', until)
    .groupBy([day, 'fail_code'])
    .orderBy(day)
    .orderBy('fail_code')
    .execute();
  return rows.map((r) => ({ day: Number(r.day), failCode: r.fail_code, n: Number(r.n) }));
}

/**
 * A call-data record of the VDN whose campaign is not archived.
 *
 * @example const rec = await findLiveCallData(db, 1, 1001)
 */
export async function findLiveCallData(db: Db, vdnId: number, dataId: number): Promise<Selectable<CallDataTable> | undefined> {
  return db
    .selectFrom('call_data as d')
    .innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
    .selectAll('d')
    .where('d.id', '=', dataId)
    .where('d.vdn_id', '=', vdnId)
    .where('c.deleted_at', 'is', null)
    .executeTakeFirst();
}

/** Whether any attempt on the record connected. @example if (await hasConnectedCall(db, 1001)) … */
export async function hasConnectedCall(db: Db, dataId: number): Promise<boolean> {
  const row = await db.selectFrom('call_results').select('id').where('data_id', '=', dataId).where('call_status', '=', 6).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * A business-result definition by code, or by name when it has no code: a top-level one
 * (`parentId` null) or a child of `parentId`.
 *
 * @example const parent = await findBusinessResult(db, 1, null, 'INT'); const child = await findBusinessResult(db, 1, parent.id, 'INT-1')
 */
export async function findBusinessResult(db: Db, vdnId: number, parentId: number | null, key: string): Promise<BusinessResultRow | undefined> {
  const rows = await db
    .selectFrom('business_results')
    .selectAll()
    .where('vdn_id', '=', vdnId)
    .where((eb) => (parentId === null ? eb('parent_id', 'is', null) : eb('parent_id', '=', parentId)))
    .where((eb) => eb.or([eb('code', '=', key), eb.and([eb('code', 'is', null), eb('name', '=', key)])]))
    .orderBy('id')
    .execute();
  // A code match wins over a name match.
  return rows.find((r) => r.code === key) ?? rows[0];
}

export interface BusinessResultWrite {
  busiResult: string;
  subStatus: string | null;
  busiResultDesc: string | null;
  /** Undefined keeps the agent already pinned. */
  workNo?: string;
  nowMs: number;
}

/** Writes the business result onto the record. @example await writeBusinessResult(db, 1001, { busiResult: 'INT', subStatus: null, busiResultDesc: null, nowMs: now }) */
export async function writeBusinessResult(db: Db, dataId: number, w: BusinessResultWrite): Promise<void> {
  await db
    .updateTable('call_data')
    .set({
      busi_result: w.busiResult,
      busi_sub_status: w.subStatus,
      busi_result_desc: w.busiResultDesc,
      ...(w.workNo !== undefined ? { work_no: w.workNo } : {}),
      updated_at: w.nowMs,
    })
    .where('id', '=', dataId)
    .execute();
}
