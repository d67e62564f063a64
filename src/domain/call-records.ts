/**
 * Call records (`POST P/callRecord`, `POST P2/callRecord`; isales-gaps §8.5): not audio, the
 * turn-by-turn dialogue of automatic and robot calls. The turns arrive with the call's result:
 * from the webhook dialer's CTI (`turns[]` on the result extension) or from the simulated
 * dialer, which scripts a short dialogue for every connected call of an IVR campaign.
 *
 * Rules: the callId must be a call of the VDN (`0200001` otherwise, as `callresultdetail`); a
 * call without turns answers an empty `recordList`. v1 answers every turn (at most 1000), v2 a
 * page (`page` 1–1000, `limit` 1–100) plus `total`.
 */
import type { CallRecordItem, CallTurnIn } from '../contract/call-records.js';
import { callExists, pageCallTurns, type CallRecordRow, type CallTurn } from '../store/call-records.repository.js';
import type { DomainContext } from './context.js';
import { paramError } from './errors.js';
import { formatDateTime } from './time.js';

/** Row → wire. */
export function callTurnToApi(r: CallRecordRow): CallRecordItem {
  return {
    interNo: Number(r.inter_no),
    systemReply: r.system_reply ?? '',
    userSaying: r.user_saying ?? '',
    intention: r.intention ?? '',
    systemReplyTime: r.system_reply_time === null ? '' : formatDateTime(Number(r.system_reply_time)),
    requestTime: r.request_time === null ? '' : formatDateTime(Number(r.request_time)),
    responseSource: r.response_source ?? '',
  };
}

/** Reported turns → stored turns (`interNo` defaults to the 1-based position). */
export function turnsFromWire(turns: readonly CallTurnIn[]): CallTurn[] {
  return turns.map((t, i) => ({
    interNo: t.interNo ?? i + 1,
    systemReply: t.systemReply ?? null,
    userSaying: t.userSaying ?? null,
    intention: t.intention ?? null,
    systemReplyTime: t.systemReplyTime ?? null,
    requestTime: t.requestTime ?? null,
    responseSource: t.responseSource ?? null,
  }));
}

/** `POST P/callRecord` (v1: every turn) and `POST P2/callRecord` (v2: one page). */
export async function callRecords(
  ctx: DomainContext,
  vdnId: number,
  callId: string,
  page?: { page: number; limit: number },
): Promise<{ recordList: CallRecordItem[]; total: number }> {
  if (!(await callExists(ctx.db, vdnId, callId))) throw paramError(`call ${callId} does not exist in VDN ${vdnId}`);
  const offset = page ? (page.page - 1) * page.limit : 0;
  const { total, rows } = await pageCallTurns(ctx.db, vdnId, callId, offset, page?.limit ?? 1000);
  return { recordList: rows.map(callTurnToApi), total };
}
