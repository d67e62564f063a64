/** OBS result codes and external results: create (seed), update, delete, list, detail. */
import { Type } from '@sinclair/typebox';
import type { DomainContext } from '../../domain/context.js';
import { createExternalResult, deleteExternalResultById, externalResultDetail, listExternalResultsPage, updateExternalResult } from '../../domain/external-results.js';
import { pageObsCodes } from '../../domain/obs-codes.js';
import { envelopeSchema, ok } from '../envelope.js';
import { ObResultCreate, VdnParams } from '../../contract/common.js';
import { DefIdParams, ObResultDetail, ObResultPage, ObResultUpdate, ObsCodePage, PageQuery } from '../../contract/results.js';
import { V1, type RoutePlugin } from './plugin.js';

export function externalResultRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    // Only English descriptions exist, so the `locale` header (zh_CN / en_US) does not change them.
    app.get(`${V1}/queryOBSResultCode`, { schema: { params: VdnParams, querystring: PageQuery, response: { 200: envelopeSchema(ObsCodePage) } } }, async (req) =>
      ok('query queryOBSResultCode Success!', pageObsCodes(req.query.pageNum, req.query.pageSize)),
    );

    app.post(`${V1}/createObResult`, { schema: { params: VdnParams, body: ObResultCreate, response: { 200: envelopeSchema({ defId: Type.String() }) } } }, async (req) => {
      const defId = await createExternalResult(ctx, req.params.vdnId, req.body);
      return ok('createObResult Success!', { defId });
    });

    app.post(`${V1}/updateObResult`, { schema: { params: VdnParams, body: ObResultUpdate, response: { 200: envelopeSchema() } } }, async (req) => {
      await updateExternalResult(ctx, req.params.vdnId, req.body);
      return ok('updateObResult Success!');
    });

    app.delete(`${V1}/:defId/deleteObsResult`, { schema: { params: DefIdParams, response: { 200: envelopeSchema() } } }, async (req) => {
      await deleteExternalResultById(ctx, req.params.vdnId, req.params.defId);
      return ok('deleteObsResult Success!');
    });

    app.get(`${V1}/queryOBSResults`, { schema: { params: VdnParams, querystring: PageQuery, response: { 200: envelopeSchema(ObResultPage) } } }, async (req) =>
      ok('queryOBSResults Success!', await listExternalResultsPage(ctx.db, req.params.vdnId, req.query.pageNum, req.query.pageSize)),
    );

    app.get(`${V1}/:defId/queryObsResultDetail`, { schema: { params: DefIdParams, response: { 200: envelopeSchema(ObResultDetail) } } }, async (req) =>
      ok('queryObsResultDetail Success!', { obResult: await externalResultDetail(ctx.db, req.params.vdnId, req.params.defId) }),
    );
  };
}
