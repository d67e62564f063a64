/**
 * Campaigns and their calling-number pools. A campaign archived by delete (`deleted_at` set) is
 * invisible to every lookup here unless a function says otherwise.
 *
 * @example const row = await findCampaign(db, 1, 46)
 */
import { forgetBatchReads } from './group-commit.js';
import { nameKey } from './schema/names.js';
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { CallerNumberTable, CampaignTable, Db } from './db.js';
import { executeCompiled, notifyNodes } from './dialect.js';
import { queryTemplate } from './query-template.js';

export type CampaignRow = Selectable<CampaignTable>;
export type CallerNumberRow = Selectable<CallerNumberTable>;

/**
 * A live (not archived) campaign of the VDN.
 *
 * @example const row = await findCampaign(db, 1, 46)
 */
export async function findCampaign(db: Db, vdnId: number, id: number): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).where('vdn_id', '=', vdnId).where('deleted_at', 'is', null).executeTakeFirst();
}

/**
 * A campaign whether live or archived (history queries).
 *
 * @example const row = await findCampaignIncludingArchived(db, 1, 46)
 */
export async function findCampaignIncludingArchived(db: Db, vdnId: number, id: number): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).where('vdn_id', '=', vdnId).executeTakeFirst();
}

/**
 * The end time of a live campaign, or undefined: the narrow lookup of the hot write path
 * (appoint/create), a tenth of the cost of reading the whole row.
 *
 * @example const c = await findCampaignEnd(db, 1, 46) // { end_time: 1893456000000, time_zone: null, region: null, rule_pack: null }
 */
export async function findCampaignEnd(
  db: Db,
  vdnId: number,
  id: number,
): Promise<{ end_time: number; time_zone: string | null; region: string | null; rule_pack: string | null } | undefined> {
  return (await executeCompiled(db, campaignEndQuery(db, vdnId, id))).rows[0];
}

/** `findCampaignEnd`'s query, compiled once (store/query-template.ts): it runs twice per appoint/create. */
const campaignEndQuery = queryTemplate((db: Db, vdnId: number, id: number) =>
  db.selectFrom('campaigns').select(['end_time', 'time_zone', 'region', 'rule_pack']).where('id', '=', id).where('vdn_id', '=', vdnId).where('deleted_at', 'is', null),
);

/** @example const id = await insertCampaign(trx, row) */
export async function insertCampaign(db: Db, row: Insertable<CampaignTable>): Promise<number> {
  forgetBatchReads(db);
  const r = await db
    .insertInto('campaigns')
    .values({ ...row, name_nfc: nameKey(row.name) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

/** @example await updateCampaign(trx, 46, { name: 'New name', updated_at: now }) */
export async function updateCampaign(db: Db, id: number, patch: Updateable<CampaignTable>): Promise<void> {
  forgetBatchReads(db);
  const withKey = typeof patch.name === 'string' ? { ...patch, name_nfc: nameKey(patch.name) } : patch;
  await db.updateTable('campaigns').set(withKey).where('id', '=', id).execute();
}

/** @example if (await campaignNameTaken(trx, 1, 'Spring', 46)) … */
export async function campaignNameTaken(db: Db, vdnId: number, name: string, exceptId?: number): Promise<boolean> {
  let q = db
    .selectFrom('campaigns')
    .select('id')
    .where('vdn_id', '=', vdnId)
    .where('name_nfc', '=', nameKey(name)) // unique after NFC (schema/names.ts)
    .where('deleted_at', 'is', null);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/**
 * Live campaigns of the given device types that have not expired at `nowMs` (quota counting).
 *
 * @example const n = await countLiveCampaigns(db, 1, [2, 5, 6], now)
 */
export async function countLiveCampaigns(db: Db, vdnId: number, deviceTypes: readonly number[], nowMs: number): Promise<number> {
  const r = await db
    .selectFrom('campaigns')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('vdn_id', '=', vdnId)
    .where('device_type', 'in', [...deviceTypes])
    .where('end_time', '>', nowMs)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface CampaignListFilter {
  vdnId: number;
  nowMs: number;
  /** Lower-case substring of the name. */
  name?: string;
  /** 2 running (not-started/executing/call-completed), 3 suspended, 4 expired. */
  status?: 2 | 3 | 4;
  deviceType?: number;
  /** strBeginTime ≥ this. */
  beginFrom?: number;
  /** strEndTime ≤ this. */
  endTo?: number;
  offset: number;
  limit: number;
}

/**
 * One page of live campaigns (newest first) and the total matching the filter. The status is
 * derived from `nowMs` exactly as campaign-rules.ts derives it.
 *
 * @example const { rows, total } = await listCampaigns(db, { vdnId: 1, nowMs, offset: 0, limit: 10 })
 */
export async function listCampaigns(db: Db, f: CampaignListFilter): Promise<{ rows: CampaignRow[]; total: number }> {
  let q = db.selectFrom('campaigns').where('vdn_id', '=', f.vdnId).where('deleted_at', 'is', null);
  if (f.name !== undefined && f.name !== '') {
    const pattern = `%${f.name.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where(sql<boolean>`lower(${sql.ref('name')}) like ${pattern} escape '\\'`);
  }
  if (f.status === 4) q = q.where('end_time', '<=', f.nowMs);
  if (f.status === 3) q = q.where('end_time', '>', f.nowMs).where('suspended', '=', 1);
  if (f.status === 2) q = q.where('end_time', '>', f.nowMs).where('suspended', '=', 0);
  if (f.deviceType !== undefined) q = q.where('device_type', '=', f.deviceType);
  if (f.beginFrom !== undefined) q = q.where('begin_time', '>=', f.beginFrom);
  if (f.endTo !== undefined) q = q.where('end_time', '<=', f.endTo);
  const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await q.selectAll().orderBy('id', 'desc').limit(f.limit).offset(f.offset).execute();
  return { rows, total: Number(count.n) };
}

/** @example await setSuspended(trx, 46, true, now) */
export async function setSuspended(db: Db, id: number, suspended: boolean, nowMs: number): Promise<void> {
  forgetBatchReads(db);
  await db
    .updateTable('campaigns')
    .set({ suspended: suspended ? 1 : 0, updated_at: nowMs })
    .where('id', '=', id)
    .execute();
  // A resumed campaign's due records are new work for the engines (now, not at their next poll).
  if (!suspended) await notifyNodes(db, 'work');
}

/**
 * Archives a campaign (delete with `archiveHistory: 1`): the row and every dependent row stay
 * for history; the campaign is also suspended so nothing of it is dialled again.
 *
 * @example await archiveCampaign(trx, 46, now)
 */
export async function archiveCampaign(db: Db, id: number, nowMs: number): Promise<void> {
  forgetBatchReads(db);
  await db.updateTable('campaigns').set({ deleted_at: nowMs, suspended: 1, updated_at: nowMs }).where('id', '=', id).execute();
}

/**
 * Removes a campaign and everything that hangs off it (delete with `archiveHistory: 0`). Run it
 * inside a transaction: the caller's transaction makes the removal all or nothing.
 *
 * @example await db.transaction().execute((trx) => purgeCampaign(trx, 46))
 */
export async function purgeCampaign(db: Db, id: number): Promise<void> {
  forgetBatchReads(db);
  const dataIds = db.selectFrom('call_data').select('id').where('campaign_id', '=', id);
  await db.deleteFrom('call_data_numbers').where('data_id', 'in', dataIds).execute();
  await db.deleteFrom('call_data').where('campaign_id', '=', id).execute();
  await db.deleteFrom('call_results').where('campaign_id', '=', id).execute();
  await db.deleteFrom('engine_trail').where('campaign_id', '=', id).execute();
  const reservationIds = db.selectFrom('reservations').select('id').where('campaign_id', '=', id);
  await db.deleteFrom('reservation_results').where('reservation_id', 'in', reservationIds).execute();
  await db.deleteFrom('reservations').where('campaign_id', '=', id).execute();
  await db.deleteFrom('batches').where('campaign_id', '=', id).execute();
  await db.deleteFrom('caller_numbers').where('campaign_id', '=', id).execute();
  await db.deleteFrom('special_dates').where('campaign_id', '=', id).execute();
  await db.deleteFrom('retry_policies').where('campaign_id', '=', id).execute();
  await db.deleteFrom('campaigns').where('id', '=', id).execute();
}

/** @example const pool = await listCallerNumbers(db, 46) */
export async function listCallerNumbers(db: Db, campaignId: number): Promise<CallerNumberRow[]> {
  return db.selectFrom('caller_numbers').selectAll().where('campaign_id', '=', campaignId).orderBy('priority').orderBy('seq').execute();
}

/**
 * The best calling number of each campaign (lowest priority value, then insertion order).
 *
 * @example const first = await primaryCallerNumbers(db, [46, 47]) // Map {46 → '4001'}
 */
export async function primaryCallerNumbers(db: Db, campaignIds: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (campaignIds.length === 0) return out;
  const rows = await db
    .selectFrom('caller_numbers')
    .select(['campaign_id', 'access_code'])
    .where('campaign_id', 'in', [...campaignIds])
    .orderBy('campaign_id')
    .orderBy('priority')
    .orderBy('seq')
    .execute();
  for (const r of rows) if (!out.has(Number(r.campaign_id))) out.set(Number(r.campaign_id), r.access_code);
  return out;
}

/**
 * Adds numbers after the current last one (seq keeps insertion order for round-robin).
 *
 * @example await insertCallerNumbers(trx, 46, [{ accessCode: '4001', priority: 1 }], now)
 */
export async function insertCallerNumbers(db: Db, campaignId: number, numbers: ReadonlyArray<{ accessCode: string; priority: number }>, nowMs: number): Promise<void> {
  if (numbers.length === 0) return;
  const last = await db
    .selectFrom('caller_numbers')
    .select((eb) => eb.fn.max<number>('seq').as('m'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  let seq = Number(last?.m ?? 0);
  await db
    .insertInto('caller_numbers')
    .values(numbers.map((n) => ({ campaign_id: campaignId, access_code: n.accessCode, priority: n.priority, seq: ++seq, created_at: nowMs })))
    .execute();
}

/** @example await deleteCallerNumbers(trx, 46, ['4001']) */
export async function deleteCallerNumbers(db: Db, campaignId: number, accessCodes: readonly string[]): Promise<number> {
  if (accessCodes.length === 0) return 0;
  const r = await db
    .deleteFrom('caller_numbers')
    .where('campaign_id', '=', campaignId)
    .where('access_code', 'in', [...accessCodes])
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** @example await setCallerNumberPriority(trx, 46, '4001', 2) */
export async function setCallerNumberPriority(db: Db, campaignId: number, accessCode: string, priority: number): Promise<void> {
  await db.updateTable('caller_numbers').set({ priority }).where('campaign_id', '=', campaignId).where('access_code', '=', accessCode).execute();
}
