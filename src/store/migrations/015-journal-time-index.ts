import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/**
 * Issue #12 (per-request cost of the journal): drops `call_logs_time (oper_time)`, added by
 * 009 for retention only. Journal ids begin with the 13 digits of their `oper_time`
 * (domain/ids.ts `newLongId`), so retention now finds the old rows by a range of the primary
 * key instead (store/retention.repository.ts, domain/ids.ts `longIdsBefore`), and every journal
 * row written maintains four B-trees instead of five. The calllogs query keeps
 * `call_logs_vdn_time` and `call_logs_vdn_url_time` (005).
 */
export function journalTimeIndex(caps: DialectCaps) {
  void caps;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('call_logs_time').ifExists().execute();
    },
  };
}
