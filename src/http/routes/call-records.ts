/** Call records: `POST P/callRecord {callId}` and `POST P2/callRecord {callId, page, limit}`. */
import { Type } from '@sinclair/typebox';
import { callRecords } from '../../domain/call-records.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import { CallRecordItem, CallRecordV1, CallRecordV2 } from '../../contract/call-records.js';
import { VdnParams } from '../../contract/common.js';
import { V1, V2, type RoutePlugin } from './plugin.js';

export function callRecordRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(
      `${V1}/callRecord`,
      { schema: { params: VdnParams, body: CallRecordV1, response: { 200: envelopeSchema({ recordList: Type.Array(CallRecordItem) }) } } },
      async (req) => ok('success', { recordList: (await callRecords(ctx, req.params.vdnId, req.body.callId)).recordList }),
    );
    app.post(
      `${V2}/callRecord`,
      { schema: { params: VdnParams, body: CallRecordV2, response: { 200: envelopeSchema({ recordList: Type.Array(CallRecordItem), total: Type.Integer() }) } } },
      async (req) => ok('success', await callRecords(ctx, req.params.vdnId, req.body.callId, { page: req.body.page, limit: req.body.limit })),
    );
  };
}
