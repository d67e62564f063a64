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
 */
import { Type } from '@sinclair/typebox';
import type { DomainContext } from '../../domain/context.js';
import { AGENT_STATES } from '../../engine/agent-pool.js';
import type { Engine } from '../../engine/engine.js';
import { agentsOf, reportAgents } from '../../store/agents.repository.js';
import { ok } from '../envelope.js';
import type { RoutePlugin } from './plugin.js';

const Params = Type.Object({ vdnId: Type.Integer({ minimum: 1, maximum: 9999 }), skillId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const Report = Type.Object({
  agents: Type.Array(
    Type.Object({
      agentId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._@-]+$' }),
      state: Type.Union(AGENT_STATES.map((s) => Type.Literal(s))),
    }),
    { minItems: 1, maxItems: 1000 },
  ),
});

export function agentRoutes(deps: DomainContext & { engine?: Engine }): RoutePlugin {
  return async (app) => {
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
