/**
 * Reservations in the engine.
 *
 *   automatic: pending ──(due_at = appointTime − lead; campaign running)──▶ dialing ──▶ done
 *              pending ──(blocklisted at dial time)──▶ pending (due_at = expiry) or held
 *              pending ──(not carried out by appointTime + grace)──▶ timeout
 *   manual:    pending ──(appointTime)──▶ due (event for the agent) ──(appoint/updateResult)──▶ done
 *              due ──(grace passed without a result)──▶ due, timeout = 1
 *
 * Automatic reservations bypass the calling windows (the customer chose the time) but not the
 * campaign state, validity or blocklist gates, nor the rule packs and contact caps (issue #7):
 * each reservation is one attempt and counts toward them like any other.
 */
import { firstHold, type GateResult } from '../domain/gates.js';
import { canonicalNumber, numberTail } from '../domain/phone-numbers.js';
import { dispatchMany, type DispatchAttempt, type DispatchOutcome, type MarkDispatched } from '../store/contact-safety.repository.js';
import { markReservationsDispatchedMany } from '../store/engine-batch.repository.js';
import { abandonQuietAtDial } from './abandon-at-dial.js';
import { ABANDON_OBS_CODE } from '../domain/abandon.js';
import { normalizeFailCode } from '../domain/obs-codes.js';
import { blocklistAtDial } from './blocklist-at-dial.js';
import { contactRulesFor, countedLimits, packHoursGate, type ContactRules } from './contact-rules-at-dial.js';
import { newLongId } from '../domain/ids.js';
import {
  appendTrail,
  claimDueReservations,
  markManualReservationsDue,
  markReservationTimeouts,
  nextReservationEvent,
  reapReservations,
  releaseReservation,
} from '../store/engine.repository.js';
import type { ReservationRow } from '../store/reservations.repository.js';
import type { DialOutcome } from './dialer.js';
import type { EngineContext, Worker } from './engine.js';
import { settleAttempt, settleAttempts, type SettleSubject } from './settle-attempt.js';
import type { CampaignRow } from '../store/campaigns.repository.js';
import { DISPATCH_SLICE, yieldToEventLoop } from './call-data-worker.js';
import { betweenStatements } from '../store/dialect.js';

/** A reservation that passed its gates, on its way to the dialer. */
interface GoReservation {
  r: ReservationRow;
  campaign: CampaignRow;
  rules: ContactRules;
  skillQueue: boolean;
  callId: string;
  callerNo: string;
}

export class ReservationWorker implements Worker {
  constructor(private readonly ctx: EngineContext) {}

  async nextEvent(now: number): Promise<number | null> {
    return nextReservationEvent(this.ctx.db, now, this.ctx.engine.appointGraceMs);
  }

  async reap(now: number): Promise<void> {
    const { undispatched, dispatched } = await reapReservations(this.ctx.db, now);
    for (const id of undispatched) this.ctx.events.emit('lease:reaped', { kind: 'reservation', id, settledAs: null });
    for (const r of dispatched) {
      // Handed to the dialer, no result came back: settled as "no result received" (34608).
      const outcome: DialOutcome = { failCode: '34608', ackBeginTime: null, callBeginTime: null, callEndTime: now };
      await this.settle(r, r.lease_owner ?? '', r.call_id ?? newLongId(now), r.caller_no ?? '', outcome, now);
      this.ctx.events.emit('lease:reaped', { kind: 'reservation', id: r.id, settledAs: '34608' });
    }
  }

  async settleExternal(callId: string, vdnId: number, outcome: DialOutcome, now: number): Promise<boolean> {
    const r = await this.ctx.db.selectFrom('reservations').selectAll().where('call_id', '=', callId).where('vdn_id', '=', vdnId).where('state', '=', 'dialing').executeTakeFirst();
    if (!r) return false;
    return this.settle(r, r.lease_owner ?? '', callId, r.caller_no ?? '', outcome, now);
  }

  /**
   * One pass at `now`; returns how many calls were dispatched. On SQLite a turn of the event
   * loop between its statements outside the dispatch transactions (store/dialect.ts
   * `betweenStatements`, issue #12 p99 latency; the engine gives one before the tick).
   */
  async tick(now: number, budget: number): Promise<number> {
    const { db, events } = this.ctx;
    for (const r of await markManualReservationsDue(db, now, 500)) {
      await betweenStatements(db);
      await appendTrail(db, {
        vdn_id: r.vdn_id,
        campaign_id: r.campaign_id,
        data_id: null,
        reservation_id: r.id,
        at: now,
        kind: 'due',
        gate: null,
        until: null,
        call_id: null,
        called_no: r.called_no,
        caller_no: null,
        fail_code: null,
        detail: 'manual reservation due for its agent',
      });
      events.emit('reservation:due', {
        reservationId: r.id,
        vdnId: r.vdn_id,
        campaignId: r.campaign_id,
        calledNo: r.called_no,
        userAccount: r.user_account,
        workNo: r.work_no,
        appointTime: Number(r.appoint_time),
      });
    }
    await betweenStatements(db);
    for (const r of await markReservationTimeouts(db, now, this.ctx.engine.appointGraceMs)) {
      await betweenStatements(db);
      await appendTrail(db, {
        vdn_id: r.vdn_id,
        campaign_id: r.campaign_id,
        data_id: null,
        reservation_id: r.id,
        at: now,
        kind: 'timeout',
        gate: null,
        until: null,
        call_id: null,
        called_no: r.called_no,
        caller_no: null,
        fail_code: null,
        detail: 'not carried out within the grace period',
      });
      events.emit('reservation:timeout', { reservationId: r.id, campaignId: r.campaign_id });
    }
    if (budget <= 0) return 0;
    await betweenStatements(db);
    const claimed = await claimDueReservations(db, this.ctx.caps, { now, owner: this.ctx.nodeId, leaseMs: this.ctx.engine.attemptLeaseMs, limit: budget });
    // Read once per pass: the campaigns of the claimed reservations.
    const campaigns = new Map<number, CampaignRow>();
    for (const id of new Set(claimed.map((r) => r.campaign_id))) {
      await betweenStatements(db);
      const c = await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
      if (c) campaigns.set(id, c);
    }
    let dispatched = 0;
    let slice: ReservationRow[] = [];
    const flush = async () => {
      for (let i = 0; i < slice.length; i += DISPATCH_SLICE) {
        dispatched += await this.#attemptMany(slice.slice(i, i + DISPATCH_SLICE), campaigns, now);
        await yieldToEventLoop();
      }
      slice = [];
    };
    for (const r of claimed) {
      const c = campaigns.get(r.campaign_id);
      if (c && this.ctx.agents !== undefined && this.ctx.agents.modeOf(c) !== null) {
        // Skill-queue campaigns: one at a time, each settled before the next (the agents change).
        await flush();
        dispatched += await this.#attemptMany([r], campaigns, now);
      } else slice.push(r);
    }
    await flush();
    return dispatched;
  }

  /**
   * Automatic reservations bypass the calling windows, not the blocklist (by subscriber) nor the
   * rule packs' hours; on a skill-queue campaign, not the quiet period after an abandoned call
   * to the number either (abandon-at-dial.ts).
   */
  async #gates(r: ReservationRow, rules: ContactRules, now: number, skillQueue: boolean, blocklisted?: Set<string>): Promise<GateResult> {
    const quietMs = this.ctx.engine.agents.abandonQuietMs;
    return firstHold(
      // A number whose tail has no blocklist entry in the VDN (read once per slice) has nothing there to hold it.
      blocklisted && !blocklisted.has(`${r.vdn_id}\u0000${numberTail(r.called_no)}`)
        ? { go: true }
        : await blocklistAtDial(this.ctx.db, r.vdn_id, r.called_no, now, rules.tz, rules.region),
      packHoursGate(rules, now),
      skillQueue ? await abandonQuietAtDial(this.ctx.db, r.vdn_id, canonicalNumber(r.called_no, rules.region), now, quietMs) : { go: true },
    );
  }

  /** Held: the timeout pass ends it if the hold outlives the grace period. */
  async #hold(r: ReservationRow, gate: Extract<GateResult, { go: false }>, now: number): Promise<void> {
    const { db, events, nodeId } = this.ctx;
    // Held without a known end: the timeout pass ends it once the hold outlives the grace period
    // (appointTime + grace).
    const until = gate.until ?? Number(r.appoint_time) + this.ctx.engine.appointGraceMs;
    await releaseReservation(db, r.id, nodeId, until, now);
    await appendTrail(db, {
      vdn_id: r.vdn_id,
      campaign_id: r.campaign_id,
      data_id: null,
      reservation_id: r.id,
      at: now,
      kind: 'skipped',
      gate: gate.gate,
      until: gate.until,
      call_id: null,
      called_no: r.called_no,
      caller_no: null,
      fail_code: null,
      detail: gate.reason,
    });
    events.emit('record:skipped', { campaignId: r.campaign_id, reservationId: r.id, gate: gate.gate, until: gate.until });
  }

  /**
   * Attempts of claimed reservations (issue #12), in order: gates per reservation (reads), then
   * every one that passed in ONE dispatch transaction (contact-safety.repository.ts
   * `dispatchMany`), handed to the dialer, and the outcomes answered at once settled together in
   * ONE transaction (settle-attempt.ts `settleAttempts`). Returns how many were dispatched.
   */
  async #attemptMany(rows: ReadonlyArray<ReservationRow>, campaigns: Map<number, CampaignRow>, now: number): Promise<number> {
    const { db, nodeId } = this.ctx;
    const desk = this.ctx.agents;
    const blocklisted = new Set<string>();
    const tails = [...new Set(rows.map((r) => numberTail(r.called_no)))];
    for (let i = 0; i < tails.length; i += 1000) {
      const hits = await db
        .selectFrom('blocklist')
        .select(['vdn_id', 'number_tail'])
        .distinct()
        .where('vdn_id', 'in', [...new Set(rows.map((r) => r.vdn_id))])
        .where('number_tail', 'in', tails.slice(i, i + 1000))
        .execute();
      for (const h of hits) if (h.number_tail !== null) blocklisted.add(`${h.vdn_id}\u0000${h.number_tail}`);
    }
    let go: GoReservation[] = [];
    const keys = new Set<string>();
    let dispatched = 0;
    for (const r of rows) {
      const campaign = campaigns.get(r.campaign_id) ?? (await db.selectFrom('campaigns').selectAll().where('id', '=', r.campaign_id).executeTakeFirst());
      // Removed since the claim (a purge, in a turn of the loop after it on SQLite or beside it on
      // PostgreSQL, deletes its reservations too): nothing to dial, the others of the pass go on.
      if (!campaign) continue;
      const rules = contactRulesFor(this.ctx.engine, campaign);
      const skillQueue = desk !== undefined && desk.modeOf(campaign) !== null;
      // A number already in this slice: the slice goes first, so that this reservation's gates
      // (the blocklist's calls per period) see that attempt, as one attempt after the other would.
      const key = `${r.vdn_id}\u0000${canonicalNumber(r.called_no, rules.region)}`;
      if (keys.has(key)) {
        dispatched += await this.#dispatchSlice(go, now);
        go = [];
        keys.clear();
      }
      const gate = await this.#gates(r, rules, now, skillQueue, blocklisted);
      if (!gate.go) {
        await this.#hold(r, gate, now);
        continue;
      }
      if (skillQueue && !(await desk.reservationMayDial(campaign, now))) {
        // No agent free for it yet: back in the queue until agents change state (no trail row per
        // pass); the timeout pass ends it if no agent frees up within the grace period.
        await releaseReservation(db, r.id, nodeId, desk.nextEvent(now) ?? now + 1000, now);
        continue;
      }
      keys.add(key);
      go.push({ r, campaign, rules, skillQueue, callId: newLongId(now), callerNo: '' });
    }
    return dispatched + (await this.#dispatchSlice(go, now));
  }

  /** Dispatches, dials and settles reservations that passed their gates (see {@link #attemptMany}); returns how many were dispatched. */
  async #dispatchSlice(go: GoReservation[], now: number): Promise<number> {
    if (go.length === 0) return 0;
    const { db, events, nodeId } = this.ctx;
    const desk = this.ctx.agents;
    const attemptOf = (x: GoReservation): DispatchAttempt => ({
      vdnId: x.r.vdn_id,
      numberKey: canonicalNumber(x.r.called_no, x.rules.region),
      campaignId: x.r.campaign_id,
      dataId: null,
      reservationId: x.r.id,
      callId: x.callId,
      lookbackMs: x.rules.lookbackMs,
      check: (callsAt) => countedLimits(x.rules, now, callsAt),
      pick: (pickCaller) => {
        x.callerNo = pickCaller() ?? '';
      },
      trail: () => ({
        vdn_id: x.r.vdn_id,
        campaign_id: x.r.campaign_id,
        data_id: null,
        reservation_id: x.r.id,
        at: now,
        kind: 'dialled',
        gate: null,
        until: null,
        call_id: x.callId,
        called_no: x.r.called_no,
        caller_no: x.callerNo,
        fail_code: null,
        detail: 'automatic reservation',
      }),
    });
    // The at-most-once marks of the attempts that passed, in one statement (lost leases left out).
    const callerOf = new Map(go.map((x) => [x.r.id, x]));
    const markReservations: MarkDispatched = async (trx, passed) => {
      const marked = await markReservationsDispatchedMany(
        trx,
        nodeId,
        now,
        passed.map((a) => ({ id: a.reservationId!, callId: a.callId, callerNo: callerOf.get(a.reservationId!)!.callerNo })),
      );
      return new Set(passed.filter((a) => !marked.has(a.reservationId!)));
    };
    // The simulated dialer answers at once: the whole slice is marked in one transaction. Any
    // other dialer: each attempt marked in its own transaction just before its hand-off.
    const outcomes: DispatchOutcome[] = [];
    const dispatchUpTo = async (i: number): Promise<void> => {
      if (i < outcomes.length) return;
      const chunk = this.ctx.dialer.answersAtOnce ? go.slice(i) : [go[i]!];
      outcomes.push(...(await dispatchMany(db, this.ctx.caps, now, chunk.map(attemptOf), markReservations)));
    };
    const settle: Array<{ r: ReservationRow; campaign: CampaignRow; callId: string; callerNo: string; outcome: DialOutcome; skillQueue: boolean }> = [];
    let dispatched = 0;
    for (const [i, x] of go.entries()) {
      await dispatchUpTo(i);
      const d = outcomes[i]!;
      if (d.kind === 'lost') continue;
      if (d.kind === 'held') {
        await this.#hold(x.r, d.gate, now);
        continue;
      }
      dispatched++;
      const { r, campaign, callId, callerNo, skillQueue } = x;
      events.emit('attempt:dispatched', { callId, campaignId: r.campaign_id, reservationId: r.id, calledNo: r.called_no, callerNo });
      const result = await this.ctx.dialer.dial({
        callId,
        vdnId: r.vdn_id,
        campaignId: r.campaign_id,
        reservationId: r.id,
        calledNo: r.called_no,
        callerNo,
        attempt: r.attempts,
        maxAlertingTime: campaign.max_alerting_time,
        deviceType: campaign.device_type,
        callData: r.call_data,
        nowMs: now,
        ...(skillQueue && desk
          ? { agentQueue: { skillId: desk.skillOf(campaign), mode: desk.modeOf(campaign)!, abandonGraceMs: desk.cfg.abandonGraceMs, onAbandon: 'recorded-message' as const } }
          : {}),
      });
      if (result.kind === 'settled') {
        // Simulated agent pool: the answered call takes the free agent (agent-desk.ts).
        const outcome = skillQueue && desk ? desk.place(campaign, result.outcome, now) : result.outcome;
        settle.push({ r, campaign, callId, callerNo, outcome, skillQueue });
      }
    }
    if (settle.length > 0) {
      const settled = await settleAttempts(
        this.ctx,
        settle.map((x) => ({ subject: this.#subject(x.r, nodeId, x.callId, x.callerNo, x.skillQueue ? x.campaign : undefined), outcome: x.outcome })),
        now,
      );
      for (const [i, x] of settle.entries()) {
        if (settled[i] && x.skillQueue) this.#abandoned(x.r, x.callId, x.outcome);
      }
    }
    return dispatched;
  }

  /** Records an automatic reservation's outcome (settle-attempt.ts): the reservation, its history, the call result, the callback, and on a skill-queue campaign the abandon accounting (agent-desk.ts), in one transaction. */
  async settle(r: ReservationRow, owner: string, callId: string, callerNo: string, o: DialOutcome, now: number): Promise<boolean> {
    const desk = this.ctx.agents;
    const c = desk ? await this.ctx.db.selectFrom('campaigns').selectAll().where('id', '=', r.campaign_id).executeTakeFirst() : undefined;
    const skillQueue = c !== undefined && desk !== undefined && desk.modeOf(c) !== null;
    const settled = await settleAttempt(this.ctx, this.#subject(r, owner, callId, callerNo, skillQueue ? c : undefined), o, now);
    if (settled && skillQueue) this.#abandoned(r, callId, o);
    return settled;
  }

  /** After the settle committed (its `agent_calls` row with it): the hand-off event of an abandoned call. */
  #abandoned(r: ReservationRow, callId: string, o: DialOutcome): void {
    if (normalizeFailCode(o.failCode) !== ABANDON_OBS_CODE) return;
    this.ctx.events.emit('call:abandoned', { callId, campaignId: r.campaign_id, reservationId: r.id, calledNo: r.called_no, handoff: 'recorded-message' });
  }

  /** What settle-attempt.ts needs to settle one attempt of reservation `r`, with the reservation's own writes. */
  #subject(r: ReservationRow, owner: string, callId: string, callerNo: string, skillQueue?: CampaignRow): SettleSubject {
    return {
      ...(skillQueue ? { agentCall: { campaign: skillQueue, numberKey: canonicalNumber(r.called_no, contactRulesFor(this.ctx.engine, skillQueue).region) } } : {}),
      vdnId: r.vdn_id,
      campaignId: r.campaign_id,
      dataId: null,
      reservationId: r.id,
      callId,
      calledNo: r.called_no,
      callerNo: callerNo || null,
      sessionId: null,
      customField: null,
      stage: ({ failCode, success, resultCode, outcome }, batch) => {
        // The reservation (when `owner` still holds it) and its results, written with the batch's
        // other settles in one statement per table (engine-batch.repository.ts).
        batch.reservation({
          reservationId: r.id,
          owner: owner || null,
          vdnId: r.vdn_id,
          campaignId: r.campaign_id,
          calledNo: r.called_no,
          userAccount: r.user_account,
          workNo: r.work_no,
          callId,
          callerNo: callerNo || null,
          failCode,
          resultCode,
          callStatus: success ? 6 : 5,
          ackBeginTime: outcome.ackBeginTime,
          callBeginTime: outcome.callBeginTime,
          callEndTime: outcome.callEndTime,
          recordPath: outcome.recordPath ?? null,
        });
        return { until: null, detail: resultCode };
      },
    };
  }
}
