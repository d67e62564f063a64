/**
 * The VDN-wide blocklist: add, delete one, delete all, query (isales-gaps §2; the bodies use
 * `blocklist`). Delete-all is a DELETE without a body: no body schema, so neither a body nor a
 * Content-Type is needed, and whatever is sent is still covered by the signature check.
 */
import { Type } from '@sinclair/typebox';
import { addToBlocklist, clearBlocklist, queryBlocklist, removeFromBlocklist } from '../../domain/blocklist.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import { BlocklistAdd, BlocklistDelete, BlocklistItem, BlocklistQuery } from '../../contract/calendar.js';
import { VdnParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

export function blocklistRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    const plain = { 200: envelopeSchema() };

    app.post(`${V1}/blocklist/add`, { schema: { params: VdnParams, body: BlocklistAdd, response: plain } }, async (req) => {
      await addToBlocklist(ctx, req.params.vdnId, req.body);
      return ok('success');
    });

    app.post(`${V1}/blocklist/delete`, { schema: { params: VdnParams, body: BlocklistDelete, response: plain } }, async (req) => {
      await removeFromBlocklist(ctx, req.params.vdnId, req.body.blocklistNo);
      return ok('success');
    });

    app.delete(`${V1}/blocklist`, { schema: { params: VdnParams, response: plain } }, async (req) => {
      await clearBlocklist(ctx, req.params.vdnId);
      return ok('success');
    });

    app.post(
      `${V1}/blocklist/query`,
      {
        schema: {
          params: VdnParams,
          body: BlocklistQuery,
          response: { 200: envelopeSchema({ totalCount: Type.Integer(), data: Type.Array(BlocklistItem) }) },
        },
      },
      async (req) => {
        const { totalCount, data } = await queryBlocklist(ctx, req.params.vdnId, req.body);
        return ok('success', { totalCount, data });
      },
    );
  };
}
