/**
 * Call data in the engine (state machine in store/schema/call-data.ts).
 *
 * Per pass: for each running campaign with due records, one *round* of at most
 * `ivrParam.callCount` calls (10 when unset), and the next round of that campaign no sooner than
 * `ivrParam.callInterval` seconds later (1 s when unset). Each claimed record goes through the
 * gates (gates.ts) at this very moment; a gate that holds releases the record with `due_at` =
 * the instant it is next eligible, so held work costs nothing until then. A record that passes
 * is dialled on its current number, with a calling number from the pool; the outcome is
 * recorded with its external result, and the retry decision (retry-decision.ts) moves the record
 * on: retry later, next number, or finished.
 */
import { budgetGate, type NumberHistory } from '../domain/attempt-budget.js';
import { checkSchedule } from '../domain/campaign-rules.js';
import type { IsSpecialDay, ScheduleWindows } from '../domain/calling-windows.js';
import { delayGate, firstHold, recycleGate, windowGate, type GateResult } from '../domain/gates.js';
import { blocklistAtDial } from './blocklist-at-dial.js';
import { abandonQuietAtDial } from './abandon-at-dial.js';
import { newLongId } from '../domain/ids.js';
import { ABANDON_OBS_CODE } from '../domain/abandon.js';
import { normalizeFailCode } from '../domain/obs-codes.js';
import { canonicalNumber, numberTail } from '../domain/phone-numbers.js';
import { decideAfterAttempt, localDay, type NumberCounters, type RetryRules } from '../domain/retry-decision.js';
import type { CampaignRow } from '../store/campaigns.repository.js';
import {
  campaignsWithDueData,
  claimDueCallData,
  nextCallDataEvent,
  numbersOf,
  numbersOfMany,
  reapCallData,
  releaseCallData,
  type CallDataNumberRow,
  type CallDataRow,
} from '../store/engine-call-data.repository.js';
import { dispatchMany, type DispatchAttempt, type DispatchOutcome, type MarkDispatched } from '../store/contact-safety.repository.js';
import { markCallDataDispatchedMany } from '../store/engine-batch.repository.js';
import { appendTrail } from '../store/engine.repository.js';
import type { Insertable } from 'kysely';
import type { TrailTable } from '../store/schema/engine.js';
import type { Db } from '../store/db.js';
import { contactRulesFor, countedLimits, packHoursGate, type ContactRules } from './contact-rules-at-dial.js';
import type { DialOutcome, DialRequest } from './dialer.js';
import type { EngineConfig } from '../config/engine.js';
import type { EngineContext, Worker } from './engine.js';
import { settleAttempt, settleAttempts, type SettleSubject } from './settle-attempt.js';
import { cancelRound, nextRoundAt, returnCps, startRound, takeCps } from '../store/pacing.repository.js';
import { DomainError } from '../domain/errors.js';
import { betweenStatements, independentReads } from '../store/dialect.js';

/**
 * Records dispatched (and settled) per transaction: a round's claimed records go through in
 * slices of at most this many, so one transaction never holds the store for long.
 */
export const DISPATCH_SLICE = 500;

/**
 * IVR rounds of different campaigns run at once in one pass where claims are row-locked
 * (PostgreSQL): each mostly waits for the server, 4 overlap that wait on a 2-core machine.
 */
export const ROUNDS_AT_ONCE = 4;

/**
 * Lets timers and I/O (the HTTP interface) run between slices: on SQLite every query of a pass
 * completes synchronously, so without it a long pass would hold the event loop to itself. (Between
 * single statements of a pass: store/dialect.ts `betweenStatements`, a turn on SQLite only.)
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** What the call-data worker needs from the policy areas, looked up per campaign. */
export interface CallDataPolicies {
  specialDays(db: Db, campaignId: number): Promise<IsSpecialDay>;
  retryRules(db: Db, campaignId: number, numberType: string | null): Promise<RetryRules>;
}

/**
 * The record's `retry_state`: per number index, attempts in all, the local days with attempts
 * (first attempt's day first), attempts per local day, attempts per outcome. Written in the
 * same transaction as each call result, so the attempt budget survives restarts.
 */
interface RetryState {
  numbers: Record<string, { attempts: number; days: string[]; perDay?: Record<string, number>; perOutcome: Record<string, number> }>;
}

function historyOf(state: RetryState, index: number): NumberHistory {
  const n = state.numbers[String(index)];
  return n ? { attempts: n.attempts, firstDay: n.days[0] ?? null, perDay: n.perDay ?? {} } : { attempts: 0, firstDay: null, perDay: {} };
}

/** What one round of a campaign needs, read once. */
export interface RoundContext {
  c: CampaignRow;
  windows: ScheduleWindows;
  special: IsSpecialDay;
  rules: ContactRules;
  /** Quiet period after an abandoned call to a number, ms (CAMPAIGND_ABANDON_QUIET_HOURS). */
  abandonQuietMs: number;
}

/** Reads a campaign's windows, special days and contact rules for a round (or a preflight). */
export async function roundContext(db: Db, engine: EngineConfig, policies: CallDataPolicies, c: CampaignRow): Promise<RoundContext> {
  return {
    c,
    windows: checkSchedule(JSON.parse(c.schedule_param) as Record<string, string | undefined>) as ScheduleWindows,
    special: await policies.specialDays(db, c.id),
    rules: contactRulesFor(engine, c),
    abandonQuietMs: engine.agents.abandonQuietMs,
  };
}

/**
 * The gates of one call-data attempt at `now` (epoch ms), in order: recycle time, attempt
 * budget, calling window, number delay, blocklist (by subscriber), the quiet period after an
 * abandoned call (abandon-at-dial.ts), rule-pack hours. Counted
 * limits (pack caps, contact caps) follow in the dispatch transaction. Campaign state and
 * paused batches are filtered by the claim itself.
 */
export async function callDataGates(db: Db, round: RoundContext, r: CallDataRow, num: CallDataNumberRow, rules: RetryRules, now: number, pre?: SliceLookups): Promise<GateResult> {
  const { c, windows, special } = round;
  const tz = round.rules.tz;
  const since = r.last_call_at !== null ? Number(r.last_call_at) : Number(r.created_at);
  const key = canonicalNumber(num.called_no, round.rules.region);
  return firstHold(
    recycleGate(r.recycle_time === null ? null : Number(r.recycle_time), now),
    budgetGate(rules, historyOf(readRetryState(r.retry_state), r.number_index), now, tz),
    pre ? pre.window : windowGate(now, tz, windows, special),
    delayGate(since + num.delay_time * 1000, now),
    pre && !pre.blocklistTails.has(numberTail(num.called_no)) ? { go: true } : await blocklistAtDial(db, c.vdn_id, num.called_no, now, tz, round.rules.region),
    pre && !pre.abandonedKeys.has(key) ? { go: true } : await abandonQuietAtDial(db, c.vdn_id, key, now, round.abandonQuietMs),
    packHoursGate(round.rules, now),
  );
}

/**
 * What the gates of a slice of records read once for all of them (issue #12): the calling
 * window at `now` (the same for every record of the round), the number tails of the slice that
 * have blocklist entries in the VDN, and the canonical numbers with an abandoned call within the
 * quiet period. A record whose tail or number is not in those sets has nothing there to hold it;
 * the others go through the full per-record lookups, so the decisions are the same as without.
 */
export interface SliceLookups {
  window: GateResult;
  blocklistTails: Set<string>;
  abandonedKeys: Set<string>;
}

export async function sliceLookups(db: Db, round: RoundContext, calledNos: ReadonlyArray<string>, now: number): Promise<SliceLookups> {
  const vdnId = round.c.vdn_id;
  const tails = [...new Set(calledNos.map(numberTail))];
  const keys = [...new Set(calledNos.map((n) => canonicalNumber(n, round.rules.region)))];
  const blocklistTails = new Set<string>();
  const abandonedKeys = new Set<string>();
  for (let i = 0; i < tails.length; i += 1000) {
    const rows = await db
      .selectFrom('blocklist')
      .select('number_tail')
      .distinct()
      .where('vdn_id', '=', vdnId)
      .where('number_tail', 'in', tails.slice(i, i + 1000))
      .execute();
    for (const r of rows) if (r.number_tail !== null) blocklistTails.add(r.number_tail);
  }
  if (round.abandonQuietMs > 0) {
    for (let i = 0; i < keys.length; i += 1000) {
      const rows = await db
        .selectFrom('agent_calls')
        .select('number_key')
        .distinct()
        .where('vdn_id', '=', vdnId)
        .where('number_key', 'in', keys.slice(i, i + 1000))
        .where('abandoned', '=', 1)
        .where('answered_at', '>', now - round.abandonQuietMs)
        .execute();
      for (const r of rows) abandonedKeys.add(r.number_key);
    }
  }
  return { window: windowGate(now, round.rules.tz, round.windows, round.special), blocklistTails, abandonedKeys };
}

/** A record that passed its gates, on its way to the dialer. */
interface GoRecord {
  r: CallDataRow;
  numbers: CallDataNumberRow[];
  num: CallDataNumberRow;
  callId: string;
  callerNo: string;
}

/** A trail row about record `r` at `now`. */
function trailRow(
  r: CallDataRow,
  row: Partial<{
    kind: string;
    gate: string | null;
    until: number | null;
    call_id: string | null;
    called_no: string | null;
    caller_no: string | null;
    fail_code: string | null;
    detail: string | null;
  }>,
  now: number,
): Insertable<TrailTable> {
  return {
    vdn_id: r.vdn_id,
    campaign_id: r.campaign_id,
    data_id: Number(r.id),
    reservation_id: null,
    at: now,
    kind: row.kind ?? 'note',
    gate: row.gate ?? null,
    until: row.until ?? null,
    call_id: row.call_id ?? null,
    called_no: row.called_no ?? null,
    caller_no: row.caller_no ?? null,
    fail_code: row.fail_code ?? null,
    detail: row.detail ?? null,
  };
}

function readRetryState(s: string | null): RetryState {
  if (!s) return { numbers: {} };
  try {
    const v = JSON.parse(s) as RetryState;
    return v && typeof v === 'object' && v.numbers ? v : { numbers: {} };
  } catch {
    return { numbers: {} };
  }
}

export class CallDataWorker implements Worker {
  constructor(
    private readonly ctx: EngineContext,
    private readonly policies: CallDataPolicies,
  ) {}

  async nextEvent(now: number): Promise<number | null> {
    // Independent reads: sent together on PostgreSQL, a turn of the event loop between them on
    // SQLite (store/dialect.ts `independentReads`; engine.ts `#nextEventAfter`).
    const [t, round] = await independentReads(this.ctx.db, [() => nextCallDataEvent(this.ctx.db, now), () => nextRoundAt(this.ctx.db, now)]);
    // Agents freeing up and calls resolving let skill-queue campaigns dial again.
    const agents = this.ctx.agents?.nextEvent(now) ?? null;
    const candidates = [t, round, agents].filter((x): x is number => x !== null);
    return candidates.length > 0 ? Math.min(...candidates) : null;
  }

  async reap(now: number): Promise<void> {
    const { undispatched, dispatched } = await reapCallData(this.ctx.db, now);
    for (const id of undispatched) this.ctx.events.emit('lease:reaped', { kind: 'call-data', id: String(id), settledAs: null });
    for (const r of dispatched) {
      const outcome: DialOutcome = { failCode: '34608', ackBeginTime: null, callBeginTime: null, callEndTime: now };
      await this.settle(r, r.lease_owner ?? '', r.call_id ?? newLongId(now), null, outcome, now);
      this.ctx.events.emit('lease:reaped', { kind: 'call-data', id: String(r.id), settledAs: '34608' });
    }
  }

  async settleExternal(callId: string, vdnId: number, outcome: DialOutcome, now: number): Promise<boolean> {
    const r = await this.ctx.db.selectFrom('call_data').selectAll().where('call_id', '=', callId).where('vdn_id', '=', vdnId).where('state', '=', 'dialing').executeTakeFirst();
    if (!r) return false;
    return this.settle(r, r.lease_owner ?? '', callId, null, outcome, now);
  }

  /**
   * Runs the rounds of the campaigns with due records, within `budget` dispatches, in the
   * campaigns' order: each round is sized (its share of the budget), started and its records
   * claimed in that order, one after another. On SQLite each round is also dialled before the
   * next begins; where claims are row-locked (PostgreSQL) the dialling of up to
   * {@link ROUNDS_AT_ONCE} IVR rounds overlaps, each on its own connection: a round mostly waits
   * for the server (issue #12). Skill-queue rounds (paced by their agents) are dialled before
   * the next round begins, as on SQLite.
   */
  async tick(now: number, budget: number): Promise<number> {
    let dispatched = 0;
    // Budget held by rounds being dialled (their claim's size), given back as they end.
    let reserved = 0;
    const left = () => budget - dispatched - reserved;
    const atOnce = this.ctx.caps.skipLocked ? ROUNDS_AT_ONCE : 1;
    const dialling = new Set<Promise<void>>();
    const failures: unknown[] = [];
    const campaigns = await campaignsWithDueData(this.ctx.db, now, 200);
    for (let i = 0; i < campaigns.length && failures.length === 0; ) {
      // A round under way may give budget back; with none under way, an empty budget ends the pass.
      if (dialling.size >= atOnce || (left() <= 0 && dialling.size > 0)) {
        await Promise.race(dialling);
        continue;
      }
      if (left() <= 0) break;
      const campaignId = campaigns[i++]!;
      // SQLite: a turn of the event loop before each campaign's reads (issue #12, p99 latency).
      await betweenStatements(this.ctx.db);
      const c = await this.ctx.db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
      if (!c) continue;
      const ivr = c.ivr_param ? (JSON.parse(c.ivr_param) as { callCount?: number; callInterval?: number }) : {};
      // Skill-queue campaigns are paced by their agents (agent-desk.ts); IVR ones by callCount per
      // callInterval, the round's spacing taken in the database first, so that no other node
      // starts one of this campaign meanwhile; a round that dialled nothing gives it back.
      const paced = (await this.ctx.agents?.budget(c, now, left())) ?? null;
      if (paced !== null && paced <= 0) continue;
      const ticket = paced === null ? await startRound(this.ctx.db, campaignId, now, (ivr.callInterval ?? 1) * 1000) : null;
      if (paced === null && ticket === null) continue;
      const share = Math.max(0, paced ?? Math.min(ivr.callCount ?? 10, left()));
      reserved += share;
      let dialledThisRound = 0;
      const round = async () => {
        try {
          const claimed = await claimDueCallData(this.ctx.db, this.ctx.caps, { campaignId, now, owner: this.ctx.nodeId, leaseMs: this.ctx.engine.attemptLeaseMs, limit: share });
          if (claimed.length === 0) return;
          const round = await roundContext(this.ctx.db, this.ctx.engine, this.policies, c);
          if (paced !== null) {
            // Skill-queue campaigns: one attempt at a time, each settled before the next is
            // dialled, since every answered call changes the agents the next one finds.
            for (const r of claimed) {
              if (await this.#attempt(round, r, now)) dialledThisRound++;
            }
          } else {
            for (let i = 0; i < claimed.length; i += DISPATCH_SLICE) {
              dialledThisRound += await this.#attemptMany(round, claimed.slice(i, i + DISPATCH_SLICE), now);
              await yieldToEventLoop();
            }
          }
        } finally {
          reserved -= share;
          dispatched += dialledThisRound;
          if (ticket !== null && dialledThisRound === 0) await cancelRound(this.ctx.db, campaignId, ticket);
        }
      };
      const done: Promise<void> = round()
        .catch((e: unknown) => void failures.push(e))
        .finally(() => dialling.delete(done));
      dialling.add(done);
      if (paced !== null) await done;
    }
    // Every round ends before the pass does, even when one of them failed.
    await Promise.all(dialling);
    if (failures.length > 0) throw failures[0];
    return dispatched;
  }

  /**
   * Preview campaigns: the next due record of the campaign that passes the dial-time gates,
   * offered to `agentId` (leased to `preview:{agentId}` for the attempt lease; an offer not
   * decided by then goes back to the list). Records held by a gate are released as in a round.
   * Null when nothing is due.
   */
  async previewNext(c: CampaignRow, agentId: string, now: number): Promise<{ dataId: number; calledNo: string; sessionId: string | null; callData: string | null } | null> {
    const { db, caps, engine } = this.ctx;
    const owner = `preview:${agentId}`;
    const round = await roundContext(db, engine, this.policies, c);
    for (let i = 0; i < 50; i++) {
      const [r] = await claimDueCallData(db, caps, { campaignId: c.id, now, owner, leaseMs: engine.attemptLeaseMs, limit: 1 });
      if (!r) return null;
      const numbers = await numbersOf(db, Number(r.id));
      const num = numbers[r.number_index];
      if (!num) {
        await releaseCallData(db, Number(r.id), owner, { dueAt: now, state: 'done', now });
        await this.#trail(r, { kind: 'finished', detail: 'no number left to call' }, now);
        continue;
      }
      const gate = await callDataGates(db, round, r, num, await this.policies.retryRules(db, r.campaign_id, num.type), now);
      if (!gate.go) {
        await this.#hold(r, numbers, num, gate, now, owner);
        continue;
      }
      await this.#trail(r, { kind: 'note', called_no: num.called_no, detail: `offered to agent ${agentId} (preview)` }, now);
      return { dataId: Number(r.id), calledNo: num.called_no, sessionId: r.session_id, callData: r.call_data };
    }
    return null;
  }

  /**
   * Preview: the agent's decision on a record offered to it. `call` dials it now through the
   * usual attempt (gates again, contact limits, dialer, settle) and returns the call id (null if a
   * gate held it meanwhile); `skip` finishes the record without a call ("skipped by agent").
   * False when the record is not on offer to that agent.
   */
  async previewDecide(c: CampaignRow, dataId: number, agentId: string, decision: 'call' | 'skip', now: number): Promise<{ offered: boolean; callId: string | null }> {
    const { db, nodeId, engine } = this.ctx;
    const owner = `preview:${agentId}`;
    const r = await db
      .selectFrom('call_data')
      .selectAll()
      .where('id', '=', dataId)
      .where('campaign_id', '=', c.id)
      .where('state', '=', 'dialing')
      .where('lease_owner', '=', owner)
      .where('dispatched_at', 'is', null)
      .executeTakeFirst();
    if (!r) return { offered: false, callId: null };
    if (decision === 'skip') {
      const num = (await numbersOf(db, dataId))[r.number_index];
      await releaseCallData(db, dataId, owner, { dueAt: now, state: 'done', now });
      await this.#trail(r, { kind: 'finished', gate: null, called_no: num?.called_no ?? null, detail: `skipped by agent ${agentId} (preview)` }, now);
      return { offered: true, callId: null };
    }
    // A preview call takes from the same calls-per-second budget as the engine's dispatches
    // (CAMPAIGND_MAX_CPS, all nodes). None left in this second: 0200022, the record stays on
    // offer to the agent, who decides again from the next second.
    if ((await takeCps(db, now, engine.maxCps, 1)) < 1) {
      const next = Math.floor(now / 1000) * 1000 + 1000;
      throw new DomainError(
        '0200022',
        `no call left in this second under CAMPAIGND_MAX_CPS (${engine.maxCps}); record ${dataId} stays on offer to agent ${agentId}: decide again from ${new Date(next).toISOString()}`,
      );
    }
    let callId: string | null = null;
    let offered = false;
    try {
      // The agent's record becomes this node's attempt.
      const moved = await db
        .updateTable('call_data')
        .set({ lease_owner: nodeId, lease_until: now + engine.attemptLeaseMs, updated_at: now })
        .where('id', '=', dataId)
        .where('lease_owner', '=', owner)
        .where('state', '=', 'dialing')
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return { offered: false, callId: null };
      offered = true;
      const round = await roundContext(db, engine, this.policies, c);
      const off = this.ctx.events.on('attempt:dispatched', (e) => {
        if (e.dataId === dataId) callId = e.callId;
      });
      try {
        await this.#attempt(round, { ...r, lease_owner: nodeId }, now);
      } finally {
        off();
      }
    } finally {
      // No call started (lost, or held by a gate): the unit goes back to this second's budget.
      if (callId === null) await returnCps(db, now, 1);
    }
    return { offered, callId };
  }

  /** A record held by `gate`: released until it is next eligible, moved to its next number, or finished. */
  async #hold(r: CallDataRow, numbers: CallDataNumberRow[], num: CallDataNumberRow, gate: Extract<GateResult, { go: false }>, now: number, owner = this.ctx.nodeId): Promise<void> {
    const { db, events } = this.ctx;
    const nodeId = owner;
    const permanent = gate.until === null && (gate.gate === 'blocklist' || gate.gate === 'recycle-time' || gate.gate === 'attempt-budget');
    if (permanent && gate.gate !== 'recycle-time' && r.number_index + 1 < numbers.length) {
      // This number may never be dialled (again): the record moves on to its next number.
      await releaseCallData(db, Number(r.id), nodeId, { dueAt: now, numberIndex: r.number_index + 1, now });
      await this.#trail(r, { kind: 'skipped', gate: gate.gate, until: null, called_no: num.called_no, detail: `${gate.reason}; next number` }, now);
    } else if (permanent) {
      await releaseCallData(db, Number(r.id), nodeId, { dueAt: now, state: 'done', now });
      await this.#trail(r, { kind: 'finished', gate: gate.gate, called_no: num.called_no, detail: gate.reason }, now);
    } else {
      await releaseCallData(db, Number(r.id), nodeId, { dueAt: gate.until ?? now + 60_000, now });
      await this.#trail(r, { kind: 'skipped', gate: gate.gate, until: gate.until, called_no: num.called_no, detail: gate.reason }, now);
    }
    events.emit('record:skipped', { campaignId: r.campaign_id, dataId: Number(r.id), gate: gate.gate, until: gate.until });
  }

  async #trail(
    r: CallDataRow,
    row: Partial<{
      kind: string;
      gate: string | null;
      until: number | null;
      call_id: string | null;
      called_no: string | null;
      caller_no: string | null;
      fail_code: string | null;
      detail: string | null;
    }>,
    now: number,
    db: Db = this.ctx.db,
  ) {
    await appendTrail(db, trailRow(r, row, now));
  }

  async #attempt(round: RoundContext, r: CallDataRow, now: number): Promise<boolean> {
    return (await this.#attemptMany(round, [r], now)) === 1;
  }

  /**
   * Attempts of claimed records of one round (issue #12), in order: each record through its
   * gates (reads), then every record that passed in ONE dispatch transaction
   * (contact-safety.repository.ts `dispatchMany`: counted limits, the at-most-once mark, the
   * calling number, the contact attempt and the trail row), then each handed to the dialer, and
   * the outcomes the dialer answered at once settled together in ONE transaction
   * (settle-attempt.ts `settleAttempts`). Returns how many were dispatched.
   */
  async #attemptMany(round: RoundContext, rows: ReadonlyArray<CallDataRow>, now: number): Promise<number> {
    const numbersBy = await numbersOfMany(
      this.ctx.db,
      rows.map((r) => Number(r.id)),
    );
    // Rounds dialled at once (PostgreSQL, tick): a slice whose numbers another slice of this
    // node is dialling waits for it, so that its gates (calls per period to the number, in the
    // VDN) see those attempts, as one round after the other would.
    if (!this.ctx.caps.skipLocked) return this.#attemptSlice(round, rows, numbersBy, now);
    const keys = new Set<string>();
    for (const r of rows) {
      const num = numbersBy.get(Number(r.id))?.[r.number_index];
      if (num) keys.add(canonicalNumber(num.called_no, round.rules.region));
    }
    for (;;) {
      const busy = [...keys].map((k) => this.#dialling.get(k)).filter((p): p is Promise<void> => p !== undefined);
      if (busy.length === 0) break;
      await Promise.all(busy);
    }
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const k of keys) this.#dialling.set(k, mine);
    try {
      return await this.#attemptSlice(round, rows, numbersBy, now);
    } finally {
      for (const k of keys) if (this.#dialling.get(k) === mine) this.#dialling.delete(k);
      release();
    }
  }

  /** Numbers (canonical) that a slice of this node is dialling, and the end of that slice. */
  readonly #dialling = new Map<string, Promise<void>>();

  /** {@link #attemptMany} once its slice may go: gates, dispatch, dial, settle. */
  async #attemptSlice(round: RoundContext, rows: ReadonlyArray<CallDataRow>, numbersBy: Awaited<ReturnType<typeof numbersOfMany>>, now: number): Promise<number> {
    const { db, nodeId } = this.ctx;
    const c = round.c;
    const rulesBy = new Map<string | null, RetryRules>();
    const rulesFor = async (type: string | null): Promise<RetryRules> => {
      let rules = rulesBy.get(type);
      if (!rules) {
        rules = await this.policies.retryRules(db, c.id, type);
        rulesBy.set(type, rules);
      }
      return rules;
    };
    const pre = await sliceLookups(
      db,
      round,
      rows.flatMap((r) => {
        const num = numbersBy.get(Number(r.id))?.[r.number_index];
        return num ? [num.called_no] : [];
      }),
      now,
    );
    let go: GoRecord[] = [];
    const keys = new Set<string>();
    let dispatched = 0;
    for (const r of rows) {
      const numbers = numbersBy.get(Number(r.id)) ?? [];
      const num = numbers[r.number_index];
      if (!num) {
        await releaseCallData(db, Number(r.id), nodeId, { dueAt: now, state: 'done', now });
        await this.#trail(r, { kind: 'finished', detail: 'no number left to call' }, now);
        continue;
      }
      // A number already in this slice: the slice goes first, so that this record's gates (the
      // blocklist's calls per period) see that attempt, as one attempt after the other would.
      const key = canonicalNumber(num.called_no, round.rules.region);
      if (keys.has(key)) {
        dispatched += await this.#dispatchSlice(round, go, now, rulesFor);
        go = [];
        keys.clear();
      }
      const gate = await callDataGates(db, round, r, num, await rulesFor(num.type), now, pre);
      if (!gate.go) {
        await this.#hold(r, numbers, num, gate, now);
        continue;
      }
      keys.add(key);
      go.push({ r, numbers, num, callId: newLongId(now), callerNo: '' });
    }
    return dispatched + (await this.#dispatchSlice(round, go, now, rulesFor));
  }

  /** Dispatches, dials and settles records that passed their gates (see {@link #attemptMany}); returns how many were dispatched. */
  async #dispatchSlice(round: RoundContext, go: GoRecord[], now: number, rulesFor: (type: string | null) => Promise<RetryRules>): Promise<number> {
    if (go.length === 0) return 0;
    const { db, nodeId, events } = this.ctx;
    const c = round.c;
    const attemptOf = (x: GoRecord): DispatchAttempt => ({
      vdnId: c.vdn_id,
      numberKey: canonicalNumber(x.num.called_no, round.rules.region),
      campaignId: c.id,
      dataId: Number(x.r.id),
      reservationId: null,
      callId: x.callId,
      lookbackMs: round.rules.lookbackMs,
      check: (callsAt) => countedLimits(round.rules, now, callsAt),
      pick: (pickCaller) => {
        // The calling number is picked inside the dispatch transaction (one pool rotation per attempt).
        x.callerNo = x.r.caller ?? pickCaller() ?? '';
      },
      trail: () => trailRow(x.r, { kind: 'dialled', call_id: x.callId, called_no: x.num.called_no, caller_no: x.callerNo, detail: `attempt ${x.r.attempts + 1}` }, now),
    });
    // The at-most-once marks of the attempts that passed, in one statement (lost leases left out).
    const markRecords: MarkDispatched = async (trx, passed) => {
      const marked = await markCallDataDispatchedMany(
        trx,
        nodeId,
        now,
        passed.map((a) => ({ id: a.dataId!, callId: a.callId })),
      );
      return new Set(passed.filter((a) => !marked.has(a.dataId!)));
    };
    // The simulated dialer answers at once: the whole slice is marked in one transaction. Any
    // other dialer: each attempt marked in its own transaction just before its hand-off.
    const outcomes: DispatchOutcome[] = [];
    const dispatchUpTo = async (i: number): Promise<void> => {
      if (i < outcomes.length) return;
      const chunk = this.ctx.dialer.answersAtOnce ? go.slice(i) : [go[i]!];
      outcomes.push(...(await dispatchMany(db, this.ctx.caps, now, chunk.map(attemptOf), markRecords)));
    };
    const settle: Array<{ r: CallDataRow; numbers: CallDataNumberRow[]; callId: string; callerNo: string; outcome: DialOutcome }> = [];
    let dispatched = 0;
    for (const [i, x] of go.entries()) {
      await dispatchUpTo(i);
      const d = outcomes[i]!;
      if (d.kind === 'lost') continue;
      if (d.kind === 'held') {
        await this.#hold(x.r, x.numbers, x.num, d.gate, now);
        continue;
      }
      dispatched++;
      const { r, num, callId, callerNo } = x;
      events.emit('attempt:dispatched', { callId, campaignId: r.campaign_id, dataId: Number(r.id), calledNo: num.called_no, callerNo });
      const result = await this.ctx.dialer.dial({
        callId,
        vdnId: r.vdn_id,
        campaignId: r.campaign_id,
        dataId: Number(r.id),
        calledNo: num.called_no,
        callerNo,
        attempt: r.attempts + 1,
        maxAlertingTime: c.max_alerting_time,
        deviceType: c.device_type,
        callData: r.call_data,
        nowMs: now,
        ...this.#agentQueue(c),
      });
      if (result.kind === 'settled') {
        // Simulated agent pool: an answered call takes an agent or is abandoned (agent-desk.ts).
        const outcome = this.ctx.agents ? this.ctx.agents.place(c, result.outcome, now) : result.outcome;
        settle.push({ r: { ...r, attempts: r.attempts + 1 }, numbers: x.numbers, callId, callerNo, outcome });
      }
    }
    if (settle.length > 0) {
      const tz = c.time_zone ?? this.ctx.engine.timeZone;
      const subjects = await Promise.all(settle.map((x) => this.#subject(x.r, nodeId, x.callId, x.callerNo, now, { numbers: x.numbers, tz, rulesFor, campaign: c })));
      const settled = await settleAttempts(
        this.ctx,
        subjects.map((subject, i) => ({ subject, outcome: settle[i]!.outcome })),
        now,
      );
      for (const [i, x] of settle.entries()) {
        if (settled[i]) await this.#abandoned(x.r, subjects[i]!, x.outcome, now);
      }
    }
    return dispatched;
  }

  /**
   * Records an attempt's outcome and decides what happens to the record next, in one
   * transaction (settle-attempt.ts). `known` carries what the caller already read for this
   * attempt (the record's numbers, the campaign's time zone); the reaper and external results
   * come without it.
   */
  async settle(
    r: CallDataRow,
    owner: string,
    callId: string,
    callerNo: string | null,
    o: DialOutcome,
    now: number,
    known?: { numbers: CallDataNumberRow[]; tz: string },
  ): Promise<boolean> {
    const subject = await this.#subject(r, owner, callId, callerNo, now, known);
    const settled = await settleAttempt(this.ctx, subject, o, now);
    if (settled) await this.#abandoned(r, subject, o, now);
    return settled;
  }

  /** What settle-attempt.ts needs to settle one attempt of record `r`, with the record's own writes (retry state, decision, call result). */
  async #subject(
    r: CallDataRow,
    owner: string,
    callId: string,
    callerNo: string | null,
    now: number,
    known?: { numbers: CallDataNumberRow[]; tz: string; rulesFor?: (type: string | null) => Promise<RetryRules>; campaign?: CampaignRow },
  ): Promise<SettleSubject> {
    const { db, engine } = this.ctx;
    const tz = known?.tz ?? (await db.selectFrom('campaigns').select('time_zone').where('id', '=', r.campaign_id).executeTakeFirst())?.time_zone ?? engine.timeZone;
    const numbers = known?.numbers ?? (await numbersOf(db, Number(r.id)));
    const num = numbers[r.number_index];
    const calledNo = num?.called_no ?? '';
    const agentCall = await this.#agentCallOf(r, calledNo, known?.campaign);
    const rules = known?.rulesFor ? await known.rulesFor(num?.type ?? null) : await this.policies.retryRules(db, r.campaign_id, num?.type ?? null);
    return {
      vdnId: r.vdn_id,
      campaignId: r.campaign_id,
      dataId: Number(r.id),
      reservationId: null,
      callId,
      calledNo,
      callerNo,
      sessionId: r.session_id,
      customField: r.custom_field,
      ...(agentCall ? { agentCall } : {}),
      stage: ({ failCode, success, resultCode, outcome }, batch) => {
        const state = readRetryState(r.retry_state);
        const key = String(r.number_index);
        const today = localDay(now, tz);
        const n = state.numbers[key] ?? { attempts: 0, days: [], perDay: {}, perOutcome: {} };
        n.attempts += 1;
        if (!n.days.includes(today)) n.days.push(today);
        n.perDay = { ...n.perDay, [today]: (n.perDay?.[today] ?? 0) + 1 };
        const outcomeKey = resultCode !== null && rules.mode === 'by-result' && rules.rules.has(resultCode) ? resultCode : failCode;
        n.perOutcome[outcomeKey] = (n.perOutcome[outcomeKey] ?? 0) + 1;
        state.numbers[key] = n;
        const counters: NumberCounters = { attempts: n.attempts, days: n.days, today: n.perDay[today] ?? 1, perOutcome: n.perOutcome };
        const decision = decideAfterAttempt({ success, failCode, resultCode, rules, counters, hasNextNumber: r.number_index + 1 < numbers.length, nowMs: now, tz });
        batch.callData({
          dataId: Number(r.id),
          owner: owner || null,
          callId,
          calledNo,
          callerNo: callerNo || null,
          failCode,
          resultCode,
          callStatus: success ? 6 : 5,
          ackBeginTime: outcome.ackBeginTime,
          callBeginTime: outcome.callBeginTime,
          callEndTime: outcome.callEndTime,
          recordPath: outcome.recordPath ?? null,
          next: decision.kind === 'retry' ? { kind: 'retry', dueAt: decision.at } : decision.kind === 'next-number' ? { kind: 'next-number', dueAt: now } : { kind: 'done' },
          retryState: JSON.stringify(state),
        });
        const until = decision.kind === 'retry' ? decision.at : decision.kind === 'next-number' ? now : null;
        return { until, detail: `${resultCode ?? '-'}: ${decision.reason}` };
      },
    };
  }

  #agentQueue(c: CampaignRow): { agentQueue?: NonNullable<DialRequest['agentQueue']> } {
    const desk = this.ctx.agents;
    const mode = desk?.modeOf(c) ?? null;
    if (!desk || mode === null) return {};
    return { agentQueue: { skillId: desk.skillOf(c), mode, abandonGraceMs: desk.cfg.abandonGraceMs, onAbandon: 'recorded-message' } };
  }

  /** A skill-queue campaign's call: what the settle needs to write its abandon accounting in its transaction (settle-attempt.ts `agentCall`); undefined otherwise. */
  async #agentCallOf(r: CallDataRow, calledNo: string, known?: CampaignRow): Promise<SettleSubject['agentCall']> {
    const desk = this.ctx.agents;
    if (!desk) return undefined;
    if (known && desk.modeOf(known) === null) return undefined;
    const c = known ?? (await this.ctx.db.selectFrom('campaigns').selectAll().where('id', '=', r.campaign_id).executeTakeFirst());
    if (!c || desk.modeOf(c) === null) return undefined;
    return { campaign: c, numberKey: canonicalNumber(calledNo, contactRulesFor(this.ctx.engine, c).region) };
  }

  /** After the settle committed (its `agent_calls` row with it): the hand-off event and trail note of an abandoned call. */
  async #abandoned(r: CallDataRow, subject: SettleSubject, o: DialOutcome, now: number): Promise<void> {
    const desk = this.ctx.agents;
    if (!desk || !subject.agentCall || normalizeFailCode(o.failCode) !== ABANDON_OBS_CODE) return;
    const c = subject.agentCall.campaign;
    const { callId, calledNo } = subject;
    this.ctx.events.emit('call:abandoned', { callId, campaignId: r.campaign_id, dataId: Number(r.id), calledNo, handoff: 'recorded-message' });
    const v = await desk.view(c, now);
    const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
    await this.#trail(
      r,
      {
        kind: 'note',
        call_id: callId,
        called_no: calledNo,
        fail_code: o.failCode,
        detail: `abandoned: no agent within ${desk.cfg.abandonGraceMs / 1000} s, recorded message played; campaign abandon rate ${pct(v?.abandonRate ?? 0)} (${v?.abandoned ?? 0}/${v?.answered ?? 0} answered, 30 days; target ${pct(desk.cfg.abandonTarget)}), agent occupancy ${pct(v?.occupancy ?? 0)}`,
      },
      now,
    );
  }
}
