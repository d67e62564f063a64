/**
 * Agents of skill queues, reported by the CTI (the webhook dialer's side); signed like every
 * extension, the key must be allowed on the path's VDN.
 *
 * - `POST /campaignd/v1/agents/{vdnId}/{skillId}` `{agents: [{agentId, state}]}` — the listed
 *   agents' states (ready, reserved, talking, wrap-up, offline); others keep theirs. At most 1000
 *   per request (02000011); an unknown state → 02000007; agentId 1–64 of `[A-Za-z0-9._@-]` → 02000002.
 *   Skill-queue campaigns on that queue are then paced by the free agents (agent-desk.ts).
 * - `GET  /campaignd/v1/agents/{vdnId}/{skillId}` — the agents as last reported, by id, with
 *   `updatedAt` (engine epoch ms).
 * - `POST /campaignd/v1/campaigns/{vdnId}/{campaignId}/preview/next` `{agentId}` — a preview
 *   campaign's next due record that passes the dial-time gates, offered to the agent:
 *   `returnObject.record` `{dataId, calledNo, sessionId, callData}` or null when none is due.
 *   Not a preview campaign (deviceType 5) → 0200001.
 * - `POST /campaignd/v1/campaigns/{vdnId}/{campaignId}/preview/{dataId}` `{agentId, decision}` —
 *   `call` dials the record now (`returnObject.callId`, null when a gate held it meanwhile),
 *   `skip` finishes it without a call. A record not on offer to that agent → 0200001. A `call`
 *   takes one call of the current second's CAMPAIGND_MAX_CPS budget (shared with the engine and
 *   every node); none left → 0200022 (the vendor's "called too frequently"), the record stays on
 *   offer and the same decision may be sent again from the next second (engine/call-data-worker.ts).
 */
import { Type } from '@sinclair/typebox';
import type { DomainContext } from '../../domain/context.js';
import { AGENT_STATES } from '../../engine/agent-pool.js';
import type { Engine } from '../../engine/engine.js';
import { agentsOf, reportAgents } from '../../store/agents.repository.js';
import { ok } from '../envelope.js';
import { VdnCampaignParams } from '../../contract/common.js';
import { paramError } from '../../domain/errors.js';
import { isSerialId } from '../../domain/ids.js';
import { requireCampaign } from '../../domain/campaigns.js';
import { dialingModeOf } from '../../domain/dialing-modes.js';
import type { RoutePlugin } from './plugin.js';

const AgentId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' });

const Params = Type.Object({ vdnId: Type.Integer({ minimum: 1, maximum: 9999 }), skillId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const Report = Type.Object({
  agents: Type.Array(
    Type.Object({
      agentId: AgentId,
      state: Type.Union(AGENT_STATES.map((s) => Type.Literal(s))),
    }),
    { minItems: 1, maxItems: 1000 },
  ),
});

async function previewCampaign(deps: DomainContext & { engine?: Engine }, vdnId: number, campaignId: number) {
  const c = await requireCampaign(deps.db, vdnId, campaignId);
  if (dialingModeOf(c.device_type) !== 'preview') throw paramError(`campaign ${campaignId} is not a preview campaign (deviceType 5)`);
  if (!deps.engine) throw paramError('the engine is not running');
  return { c, engine: deps.engine };
}

export function agentRoutes(deps: DomainContext & { engine?: Engine }): RoutePlugin {
  return async (app) => {
    app.post('/v1/campaigns/:vdnId/:campaignId/preview/next', { schema: { params: VdnCampaignParams, body: Type.Object({ agentId: AgentId }) } }, async (req) => {
      const { c, engine } = await previewCampaign(deps, req.params.vdnId, req.params.campaignId);
      return ok('success', { returnObject: { record: await engine.previewNext(c, req.body.agentId) } });
    });
    app.post(
      '/v1/campaigns/:vdnId/:campaignId/preview/:dataId',
      {
        schema: {
          params: Type.Composite([VdnCampaignParams, Type.Object({ dataId: Type.Integer({ minimum: 1 }) })]),
          body: Type.Object({ agentId: AgentId, decision: Type.Union([Type.Literal('call'), Type.Literal('skip')]) }),
        },
      },
      async (req) => {
        const { c, engine } = await previewCampaign(deps, req.params.vdnId, req.params.campaignId);
        // A dataId beyond the serial range names no record, so none is on offer.
        const r = isSerialId(req.params.dataId) ? await engine.previewDecide(c, req.params.dataId, req.body.agentId, req.body.decision) : { offered: false, callId: null };
        if (!r.offered) throw paramError(`record ${req.params.dataId} is not on offer to agent ${req.body.agentId}`);
        return ok('success', { returnObject: { callId: r.callId } });
      },
    );
    app.post('/v1/agents/:vdnId/:skillId', { schema: { params: Params, body: Report } }, async (req) => {
      await reportAgents(deps.db, req.params.vdnId, req.params.skillId, req.body.agents, deps.clock.now());
      deps.engine?.nudge();
      return ok('success');
    });
    app.get('/v1/agents/:vdnId/:skillId', { schema: { params: Params } }, async (req) =>
      ok('success', { returnObject: { agents: await agentsOf(deps.db, req.params.vdnId, req.params.skillId) } }),
    );
  };
}
