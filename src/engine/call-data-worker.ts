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
import { checkSchedule } from '../domain/campaign-rules.js';
import type { IsSpecialDay, ScheduleWindows } from '../domain/calling-windows.js';
import { delayGate, firstHold, recycleGate, windowGate, type GateResult } from '../domain/gates.js';
import { blocklistAtDial } from './blocklist-at-dial.js';
import { newLongId } from '../domain/ids.js';
import { isSuccessFailCode } from '../domain/obs-codes.js';
import { decideAfterAttempt, localDay, type NumberCounters, type RetryRules } from '../domain/retry-decision.js';
import type { CampaignRow } from '../store/campaigns.repository.js';
import {
  campaignsWithDueData,
  claimDueCallData,
  markCallDataDispatched,
  nextCallDataEvent,
  numbersOf,
  reapCallData,
  releaseCallData,
  type CallDataNumberRow,
  type CallDataRow,
} from '../store/engine-call-data.repository.js';
import { recordAttemptResult } from '../store/call-data.repository.js';
import { appendTrail, enqueueCallback, pickCallerNumber } from '../store/engine.repository.js';
import type { Db } from '../store/db.js';
import { callbackItem } from './callback.js';
import type { DialOutcome } from './dialer.js';
import { insertCallTurns } from '../store/call-records.repository.js';
import type { EngineContext, Worker } from './engine.js';

/** What the call-data worker needs from the policy areas, looked up per campaign. */
export interface CallDataPolicies {
  specialDays(db: Db, campaignId: number): Promise<IsSpecialDay>;
  retryRules(db: Db, campaignId: number, numberType: string | null): Promise<RetryRules>;
}

interface RetryState {
  numbers: Record<string, { attempts: number; days: string[]; perOutcome: Record<string, number> }>;
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
  /** Per campaign: no new round before this engine time. */
  readonly #nextRound = new Map<number, number>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly policies: CallDataPolicies,
  ) {}

  async nextEvent(now: number): Promise<number | null> {
    const t = await nextCallDataEvent(this.ctx.db, now);
    const rounds = [...this.#nextRound.values()].filter((r) => r > now);
    const candidates = [t, ...rounds].filter((x): x is number => x !== null);
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

  async tick(now: number, budget: number): Promise<number> {
    let dispatched = 0;
    const campaigns = await campaignsWithDueData(this.ctx.db, now, 200);
    for (const campaignId of campaigns) {
      if (budget - dispatched <= 0) break;
      if ((this.#nextRound.get(campaignId) ?? 0) > now) continue;
      const c = await this.ctx.db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
      if (!c) continue;
      const ivr = c.ivr_param ? (JSON.parse(c.ivr_param) as { callCount?: number; callInterval?: number }) : {};
      const roundSize = Math.min(ivr.callCount ?? 10, budget - dispatched);
      const claimed = await claimDueCallData(this.ctx.db, this.ctx.caps, { campaignId, now, owner: this.ctx.nodeId, leaseMs: this.ctx.engine.attemptLeaseMs, limit: roundSize });
      if (claimed.length === 0) continue;
      const windows = checkSchedule(JSON.parse(c.schedule_param) as Record<string, string | undefined>) as ScheduleWindows;
      const special = await this.policies.specialDays(this.ctx.db, campaignId);
      let dialledThisRound = 0;
      for (const r of claimed) {
        if (await this.#attempt(c, r, windows, special, now)) dialledThisRound++;
      }
      dispatched += dialledThisRound;
      if (dialledThisRound > 0) this.#nextRound.set(campaignId, now + (ivr.callInterval ?? 1) * 1000);
    }
    return dispatched;
  }

  async #gates(c: CampaignRow, r: CallDataRow, num: CallDataNumberRow, windows: ScheduleWindows, special: IsSpecialDay, now: number): Promise<GateResult> {
    const tz = c.time_zone ?? this.ctx.engine.timeZone;
    const since = r.last_call_at !== null ? Number(r.last_call_at) : Number(r.created_at);
    return firstHold(
      recycleGate(r.recycle_time === null ? null : Number(r.recycle_time), now),
      windowGate(now, tz, windows, special),
      delayGate(since + num.delay_time * 1000, now),
      await blocklistAtDial(this.ctx.db, c.vdn_id, num.called_no, now, tz),
    );
  }

  async #trail(r: CallDataRow, row: Partial<{ kind: string; gate: string | null; until: number | null; call_id: string | null; called_no: string | null; caller_no: string | null; fail_code: string | null; detail: string | null }>, now: number, db: Db = this.ctx.db) {
    await appendTrail(db, {
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
    });
  }

  async #attempt(c: CampaignRow, r: CallDataRow, windows: ScheduleWindows, special: IsSpecialDay, now: number): Promise<boolean> {
    const { db, nodeId, events } = this.ctx;
    const numbers = await numbersOf(db, Number(r.id));
    const num = numbers[r.number_index];
    if (!num) {
      await releaseCallData(db, Number(r.id), nodeId, { dueAt: now, state: 'done', now });
      await this.#trail(r, { kind: 'finished', detail: 'no number left to call' }, now);
      return false;
    }
    const gate = await this.#gates(c, r, num, windows, special, now);
    if (!gate.go) {
      const permanent = gate.until === null && (gate.gate === 'blocklist' || gate.gate === 'recycle-time');
      if (permanent && gate.gate === 'blocklist' && r.number_index + 1 < numbers.length) {
        // This number may never be dialled: the record moves on to its next number.
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
      return false;
    }
    const callerNo = r.caller ?? (await pickCallerNumber(db, r.campaign_id, now)) ?? '';
    const callId = newLongId(now);
    if (!(await markCallDataDispatched(db, Number(r.id), nodeId, callId, now))) return false;
    await this.#trail(r, { kind: 'dialled', call_id: callId, called_no: num.called_no, caller_no: callerNo, detail: `attempt ${r.attempts + 1}` }, now);
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
    });
    if (result.kind === 'settled') {
      await this.settle({ ...r, attempts: r.attempts + 1 }, nodeId, callId, callerNo, result.outcome, now, { numbers, tz: c.time_zone ?? this.ctx.engine.timeZone });
    }
    return true;
  }

  /** Records an attempt's outcome and decides what happens to the record next, in one transaction. */
  /**
   * `known` carries what the caller already read for this attempt (the record's numbers, the
   * campaign's time zone); the reaper and external results come without it.
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
    const { db, engine, events } = this.ctx;
    const tz = known?.tz ?? (await db.selectFrom('campaigns').select('time_zone').where('id', '=', r.campaign_id).executeTakeFirst())?.time_zone ?? engine.timeZone;
    const numbers = known?.numbers ?? (await numbersOf(db, Number(r.id)));
    const num = numbers[r.number_index];
    const calledNo = num?.called_no ?? '';
    const success = isSuccessFailCode(o.failCode);
    const resultCode = await this.ctx.externalResultFor(db, r.vdn_id, o.failCode);
    const rules = await this.policies.retryRules(db, r.campaign_id, num?.type ?? null);

    const state = readRetryState(r.retry_state);
    const key = String(r.number_index);
    const today = localDay(now, tz);
    const n = state.numbers[key] ?? { attempts: 0, days: [], perOutcome: {} };
    n.attempts += 1;
    if (!n.days.includes(today)) n.days.push(today);
    const outcomeKey = resultCode !== null && rules.mode === 'by-result' && rules.rules.has(resultCode) ? resultCode : o.failCode;
    n.perOutcome[outcomeKey] = (n.perOutcome[outcomeKey] ?? 0) + 1;
    state.numbers[key] = n;
    const todayCount = await this.#attemptsToday(r, calledNo, now, tz);
    const counters: NumberCounters = { attempts: n.attempts, days: n.days, today: todayCount, perOutcome: n.perOutcome };
    const decision = decideAfterAttempt({ success, failCode: o.failCode, resultCode, rules, counters, hasNextNumber: r.number_index + 1 < numbers.length, nowMs: now, tz });

    const settled = await db.transaction().execute(async (trx) => {
      const recorded = await recordAttemptResult(trx, {
        dataId: Number(r.id),
        owner: owner || null,
        callId,
        calledNo,
        callerNo: callerNo || null,
        failCode: o.failCode,
        resultCode,
        callStatus: success ? 6 : 5,
        ackBeginTime: o.ackBeginTime,
        callBeginTime: o.callBeginTime,
        callEndTime: o.callEndTime,
        recordPath: o.recordPath ?? null,
        next: decision.kind === 'retry' ? { kind: 'retry', dueAt: decision.at } : decision.kind === 'next-number' ? { kind: 'next-number', dueAt: now } : { kind: 'done' },
        retryState: JSON.stringify(state),
        nowMs: now,
      });
      if (!recorded) return false;
      if (o.turns?.length) await insertCallTurns(trx, r.vdn_id, callId, o.turns, now);
      const next = decision.kind === 'retry' ? decision.at : decision.kind === 'next-number' ? now : null;
      await this.#trail(r, { kind: 'settled', call_id: callId, called_no: calledNo, caller_no: callerNo, fail_code: o.failCode, until: next, detail: `${resultCode ?? '-'}: ${decision.reason}` }, now, trx);
      const cb = await trx.selectFrom('campaigns').select('call_back_url').where('id', '=', r.campaign_id).executeTakeFirst();
      if (cb?.call_back_url) {
        const item = callbackItem({ campaignId: r.campaign_id, sessionId: r.session_id, called: calledNo, callTime: Number(o.ackBeginTime ?? now), callStatus: success ? 6 : 5, failCode: o.failCode, vdnId: r.vdn_id, callId, customField: r.custom_field, recordPath: o.recordPath ?? null });
        await enqueueCallback(trx, { vdn_id: r.vdn_id, campaign_id: r.campaign_id, url: cb.call_back_url, payload: JSON.stringify([item]), next_at: now, created_at: now });
      }
      return true;
    });
    if (settled) events.emit('attempt:settled', { callId, campaignId: r.campaign_id, dataId: Number(r.id), failCode: o.failCode });
    return settled;
  }

  async #attemptsToday(r: CallDataRow, calledNo: string, now: number, tz: string): Promise<number> {
    const day = localDay(now, tz);
    const rows = await this.ctx.db
      .selectFrom('call_results')
      .select('created_at')
      .where('data_id', '=', Number(r.id))
      .where('called_no', '=', calledNo)
      .where('created_at', '>', now - 2 * 86400_000)
      .execute();
    // The attempt being settled is not in call_results yet: count it too.
    return rows.filter((x) => localDay(Number(x.created_at), tz) === day).length + 1;
  }
}
