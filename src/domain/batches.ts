/** Batch use cases: create, pause, resume. */
import type { BatchCreate } from '../http/schemas.js';
import { batchNameTaken, countBatches, findBatch, insertBatch, setBatchStatus } from '../store/batches.repository.js';
import { isUniqueViolation } from '../store/errors.js';
import { BATCH_STARTED, BATCH_SUSPENDED, batchOperationAllowed, type BatchOperation } from './batch-rules.js';
import { requireCampaign, stateOf } from './campaigns.js';
import type { DomainContext } from './context.js';
import { DomainError } from './errors.js';
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
    return await ctx.db.transaction().execute(async (trx) => {
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
  await campaignFor(ctx, vdnId, campaignId, 'pause');
  const b = await findBatch(ctx.db, campaignId, batchId);
  if (!b) throw new DomainError('03000004', `batch ${batchId} does not exist in campaign ${campaignId}`);
  if (!(await setBatchStatus(ctx.db, batchId, BATCH_STARTED, BATCH_SUSPENDED, ctx.clock.now()))) {
    throw new DomainError('03000006', `batch ${batchId} is already suspended`);
  }
}

/** Resumes (starts) a suspended batch: 03000005 when it is already started. */
export async function resumeBatch(ctx: DomainContext, vdnId: number, campaignId: number, batchId: string): Promise<void> {
  await campaignFor(ctx, vdnId, campaignId, 'resume');
  const b = await findBatch(ctx.db, campaignId, batchId);
  if (!b) throw new DomainError('03000004', `batch ${batchId} does not exist in campaign ${campaignId}`);
  if (!(await setBatchStatus(ctx.db, batchId, BATCH_SUSPENDED, BATCH_STARTED, ctx.clock.now()))) {
    throw new DomainError('03000005', `batch ${batchId} is already started`);
  }
}
