/** Retry policy: set and query (registered from routes/campaigns.ts). */
import { queryRetryPolicy, setRetryPolicy } from '../../domain/campaign-policies.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import { RetryPolicyData, RetryPolicySet } from '../../contract/campaigns.js';
import { VdnCampaignParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

export function retryPolicyRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(`${V1}/retryPolicy/:campaignId`, { schema: { params: VdnCampaignParams, body: RetryPolicySet, response: { 200: envelopeSchema() } } }, async (req) => {
      await setRetryPolicy(ctx, req.params.vdnId, req.params.campaignId, req.body);
      return ok('success');
    });
    app.get(`${V1}/retryPolicy/:campaignId`, { schema: { params: VdnCampaignParams, response: { 200: envelopeSchema({ data: RetryPolicyData }) } } }, async (req) => {
      const data = await queryRetryPolicy(ctx, req.params.vdnId, req.params.campaignId);
      return ok('success', { data });
    });
  };
}
