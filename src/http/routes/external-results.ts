/** External results: create (seed). */
import { Type } from '@sinclair/typebox';
import type { DomainContext } from '../../domain/context.js';
import { createExternalResult } from '../../domain/external-results.js';
import { envelopeSchema, ok } from '../envelope.js';
import { ObResultCreate, VdnParams } from '../schemas.js';
import { V1, type RoutePlugin } from './plugin.js';

export function externalResultRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(
      `${V1}/createObResult`,
      { schema: { params: VdnParams, body: ObResultCreate, response: { 200: envelopeSchema({ defId: Type.String() }) } } },
      async (req) => {
        const defId = await createExternalResult(ctx, req.params.vdnId, req.body);
        return ok('createObResult Success!', { defId });
      },
    );
  };
}
