/**
 * The SIP side of a call placed by the SIP dialer (campaignd extension, README "The SIP dialer"):
 * the SIP Call-ID to find the call in the trunk's CDRs, the INVITE's final status and the
 * hand-off's outcome. Times are `yyyy-MM-dd HH:mm:ss` UTC like the call results', plus epoch ms.
 */
import type { Db } from '../store/db.js';
import { findSipCall } from '../store/sip-calls.repository.js';
import { paramError } from './errors.js';
import { formatDateTime } from './time.js';

export interface SipCallDetail {
  callId: string;
  campaignId: number;
  sipCallId: string;
  /** The INVITE's final SIP status; null when none came (campaignd gave up). */
  sipStatus: number | null;
  sipReason: string | null;
  /** The status was made up by campaignd's own stack (timeout, connection failure). */
  localFailure: boolean;
  /** campaignd sent CANCEL (maxAlertingTime reached, or shutdown). */
  cancelled: boolean;
  failCode: string;
  inviteTime: string;
  ringingTime: string | null;
  answerTime: string | null;
  endTime: string;
  inviteTimeMs: number;
  ringingTimeMs: number | null;
  answerTimeMs: number | null;
  endTimeMs: number;
  transferUri: string | null;
  transferStatus: number | null;
}

const time = (ms: number | null) => (ms === null ? null : formatDateTime(Number(ms)));

/** One SIP call of the VDN by campaignd's call id; unknown → 0200001. */
export async function sipCallDetail(db: Db, vdnId: number, callId: string): Promise<SipCallDetail> {
  const r = await findSipCall(db, vdnId, callId);
  if (!r) throw paramError(`no SIP call ${callId} in VDN ${vdnId}`);
  const ms = (v: number | null) => (v === null ? null : Number(v));
  return {
    callId: r.call_id,
    campaignId: Number(r.campaign_id),
    sipCallId: r.sip_call_id,
    sipStatus: ms(r.final_status),
    sipReason: r.final_reason,
    localFailure: r.local === 1,
    cancelled: r.cancelled === 1,
    failCode: r.fail_code,
    inviteTime: formatDateTime(Number(r.invite_at)),
    ringingTime: time(r.ringing_at),
    answerTime: time(r.answered_at),
    endTime: formatDateTime(Number(r.ended_at)),
    inviteTimeMs: Number(r.invite_at),
    ringingTimeMs: ms(r.ringing_at),
    answerTimeMs: ms(r.answered_at),
    endTimeMs: Number(r.ended_at),
    transferUri: r.transfer_uri,
    transferStatus: ms(r.transfer_status),
  };
}
