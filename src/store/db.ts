/**
 * The Kysely `DB` interface: one table interface per table, snake_case columns.
 * Times are epoch milliseconds (integers) everywhere; JSON sub-objects are stored as text.
 * Row types for repositories come from `Selectable<…>` / `Insertable<…>`.
 */
import type { Generated, Kysely } from 'kysely';
import type { CalendarTables } from './schema/calendar.js';
import type { CallDataTables } from './schema/call-data.js';
import type { ContactSafetyTables } from './schema/contact-safety.js';
import type { EngineTables } from './schema/engine.js';
import type { JournalTables } from './schema/journal.js';
import type { PacingTables } from './schema/pacing.js';
import type { PolicyTables } from './schema/policies.js';
import type { NameNfc } from './schema/names.js';
import type { SipTables } from './schema/sip.js';
import type { AgentTables } from './schema/agents.js';
import type { SurfaceTables } from './schema/surface.js';

export interface AccessKeyTable {
  access_key: string;
  /** Needed in clear to recompute HMACs; the database file is created with mode 0600. */
  secret_key: string;
  /** '*' = every VDN, else a comma-separated list of vdnIds. */
  vdn_ids: string;
  created_at: number;
}

export interface CampaignTable {
  id: Generated<number>;
  vdn_id: number;
  name: string;
  description: string | null;
  device_type: number;
  begin_time: number;
  end_time: number;
  max_alerting_time: number;
  /** JSON text: the scheduleParam object with unset slots omitted. */
  schedule_param: string;
  ivr_param: string | null;
  skill_param: string | null;
  init_status: number;
  /** 1 while suspended (paused); expiry and completion are derived from time and data. */
  suspended: number;
  call_back_url: string | null;
  priority: number | null;
  created_at: number;
  updated_at: number;
  /** Added by 006-engine: the campaign's own IANA time zone (null = CAMPAIGND_TIMEZONE). */
  time_zone: string | null;
  /** Added by 007-contact-safety: region of its numbers (null = CAMPAIGND_DEFAULT_REGION). */
  region: string | null;
  /** Added by 007-contact-safety: jurisdiction rule pack (null = only the server default). */
  rule_pack: string | null;
  /** JSON text of the v2 `callPolicy` object, as given. */
  call_policy: string | null;
  /** v2 `callOrder` (2025-03+); its meaning is not published, so it is stored and echoed. */
  call_order: number | null;
  /**
   * Set when the campaign was deleted with `archiveHistory: 1`: the row and its history stay,
   * but every interface treats the campaign as absent (0200007) and its name is free again.
   */
  deleted_at: number | null;
  /** NFC form of `name`, compared by the "name taken" check (schema/names.ts). */
  name_nfc: NameNfc;
}

export interface CallerNumberTable {
  campaign_id: number;
  access_code: string;
  priority: number;
  /** Insertion order, for round-robin among equal priorities. */
  seq: number;
  created_at: number;
  /** Added by 006-engine: round-robin among equal priorities. */
  last_used_at: number | null;
}

export interface BatchTable {
  id: string;
  campaign_id: number;
  vdn_id: number;
  name: string;
  /** 1 started, 2 suspended. */
  status: number;
  created_at: number;
  updated_at: number;
  /** NFC form of `name`, compared by the "name taken" check (schema/names.ts). */
  name_nfc: NameNfc;
}

export interface ReservationTable {
  id: string;
  vdn_id: number;
  campaign_id: number;
  /** 1 manual, 2 automatic. */
  call_type: number;
  called_no: string;
  user_account: string | null;
  work_no: string | null;
  appoint_time: number;
  call_data: string | null;
  remark: string | null;
  /** pending → due/dialing → done; see domain/reservations.ts. */
  state: string;
  /** When the engine should act: appoint_time − lead (automatic) or appoint_time (manual). */
  due_at: number;
  timeout: number;
  caller_no: string | null;
  fail_code: string | null;
  call_id: string | null;
  busi_result: string | null;
  busi_sub_status: string | null;
  call_begin_time: number | null;
  call_end_time: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  attempts: number;
  created_at: number;
  updated_at: number;
  /** Added by 006-engine: when the attempt was handed to the dialer. */
  dispatched_at: number | null;
}

export interface ReservationResultTable {
  id: Generated<number>;
  reservation_id: string;
  /** 'agent' (appoint/updateResult) or 'engine'. */
  source: string;
  user_account: string | null;
  work_no: string | null;
  caller_no: string | null;
  fail_code: string | null;
  call_id: string | null;
  busi_result: string | null;
  busi_sub_status: string | null;
  call_begin_time: number | null;
  call_end_time: number | null;
  created_at: number;
}

export interface BlocklistTable {
  vdn_id: number;
  number: string;
  /** null = permanent. */
  expires_at: number | null;
  restrict_times: number | null;
  restrict_period: string | null;
  category_id: string | null;
  type_id: string | null;
  created_at: number;
  /** Added by 007-contact-safety: last 8 digits, for lookups by subscriber (set by the repository). */
  number_tail: string | null;
  /** `validityTime` as sent (1–120), null when absent or when validityExpirationTime won. */
  validity_time: number | null;
  /** `validityTimeUnit`: 1 year, 2 month, 3 day, 4 hour. */
  validity_time_unit: number | null;
}

export interface ExternalResultTable {
  def_id: Generated<number>;
  vdn_id: number;
  result_code: string | null;
  display_result: string;
  created_at: number;
  updated_at: number;
}

export interface ExternalResultCodeTable {
  def_id: number;
  vdn_id: number;
  obs_code: string;
}

/** Every table; each area's tables come from its file in schema/. */
export interface DB extends CallDataTables, PolicyTables, CalendarTables, JournalTables, EngineTables, ContactSafetyTables, SipTables, SurfaceTables, PacingTables, AgentTables {
  access_keys: AccessKeyTable;
  campaigns: CampaignTable;
  caller_numbers: CallerNumberTable;
  batches: BatchTable;
  reservations: ReservationTable;
  reservation_results: ReservationResultTable;
  blocklist: BlocklistTable;
  external_results: ExternalResultTable;
  external_result_codes: ExternalResultCodeTable;
}

export type Db = Kysely<DB>;
