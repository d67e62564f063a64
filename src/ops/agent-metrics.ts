/**
 * Agent-campaign gauges, read at scrape time (engine/agent-desk.ts): for each skill-queue
 * campaign that has not expired (at most 200, newest first) its agents by state, answered and
 * abandoned calls and abandon rate over the last 30 days, and agent occupancy.
 *
 * - `campaignd_agent_agents{campaign_id, state}` — agents by state (ready, reserved, talking, wrap-up, offline)
 * - `campaignd_agent_answered_calls{campaign_id}`, `campaignd_agent_abandoned_calls{campaign_id}` — 30-day window
 * - `campaignd_agent_abandon_rate{campaign_id}` — abandoned ÷ answered, 30-day window (fraction)
 * - `campaignd_agent_occupancy{campaign_id}` — busy share of logged-in agent time (fraction)
 * - `campaignd_agent_answer_rate{campaign_id}`, `campaignd_agent_handle_seconds{campaign_id}` — the
 *   predictive controller's measured answer rate (fraction) and mean handle time (s), from the database
 */
import { Gauge, type Registry } from 'prom-client';
import { SKILL_DEVICE_TYPES } from '../domain/campaign-rules.js';
import type { AgentCampaignView } from '../engine/agent-desk.js';
import type { Clock } from '../engine/clock.js';
import type { Engine } from '../engine/engine.js';
import type { Db } from '../store/db.js';

async function views(db: Db, engine: Engine, now: number): Promise<Array<[number, AgentCampaignView]>> {
  const desk = engine.agents;
  if (!desk) return [];
  const rows = await db
    .selectFrom('campaigns')
    .selectAll()
    .where('device_type', 'in', [...SKILL_DEVICE_TYPES])
    .where('end_time', '>', now)
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
  const out: Array<[number, AgentCampaignView]> = [];
  for (const c of rows) {
    const v = await desk.view(c, now);
    if (v) out.push([Number(c.id), v]);
  }
  return out;
}

/** Registers the agent gauges on `registry`; nothing is read unless the engine has agents. */
export function registerAgentMetrics(registry: Registry, deps: { db: Db; clock: Clock; engine?: Engine }): void {
  const engine = deps.engine;
  if (!engine?.agents) return;
  let pending: Promise<Array<[number, AgentCampaignView]>> | null = null;
  /** One store read per scrape, shared by the gauges. */
  const read = () => (pending ??= views(deps.db, engine, deps.clock.now()).finally(() => setTimeout(() => (pending = null), 0)));
  const gauge = (name: string, help: string, pick: (v: AgentCampaignView) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['campaign_id'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const [id, v] of await read()) this.set({ campaign_id: String(id) }, pick(v));
      },
    });
  new Gauge({
    name: 'campaignd_agent_agents',
    help: 'agents of the skill queue of each skill-queue campaign, by state',
    labelNames: ['campaign_id', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [id, v] of await read()) for (const [state, n] of Object.entries(v.agents)) this.set({ campaign_id: String(id), state }, n);
    },
  });
  gauge('campaignd_agent_answered_calls', 'live-answered calls of the campaign over the last 30 days', (v) => v.answered);
  gauge('campaignd_agent_abandoned_calls', 'abandoned calls (01046) of the campaign over the last 30 days', (v) => v.abandoned);
  gauge('campaignd_agent_abandon_rate', 'abandoned / live-answered calls over the last 30 days (fraction)', (v) => v.abandonRate);
  gauge('campaignd_agent_occupancy', 'busy (talk + wrap-up) share of logged-in agent time (fraction)', (v) => v.occupancy);
  gauge('campaignd_agent_answer_rate', "the controller's measured share of started calls answered by a person (fraction)", (v) => v.answerRate);
  gauge('campaignd_agent_handle_seconds', "the controller's measured mean handle time, talk + wrap-up (s)", (v) => v.meanHandleSeconds);
}
