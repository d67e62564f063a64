/**
 * Engine bookkeeping: the decision trail and the result-callback outbox, plus engine columns on
 * tables of other areas (added by migrations/006-engine.ts).
 */
import type { Generated } from 'kysely';

export interface TrailTable {
  id: Generated<number>;
  vdn_id: number;
  campaign_id: number;
  data_id: number | null;
  reservation_id: string | null;
  /** Engine clock reading of the decision. */
  at: number;
  /** dialled | skipped | held | settled | recovered | finished */
  kind: string;
  /** The gate that decided a skip (calling-window, blocklist, …). */
  gate: string | null;
  /** For skips: when the record is next eligible. */
  until: number | null;
  call_id: string | null;
  called_no: string | null;
  caller_no: string | null;
  fail_code: string | null;
  detail: string | null;
}

export interface CallbackOutboxTable {
  id: Generated<number>;
  vdn_id: number;
  campaign_id: number;
  url: string;
  /** JSON array, as sent. */
  payload: string;
  attempts: number;
  next_at: number;
  /** pending | delivered | failed */
  state: string;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface EngineStateTable {
  key: string;
  value: string;
}

export interface EngineTables {
  engine_trail: TrailTable;
  callback_outbox: CallbackOutboxTable;
  engine_state: EngineStateTable;
}
