/**
 * Campaigns and their calling-number pools.
 *
 * @example const row = await findCampaign(db, 1, 46)
 */
import type { Insertable, Selectable } from 'kysely';
import type { CallerNumberTable, CampaignTable, Db } from './db.js';

export type CampaignRow = Selectable<CampaignTable>;
export type CallerNumberRow = Selectable<CallerNumberTable>;

export async function findCampaign(db: Db, vdnId: number, id: number): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).where('vdn_id', '=', vdnId).executeTakeFirst();
}

export async function insertCampaign(db: Db, row: Insertable<CampaignTable>): Promise<number> {
  const r = await db.insertInto('campaigns').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function campaignNameTaken(db: Db, vdnId: number, name: string, exceptId?: number): Promise<boolean> {
  let q = db.selectFrom('campaigns').select('id').where('vdn_id', '=', vdnId).where('name', '=', name);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Campaigns of the given device types that have not expired at `nowMs` (quota counting). */
export async function countLiveCampaigns(db: Db, vdnId: number, deviceTypes: readonly number[], nowMs: number): Promise<number> {
  const r = await db
    .selectFrom('campaigns')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('vdn_id', '=', vdnId)
    .where('device_type', 'in', [...deviceTypes])
    .where('end_time', '>', nowMs)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function listCallerNumbers(db: Db, campaignId: number): Promise<CallerNumberRow[]> {
  return db
    .selectFrom('caller_numbers')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .orderBy('priority')
    .orderBy('seq')
    .execute();
}

/** Adds numbers after the current last one (seq keeps insertion order for round-robin). */
export async function insertCallerNumbers(
  db: Db,
  campaignId: number,
  numbers: ReadonlyArray<{ accessCode: string; priority: number }>,
  nowMs: number,
): Promise<void> {
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
