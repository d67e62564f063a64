/**
 * Campaigns: add v1/v2, modify v1/v2, delete, details, list, pause, resume. The retry-policy
 * and business-result groups register from here so server.ts needs no change per group.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { deleteCampaign, pauseCampaign, resumeCampaign } from '../../domain/campaign-lifecycle.js';
import { getCampaignDetails, listCampaignPage } from '../../domain/campaign-views.js';
import { addCampaign, inputFromV1, inputFromV2, modifyCampaign } from '../../domain/campaigns.js';
import type { DomainContext } from '../../domain/context.js';
import type { FieldCodes } from '../envelope.js';
import { envelopeSchema, ok } from '../envelope.js';
import { CampaignAddV1, CampaignDelete, CampaignDetailsOut, CampaignListOut, CampaignListQuery, CampaignModifyV1, CampaignV2 } from '../../contract/campaigns.js';
import { VdnCampaignParams, VdnParams } from '../../contract/common.js';
import { businessResultRoutes } from './business-results.js';
import { V1, V2, type RoutePlugin } from './plugin.js';
import { retryPolicyRoutes } from './retry-policy.js';

/**
 * Campaign times follow the one rule for dates (README "Decisions": Times): a value that does not
 * match `yyyy-MM-dd HH:mm:ss` is 02000002 like any format error (no override here); a
 * well-formed date that does not exist is 02000007 (domain/campaigns.ts).
 */
const timeCodes: FieldCodes = {};

/** A body-less request (DELETE without a body) is judged as `{}`, so the missing field is named. */
async function emptyBodyAsObject(req: FastifyRequest): Promise<void> {
  if (req.body === undefined) req.body = {};
}

export function campaignRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    const created = { 200: envelopeSchema({ returnObject: Type.Object({ id: Type.Integer() }) }) };
    const plain = { 200: envelopeSchema() };

    app.post(V1, { schema: { params: VdnParams, body: CampaignAddV1, response: created }, config: { fieldCodes: timeCodes } }, async (req) => {
      const id = await addCampaign(ctx, req.params.vdnId, inputFromV1(req.body));
      return ok('', { returnObject: { id } });
    });

    app.post(V2, { schema: { params: VdnParams, body: CampaignV2, response: created }, config: { fieldCodes: timeCodes } }, async (req) => {
      const id = await addCampaign(ctx, req.params.vdnId, inputFromV2(req.body));
      return ok('', { returnObject: { id } });
    });

    app.put(`${V1}/:campaignId`, { schema: { params: VdnCampaignParams, body: CampaignModifyV1, response: plain }, config: { fieldCodes: timeCodes } }, async (req) => {
      await modifyCampaign(ctx, req.params.vdnId, req.params.campaignId, inputFromV1(req.body));
      return ok('');
    });

    app.put(`${V2}/:campaignId`, { schema: { params: VdnCampaignParams, body: CampaignV2, response: plain }, config: { fieldCodes: timeCodes } }, async (req) => {
      await modifyCampaign(ctx, req.params.vdnId, req.params.campaignId, inputFromV2(req.body));
      return ok('');
    });

    app.delete(`${V1}/:campaignId`, { schema: { params: VdnCampaignParams, body: CampaignDelete, response: plain }, preValidation: emptyBodyAsObject }, async (req) => {
      await deleteCampaign(ctx, req.params.vdnId, req.params.campaignId, req.body.archiveHistory);
      return ok('');
    });

    app.get(`${V1}/:campaignId`, { schema: { params: VdnCampaignParams, response: { 200: envelopeSchema({ returnObject: CampaignDetailsOut }) } } }, async (req) => {
      const details = await getCampaignDetails(ctx, req.params.vdnId, req.params.campaignId);
      return ok('success', { returnObject: details });
    });

    app.get(V1, { schema: { params: VdnParams, querystring: CampaignListQuery, response: { 200: envelopeSchema(CampaignListOut) } } }, async (req) => {
      const page = await listCampaignPage(ctx, req.params.vdnId, req.query);
      return ok('success', page);
    });

    app.put(`${V1}/:campaignId/pause`, { schema: { params: VdnCampaignParams, response: plain } }, async (req) => {
      await pauseCampaign(ctx, req.params.vdnId, req.params.campaignId);
      return ok('');
    });

    app.put(`${V1}/:campaignId/resume`, { schema: { params: VdnCampaignParams, response: plain } }, async (req) => {
      await resumeCampaign(ctx, req.params.vdnId, req.params.campaignId);
      return ok('');
    });

    await app.register(retryPolicyRoutes(ctx));
    await app.register(businessResultRoutes(ctx));
  };
}
