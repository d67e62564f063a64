/** Interfaces for interface invocation records. */
import { queryCallLogsOfVdn } from '../../domain/calllogs.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import { VdnParams } from '../../contract/common.js';
import { CallLogPage, CallLogQueryBody } from '../../contract/results.js';
import { V1, type RoutePlugin } from './plugin.js';

export function callLogRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(
      `${V1}/calllogs`,
      { schema: { params: VdnParams, body: CallLogQueryBody, response: { 200: envelopeSchema(CallLogPage) } } },
      // Only the caller's own VDN: the path's VDN, which the signature check bound to the AK.
      async (req) => ok('queryCalllogs success', await queryCallLogsOfVdn(ctx.db, req.params.vdnId, req.body)),
    );
  };
}
