/** The record of one finished SIP call and the engine outcome it gives (sip-call.ts). */
import type { SipCallInput } from '../store/sip-calls.repository.js';
import type { DialOutcome } from './dialer.js';

/**
 * What campaignd keeps of one SIP call: the stored record (table `sip_calls`, see
 * store/sip-calls.repository.ts for the fields) and the numbers it was placed with; times are
 * engine epoch ms.
 */
export interface SipCallRecord extends SipCallInput {
  calledNo: string;
  callerNo: string;
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
