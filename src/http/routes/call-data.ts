/** Interfaces for call data (add v1/v2, delete, query one), number types and today's statistics. */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { addCallDataV1, addCallDataV2, deleteCallData, getCallData } from '../../domain/call-data.js';
import type { DomainContext } from '../../domain/context.js';
import { addNumberTypes, listNumberTypes } from '../../domain/number-types.js';
import { todayStatistics } from '../../domain/statistics.js';
import { envelopeSchema, ok } from '../envelope.js';
import {
  CALL_DATA_FIELD_CODES,
  CallDataAddResult,
  CallDataAddV1,
  CallDataAddV2,
  CallDataDelete,
  CallDataDetail,
  CountDetail,
  NumberTypeAdd,
  StatisticsQuery,
  VdnCampaignDataParams,
} from '../../contract/call-data.js';
import { VdnCampaignParams, VdnParams } from '../../contract/common.js';
import { V1, V2, type RoutePlugin } from './plugin.js';

/** `?campaignId=&batchId=` means "not given" (the vendor: "if left empty, all campaigns"). */
async function dropEmptyQueryValues(req: FastifyRequest): Promise<void> {
  const q = req.query as Record<string, unknown>;
  for (const k of Object.keys(q)) if (q[k] === '') delete q[k];
}

export function callDataRoutes(ctx: DomainContext): RoutePlugin {
  // Read at server build time, so a bad variable stops the start (ConfigError names it).
  const cfg = ctx.config.callData;
  return async (app) => {
    const addResponse = { 200: envelopeSchema({ returnObject: CallDataAddResult }) };
    const fieldCodes = { ...CALL_DATA_FIELD_CODES };

    app.post(`${V1}/calldata/:campaignId`, { schema: { params: VdnCampaignParams, body: CallDataAddV1, response: addResponse }, config: { fieldCodes } }, async (req) => {
      const r = await addCallDataV1(ctx, cfg, req.params.vdnId, req.params.campaignId, req.body);
      return ok('create data succeeded', { returnObject: r });
    });
    app.post(`${V2}/calldata/:campaignId`, { schema: { params: VdnCampaignParams, body: CallDataAddV2, response: addResponse }, config: { fieldCodes } }, async (req) => {
      const r = await addCallDataV2(ctx, cfg, req.params.vdnId, req.params.campaignId, req.body);
      return ok('create data succeeded', { returnObject: r });
    });
    app.post(
      `${V1}/calldata/:campaignId/delete`,
      {
        schema: { params: VdnCampaignParams, body: CallDataDelete, response: { 200: envelopeSchema({ returnObject: Type.Object({ deletedCount: Type.Integer() }) }) } },
        config: { fieldCodes },
      },
      async (req) => {
        const r = await deleteCallData(ctx, req.params.vdnId, req.params.campaignId, req.body ?? {});
        return ok('success', { returnObject: r });
      },
    );
    app.get(`${V1}/calldata/:campaignId/:dataId`, { schema: { params: VdnCampaignDataParams, response: { 200: envelopeSchema({ data: CallDataDetail }) } } }, async (req) => {
      const data = await getCallData(ctx, req.params.vdnId, req.params.campaignId, req.params.dataId);
      return ok('success', { data });
    });
    app.post(`${V1}/callNoType/add`, { schema: { params: VdnParams, body: NumberTypeAdd, response: { 200: envelopeSchema() } } }, async (req) => {
      await addNumberTypes(ctx, req.params.vdnId, req.body);
      return ok('success');
    });
    app.get(`${V1}/callNoType/query`, { schema: { params: VdnParams, response: { 200: envelopeSchema({ data: Type.Array(Type.String()) }) } } }, async (req) => {
      return ok('success', { data: await listNumberTypes(ctx, req.params.vdnId) });
    });
    app.get(
      `${V2}/statistics`,
      {
        schema: { params: VdnParams, querystring: StatisticsQuery, response: { 200: envelopeSchema({ countDetail: Type.Array(CountDetail) }), 429: envelopeSchema() } },
        preValidation: dropEmptyQueryValues,
      },
      async (req) => {
        return ok('success', { countDetail: await todayStatistics(ctx, cfg, req.params.vdnId, req.query) });
      },
    );
  };
}
