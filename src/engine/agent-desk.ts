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
 * - Measured answer rate, handle time and answer delay are totals per campaign in `agent_ledger`
 *   (store/agent-ledger.repository.ts), written in the settle path by whichever node settles the
 *   call: every node reads the same figures, and a restart resumes from them.
 * - Several nodes: each decision is taken under the campaign's ledger lock. The calls an engine
 *   instance starts beyond its free agents (the ones that could be abandoned in the worst case)
 *   are its *exposure* (`agent_exposure`); the other instances subtract it from the abandon
 *   headroom, and an abandoned call gives its unit back in the transaction that counts it. So
 *   abandoned + every instance's exposure never passes ⌊target × answered⌋, whatever the number
 *   of nodes (predictive-controller.ts "Hard guard").
 */
import { ABANDON_OBS_CODE, ABANDON_WINDOW_MS, abandonHeadroom } from '../domain/abandon.js';
import { dialingModeOf, dispatchBudget, type DialingMode } from '../domain/dialing-modes.js';
import { OBS_SUCCESS_CODE } from '../domain/obs-codes.js';
import type { AgentConfig } from '../config/agents.js';
import { randomBytes } from 'node:crypto';
import { decideWithLedger, ledgerMeasurements, recordAnsweredCall, recordFailedCall, type LedgerMeasurements } from '../store/agent-ledger.repository.js';
import { agentCallCounts, agentsOf } from '../store/agents.repository.js';
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

/** The controller's measured inputs of a campaign (what {@link AgentDesk.measured} returns). */
export interface MeasuredInputs {
  /** Answered ÷ started calls, with a neutral prior: (answered + 1) ÷ (answered + failed + 2). */
  answerRate: number;
  /** Mean handle time (talk + wrap-up), s; 180 before the first connected call. */
  meanHandleSeconds: number;
  /** Mean time from the dialer's acknowledgement to the answer, s (+1 s); 10 before the first answer. */
  meanAnswerSeconds: number;
  /** The totals they come from (agent_ledger). */
  totals: LedgerMeasurements;
}

/** The measured inputs from the ledger totals (neutral priors until the campaign has its own). */
export function measuredInputs(t: LedgerMeasurements): MeasuredInputs {
  return {
    answerRate: (t.answered + 1) / (t.answered + t.failed + 2),
    meanHandleSeconds: t.handled === 0 ? 180 : t.handleMs / t.handled / 1000,
    meanAnswerSeconds: t.answerDelays === 0 ? 10 : t.answerDelayMs / t.answerDelays / 1000,
    totals: t,
  };
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
  /** The controller's measured answer rate (answered ÷ started, with the neutral prior) and mean handle time, s: all nodes' calls, kept over a restart. */
  answerRate: number;
  meanHandleSeconds: number;
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
  /** This engine instance's name in `agent_exposure` (new at every start). */
  readonly deskId = `desk-${randomBytes(6).toString('hex')}`;

  constructor(
    private readonly db: Db,
    readonly cfg: AgentConfig,
    /** Whether the dialer is the simulated one (the pool is then simulated here). */
    private readonly simulated: boolean,
    private readonly seed: string,
    /** An instance's exposure older than this (ms; the attempt lease) is ignored: its calls are settled or reaped. */
    private readonly exposureTtlMs = 120_000,
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

  /** The controller's measured inputs of a campaign, from the database (the same on every node and after a restart). */
  async measured(campaignId: number): Promise<MeasuredInputs> {
    return measuredInputs(await ledgerMeasurements(this.db, campaignId));
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
   * Decided under the campaign's ledger lock (store/agent-ledger.repository.ts): the abandon
   * headroom is what the 30-day ledger allows minus the other instances' exposure, and this
   * instance's exposure becomes the calls it then has beyond its free agents.
   */
  async budget(c: CampaignRow, now: number, maxNew: number): Promise<number | null> {
    const mode = this.modeOf(c);
    if (mode === null) return null;
    if (mode === 'preview') return 0;
    const snap = await this.snapshot(c, now);
    const horizonMs = c.max_alerting_time * 1000 + this.cfg.abandonGraceMs + 2000;
    const free = snap.byState.ready;
    return decideWithLedger(
      this.db,
      {
        campaignId: c.id,
        deskId: this.deskId,
        now,
        windowFrom: now - ABANDON_WINDOW_MS,
        stayingFrom: now - ABANDON_WINDOW_MS + horizonMs,
        staleBefore: now - this.exposureTtlMs,
      },
      (l) => {
        const m = measuredInputs(l.measurements);
        const dials = dispatchBudget({
          mode,
          ratio: this.cfg.progressiveRatio,
          freeAgents: free,
          busyAgents: snap.byState.talking + snap.byState['wrap-up'] + snap.byState.reserved,
          inFlight: snap.inFlight,
          waiting: 0,
          answerRate: m.answerRate,
          meanHandleSeconds: m.meanHandleSeconds,
          meanAnswerSeconds: m.meanAnswerSeconds,
          graceSeconds: this.cfg.abandonGraceMs / 1000,
          target: this.cfg.abandonTarget,
          measuredRate: l.answered === 0 ? 0 : l.abandoned / l.answered,
          headroom: Math.max(0, abandonHeadroom(this.cfg.abandonTarget, l.staying, l.abandoned) - l.othersHeld),
          maxNew,
        });
        // Worst case: every call in progress beyond the free agents is abandoned.
        return { result: dials, held: Math.max(0, snap.inFlight + dials - free) };
      },
    );
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
   * campaign (connected 00000 or abandoned 01046), writes its `agent_calls` row. `trx` is the
   * settling transaction (settle-attempt.ts): the call's result, its `agent_calls` row and the
   * ledger totals then commit together, so no budget decision sees the settle without the
   * abandon (issue #16). Without it, its own transaction. Returns whether the call was abandoned.
   */
  async settled(c: Pick<CampaignRow, 'id' | 'vdn_id' | 'device_type'>, callId: string, numberKey: string, o: DialOutcome, now: number, trx: Db = this.db): Promise<boolean> {
    if (this.modeOf(c) === null) return false;
    const abandoned = o.failCode === ABANDON_OBS_CODE;
    const answered = abandoned || o.failCode === OBS_SUCCESS_CODE;
    if (!answered) {
      await recordFailedCall(trx, c.id, now);
      return false;
    }
    const answerDelayMs = o.callBeginTime !== null && o.ackBeginTime !== null ? Math.max(0, o.callBeginTime - o.ackBeginTime) + 1000 : null;
    let handleMs: number | null = null;
    if (!abandoned && o.callBeginTime !== null && o.callEndTime !== null) {
      const [wlo, whi] = this.cfg.simAgentWrapUpSeconds;
      handleMs = o.callEndTime - o.callBeginTime + (this.simulated ? ((wlo + whi) / 2) * 1000 : 0);
    }
    await recordAnsweredCall(
      trx,
      { vdnId: c.vdn_id, campaignId: c.id, callId, numberKey, answeredAt: o.callBeginTime ?? now, abandoned },
      { deskId: this.deskId, now, handleMs, answerDelayMs },
    );
    return abandoned;
  }

  /** Mode, agents, answered, abandoned and the rolling abandon rate of a skill-queue campaign; null for IVR. */
  async view(c: CampaignRow, now: number): Promise<AgentCampaignView | null> {
    const mode = this.modeOf(c);
    if (mode === null) return null;
    const snap = await this.snapshot(c, now);
    const w = await agentCallCounts(this.db, c.id, now - ABANDON_WINDOW_MS);
    const m = await this.measured(c.id);
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
      answerRate: m.answerRate,
      meanHandleSeconds: m.meanHandleSeconds,
    };
  }
}
