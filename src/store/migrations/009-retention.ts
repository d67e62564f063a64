import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/**
 * Indexes for retention pruning (issue #9): the journal, the decision trail and the finished
 * callbacks are deleted by age, oldest first, without scanning the tables.
 */
export function retention(caps: DialectCaps) {
  void caps;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('call_logs_time').on('call_logs').column('oper_time').execute();
      await db.schema.createIndex('engine_trail_at').on('engine_trail').column('at').execute();
      await db.schema.createIndex('callback_outbox_finished').on('callback_outbox').columns(['state', 'updated_at']).execute();
    },
  };
}
