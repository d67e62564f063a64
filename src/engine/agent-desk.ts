/**
 * The engine's view of the agents of skill-queue campaigns: how many calls a campaign may start
 * per tick (domain/dialing-modes.ts), abandon accounting, and the simulated agent pool.
 *
 * - Agents: with the simulated dialer, one simulated pool per skill queue (`vdnId:skillId`) of
 *   `CAMPAIGND_SIM_AGENTS` agents, talk and wrap-up times from `CAMPAIGND_SIM_AGENT_*_SECONDS`,
 *   seeded from `CAMPAIGND_SIM_SEED`; with another dialer, the states the CTI reports through
 *   `POST /campaignd/v1/agents/{vdnId}/{skillId}` (table `agents`).
 * - Simulated calls are settled at dispatch (the simulated dialer knows the outcome), so the pool
 *   decides there: an answered call takes the agent free the soonest; if none is free within the
 *   grace time the call is abandoned — failCode 01046, ended after the recorded message.
 * - Every answered call of a skill-queue campaign (connected or abandoned) is written to
 *   `agent_calls` in the settle path: the rolling 30-day abandon rate and the quiet period read it.
 * - Measured answer rate, handle time and answer delay are kept per campaign in memory (they are
 *   estimates; a restart starts again from neutral priors).
 */
import { ABANDON_OBS_CODE, ABANDON_WINDOW_MS, abandonHeadroom } from '../domain/abandon.js';
import { dialingModeOf, dispatchBudget, type DialingMode } from '../domain/dialing-modes.js';
import { OBS_SUCCESS_CODE } from '../domain/obs-codes.js';
import type { AgentConfig } from '../config/agents.js';
import { agentCallCounts, agentsOf, recordAgentCall } from '../store/agents.repository.js';
import type { CampaignRow } from '../store/campaigns.repository.js';
import type { Db } from '../store/db.js';
import { seededUnit, type AgentState } from './agent-pool.js';
import type { DialOutcome } from './dialer.js';

interface SimAgent {
  id: string;
  /** Talking from `startAt` (the answer of the call it took) until `talkUntil`, then in wrap-up until `busyUntil`. */
  startAt: number;
  talkUntil: number;
  busyUntil: number;
}

interface SimQueue {
  agents: SimAgent[];
  /** Instants at which calls in progress resolve (answer or failure). */
  pending: number[];
  unit: () => number;
  createdAt: number;
  /** Talk + wrap-up assigned so far, ms; agent waits before a call (count, ms). */
  busyMs: number;
  waits: number;
  waitMs: number;
}

interface Stats {
  answered: number;
  failed: number;
  handleMs: number;
  handled: number;
  answerDelayMs: number;
  answerDelays: number;
}

/** Agents of a skill queue by state, and the calls of the campaign in progress. */
export interface AgentSnapshot {
  byState: Record<AgentState, number>;
  inFlight: number;
  /** Busy (talk + wrap-up) share of logged-in agent time: since the simulated pool started, or of the agents now (CTI). */
  occupancy: number;
  /** Mean wait of an agent before a call, s (simulated pool; null when the CTI reports agents). */
  meanWaitSeconds: number | null;
}

/** The per-campaign numbers shown by the progress extension, the metrics and the trail. */
export interface AgentCampaignView {
  mode: DialingMode;
  skillId: number;
  agents: Record<AgentState, number>;
  answered: number;
  abandoned: number;
  /** Abandoned ÷ answered over the last 30 days (the life if shorter); 0 with nothing answered. */
  abandonRate: number;
  target: number;
  occupancy: number;
  meanWaitSeconds: number | null;
}

function emptyStates(): Record<AgentState, number> {
  return { ready: 0, reserved: 0, talking: 0, 'wrap-up': 0, offline: 0 };
}

function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class AgentDesk {
  readonly #queues = new Map<string, SimQueue>();
  readonly #stats = new Map<number, Stats>();

  constructor(
    private readonly db: Db,
    readonly cfg: AgentConfig,
    /** Whether the dialer is the simulated one (the pool is then simulated here). */
    private readonly simulated: boolean,
    private readonly seed: string,
  ) {}

  /** The campaign's mode, or null for IVR campaigns. */
  modeOf(c: Pick<CampaignRow, 'device_type'>): DialingMode | null {
    return dialingModeOf(c.device_type);
  }

  skillOf(c: Pick<CampaignRow, 'skill_param'>): number {
    try {
      const s = c.skill_param ? (JSON.parse(c.skill_param) as { skillId?: number | string }) : {};
      return Number(s.skillId ?? 0) || 0;
    } catch {
      return 0;
    }
  }

  #queue(vdnId: number, skillId: number, now: number): SimQueue {
    const key = `${vdnId}:${skillId}`;
    let q = this.#queues.get(key);
    if (!q) {
      q = {
        agents: Array.from({ length: this.cfg.simAgents }, (_, i) => ({ id: `sim-${skillId}-${i + 1}`, startAt: 0, talkUntil: 0, busyUntil: 0 })),
        pending: [],
        unit: seededUnit(hashSeed(`${this.seed}:${key}`)),
        createdAt: now,
        busyMs: 0,
        waits: 0,
        waitMs: 0,
      };
      this.#queues.set(key, q);
    }
    return q;
  }

  #statsOf(campaignId: number): Stats {
    let s = this.#stats.get(campaignId);
    if (!s) {
      s = { answered: 0, failed: 0, handleMs: 0, handled: 0, answerDelayMs: 0, answerDelays: 0 };
      this.#stats.set(campaignId, s);
    }
    return s;
  }

  /** Agents by state and calls in progress, at `now`. */
  async snapshot(c: CampaignRow, now: number): Promise<AgentSnapshot> {
    const byState = emptyStates();
    const skillId = this.skillOf(c);
    if (this.simulated) {
      const q = this.#queue(c.vdn_id, skillId, now);
      q.pending = q.pending.filter((t) => t > now);
      // An agent taken by a call not answered yet is still ready now (the call is among those in progress).
      for (const a of q.agents) byState[a.busyUntil <= now || a.startAt > now ? 'ready' : a.talkUntil > now ? 'talking' : 'wrap-up']++;
      const span = q.agents.length * Math.max(1, now - q.createdAt);
      return { byState, inFlight: q.pending.length, occupancy: Math.min(1, q.busyMs / span), meanWaitSeconds: q.waits === 0 ? 0 : q.waitMs / q.waits / 1000 };
    }
    for (const a of await agentsOf(this.db, c.vdn_id, skillId)) if (a.state in byState) byState[a.state as AgentState]++;
    const r = await this.db
      .selectFrom('call_data')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', c.id)
      .where('state', '=', 'dialing')
      .executeTakeFirstOrThrow();
    const logged = byState.ready + byState.reserved + byState.talking + byState['wrap-up'];
    return { byState, inFlight: Number(r.n), occupancy: logged === 0 ? 0 : (byState.talking + byState['wrap-up']) / logged, meanWaitSeconds: null };
  }

  /**
   * Calls the campaign may start now (≤ `maxNew`), or null for an IVR campaign (it keeps
   * `callCount` per `callInterval`). Preview campaigns get 0: agents pull their records.
   */
  async budget(c: CampaignRow, now: number, maxNew: number): Promise<number | null> {
    const mode = this.modeOf(c);
    if (mode === null) return null;
    if (mode === 'preview') return 0;
    const snap = await this.snapshot(c, now);
    const s = this.#statsOf(c.id);
    const horizonMs = c.max_alerting_time * 1000 + this.cfg.abandonGraceMs + 2000;
    const all = await agentCallCounts(this.db, c.id, now - ABANDON_WINDOW_MS);
    const staying = await agentCallCounts(this.db, c.id, now - ABANDON_WINDOW_MS + horizonMs);
    return dispatchBudget({
      mode,
      ratio: this.cfg.progressiveRatio,
      freeAgents: snap.byState.ready,
      busyAgents: snap.byState.talking + snap.byState['wrap-up'] + snap.byState.reserved,
      inFlight: snap.inFlight,
      waiting: 0,
      // Neutral priors until the campaign has its own measurements.
      answerRate: (s.answered + 1) / (s.answered + s.failed + 2),
      meanHandleSeconds: s.handled === 0 ? 180 : s.handleMs / s.handled / 1000,
      meanAnswerSeconds: s.answerDelays === 0 ? 10 : s.answerDelayMs / s.answerDelays / 1000,
      graceSeconds: this.cfg.abandonGraceMs / 1000,
      target: this.cfg.abandonTarget,
      measuredRate: all.answered === 0 ? 0 : all.abandoned / all.answered,
      headroom: abandonHeadroom(this.cfg.abandonTarget, staying.answered, all.abandoned),
      maxNew,
    });
  }

  /**
   * Whether an automatic reservation of this campaign may be dialled now: null for an IVR
   * campaign (no agents involved), otherwise true when an agent is free beyond the calls already
   * in progress — one call per free agent whatever the campaign's mode (a customer who asked to be
   * called back is never dialled predictively, so a reservation can never be abandoned for lack of
   * an agent the controller expected).
   */
  async reservationMayDial(c: CampaignRow, now: number): Promise<boolean | null> {
    if (this.modeOf(c) === null) return null;
    const snap = await this.snapshot(c, now);
    return snap.byState.ready - snap.inFlight >= 1;
  }

  /**
   * Simulated dialer only: an answered call of a skill-queue campaign takes the agent free the
   * soonest, or is abandoned (01046, released after the recorded message at answer + grace).
   * Other outcomes pass unchanged; every call joins the calls in progress until it resolves.
   */
  place(c: CampaignRow, o: DialOutcome, now: number): DialOutcome {
    // Preview calls are placed by the agent who is on them: never abandoned.
    if (!this.simulated || this.modeOf(c) === null || this.modeOf(c) === 'preview') return o;
    const q = this.#queue(c.vdn_id, this.skillOf(c), now);
    if (o.failCode !== OBS_SUCCESS_CODE || o.callBeginTime === null) {
      q.pending.push(o.callEndTime ?? now);
      return o;
    }
    const answeredAt = o.callBeginTime;
    q.pending.push(answeredAt);
    let best: SimAgent | undefined;
    for (const a of q.agents) if (!best || a.busyUntil < best.busyUntil) best = a;
    if (!best || Math.max(best.busyUntil, now) > answeredAt + this.cfg.abandonGraceMs) {
      return { ...o, failCode: ABANDON_OBS_CODE, callEndTime: answeredAt + this.cfg.abandonGraceMs, recordPath: null };
    }
    const [tlo, thi] = this.cfg.simAgentTalkSeconds;
    const [wlo, whi] = this.cfg.simAgentWrapUpSeconds;
    const start = Math.max(answeredAt, best.busyUntil);
    const talk = Math.round((tlo + (thi - tlo) * q.unit()) * 1000);
    const wrap = Math.round((wlo + (whi - wlo) * q.unit()) * 1000);
    q.waits++;
    q.waitMs += Math.max(0, start - Math.max(best.busyUntil, q.createdAt));
    q.busyMs += talk + wrap;
    best.startAt = start;
    best.talkUntil = start + talk;
    best.busyUntil = start + talk + wrap;
    return { ...o, callBeginTime: answeredAt, callEndTime: start + talk };
  }

  /** The next instant a simulated agent or call changes state (for the manual clock), or null. */
  nextEvent(now: number): number | null {
    let next: number | null = null;
    const consider = (t: number) => {
      if (t > now && (next === null || t < next)) next = t;
    };
    for (const q of this.#queues.values()) {
      for (const t of q.pending) consider(t);
      for (const a of q.agents) {
        consider(a.startAt);
        consider(a.talkUntil);
        consider(a.busyUntil);
      }
    }
    return next;
  }

  /**
   * The settle path's hook: measures the outcome and, for an answered call of a skill-queue
   * campaign (connected 00000 or abandoned 01046), writes its `agent_calls` row. Returns whether
   * the call was abandoned.
   */
  async settled(c: Pick<CampaignRow, 'id' | 'vdn_id' | 'device_type'>, callId: string, numberKey: string, o: DialOutcome, now: number): Promise<boolean> {
    if (this.modeOf(c) === null) return false;
    const s = this.#statsOf(c.id);
    const abandoned = o.failCode === ABANDON_OBS_CODE;
    const answered = abandoned || o.failCode === OBS_SUCCESS_CODE;
    if (!answered) {
      s.failed++;
      return false;
    }
    s.answered++;
    if (o.callBeginTime !== null && o.ackBeginTime !== null) {
      s.answerDelayMs += Math.max(0, o.callBeginTime - o.ackBeginTime) + 1000;
      s.answerDelays++;
    }
    if (!abandoned && o.callBeginTime !== null && o.callEndTime !== null) {
      const [wlo, whi] = this.cfg.simAgentWrapUpSeconds;
      s.handleMs += o.callEndTime - o.callBeginTime + (this.simulated ? ((wlo + whi) / 2) * 1000 : 0);
      s.handled++;
    }
    await recordAgentCall(this.db, { vdnId: c.vdn_id, campaignId: c.id, callId, numberKey, answeredAt: o.callBeginTime ?? now, abandoned });
    return abandoned;
  }

  /** Mode, agents, answered, abandoned and the rolling abandon rate of a skill-queue campaign; null for IVR. */
  async view(c: CampaignRow, now: number): Promise<AgentCampaignView | null> {
    const mode = this.modeOf(c);
    if (mode === null) return null;
    const snap = await this.snapshot(c, now);
    const w = await agentCallCounts(this.db, c.id, now - ABANDON_WINDOW_MS);
    return {
      mode,
      skillId: this.skillOf(c),
      agents: snap.byState,
      answered: w.answered,
      abandoned: w.abandoned,
      abandonRate: w.answered === 0 ? 0 : w.abandoned / w.answered,
      target: this.cfg.abandonTarget,
      occupancy: snap.occupancy,
      meanWaitSeconds: snap.meanWaitSeconds,
    };
  }
}
