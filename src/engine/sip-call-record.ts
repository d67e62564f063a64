/** The record of one finished SIP call and the engine outcome it gives (sip-call.ts). */
import type { DialOutcome } from './dialer.js';

/** What campaignd keeps of one SIP call (table `sip_calls`); times are engine epoch ms. */
export interface SipCallRecord {
  callId: string;
  vdnId: number;
  campaignId: number;
  calledNo: string;
  callerNo: string;
  sipCallId: string;
  /** The INVITE's final status (200 when answered); null when none came. */
  finalStatus: number | null;
  finalReason: string | null;
  /** The final status came from campaignd's own stack, not from the far end. */
  local: boolean;
  cancelled: boolean;
  failCode: string;
  inviteAt: number;
  ringingAt: number | null;
  answeredAt: number | null;
  endedAt: number;
  transferUri: string | null;
  /** REFER's final status, or the status the far end's NOTIFY reported. */
  transferStatus: number | null;
}

/** The engine's outcome of a finished SIP call. */
export function outcomeOf(r: SipCallRecord): DialOutcome {
  const answered = r.answeredAt !== null;
  return {
    failCode: r.failCode,
    ackBeginTime: r.ringingAt ?? r.answeredAt,
    callBeginTime: answered ? r.answeredAt : null,
    callEndTime: r.endedAt,
  };
}
