/** Business-result definitions: add and paged query (registered from routes/campaigns.ts). */
import { Type } from '@sinclair/typebox';
import { addBusinessResult, queryBusinessResults } from '../../domain/business-results.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import { BusinessResultAdd, BusinessResultListOut } from '../../contract/campaigns.js';
import { PageNumSize, VdnParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

export function businessResultRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(
      `${V1}/addBusinessResult`,
      { schema: { params: VdnParams, body: BusinessResultAdd, response: { 200: envelopeSchema({ returnObject: Type.Object({ id: Type.String() }) }) } } },
      async (req) => {
        const id = await addBusinessResult(ctx, req.params.vdnId, req.body);
        return ok('success', { returnObject: { id } });
      },
    );
    app.get(
      `${V1}/queryBusinessResults`,
      { schema: { params: VdnParams, querystring: Type.Object(PageNumSize), response: { 200: envelopeSchema(BusinessResultListOut) } } },
      async (req) => {
        const page = await queryBusinessResults(ctx, req.params.vdnId, req.query.pageNum, req.query.pageSize);
        return ok('success', page);
      },
    );
  };
}
