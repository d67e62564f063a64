/** Campaign add v1 and details. */
import { Type } from '@sinclair/typebox';
import { createCampaign, getCampaignDetails } from '../../domain/campaigns.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import { CampaignAddV1, VdnCampaignParams, VdnParams } from '../schemas.js';
import { V1, type RoutePlugin } from './plugin.js';

export function campaignRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(
      V1,
      {
        schema: {
          params: VdnParams,
          body: CampaignAddV1,
          response: { 200: envelopeSchema({ returnObject: Type.Object({ id: Type.Integer() }) }) },
        },
        config: { fieldCodes: { strBeginTime: '02000007', strEndTime: '02000007' } },
      },
      async (req) => {
        const id = await createCampaign(ctx, req.params.vdnId, req.body);
        return ok('', { returnObject: { id } });
      },
    );

    app.get(
      `${V1}/:campaignId`,
      { schema: { params: VdnCampaignParams } },
      async (req) => {
        const details = await getCampaignDetails(ctx, req.params.vdnId, req.params.campaignId);
        return ok('success', { returnObject: details });
      },
    );
  };
}
