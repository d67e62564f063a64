/** Calling numbers: add (seed) and delete. */
import type { FastifyRequest } from 'fastify';
import { addCallerNumbers, removeCallerNumbers } from '../../domain/caller-numbers.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import { CallerNoAdd, CallerNoDelete } from '../../contract/campaigns.js';
import { VdnCampaignParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

/** A body-less DELETE is judged as `{}`, so the answer names the missing callerNo. */
async function emptyBodyAsObject(req: FastifyRequest): Promise<void> {
  if (req.body === undefined) req.body = {};
}

export function callerNoRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(`${V1}/callerNo/:campaignId`, { schema: { params: VdnCampaignParams, body: CallerNoAdd, response: { 200: envelopeSchema() } } }, async (req) => {
      await addCallerNumbers(ctx, req.params.vdnId, req.params.campaignId, req.body);
      return ok('create callerNo success');
    });
    app.delete(
      `${V1}/callerNo/:campaignId`,
      {
        schema: { params: VdnCampaignParams, body: CallerNoDelete, response: { 200: envelopeSchema() } },
        preValidation: emptyBodyAsObject,
      },
      async (req) => {
        await removeCallerNumbers(ctx, req.params.vdnId, req.params.campaignId, req.body);
        return ok('delete callerNo success');
      },
    );
  };
}
