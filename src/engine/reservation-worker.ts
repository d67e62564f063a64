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
import { canonicalNumber } from '../domain/phone-numbers.js';
import { dispatchCountingContacts } from '../store/contact-safety.repository.js';
import { abandonQuietAtDial } from './abandon-at-dial.js';
import { blocklistAtDial } from './blocklist-at-dial.js';
import { contactRulesFor, countedLimits, packHoursGate, type ContactRules } from './contact-rules-at-dial.js';
import { newLongId } from '../domain/ids.js';
import {
  appendTrail,
  claimDueReservations,
  markManualReservationsDue,
  markReservationDispatched,
  markReservationTimeouts,
  nextReservationEvent,
  pickCallerNumber,
  reapReservations,
  releaseReservation,
} from '../store/engine.repository.js';
import type { ReservationRow } from '../store/reservations.repository.js';
import type { DialOutcome } from './dialer.js';
import type { EngineContext, Worker } from './engine.js';
import { settleAttempt } from './settle-attempt.js';

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

  /** One pass at `now`; returns how many calls were dispatched. */
  async tick(now: number, budget: number): Promise<number> {
    const { db, events } = this.ctx;
    for (const r of await markManualReservationsDue(db, now, 500)) {
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
    for (const r of await markReservationTimeouts(db, now, this.ctx.engine.appointGraceMs)) {
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
    const claimed = await claimDueReservations(db, this.ctx.caps, { now, owner: this.ctx.nodeId, leaseMs: this.ctx.engine.attemptLeaseMs, limit: budget });
    let dispatched = 0;
    for (const r of claimed) {
      if (await this.#attempt(r, now)) dispatched++;
    }
    return dispatched;
  }

  /**
   * Automatic reservations bypass the calling windows, not the blocklist (by subscriber) nor the
   * rule packs' hours; on a skill-queue campaign, not the quiet period after an abandoned call
   * to the number either (abandon-at-dial.ts).
   */
  async #gates(r: ReservationRow, rules: ContactRules, now: number, skillQueue: boolean): Promise<GateResult> {
    const quietMs = this.ctx.engine.agents.abandonQuietMs;
    return firstHold(
      await blocklistAtDial(this.ctx.db, r.vdn_id, r.called_no, now, rules.tz, rules.region),
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

  async #attempt(r: ReservationRow, now: number): Promise<boolean> {
    const { db, events, nodeId } = this.ctx;
    const campaign = await db.selectFrom('campaigns').selectAll().where('id', '=', r.campaign_id).executeTakeFirstOrThrow();
    const rules = contactRulesFor(this.ctx.engine, campaign);
    const desk = this.ctx.agents;
    const skillQueue = desk !== undefined && desk.modeOf(campaign) !== null;
    const gate = await this.#gates(r, rules, now, skillQueue);
    if (!gate.go) {
      await this.#hold(r, gate, now);
      return false;
    }
    if (skillQueue && !(await desk.reservationMayDial(campaign, now))) {
      // No agent free for it yet: back in the queue until agents change state (no trail row per
      // pass); the timeout pass ends it if no agent frees up within the grace period.
      await releaseReservation(db, r.id, nodeId, desk.nextEvent(now) ?? now + 1000, now);
      return false;
    }
    const callId = newLongId(now);
    let callerNo = '';
    const dispatched = await dispatchCountingContacts(db, {
      vdnId: r.vdn_id,
      numberKey: canonicalNumber(r.called_no, rules.region),
      campaignId: r.campaign_id,
      dataId: null,
      reservationId: r.id,
      callId,
      now,
      lookbackMs: rules.lookbackMs,
      check: (callsAt) => countedLimits(rules, now, callsAt),
      mark: async (trx) => {
        callerNo = (await pickCallerNumber(trx, r.campaign_id, now)) ?? '';
        return markReservationDispatched(trx, r.id, nodeId, callId, callerNo, now);
      },
    });
    if (dispatched.kind === 'lost') return false;
    if (dispatched.kind === 'held') {
      await this.#hold(r, dispatched.gate, now);
      return false;
    }
    await appendTrail(db, {
      vdn_id: r.vdn_id,
      campaign_id: r.campaign_id,
      data_id: null,
      reservation_id: r.id,
      at: now,
      kind: 'dialled',
      gate: null,
      until: null,
      call_id: callId,
      called_no: r.called_no,
      caller_no: callerNo,
      fail_code: null,
      detail: 'automatic reservation',
    });
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
      ...(skillQueue
        ? { agentQueue: { skillId: desk.skillOf(campaign), mode: desk.modeOf(campaign)!, abandonGraceMs: desk.cfg.abandonGraceMs, onAbandon: 'recorded-message' as const } }
        : {}),
    });
    if (result.kind === 'settled') {
      // Simulated agent pool: the answered call takes the free agent (agent-desk.ts).
      const outcome = skillQueue ? desk.place(campaign, result.outcome, now) : result.outcome;
      await this.settle(r, nodeId, callId, callerNo, outcome, now);
    }
    return true;
  }

  /** Records an automatic reservation's outcome (settle-attempt.ts): the reservation, its history, the call result, the callback. */
  async settle(r: ReservationRow, owner: string, callId: string, callerNo: string, o: DialOutcome, now: number): Promise<boolean> {
    const settled = await this.#record(r, owner, callId, callerNo, o, now);
    if (settled) await this.#agentCall(r, callId, o, now);
    return settled;
  }

  /** Abandon accounting of skill-queue campaigns (agent-desk.ts), as for call data: the answered call's row, the hand-off of an abandoned one. */
  async #agentCall(r: ReservationRow, callId: string, o: DialOutcome, now: number): Promise<void> {
    const desk = this.ctx.agents;
    if (!desk) return;
    const c = await this.ctx.db.selectFrom('campaigns').selectAll().where('id', '=', r.campaign_id).executeTakeFirst();
    if (!c || desk.modeOf(c) === null) return;
    const key = canonicalNumber(r.called_no, contactRulesFor(this.ctx.engine, c).region);
    if (await desk.settled(c, callId, key, o, now)) {
      this.ctx.events.emit('call:abandoned', { callId, campaignId: r.campaign_id, reservationId: r.id, calledNo: r.called_no, handoff: 'recorded-message' });
    }
  }

  async #record(r: ReservationRow, owner: string, callId: string, callerNo: string, o: DialOutcome, now: number): Promise<boolean> {
    return settleAttempt(
      this.ctx,
      {
        vdnId: r.vdn_id,
        campaignId: r.campaign_id,
        dataId: null,
        reservationId: r.id,
        callId,
        calledNo: r.called_no,
        callerNo: callerNo || null,
        sessionId: null,
        customField: null,
        record: async (trx, { failCode, success, resultCode, outcome }) => {
          const upd = await trx
            .updateTable('reservations')
            .set({
              state: 'done',
              fail_code: failCode,
              call_id: callId,
              caller_no: callerNo || null,
              call_begin_time: outcome.callBeginTime,
              call_end_time: outcome.callEndTime,
              lease_owner: null,
              lease_until: null,
              updated_at: now,
            })
            .where('id', '=', r.id)
            .where('state', '=', 'dialing')
            .where((eb) => (owner ? eb('lease_owner', '=', owner) : eb.val(true)))
            .executeTakeFirst();
          if (Number(upd.numUpdatedRows) !== 1) return null;
          await trx
            .insertInto('reservation_results')
            .values({
              reservation_id: r.id,
              source: 'engine',
              user_account: r.user_account,
              work_no: r.work_no,
              caller_no: callerNo || null,
              fail_code: failCode,
              call_id: callId,
              busi_result: null,
              busi_sub_status: null,
              call_begin_time: outcome.callBeginTime,
              call_end_time: outcome.callEndTime,
              created_at: now,
            })
            .execute();
          await trx
            .insertInto('call_results')
            .values({
              call_id: callId,
              vdn_id: r.vdn_id,
              campaign_id: r.campaign_id,
              data_id: null,
              reservation_id: r.id,
              batch_id: null,
              session_id: null,
              custom_field: null,
              called_no: r.called_no,
              caller_no: callerNo || null,
              call_status: success ? 6 : 5,
              fail_code: failCode,
              result_code: resultCode,
              ack_begin_time: outcome.ackBeginTime,
              call_begin_time: outcome.callBeginTime,
              call_end_time: outcome.callEndTime,
              record_path: outcome.recordPath ?? null,
              created_at: now,
            })
            .execute();
          return { until: null, detail: resultCode };
        },
      },
      o,
      now,
    );
  }
}
