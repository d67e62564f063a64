import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/**
 * Issue #12 (per-request cost of the journal): `call_logs.request_params`, nullable. When set,
 * `request` holds the body's JSON text as received and this column the query and path fields;
 * the calllogs query composes the vendor's `request` text from the two (domain/calllogs.ts
 * `recordedRequest`, `composeRequest`), so the journal writer no longer serialises the body
 * again. Rows written before, and rows whose `request` is the finished text, leave it null.
 */
export function journalRequestParams(caps: DialectCaps) {
  void caps;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('call_logs').addColumn('request_params', 'text').execute();
    },
  };
}
