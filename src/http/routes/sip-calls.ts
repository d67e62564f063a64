/**
 * `GET /campaignd/v1/campaigns/{vdnId}/calls/{callId}/sip` — the SIP side of a call the SIP
 * dialer placed (domain/sip-calls.ts); signed like every extension. Unknown call → 0200001.
 */
import { Type } from '@sinclair/typebox';
import type { DomainContext } from '../../domain/context.js';
import { sipCallDetail } from '../../domain/sip-calls.js';
import { ok } from '../envelope.js';
import type { RoutePlugin } from './plugin.js';

export function sipCallRoutes(deps: DomainContext): RoutePlugin {
  return async (app) => {
    app.get(
      '/v1/campaigns/:vdnId/calls/:callId/sip',
      { schema: { params: Type.Object({ vdnId: Type.Integer({ minimum: 1, maximum: 9999 }), callId: Type.String({ minLength: 1, maxLength: 64 }) }) } },
      async (req) => ok('success', { returnObject: await sipCallDetail(deps.db, req.params.vdnId, req.params.callId) }),
    );
  };
}
