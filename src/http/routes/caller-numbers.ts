/** Calling numbers: add (seed). */
import { addCallerNumbers } from '../../domain/caller-numbers.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import { CallerNoAdd, VdnCampaignParams } from '../schemas.js';
import { V1, type RoutePlugin } from './plugin.js';

export function callerNoRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(
      `${V1}/callerNo/:campaignId`,
      { schema: { params: VdnCampaignParams, body: CallerNoAdd, response: { 200: envelopeSchema() } } },
      async (req) => {
        await addCallerNumbers(ctx, req.params.vdnId, req.params.campaignId, req.body);
        return ok('create callerNo success');
      },
    );
  };
}
