/** Batch create, pause (seed) and resume. */
import { Type } from '@sinclair/typebox';
import { createBatch, pauseBatch, resumeBatch } from '../../domain/batches.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import { BatchCreate, BatchId, VdnCampaignParams } from '../schemas.js';
import { V1, type RoutePlugin } from './plugin.js';

export function batchRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    const plain = { 200: envelopeSchema() };
    app.post(
      `${V1}/callbatch/:campaignId/create`,
      {
        schema: {
          params: VdnCampaignParams,
          body: BatchCreate,
          response: { 200: envelopeSchema({ returnObject: Type.Object({ id: Type.String() }) }) },
        },
      },
      async (req) => {
        const id = await createBatch(ctx, req.params.vdnId, req.params.campaignId, req.body);
        return ok('success', { returnObject: { id } });
      },
    );
    app.post(
      `${V1}/callbatch/:campaignId/pause`,
      { schema: { params: VdnCampaignParams, body: BatchId, response: plain } },
      async (req) => {
        await pauseBatch(ctx, req.params.vdnId, req.params.campaignId, req.body.id);
        return ok('success');
      },
    );
    app.post(
      `${V1}/callbatch/:campaignId/resume`,
      { schema: { params: VdnCampaignParams, body: BatchId, response: plain } },
      async (req) => {
        await resumeBatch(ctx, req.params.vdnId, req.params.campaignId, req.body.id);
        return ok('success');
      },
    );
  };
}
