/**
 * Special dates of campaigns.
 *
 * @example const rows = await listSpecialDates(db, 46)
 */
import { nameKey } from './schema/names.js';
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from './db.js';
import type { SpecialDateTable } from './schema/calendar.js';

export type SpecialDateRow = Selectable<SpecialDateTable>;

/** A campaign's special dates in creation order. @example await listSpecialDates(db, 46) */
export async function listSpecialDates(db: Db, campaignId: number): Promise<SpecialDateRow[]> {
  return db.selectFrom('special_dates').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute();
}

/** @example await countSpecialDates(db, 46) // 3 */
export async function countSpecialDates(db: Db, campaignId: number): Promise<number> {
  const r = await db
    .selectFrom('special_dates')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Whether another special date of the campaign already has this name. @example await specialDateNameTaken(db, 46, 'Christmas') */
export async function specialDateNameTaken(db: Db, campaignId: number, name: string, exceptId?: number): Promise<boolean> {
  const r = await db
    .selectFrom('special_dates')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .where('name_nfc', '=', nameKey(name)) // unique after NFC (schema/names.ts)
    .$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId!))
    .executeTakeFirst();
  return r !== undefined;
}

/** Inserts and returns the new id. @example const id = await insertSpecialDate(db, row) */
export async function insertSpecialDate(db: Db, row: Insertable<SpecialDateTable>): Promise<number> {
  const r = await db
    .insertInto('special_dates')
    .values({ ...row, name_nfc: nameKey(row.name) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

/** Updates one date of a campaign; false when it does not exist there. @example await updateSpecialDate(db, 46, 3, { name: 'x' }) */
export async function updateSpecialDate(db: Db, campaignId: number, id: number, patch: Updateable<SpecialDateTable>): Promise<boolean> {
  const withKey = typeof patch.name === 'string' ? { ...patch, name_nfc: nameKey(patch.name) } : patch;
  const r = await db.updateTable('special_dates').set(withKey).where('campaign_id', '=', campaignId).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Deletes one date of a campaign; false when it does not exist there. @example await deleteSpecialDate(db, 46, 3) */
export async function deleteSpecialDate(db: Db, campaignId: number, id: number): Promise<boolean> {
  const r = await db.deleteFrom('special_dates').where('campaign_id', '=', campaignId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** Deletes every special date of a campaign (also for campaign deletion); returns how many. @example await deleteAllSpecialDates(db, 46) */
export async function deleteAllSpecialDates(db: Db, campaignId: number): Promise<number> {
  const r = await db.deleteFrom('special_dates').where('campaign_id', '=', campaignId).executeTakeFirst();
  return Number(r.numDeletedRows);
}
