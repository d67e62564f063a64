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

/*
 * Columns 006-engine adds to tables of other areas, merged into their interfaces by module
 * augmentation so each area's schema file stays its own.
 */
declare module './call-data.js' {
  interface CallDataTable {
    /** The call id of the attempt in progress (or the last one). */
    call_id: string | null;
    /** When the attempt in progress was handed to the dialer; null between attempts. */
    dispatched_at: number | null;
  }
}
