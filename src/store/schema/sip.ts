/**
 * What the SIP dialer keeps of each call it placed (migrations/010-sip-calls.ts): the SIP
 * Call-ID and final status beside campaignd's call id, so a call result can be matched with the
 * trunk's CDRs. Times are engine epoch ms.
 */
export interface SipCallTable {
  /** campaignd's call id (call_results.call_id). */
  call_id: string;
  vdn_id: number;
  campaign_id: number;
  sip_call_id: string;
  /** The INVITE's final status (200 answered); null when none came. */
  final_status: number | null;
  final_reason: string | null;
  /** 1 when the final status came from campaignd's own stack (timeout, connection failure). */
  local: number;
  /** 1 when campaignd sent CANCEL (maxAlertingTime or shutdown). */
  cancelled: number;
  fail_code: string;
  invite_at: number;
  ringing_at: number | null;
  answered_at: number | null;
  ended_at: number;
  transfer_uri: string | null;
  transfer_status: number | null;
}

export interface SipTables {
  sip_calls: SipCallTable;
}
