/**
 * Contact safety (issue #7, migrations/007-contact-safety.ts): every attempt campaignd hands to
 * a dialer, per VDN and canonical number, for rule-pack caps, contact caps and blocklist
 * frequency limits; and one lock row per (VDN, number) that serialises the count-and-record
 * step of concurrent dispatches (on SQLite the write itself; on PostgreSQL the row lock).
 */
import type { Generated } from 'kysely';

export interface ContactAttemptTable {
  id: Generated<number>;
  vdn_id: number;
  /** Canonical number (phone-numbers.ts `canonicalNumber`, in the campaign's region). */
  number_key: string;
  campaign_id: number;
  /** call_data id or null. */
  data_id: number | null;
  reservation_id: string | null;
  call_id: string;
  /** Engine time of the dispatch, epoch ms. */
  at: number;
}

export interface ContactLockTable {
  vdn_id: number;
  number_key: string;
  touched_at: number;
}

export interface ContactSafetyTables {
  contact_attempts: ContactAttemptTable;
  contact_locks: ContactLockTable;
}
