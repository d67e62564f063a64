/**
 * Call data (the numbers a campaign dials), its called numbers, number types, and the call
 * results every attempt leaves behind.
 *
 * A call-data record is one customer (`dataId`) with one or more called numbers. Its state
 * machine:
 *
 *   (calldata add v1/v2) ──▶ ready          due_at = now (+ delayTime of the first number, v2)
 *   ready ──(claimed by the scheduler: lease_owner/lease_until set)──▶ dialing
 *   dialing ──(attempt settled, retry due later)──▶ ready (due_at moved)
 *   dialing ──(success, or nothing left to try)──▶ done
 *   dialing ──(lease expired: the node died)──▶ ready (reaper)
 *   ready ──(calldata delete, archiveHistory 1)──▶ archived   (kept for audit; never dialled,
 *                                                              counted or returned again)
 *   ready ──(calldata delete, archiveHistory 0; batch delete)──▶ (row removed)
 *
 * `dialing` records are never deleted (the request is refused) and `done` records are history:
 * deletes leave them alone. "Uncompleted" (the 200 000 limit, `totalSize`) = ready + dialing.
 *
 * `due_at` is the next moment the record may be tried; gates that hold a record (paused batch,
 * suspended campaign, calling window) are checked at claim time, not stored.
 */
import type { Generated } from 'kysely';

export interface CallDataTable {
  id: Generated<number>;
  vdn_id: number;
  campaign_id: number;
  batch_id: string | null;
  session_id: string | null;
  /** Per-record calling-number override. */
  caller: string | null;
  custom_field: string | null;
  call_data: string | null;
  recycle_time: number | null;
  priority: number | null;
  /** ready | dialing | done | archived */
  state: string;
  due_at: number;
  /** Index into call_data_numbers of the number to try next. */
  number_index: number;
  attempts: number;
  /** JSON: per-number and per-day attempt counters used by the retry policy. */
  retry_state: string | null;
  last_fail_code: string | null;
  last_result_code: string | null;
  last_call_at: number | null;
  /** 1 when the last attempt connected (00000). */
  succeeded: number;
  busi_result: string | null;
  busi_sub_status: string | null;
  busi_result_desc: string | null;
  /** Agent pinned by a business-result writeback. */
  work_no: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  /** Added by 006-engine: the attempt handed to the dialer (recorded before the hand-off). */
  call_id: string | null;
  /** Added by 006-engine: when that attempt was handed over; null once it is settled. */
  dispatched_at: number | null;
}

export interface CallDataNumberTable {
  data_id: number;
  idx: number;
  called_no: string;
  /** Seconds to wait before this number may be dialled (v2 `delayTime`). */
  delay_time: number;
  /** Number type name (`callNoType`), used by number-type retry policies. */
  type: string | null;
  attempts: number;
}

export interface NumberTypeTable {
  vdn_id: number;
  name: string;
  /** Order of addition within the VDN (the query lists types in that order). */
  seq: number;
  created_at: number;
}

export interface CallResultTable {
  id: Generated<number>;
  call_id: string;
  vdn_id: number;
  campaign_id: number;
  data_id: number | null;
  reservation_id: string | null;
  batch_id: string | null;
  session_id: string | null;
  custom_field: string | null;
  called_no: string;
  caller_no: string | null;
  /** 5 failed, 6 succeeded. */
  call_status: number;
  fail_code: string;
  /** External result code mapped from fail_code (OB99999 for success without a mapping). */
  result_code: string | null;
  /** Ringing began. */
  ack_begin_time: number | null;
  /** Answered. */
  call_begin_time: number | null;
  call_end_time: number | null;
  record_path: string | null;
  created_at: number;
}

/**
 * Try-set timestamps for per-key rate limits ("at least 1 s between call-data adds on a
 * campaign", "statistics once per 5 minutes"). Kept in the database, not in memory, so the
 * limit holds across several campaignd nodes sharing one PostgreSQL database.
 */
export interface CallDataGateTable {
  /** `calldata:{campaignId}`, `statistics:{vdnId}:{campaignId}:{batchId}` */
  gate_key: string;
  last_at: number;
}

export interface CallDataTables {
  call_data: CallDataTable;
  call_data_numbers: CallDataNumberTable;
  number_types: NumberTypeTable;
  call_results: CallResultTable;
  call_data_gates: CallDataGateTable;
}
