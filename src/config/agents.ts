/**
 * Agent-campaign settings (README §Configuration → Agent campaigns): the abandon rules and the
 * simulated agent pool. Read once at start; a value that cannot be used throws with its name.
 */
import { ConfigError } from './error.js';
import { envInt as int, envRange as range, type Env } from './env.js';

export interface AgentConfig {
  /** Abandon-rate target of every skill-queue campaign, a fraction (CAMPAIGND_ABANDON_TARGET_PERCENT, default 3 %). */
  abandonTarget: number;
  /** An answered call without an agent this long is abandoned, ms (CAMPAIGND_ABANDON_GRACE_SECONDS, default 2 s). */
  abandonGraceMs: number;
  /** No call to a number within this after an abandoned one, ms (CAMPAIGND_ABANDON_QUIET_HOURS, default 72 h). */
  abandonQuietMs: number;
  /** Progressive calls per free agent (CAMPAIGND_PROGRESSIVE_RATIO, default 1, at most 5). */
  progressiveRatio: number;
  /** The simulated dialer's agent pool per skill queue: count, talk and wrap-up ranges (s). */
  simAgents: number;
  simAgentTalkSeconds: [number, number];
  simAgentWrapUpSeconds: [number, number];
}

function decimal(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return def;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(`${name} must be a number such as 3 or 1.5, got "${raw}"`);
  const v = Number(raw);
  if (v < min || v > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${v}`);
  return v;
}

/** Reads the agent-campaign variables; throws a `ConfigError` naming the variable. */
export function loadAgentConfig(env: Env = process.env): AgentConfig {
  return {
    abandonTarget: decimal(env, 'CAMPAIGND_ABANDON_TARGET_PERCENT', 3, 0, 100) / 100,
    abandonGraceMs: int(env, 'CAMPAIGND_ABANDON_GRACE_SECONDS', 2, 1, 60) * 1000,
    abandonQuietMs: int(env, 'CAMPAIGND_ABANDON_QUIET_HOURS', 72, 0, 24 * 365) * 3_600_000,
    progressiveRatio: decimal(env, 'CAMPAIGND_PROGRESSIVE_RATIO', 1, 1, 5),
    simAgents: int(env, 'CAMPAIGND_SIM_AGENTS', 10, 0, 10_000),
    simAgentTalkSeconds: range(env, 'CAMPAIGND_SIM_AGENT_TALK_SECONDS', [60, 240]),
    simAgentWrapUpSeconds: range(env, 'CAMPAIGND_SIM_AGENT_WRAPUP_SECONDS', [5, 15]),
  };
}
