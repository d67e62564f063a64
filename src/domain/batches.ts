/** Batch use cases: create, update (rename), delete, list, pause, resume. */
import { writeTransaction } from '../store/group-commit.js';
import type { BatchListFilter, BatchUpdate } from '../contract/batches.js';
import type { BatchCreate } from '../contract/common.js';
import { batchNameTaken, countBatches, deleteBatchRow, findBatch, insertBatch, listBatchRows, renameBatch, setBatchStatus, type BatchRow } from '../store/batches.repository.js';
import { countMatching, removeReadyCallData } from '../store/call-data.repository.js';
import { isUniqueViolation } from '../store/errors.js';
import { BATCH_STARTED, BATCH_SUSPENDED, batchOperationAllowed, type BatchOperation } from './batch-rules.js';
import { requireCampaign, stateOf } from './campaigns.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { newLongId } from './ids.js';

async function campaignFor(ctx: DomainContext, vdnId: number, campaignId: number, op: BatchOperation) {
  const c = await requireCampaign(ctx.db, vdnId, campaignId);
  const state = stateOf(c, ctx.clock.now());
  if (!batchOperationAllowed(op, state)) {
    throw new DomainError('03000002', `batch ${op} is not allowed while campaign ${campaignId} is ${state}`);
  }
  return c;
}

/** Creates a batch; returns its 30-digit id. */
export async function createBatch(ctx: DomainContext, vdnId: number, campaignId: number, body: BatchCreate): Promise<string> {
  const now = ctx.clock.now();
  try {
    return await writeTransaction(ctx.db, async (trx) => {
      await campaignFor({ ...ctx, db: trx }, vdnId, campaignId, 'create');
      if (await batchNameTaken(trx, campaignId, body.name)) {
        throw new DomainError('03000001', `a batch named "${body.name}" already exists in campaign ${campaignId}`);
      }
      const n = await countBatches(trx, campaignId);
      if (n >= ctx.config.maxBatchesPerCampaign) {
        throw new DomainError('03000003', `campaign ${campaignId} already has ${n} batches (limit ${ctx.config.maxBatchesPerCampaign})`);
      }
      const id = newLongId(now);
      await insertBatch(trx, {
        id,
        campaign_id: campaignId,
        vdn_id: vdnId,
        name: body.name,
        status: body.status ?? BATCH_SUSPENDED,
        created_at: now,
        updated_at: now,
      });
      return id;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('03000001', `a batch named "${body.name}" already exists in campaign ${campaignId}`);
    throw e;
  }
}

/** Pauses (suspends) a started batch: 03000006 when it is already suspended. */
export async function pauseBatch(ctx: DomainContext, vdnId: number, campaignId: number, batchId: string): Promise<void> {
  await writeTransaction(ctx.db, async (trx) => {
    await campaignFor({ ...ctx, db: trx }, vdnId, campaignId, 'pause');
    const b = await findBatch(trx, campaignId, batchId);
    if (!b) throw new DomainError('03000004', `batch ${batchId} does not exist in campaign ${campaignId}`);
    if (!(await setBatchStatus(trx, batchId, BATCH_STARTED, BATCH_SUSPENDED, ctx.clock.now()))) {
      throw new DomainError('03000006', `batch ${batchId} is already suspended`);
    }
  });
}

/** Resumes (starts) a suspended batch: 03000005 when it is already started. */
export async function resumeBatch(ctx: DomainContext, vdnId: number, campaignId: number, batchId: string): Promise<void> {
  await writeTransaction(ctx.db, async (trx) => {
    await campaignFor({ ...ctx, db: trx }, vdnId, campaignId, 'resume');
    const b = await findBatch(trx, campaignId, batchId);
    if (!b) throw new DomainError('03000004', `batch ${batchId} does not exist in campaign ${campaignId}`);
    if (!(await setBatchStatus(trx, batchId, BATCH_SUSPENDED, BATCH_STARTED, ctx.clock.now()))) {
      throw new DomainError('03000005', `batch ${batchId} is already started`);
    }
  });
}

/** Renames a batch: 03000004 when unknown, 03000001 when another batch of the campaign has the name. */
export async function updateBatch(ctx: DomainContext, vdnId: number, campaignId: number, body: BatchUpdate): Promise<void> {
  const now = ctx.clock.now();
  try {
    await writeTransaction(ctx.db, async (trx) => {
      await campaignFor({ ...ctx, db: trx }, vdnId, campaignId, 'update');
      if (!(await findBatch(trx, campaignId, body.id))) throw new DomainError('03000004', `batch ${body.id} does not exist in campaign ${campaignId}`);
      if (await batchNameTaken(trx, campaignId, body.name, body.id)) {
        throw new DomainError('03000001', `a batch named "${body.name}" already exists in campaign ${campaignId}`);
      }
      await renameBatch(trx, campaignId, body.id, body.name, now);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('03000001', `a batch named "${body.name}" already exists in campaign ${campaignId}`);
    throw e;
  }
}

/**
 * Deletes a batch together with its records that are still waiting to be dialled; finished
 * records stay as history (their results keep the batch id). Refused while one of its records
 * is being dialled: deleting it under the dialer would orphan the call's result.
 *
 * Why delete the waiting records rather than refuse: the call-data delete cannot filter by
 * batch, so a refusal would leave a batch undeletable until every record was dialled.
 */
export async function deleteBatch(ctx: DomainContext, vdnId: number, campaignId: number, batchId: string): Promise<{ removedRecords: number }> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    await campaignFor({ ...ctx, db: trx }, vdnId, campaignId, 'delete');
    if (!(await findBatch(trx, campaignId, batchId))) throw new DomainError('03000004', `batch ${batchId} does not exist in campaign ${campaignId}`);
    const filter = { campaignId, batchId };
    const { dialing } = await countMatching(trx, filter);
    if (dialing > 0) {
      throw paramError(`batch ${batchId} has ${dialing} record(s) being dialled; delete it when those calls have ended`);
    }
    const removedRecords = await removeReadyCallData(trx, filter, false, now);
    await deleteBatchRow(trx, campaignId, batchId);
    return { removedRecords };
  });
}

export interface BatchListItem {
  id: string;
  name: string;
  status: number;
}

export function batchRowToApi(r: BatchRow): BatchListItem {
  return { id: r.id, name: r.name, status: r.status };
}

/** One page of a campaign's batches (any campaign state, expired included: listing changes nothing). */
export async function listBatches(ctx: DomainContext, vdnId: number, campaignId: number, f: BatchListFilter): Promise<{ totalCount: number; data: BatchListItem[] }> {
  await requireCampaign(ctx.db, vdnId, campaignId);
  const { total, rows } = await listBatchRows(ctx.db, campaignId, f);
  return { totalCount: total, data: rows.map(batchRowToApi) };
}
