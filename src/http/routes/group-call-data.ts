/**
 * `POST P/groupcalldata?campaignGroupId={taskGroupId}` (ZH 0768): call data into a task group
 * (a group of campaigns the vendor's console creates and fills in turn). No interface of the
 * CC-iSales surface creates task groups, and campaignd has none, so every group id is unknown:
 * the interface answers `0200007` (the campaign family's "does not exist") after checking that
 * `campaignGroupId` is present (`02000001`) and well formed (`02000002`). Documented in the
 * README's interface table as answered without groups.
 */
import { Type } from '@sinclair/typebox';
import { DomainError } from '../../domain/errors.js';
import { envelopeSchema } from '../envelope.js';
import { DIGITS, VdnParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

export function groupCallDataRoutes(): RoutePlugin {
  return async (app) => {
    app.post(
      `${V1}/groupcalldata`,
      {
        schema: {
          params: VdnParams,
          querystring: Type.Object({ campaignGroupId: Type.String({ minLength: 1, maxLength: 32, pattern: DIGITS }) }),
          response: { 200: envelopeSchema() },
        },
      },
      async (req) => {
        throw new DomainError('0200007', `task group ${req.query.campaignGroupId} does not exist in VDN ${req.params.vdnId} (campaignd has no task groups)`);
      },
    );
  };
}
