import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/**
 * Issue #16, agent campaigns on several nodes and across restarts (schema/agents.ts):
 * - `agent_ledger`, one row per skill-queue campaign: the controller's measurements (answered,
 *   failed, handle and answer-delay totals) shared by every node and kept over a restart; its
 *   row lock serialises the abandon-budget decisions of all nodes (store/agent-ledger.repository.ts);
 * - `agent_exposure`, one row per campaign and engine instance: the calls that instance has
 *   started and that could still be abandoned in the worst case, which the other nodes subtract
 *   from the abandon headroom;
 * - indexes for retention pruning by age of `agent_calls`, `contact_attempts`, `contact_locks`.
 */
export function agentLedger(_caps: DialectCaps) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('agent_ledger')
        .addColumn('campaign_id', 'integer', (c) => c.primaryKey())
        .addColumn('answered', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('failed', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('handle_ms', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('handled', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('answer_delay_ms', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('answer_delays', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('agent_exposure')
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('desk_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('held', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('agent_exposure_pk', ['campaign_id', 'desk_id'])
        .execute();
      await db.schema.createIndex('agent_calls_answered').on('agent_calls').column('answered_at').execute();
      await db.schema.createIndex('contact_attempts_at').on('contact_attempts').column('at').execute();
      await db.schema.createIndex('contact_locks_touched').on('contact_locks').column('touched_at').execute();
    },
  };
}
