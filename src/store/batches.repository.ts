/**
 * Batches of a campaign.
 *
 * @example const b = await findBatch(db, 46, '1747…507')
 */
import { nameKey } from './schema/names.js';
import { sql, type Insertable, type Selectable } from 'kysely';
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

/** Whether another batch of the campaign (not `exceptId`) already has this name. */
export async function batchNameTaken(db: Db, campaignId: number, name: string, exceptId?: string): Promise<boolean> {
  const r = await db
    .selectFrom('batches')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .where('name_nfc', '=', nameKey(name)) // unique after NFC (schema/names.ts)
    .$if(exceptId !== undefined, (q) => q.where('id', '<>', exceptId!))
    .executeTakeFirst();
  return r !== undefined;
}

export async function insertBatch(db: Db, row: Insertable<BatchTable>): Promise<void> {
  await db
    .insertInto('batches')
    .values({ ...row, name_nfc: nameKey(row.name) })
    .execute();
}

/**
 * Moves a batch from one status to another; the `from` predicate makes it a test-and-set, so
 * two concurrent pauses cannot both succeed. Returns whether the row changed.
 */
export async function setBatchStatus(db: Db, id: string, from: number, to: number, nowMs: number): Promise<boolean> {
  const r = await db.updateTable('batches').set({ status: to, updated_at: nowMs }).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Renames a batch of the campaign; returns whether it exists.
 *
 * @example await renameBatch(db, 46, '1747…507', 'May list', Date.now())
 */
export async function renameBatch(db: Db, campaignId: number, id: string, name: string, nowMs: number): Promise<boolean> {
  const r = await db
    .updateTable('batches')
    .set({ name, name_nfc: nameKey(name), updated_at: nowMs })
    .where('id', '=', id)
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Removes the batch row (its call data is handled by the caller in the same transaction).
 *
 * @example await deleteBatchRow(trx, 46, '1747…507')
 */
export async function deleteBatchRow(db: Db, campaignId: number, id: string): Promise<boolean> {
  const r = await db.deleteFrom('batches').where('id', '=', id).where('campaign_id', '=', campaignId).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export interface BatchFilter {
  status?: number;
  /** Substring of the name, case-insensitive (LIKE wildcards in it are matched literally). */
  name?: string;
  offset: number;
  limit: number;
}

/** `%`, `_` and the escape character itself match literally. */
function likeContains(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of a campaign's batches, oldest first, and the number of matches.
 *
 * @example const { total, rows } = await listBatchRows(db, 46, { name: 'May', offset: 0, limit: 10 })
 */
export async function listBatchRows(db: Db, campaignId: number, f: BatchFilter): Promise<{ total: number; rows: BatchRow[] }> {
  const base = db
    .selectFrom('batches')
    .where('campaign_id', '=', campaignId)
    .$if(f.status !== undefined, (q) => q.where('status', '=', f.status!))
    .$if(f.name !== undefined && f.name !== '', (q) => q.where(sql<boolean>`lower(name) like lower(${likeContains(f.name!)}) escape '\\'`));
  const c = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('created_at').orderBy('id').offset(f.offset).limit(f.limit).execute();
  return { total: Number(c.n), rows };
}
