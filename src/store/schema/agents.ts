/**
 * Agent campaigns (migrations/012-agents.ts): the agents of skill queues as the CTI reports
 * them, and one row per live-answered call of a skill-queue campaign, which feeds the rolling
 * abandon rate and the quiet period after an abandoned call. Times are engine epoch ms.
 */
export interface AgentTable {
  vdn_id: number;
  skill_id: number;
  /** The CTI's agent id (work number or account), ≤ 64 characters. */
  agent_id: string;
  /** ready, reserved, talking, wrap-up or offline (engine/agent-pool.ts). */
  state: string;
  updated_at: number;
}

export interface AgentCallTable {
  vdn_id: number;
  campaign_id: number;
  call_id: string;
  /** The called number in canonical form (phone-numbers.ts), for the quiet period. */
  number_key: string;
  answered_at: number;
  /** 1 when no agent took the call within the grace time (abandoned, 01046). */
  abandoned: number;
}

export interface AgentTables {
  agents: AgentTable;
  agent_calls: AgentCallTable;
}
