/**
 * One engine path for settling an attempt (issue #8), shared by the call-data and the
 * reservation workers, whatever brought the outcome (the dialer's answer, a webhook CTI's
 * result, the reaper's `34608`):
 *
 *   fail code normalised once (`normalizeFailCode`: `0` → `00000`, `603` → `00603`)
 *   → success? → the VDN's external result
 *   → one transaction: the worker's own rows (`record`, false when the lease was lost: then
 *     nothing is written), the call's dialogue turns, the trail entry, the result callback in
 *     the outbox
 *   → the `attempt:settled` event.
 */
import { isSuccessFailCode, normalizeFailCode } from '../domain/obs-codes.js';
import type { Db } from '../store/db.js';
import { insertCallTurns } from '../store/call-records.repository.js';
import { appendTrail, enqueueCallback } from '../store/engine.repository.js';
import { rowLockTransaction } from '../store/dialect.js';
import { callbackItem } from './callback.js';
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
   * The worker's rows (record or reservation, call result), in the settling transaction.
   * Returns what the trail entry says (`until`: when the work is next due, epoch ms), or null
   * when the lease was lost (nothing is written).
   */
  record(trx: Db, s: Settlement): Promise<{ until: number | null; detail: string | null } | null>;
}

/** Settles one attempt at engine time `now` (epoch ms); false when it was no longer this node's to settle. */
export async function settleAttempt(ctx: EngineContext, subject: SettleSubject, o: DialOutcome, now: number): Promise<boolean> {
  const failCode = normalizeFailCode(o.failCode);
  const success = isSuccessFailCode(failCode);
  const resultCode = await ctx.externalResultFor(ctx.db, subject.vdnId, failCode);
  const s: Settlement = { failCode, success, resultCode, outcome: { ...o, failCode } };
  // Guarded by the record's own row (the lease condition in `record`): no store-wide lock.
  const settled = await rowLockTransaction(ctx.db).execute(async (trx) => {
    const trail = await subject.record(trx, s);
    if (!trail) return false;
    // The dialogue of an automatic or robot call (callRecord), kept with its result.
    if (o.turns?.length) await insertCallTurns(trx, subject.vdnId, subject.callId, o.turns, now);
    await appendTrail(trx, {
      vdn_id: subject.vdnId,
      campaign_id: subject.campaignId,
      data_id: subject.dataId,
      reservation_id: subject.reservationId,
      at: now,
      kind: 'settled',
      gate: null,
      until: trail.until,
      call_id: subject.callId,
      called_no: subject.calledNo,
      caller_no: subject.callerNo || null,
      fail_code: failCode,
      detail: trail.detail,
    });
    const c = await trx.selectFrom('campaigns').select('call_back_url').where('id', '=', subject.campaignId).executeTakeFirst();
    if (c?.call_back_url) {
      const item = callbackItem({
        campaignId: subject.campaignId,
        sessionId: subject.sessionId,
        called: subject.calledNo,
        callTime: Number(o.ackBeginTime ?? now),
        callStatus: success ? 6 : 5,
        failCode,
        vdnId: subject.vdnId,
        callId: subject.callId,
        customField: subject.customField,
        recordPath: o.recordPath ?? null,
      });
      await enqueueCallback(trx, { vdn_id: subject.vdnId, campaign_id: subject.campaignId, url: c.call_back_url, payload: JSON.stringify([item]), next_at: now, created_at: now });
    }
    return true;
  });
  if (settled) {
    ctx.events.emit('attempt:settled', {
      callId: subject.callId,
      campaignId: subject.campaignId,
      ...(subject.dataId !== null ? { dataId: subject.dataId } : {}),
      ...(subject.reservationId !== null ? { reservationId: subject.reservationId } : {}),
      failCode,
    });
  }
  return settled;
}
