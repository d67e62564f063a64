/**
 * Agents of a skill queue as a resource, and the simulated agent pool of the simulated dialer.
 *
 * An agent is `ready` (may take a call), `reserved` (seized for one call: a preview the agent
 * accepted), `talking`, `wrap-up` (after-call work) or `offline`. With the webhook dialer these
 * states come from the CTI; the simulated pool drives them itself: a configurable number of
 * agents, talk and wrap-up times drawn uniformly from ranges (s), all from a seed, so the same
 * seed gives the same agents and the same times.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export type AgentState = 'ready' | 'reserved' | 'talking' | 'wrap-up' | 'offline';
export const AGENT_STATES: readonly AgentState[] = ['ready', 'reserved', 'talking', 'wrap-up', 'offline'];

/** Simulated pool settings: count, talk and wrap-up ranges in seconds, and the seed. */
export interface SimulatedPoolOptions {
  agents: number;
  talkSeconds: readonly [number, number];
  wrapUpSeconds: readonly [number, number];
  seed: number;
}

export interface Agent {
  id: string;
  state: AgentState;
  /** Instant (epoch ms) the agent entered its state. */
  since: number;
  /** Busy (talking + wrap-up) and logged-in (not offline) time so far, ms. */
  busyMs: number;
  loggedInMs: number;
}

/** A seeded stream of uniform numbers in [0, 1). */
export function seededUnit(seed: number): () => number {
  const rng = xoroshiro128plus(seed);
  return () => uniformFloat64(rng);
}

/** Agents and their state; time accounting for occupancy (busy ÷ logged-in) and idle waits. */
export class AgentPool {
  readonly agents: Agent[];
  readonly #unit: () => number;
  readonly #opts: SimulatedPoolOptions;
  /** Ready periods that ended with a call (count, total ms): the agents' wait between calls. */
  #waits = { count: 0, totalMs: 0 };

  constructor(opts: SimulatedPoolOptions, now: number) {
    this.#opts = opts;
    this.#unit = seededUnit(opts.seed);
    this.agents = Array.from({ length: opts.agents }, (_, i) => ({ id: `agent-${i + 1}`, state: 'offline' as AgentState, since: now, busyMs: 0, loggedInMs: 0 }));
  }

  /** Moves an agent to `state` at `now`, accounting the time spent in the previous one. */
  set(agent: Agent, state: AgentState, now: number): void {
    const spent = Math.max(0, now - agent.since);
    if (agent.state !== 'offline') agent.loggedInMs += spent;
    if (agent.state === 'talking' || agent.state === 'wrap-up') agent.busyMs += spent;
    if (agent.state === 'ready' && (state === 'talking' || state === 'reserved')) {
      this.#waits.count++;
      this.#waits.totalMs += spent;
    }
    agent.state = state;
    agent.since = now;
  }

  /** Agents in `state`. */
  count(state: AgentState): number {
    let n = 0;
    for (const a of this.agents) if (a.state === state) n++;
    return n;
  }

  /** The agent ready the longest, if any. */
  longestReady(): Agent | undefined {
    let best: Agent | undefined;
    for (const a of this.agents) if (a.state === 'ready' && (!best || a.since < best.since)) best = a;
    return best;
  }

  /** A talk time (ms) from the pool's range. */
  talkMs(): number {
    const [lo, hi] = this.#opts.talkSeconds;
    return Math.round((lo + (hi - lo) * this.#unit()) * 1000);
  }

  /** A wrap-up time (ms) from the pool's range. */
  wrapUpMs(): number {
    const [lo, hi] = this.#opts.wrapUpSeconds;
    return Math.round((lo + (hi - lo) * this.#unit()) * 1000);
  }

  /** Occupancy (busy ÷ logged-in, 0 when nobody logged in) and the mean wait (s) of an agent before a call, up to `now`. */
  occupancy(now: number): { occupancy: number; meanWaitSeconds: number } {
    let busy = 0;
    let logged = 0;
    for (const a of this.agents) {
      const spent = Math.max(0, now - a.since);
      busy += a.busyMs + (a.state === 'talking' || a.state === 'wrap-up' ? spent : 0);
      logged += a.loggedInMs + (a.state !== 'offline' ? spent : 0);
    }
    return { occupancy: logged === 0 ? 0 : busy / logged, meanWaitSeconds: this.#waits.count === 0 ? 0 : this.#waits.totalMs / this.#waits.count / 1000 };
  }
}
