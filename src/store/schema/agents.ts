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

/**
 * The controller's measurements of one skill-queue campaign (migrations/013-agent-ledger.ts),
 * totals since the campaign's first call, shared by every node; its row lock serialises the
 * abandon-budget decisions.
 */
export interface AgentLedgerTable {
  campaign_id: number;
  /** Live-answered calls (connected or abandoned) and calls not answered by a person. */
  answered: number;
  failed: number;
  /** Sum of handle times (talk + wrap-up) of connected calls, ms, and their count. */
  handle_ms: number;
  handled: number;
  /** Sum of delays from the dialer's acknowledgement to the answer, ms, and their count. */
  answer_delay_ms: number;
  answer_delays: number;
  updated_at: number;
}

/** Calls one engine instance (`desk_id`) started for a campaign that could still be abandoned. */
export interface AgentExposureTable {
  campaign_id: number;
  desk_id: string;
  held: number;
  /** Engine time of the instance's last decision for the campaign; older than the attempt lease = ignored. */
  updated_at: number;
}

export interface AgentTables {
  agents: AgentTable;
  agent_calls: AgentCallTable;
  agent_ledger: AgentLedgerTable;
  agent_exposure: AgentExposureTable;
}
