/**
 * A campaign's calling-number pool. Adding and deleting are all or nothing (PRODUCT.md
 * "Calling numbers"): one bad number refuses the whole request and nothing changes.
 */
import { writeTransaction } from '../store/group-commit.js';
import type { CallerNoAdd, CallerNoDelete } from '../contract/campaigns.js';
import { deleteCallerNumbers, insertCallerNumbers, listCallerNumbers } from '../store/campaigns.repository.js';
import { isUniqueViolation } from '../store/errors.js';
import { checkCallerAllowed, requireCampaign } from './campaigns.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';

/** Adds 1–100 numbers; a duplicate in the request or against the pool refuses all (0200001). */
export async function addCallerNumbers(ctx: DomainContext, vdnId: number, campaignId: number, body: CallerNoAdd): Promise<void> {
  const now = ctx.clock.now();
  const seen = new Set<string>();
  for (const n of body.callerNo) {
    if (seen.has(n.accessCode)) throw paramError(`calling number ${n.accessCode} appears twice in the request; nothing was added`);
    seen.add(n.accessCode);
  }
  checkCallerAllowed(ctx, vdnId, [...seen]);
  try {
    await writeTransaction(ctx.db, async (trx) => {
      await requireCampaign(trx, vdnId, campaignId);
      const pool = await listCallerNumbers(trx, campaignId);
      const existing = new Set(pool.map((p) => p.access_code));
      const dup = body.callerNo.find((n) => existing.has(n.accessCode));
      if (dup) throw paramError(`calling number ${dup.accessCode} is already in the campaign's pool; nothing was added`);
      if (pool.length + body.callerNo.length > ctx.config.maxCallerNumbers) {
        throw new DomainError('02000011', `the pool would hold ${pool.length + body.callerNo.length} calling numbers (limit ${ctx.config.maxCallerNumbers}); nothing was added`);
      }
      await insertCallerNumbers(trx, campaignId, body.callerNo, now);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw paramError("a calling number is already in the campaign's pool; nothing was added");
    throw e;
  }
}

/**
 * Deletes 1–100 numbers. Every number must be in the pool (with the given priority, when one is
 * given) and at least one number must remain; otherwise 0200001 naming the culprits, and
 * nothing is deleted.
 */
export async function removeCallerNumbers(ctx: DomainContext, vdnId: number, campaignId: number, body: CallerNoDelete): Promise<void> {
  const seen = new Set<string>();
  for (const n of body.callerNo) {
    if (seen.has(n.accessCode)) throw paramError(`calling number ${n.accessCode} appears twice in the request; nothing was deleted`);
    seen.add(n.accessCode);
  }
  await writeTransaction(ctx.db, async (trx) => {
    await requireCampaign(trx, vdnId, campaignId);
    const pool = new Map((await listCallerNumbers(trx, campaignId)).map((p) => [p.access_code, p.priority]));
    const unknown = body.callerNo
      .filter((n) => !pool.has(n.accessCode) || (n.priority !== undefined && pool.get(n.accessCode) !== n.priority))
      .map((n) => (n.priority !== undefined && pool.has(n.accessCode) ? `${n.accessCode} (priority ${n.priority})` : n.accessCode));
    if (unknown.length > 0) {
      throw paramError(`calling numbers not in the campaign's pool: ${unknown.join(', ')}; nothing was deleted`);
    }
    if (seen.size >= pool.size) {
      throw paramError(`the pool holds ${pool.size} calling number(s) and at least one must remain; nothing was deleted`);
    }
    await deleteCallerNumbers(trx, campaignId, [...seen]);
  });
}
