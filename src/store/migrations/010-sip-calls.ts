import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/** The SIP dialer's call records (schema/sip.ts). */
export function sipCalls(_caps: DialectCaps) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sip_calls')
        .addColumn('call_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('sip_call_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('final_status', 'integer')
        .addColumn('final_reason', 'varchar(128)')
        .addColumn('local', 'integer', (c) => c.notNull())
        .addColumn('cancelled', 'integer', (c) => c.notNull())
        .addColumn('fail_code', 'varchar(16)', (c) => c.notNull())
        .addColumn('invite_at', 'bigint', (c) => c.notNull())
        .addColumn('ringing_at', 'bigint')
        .addColumn('answered_at', 'bigint')
        .addColumn('ended_at', 'bigint', (c) => c.notNull())
        .addColumn('transfer_uri', 'text')
        .addColumn('transfer_status', 'integer')
        .addPrimaryKeyConstraint('sip_calls_pk', ['vdn_id', 'call_id'])
        .execute();
      await db.schema.createIndex('sip_calls_sip_call_id').on('sip_calls').column('sip_call_id').execute();
    },
  };
}
