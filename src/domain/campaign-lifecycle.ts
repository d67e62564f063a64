/**
 * Campaign pause, resume and delete. Which state allows which operation is decided by
 * `assertCampaignOperation` (campaign-rules.ts, with the table in its header).
 */
import type { Db } from '../store/db.js';
import { writeTransaction } from '../store/group-commit.js';
import { archiveCampaign, purgeCampaign, setSuspended } from '../store/campaigns.repository.js';
import { assertCampaignOperation } from './campaign-rules.js';
import { requireCampaign, stateOf } from './campaigns.js';
import type { DomainContext } from './context.js';

/** Pause: from not-started, executing or call-completed; otherwise 0200011. */
export async function pauseCampaign(ctx: DomainContext, vdnId: number, campaignId: number): Promise<void> {
  await transition(ctx, vdnId, campaignId, 'pause');
}

/** Resume: only from suspended (an expired campaign cannot be resumed); otherwise 0200011. */
export async function resumeCampaign(ctx: DomainContext, vdnId: number, campaignId: number): Promise<void> {
  await transition(ctx, vdnId, campaignId, 'resume');
}

async function transition(ctx: DomainContext, vdnId: number, campaignId: number, op: 'pause' | 'resume'): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    const c = await requireCampaign(trx, vdnId, campaignId);
    assertCampaignOperation(op, stateOf(c, now), campaignId);
    await setSuspended(trx, campaignId, op === 'pause', now);
  });
}

/**
 * Delete: refused (0200011) while the public status is 2, i.e. unless suspended or expired.
 * `archiveHistory` 1 keeps the campaign and all its rows as history, hidden from every interface
 * (0200007 from then on) and with its name free for reuse; 0 removes the campaign with its
 * calling numbers, batches, reservations, call data and results, in one transaction.
 */
export async function deleteCampaign(ctx: DomainContext, vdnId: number, campaignId: number, archiveHistory: 0 | 1): Promise<void> {
  const now = ctx.clock.now();
  // A purge (archiveHistory 0) removes every row of the campaign, call data included: it runs in
  // a transaction of its own so that it does not hold up the small requests of a group-committed
  // batch (store/group-commit.ts); an archive is one UPDATE and is group-committed.
  const transaction =
    archiveHistory === 1 ? <T>(fn: (trx: Db) => Promise<T>) => writeTransaction(ctx.db, fn) : <T>(fn: (trx: Db) => Promise<T>) => ctx.db.transaction().execute(fn);
  await transaction(async (trx) => {
    const c = await requireCampaign(trx, vdnId, campaignId);
    assertCampaignOperation('delete', stateOf(c, now), campaignId);
    if (archiveHistory === 1) await archiveCampaign(trx, campaignId, now);
    else await purgeCampaign(trx, campaignId);
  });
}
