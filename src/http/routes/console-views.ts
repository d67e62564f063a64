/**
 * Read-only extensions for the operator console (issue #14), signed and VDN-checked like every
 * `/campaignd` route:
 *
 * - `GET /campaignd/v1/campaigns/{vdnId}/{campaignId}/records?q=&state=&offset=&limit=` →
 *   `returnObject: {total, records[{dataId, sessionId, batchId, calledNos[], state, attempts, dueAt,
 *   lastCallAt, lastFailCode, lastResultCode, succeeded}]}` (times epoch ms of engine time); `q`
 *   matches a substring of a called number or the sessionId; `limit` 1–500 (default 50).
 *   Unknown campaign → `0200007`.
 * - `GET /campaignd/v1/campaigns/{vdnId}/{campaignId}/activity?bucketMs=` → `returnObject:
 *   {bucketMs, buckets[{at, attempts, succeeded, failed}]}`: attempts per bucket of engine time
 *   (default one hour; 60000–604800000), `succeeded` = OBS code 00000. Unknown campaign → `0200007`.
 */
import { Type } from '@sinclair/typebox';
import { VdnCampaignParams } from '../../contract/common.js';
import type { DomainContext } from '../../domain/context.js';
import { requireCampaign } from '../../domain/campaign-lookup.js';
import { OBS_SUCCESS_CODE } from '../../domain/obs-codes.js';
import { attemptActivity, listRecords } from '../../store/console-views.repository.js';
import { ok } from '../envelope.js';
import type { RoutePlugin } from './plugin.js';

const RecordsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 64 })),
  state: Type.Optional(Type.String({ maxLength: 32, pattern: '^[a-z-]*$' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

const ActivityQuery = Type.Object({ bucketMs: Type.Optional(Type.Integer({ minimum: 60_000, maximum: 7 * 86_400_000 })) });

export function consoleViewRoutes(deps: DomainContext): RoutePlugin {
  return async (app) => {
    app.get('/v1/campaigns/:vdnId/:campaignId/records', { schema: { params: VdnCampaignParams, querystring: RecordsQuery } }, async (req) => {
      await requireCampaign(deps.db, req.params.vdnId, req.params.campaignId);
      const q = req.query;
      const page = await listRecords(deps.db, {
        campaignId: req.params.campaignId,
        ...(q.q ? { q: q.q } : {}),
        ...(q.state ? { state: q.state } : {}),
        offset: q.offset ?? 0,
        limit: q.limit ?? 50,
      });
      return ok('success', { returnObject: page });
    });

    app.get('/v1/campaigns/:vdnId/:campaignId/activity', { schema: { params: VdnCampaignParams, querystring: ActivityQuery } }, async (req) => {
      await requireCampaign(deps.db, req.params.vdnId, req.params.campaignId);
      const bucketMs = req.query.bucketMs ?? 3_600_000;
      return ok('success', { returnObject: { bucketMs, buckets: await attemptActivity(deps.db, req.params.campaignId, bucketMs, OBS_SUCCESS_CODE) } });
    });
  };
}
