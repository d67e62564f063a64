/**
 * Finding a campaign and reading its state: used by campaigns.ts, campaign-policies.ts and every
 * area that names a campaign. Kept apart from campaigns.ts so that the policy module does not
 * import the campaign use cases that import it.
 */
import { campaignState, type CampaignState } from './campaign-rules.js';
import { DomainError } from './errors.js';
import { findCampaign, type CampaignRow } from '../store/campaigns.repository.js';
import type { Db } from '../store/db.js';

/** The live (not archived) campaign or 0200007. */
export async function requireCampaign(db: Db, vdnId: number, campaignId: number): Promise<CampaignRow> {
  const c = await findCampaign(db, vdnId, campaignId);
  if (!c) throw new DomainError('0200007', `campaign ${campaignId} does not exist in VDN ${vdnId}`);
  return c;
}

/** The campaign's state at `nowMs` (see the state machine in campaign-rules.ts). */
export function stateOf(c: CampaignRow, nowMs: number): CampaignState {
  return campaignState({ beginTime: Number(c.begin_time), endTime: Number(c.end_time), suspended: c.suspended === 1 }, nowMs);
}
