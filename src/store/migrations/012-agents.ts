import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/** Agents reported by the CTI and the answered calls of skill-queue campaigns (schema/agents.ts). */
export function agents(_caps: DialectCaps) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('agents')
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('skill_id', 'integer', (c) => c.notNull())
        .addColumn('agent_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('agents_pk', ['vdn_id', 'skill_id', 'agent_id'])
        .execute();
      await db.schema
        .createTable('agent_calls')
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('call_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('number_key', 'varchar(64)', (c) => c.notNull())
        .addColumn('answered_at', 'bigint', (c) => c.notNull())
        .addColumn('abandoned', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('agent_calls_pk', ['vdn_id', 'call_id'])
        .execute();
      await db.schema.createIndex('agent_calls_campaign').on('agent_calls').columns(['campaign_id', 'answered_at']).execute();
      await db.schema.createIndex('agent_calls_number').on('agent_calls').columns(['vdn_id', 'number_key', 'abandoned', 'answered_at']).execute();
    },
  };
}
