/**
 * Batches of a campaign.
 *
 * @example const b = await findBatch(db, 46, '1747…507')
 */
import type { Insertable, Selectable } from 'kysely';
import type { BatchTable, Db } from './db.js';

export type BatchRow = Selectable<BatchTable>;

export async function findBatch(db: Db, campaignId: number, id: string): Promise<BatchRow | undefined> {
  return db.selectFrom('batches').selectAll().where('id', '=', id).where('campaign_id', '=', campaignId).executeTakeFirst();
}

export async function countBatches(db: Db, campaignId: number): Promise<number> {
  const r = await db
    .selectFrom('batches')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function batchNameTaken(db: Db, campaignId: number, name: string): Promise<boolean> {
  const r = await db.selectFrom('batches').select('id').where('campaign_id', '=', campaignId).where('name', '=', name).executeTakeFirst();
  return r !== undefined;
}

export async function insertBatch(db: Db, row: Insertable<BatchTable>): Promise<void> {
  await db.insertInto('batches').values(row).execute();
}

/**
 * Moves a batch from one status to another; the `from` predicate makes it a test-and-set, so
 * two concurrent pauses cannot both succeed. Returns whether the row changed.
 */
export async function setBatchStatus(db: Db, id: string, from: number, to: number, nowMs: number): Promise<boolean> {
  const r = await db
    .updateTable('batches')
    .set({ status: to, updated_at: nowMs })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
