/**
 * A campaign's calling-number pool. Adding is all or nothing (PRODUCT.md "Calling numbers"):
 * a duplicate within the request or against the pool refuses the whole request.
 */
import type { CallerNoAdd } from '../http/schemas.js';
import { insertCallerNumbers, listCallerNumbers } from '../store/campaigns.repository.js';
import { isUniqueViolation } from '../store/errors.js';
import { checkCallerAllowed, requireCampaign } from './campaigns.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';

export async function addCallerNumbers(ctx: DomainContext, vdnId: number, campaignId: number, body: CallerNoAdd): Promise<void> {
  const now = ctx.clock.now();
  const seen = new Set<string>();
  for (const n of body.callerNo) {
    if (seen.has(n.accessCode)) throw paramError(`calling number ${n.accessCode} appears twice in the request; nothing was added`);
    seen.add(n.accessCode);
  }
  checkCallerAllowed(ctx, vdnId, [...seen]);
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await requireCampaign(trx, vdnId, campaignId);
      const pool = await listCallerNumbers(trx, campaignId);
      const existing = new Set(pool.map((p) => p.access_code));
      const dup = body.callerNo.find((n) => existing.has(n.accessCode));
      if (dup) throw paramError(`calling number ${dup.accessCode} is already in the campaign's pool; nothing was added`);
      if (pool.length + body.callerNo.length > ctx.config.maxCallerNumbers) {
        throw new DomainError(
          '02000011',
          `the pool would hold ${pool.length + body.callerNo.length} calling numbers (limit ${ctx.config.maxCallerNumbers}); nothing was added`,
        );
      }
      await insertCallerNumbers(trx, campaignId, body.callerNo, now);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw paramError('a calling number is already in the campaign\'s pool; nothing was added');
    throw e;
  }
}
