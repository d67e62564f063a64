/** Interfaces for call results, failure statistics, business-result writeback. */
import type { DomainContext } from '../../domain/context.js';
import { callResultDetail, failCategoryStatistics, queryCallResults, writeBackBusinessResult } from '../../domain/results.js';
import { envelopeSchema, ok } from '../envelope.js';
import { VdnCampaignParams, VdnParams } from '../../contract/common.js';
import { BusiResultWriteback, CallIdParams, CallResultDetail, CallResultPage, CallResultQuery, DataIdParams, FailStats, FailStatsQuery } from '../../contract/results.js';
import { V1, type RoutePlugin } from './plugin.js';

export function resultRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(
      `${V1}/callresult/:campaignId`,
      {
        schema: { params: VdnCampaignParams, body: CallResultQuery, response: { 200: envelopeSchema(CallResultPage) } },
        // Every field is optional, so a request without a body asks for everything. Runs after
        // the scope's signature check, before validation.
        preValidation: async (req) => {
          if (req.body === undefined) req.body = {};
        },
      },
      async (req) => ok('Query Success!', await queryCallResults(ctx, req.params.vdnId, req.params.campaignId, req.body)),
    );

    app.get(`${V1}/callresultdetail/:callId`, { schema: { params: CallIdParams, response: { 200: envelopeSchema(CallResultDetail) } } }, async (req) =>
      ok('Query Success!', { data: await callResultDetail(ctx.db, req.params.vdnId, req.params.callId) }),
    );

    app.get(`${V1}/failcategorystatistics`, { schema: { params: VdnParams, querystring: FailStatsQuery, response: { 200: envelopeSchema(FailStats) } } }, async (req) =>
      ok('Query Success!', { data: await failCategoryStatistics(ctx, req.params.vdnId, req.query) }),
    );

    app.post(`${V1}/callBusiResult/:dataId`, { schema: { params: DataIdParams, body: BusiResultWriteback, response: { 200: envelopeSchema() } } }, async (req) => {
      await writeBackBusinessResult(ctx, req.params.vdnId, req.params.dataId, req.body);
      return ok('success');
    });
  };
}
