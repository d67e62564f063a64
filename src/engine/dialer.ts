/**
 * The dialer seam: the engine hands one call at a time to a `Dialer` and gets its outcome back.
 *
 * A dialer either answers at once (`settled`, as the simulated dialer does: the call's times are
 * computed, not waited for) or accepts the call for later (`accepted`: an external CTI places
 * it and reports the outcome through `Engine.settleExternal`). The engine records the attempt as
 * dispatched *before* calling `dial`, so a crash after the hand-off never dials the record again:
 * an attempt whose result never came back is settled with OBS code 34608 ("no result received
 * after dialing") when its lease expires.
 */

import type { CallTurn } from '../store/call-records.repository.js';

export interface DialRequest {
  /** Unique per attempt; the CTI's call id. */
  callId: string;
  vdnId: number;
  campaignId: number;
  /** Call-data record, when the call comes from call data. */
  dataId?: number;
  /** Reservation, when the call comes from an automatic reservation. */
  reservationId?: string;
  calledNo: string;
  callerNo: string;
  /** 1-based attempt number of this record. */
  attempt: number;
  /** Ring timeout of the campaign, seconds. */
  maxAlertingTime: number;
  /** The campaign's `ivrParam.deviceSign` or `skillParam.skillId`, for the CTI. */
  deviceType: number;
  callData?: string | null;
  /** Engine clock reading when the call is placed. */
  nowMs: number;
  /**
   * Skill-queue campaigns: the queue and the abandon rule the CTI applies — an answered call
   * without a free agent within `abandonGraceMs` gets the recorded message and is released, and
   * its result is reported with failCode 01046 (agent-desk.ts).
   */
  agentQueue?: { skillId: number; mode: 'preview' | 'progressive' | 'predictive'; abandonGraceMs: number; onAbandon: 'recorded-message' };
}

export interface DialOutcome {
  /** OBS fail code; 00000 = connected. */
  failCode: string;
  /** Ringing began (epoch ms). */
  ackBeginTime: number | null;
  /** Answered (epoch ms), null when not connected. */
  callBeginTime: number | null;
  callEndTime: number | null;
  recordPath?: string | null;
  /** The dialogue of an automatic or robot call, stored with the result (`callRecord`). */
  turns?: CallTurn[];
}

export type DialResult = { kind: 'settled'; outcome: DialOutcome } | { kind: 'accepted' };

/** Where a dialer that places calls itself reports an accepted call's outcome (`Engine.settleExternal`). */
export type SettleSink = (callId: string, vdnId: number, outcome: DialOutcome) => Promise<boolean>;

export interface Dialer {
  readonly name: string;
  /**
   * True for a dialer that answers every call at once, in this process, without anything
   * leaving it (the simulated dialer). The engine then marks a whole slice of attempts
   * dispatched in one transaction before handing them over (issue #12). For any other dialer
   * each attempt is marked in its own transaction just before its hand-off, so a crash between
   * mark and hand-off affects at most the one call in flight (test/engine-crash.test.ts).
   */
  readonly answersAtOnce?: boolean;
  dial(req: DialRequest, signal?: AbortSignal): Promise<DialResult>;
  /** Binds sockets and the like before the engine starts; a failure stops campaignd's start. */
  open?(): Promise<void>;
  /** Ends the calls in progress, settles them through the sink, and releases what `open` took. */
  close?(): Promise<void>;
  /** Given by the engine to dialers that run accepted calls themselves (the SIP dialer). */
  attach?(settle: SettleSink): void;
}
