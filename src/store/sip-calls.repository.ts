/**
 * The SIP dialer's call records (table `sip_calls`, schema/sip.ts).
 *
 * @example await recordSipCall(db, rec); const row = await findSipCall(db, 1, callId);
 */
import type { Selectable } from 'kysely';
import type { Db } from './db.js';
import type { SipCallTable } from './schema/sip.js';

export type SipCallRow = Selectable<SipCallTable>;

/** The record of one finished call, as the SIP dialer reports it (engine/sip-call.ts). */
export interface SipCallInput {
  callId: string;
  vdnId: number;
  campaignId: number;
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

/** Writes one call's record; a second write for the same call id is ignored. */
export async function recordSipCall(db: Db, r: SipCallInput): Promise<void> {
  await db
    .insertInto('sip_calls')
    .values({
      call_id: r.callId,
      vdn_id: r.vdnId,
      campaign_id: r.campaignId,
      sip_call_id: r.sipCallId,
      final_status: r.finalStatus,
      final_reason: r.finalReason === null ? null : r.finalReason.slice(0, 128),
      local: r.local ? 1 : 0,
      cancelled: r.cancelled ? 1 : 0,
      fail_code: r.failCode,
      invite_at: r.inviteAt,
      ringing_at: r.ringingAt,
      answered_at: r.answeredAt,
      ended_at: r.endedAt,
      transfer_uri: r.transferUri,
      transfer_status: r.transferStatus,
    })
    .onConflict((oc) => oc.columns(['vdn_id', 'call_id']).doNothing())
    .execute();
}

/** One call's record, or undefined. */
export async function findSipCall(db: Db, vdnId: number, callId: string): Promise<SipCallRow | undefined> {
  return db.selectFrom('sip_calls').selectAll().where('vdn_id', '=', vdnId).where('call_id', '=', callId).executeTakeFirst();
}
