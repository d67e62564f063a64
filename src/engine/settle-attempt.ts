/**
 * One engine path for settling an attempt (issue #8), shared by the call-data and the
 * reservation workers, whatever brought the outcome (the dialer's answer, a webhook CTI's
 * result, the reaper's `34608`):
 *
 *   fail code normalised once (`normalizeFailCode`: `0` → `00000`, `603` → `00603`)
 *   → success? → the VDN's external result
 *   → one transaction: the worker's own rows (`stage`, all attempts' in one set-based UPDATE
 *     per table; false when the lease was lost: then
 *     nothing is written), the call's dialogue turns (all the batch's in multi-row INSERTs), the trail entry, the result callback in
 *     the outbox, and for a skill-queue campaign the answered/abandoned call in `agent_calls`
 *     and the agent ledger (issue #16: last, campaigns in id order, so that concurrent settles
 *     take the ledger row locks in one order)
 *   → the `attempt:settled` event.
 */
import { isSuccessFailCode, normalizeFailCode } from '../domain/obs-codes.js';
import { insertCallsTurns } from '../store/call-records.repository.js';
import { SettleBatch, writeSettles } from '../store/engine-batch.repository.js';
import { appendTrails, enqueueCallbacks } from '../store/engine.repository.js';
import type { Insertable } from 'kysely';
import type { TrailTable } from '../store/schema/engine.js';
import { rowLockTransaction } from '../store/dialect.js';
import { callbackItem } from './callback.js';
import type { CampaignRow } from '../store/campaigns.repository.js';
import type { DialOutcome } from './dialer.js';
import type { EngineContext } from './engine.js';

/** The settled outcome as every step sees it. */
export interface Settlement {
  /** Normalised OBS fail code (5 digits for numeric codes). */
  failCode: string;
  success: boolean;
  /** The VDN's external result code for the fail code (OB99999 for an unmapped success), or null. */
  resultCode: string | null;
  outcome: DialOutcome;
}

/** What is being settled, and the worker's own writes. */
export interface SettleSubject {
  vdnId: number;
  campaignId: number;
  dataId: number | null;
  reservationId: string | null;
  callId: string;
  calledNo: string;
  callerNo: string | null;
  sessionId: string | null;
  customField: string | null;
  /**
   * Stages the worker's rows for this attempt (the record or reservation, its call result) in
   * `batch`: exactly one item, written with the other attempts' in one set-based statement per
   * table (engine-batch.repository.ts `writeSettles`), guarded by the lease; an attempt whose
   * lease was lost is not settled and nothing of it is written. Returns what the trail entry
   * says (`until`: when the work is next due, epoch ms).
   */
  stage(s: Settlement, batch: SettleBatch): { until: number | null; detail: string | null };
  /**
   * A skill-queue campaign's call (issue #16): its abandon accounting (`agent_calls`, the agent
   * ledger: agent-desk.ts `settled`) is written in the settling transaction, after the worker's
   * rows, so a budget decision sees the settle and the abandon together or neither. Absent for
   * IVR campaigns or without agents.
   */
  agentCall?: { campaign: CampaignRow; numberKey: string };
}

/** Settles one attempt at engine time `now` (epoch ms); false when it was no longer this node's to settle. */
export async function settleAttempt(ctx: EngineContext, subject: SettleSubject, o: DialOutcome, now: number): Promise<boolean> {
  const [settled] = await settleAttempts(ctx, [{ subject, outcome: o }], now);
  return settled ?? false;
}

/**
 * Settles several attempts whose outcomes arrived together (one round's simulated results) in
 * ONE transaction (issue #12): each item exactly as {@link settleAttempt} would, its trail rows
 * and callbacks in multi-row INSERTs; the external result and the campaign's callback URL read
 * once per batch. Should the batch fail (one bad item), each item is settled again on its own,
 * so one item cannot keep the others from being recorded. Returns, per item, whether it was
 * settled (false: no longer this node's), and emits `attempt:settled` for each after the commit.
 */
export async function settleAttempts(ctx: EngineContext, items: ReadonlyArray<{ subject: SettleSubject; outcome: DialOutcome }>, now: number): Promise<boolean[]> {
  if (items.length === 0) return [];
  // The external result of each (VDN, fail code) in the batch, the lookups sent together (on
  // PostgreSQL each on its own pooled connection: one round trip of waiting, not one per code;
  // issue #12, a reservation falling due waits for the pass in progress, its settle included).
  const lookups = new Map<string, Promise<string | null>>();
  const codes = items.map(({ subject, outcome: o }) => {
    const failCode = normalizeFailCode(o.failCode);
    const key = `${subject.vdnId}\u0000${failCode}`;
    if (!lookups.has(key)) lookups.set(key, ctx.externalResultFor(ctx.db, subject.vdnId, failCode));
    return { failCode, key };
  });
  const keys = [...lookups.keys()];
  const found = await Promise.all(lookups.values());
  const results = new Map(keys.map((k, i) => [k, found[i]!] as const));
  const prepared: Array<{ subject: SettleSubject; o: DialOutcome; s: Settlement }> = items.map(({ subject, outcome: o }, i) => {
    const { failCode, key } = codes[i]!;
    return { subject, o, s: { failCode, success: isSuccessFailCode(failCode), resultCode: results.get(key)!, outcome: { ...o, failCode } } };
  });
  let settled: boolean[];
  try {
    settled = await settleInOneTransaction(ctx, prepared, now);
  } catch (e) {
    if (prepared.length === 1) throw e;
    settled = [];
    for (const p of prepared) settled.push((await settleInOneTransaction(ctx, [p], now))[0]!);
  }
  for (const [i, p] of prepared.entries()) {
    if (!settled[i]) continue;
    ctx.events.emit('attempt:settled', {
      callId: p.subject.callId,
      campaignId: p.subject.campaignId,
      ...(p.subject.dataId !== null ? { dataId: p.subject.dataId } : {}),
      ...(p.subject.reservationId !== null ? { reservationId: p.subject.reservationId } : {}),
      failCode: p.s.failCode,
    });
  }
  return settled;
}

async function settleInOneTransaction(ctx: EngineContext, prepared: ReadonlyArray<{ subject: SettleSubject; o: DialOutcome; s: Settlement }>, now: number): Promise<boolean[]> {
  // Guarded by each record's own row (the lease condition of its staged update): no store-wide lock.
  return rowLockTransaction(ctx.db).execute(async (trx) => {
    const urls = new Map<number, string | null>();
    const trail: Array<Insertable<TrailTable>> = [];
    const callbacks: Array<Parameters<typeof enqueueCallbacks>[1][number]> = [];
    const out: boolean[] = [];
    const agentCalls: Array<{ subject: SettleSubject; s: Settlement }> = [];
    const turns: Parameters<typeof insertCallsTurns>[1][number][] = [];
    // Gather: each attempt's rows staged (reads and decisions), then ONE write per table.
    const batch = new SettleBatch();
    const entries = prepared.map(({ subject, s }) => {
      const before = batch.items.length;
      const entry = subject.stage(s, batch);
      if (batch.items.length !== before + 1) throw new Error('a settle subject must stage exactly one item');
      return entry;
    });
    const written = await writeSettles(trx, batch, now);
    for (const [i, { subject, o, s }] of prepared.entries()) {
      const entry = entries[i]!;
      if (!written[i]) {
        out.push(false);
        continue;
      }
      // The dialogue of an automatic or robot call (callRecord), kept with its result.
      if (o.turns?.length) turns.push({ vdnId: subject.vdnId, callId: subject.callId, turns: o.turns });
      trail.push({
        vdn_id: subject.vdnId,
        campaign_id: subject.campaignId,
        data_id: subject.dataId,
        reservation_id: subject.reservationId,
        at: now,
        kind: 'settled',
        gate: null,
        until: entry.until,
        call_id: subject.callId,
        called_no: subject.calledNo,
        caller_no: subject.callerNo || null,
        fail_code: s.failCode,
        detail: entry.detail,
      });
      if (!urls.has(subject.campaignId)) {
        const c = await trx.selectFrom('campaigns').select('call_back_url').where('id', '=', subject.campaignId).executeTakeFirst();
        urls.set(subject.campaignId, c?.call_back_url ?? null);
      }
      const url = urls.get(subject.campaignId);
      if (url) {
        const item = callbackItem({
          campaignId: subject.campaignId,
          sessionId: subject.sessionId,
          called: subject.calledNo,
          callTime: Number(o.ackBeginTime ?? now),
          callStatus: s.success ? 6 : 5,
          failCode: s.failCode,
          vdnId: subject.vdnId,
          callId: subject.callId,
          customField: subject.customField,
          recordPath: o.recordPath ?? null,
        });
        callbacks.push({ vdn_id: subject.vdnId, campaign_id: subject.campaignId, url, payload: JSON.stringify([item]), next_at: now, created_at: now });
      }
      if (subject.agentCall && ctx.agents) agentCalls.push({ subject, s });
      out.push(true);
    }
    await insertCallsTurns(trx, turns, now);
    // Ledger row locks last and in campaign order (PostgreSQL: no lock-order deadlock between settles).
    agentCalls.sort((a, b) => a.subject.agentCall!.campaign.id - b.subject.agentCall!.campaign.id);
    for (const { subject, s } of agentCalls) {
      const a = subject.agentCall!;
      await ctx.agents!.settled(a.campaign, subject.callId, a.numberKey, s.outcome, now, trx);
    }
    await appendTrails(trx, trail);
    await enqueueCallbacks(trx, callbacks);
    return out;
  });
}
