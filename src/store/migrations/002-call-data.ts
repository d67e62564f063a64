import type { Kysely } from 'kysely';
import { serialKey, type DialectCaps } from '../dialect.js';

/** Call data, its numbers, number types, call results and rate gates (see schema/call-data.ts). */
export function callData(caps: DialectCaps) {
  const { type: pkType, build: serialPk } = serialKey(caps);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('call_data')
        .addColumn('id', pkType, serialPk)
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('batch_id', 'varchar(30)')
        .addColumn('session_id', 'varchar(32)')
        .addColumn('caller', 'varchar(24)')
        .addColumn('custom_field', 'varchar(200)')
        .addColumn('call_data', 'text')
        .addColumn('recycle_time', 'bigint')
        .addColumn('priority', 'integer')
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        .addColumn('number_index', 'integer', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('retry_state', 'text')
        .addColumn('last_fail_code', 'varchar(16)')
        .addColumn('last_result_code', 'varchar(16)')
        .addColumn('last_call_at', 'bigint')
        .addColumn('succeeded', 'integer', (c) => c.notNull())
        .addColumn('busi_result', 'varchar(50)')
        .addColumn('busi_sub_status', 'varchar(50)')
        .addColumn('busi_result_desc', 'text')
        .addColumn('work_no', 'varchar(32)')
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .execute();
      await db.schema.createIndex('call_data_due').on('call_data').columns(['state', 'due_at']).execute();
      await db.schema.createIndex('call_data_campaign').on('call_data').columns(['campaign_id', 'state']).execute();
      await db.schema.createIndex('call_data_session').on('call_data').columns(['campaign_id', 'session_id']).execute();

      await db.schema
        .createTable('call_data_numbers')
        .addColumn('data_id', 'integer', (c) => c.notNull())
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('called_no', 'varchar(24)', (c) => c.notNull())
        .addColumn('delay_time', 'integer', (c) => c.notNull())
        .addColumn('type', 'varchar(64)')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('call_data_numbers_pk', ['data_id', 'idx'])
        .execute();
      await db.schema.createIndex('call_data_numbers_called').on('call_data_numbers').column('called_no').execute();
      // Statistics and the batch delete group and filter by batch and by customField.
      await db.schema.createIndex('call_data_batch').on('call_data').columns(['campaign_id', 'batch_id']).execute();
      await db.schema.createIndex('call_data_custom').on('call_data').columns(['campaign_id', 'custom_field']).execute();

      await db.schema
        .createTable('number_types')
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(64)', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('number_types_pk', ['vdn_id', 'name'])
        .execute();

      await db.schema
        .createTable('call_results')
        .addColumn('id', pkType, serialPk)
        .addColumn('call_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('data_id', 'integer')
        .addColumn('reservation_id', 'varchar(30)')
        .addColumn('batch_id', 'varchar(30)')
        .addColumn('session_id', 'varchar(32)')
        .addColumn('custom_field', 'varchar(200)')
        .addColumn('called_no', 'varchar(24)', (c) => c.notNull())
        .addColumn('caller_no', 'varchar(24)')
        .addColumn('call_status', 'integer', (c) => c.notNull())
        .addColumn('fail_code', 'varchar(16)', (c) => c.notNull())
        .addColumn('result_code', 'varchar(16)')
        .addColumn('ack_begin_time', 'bigint')
        .addColumn('call_begin_time', 'bigint')
        .addColumn('call_end_time', 'bigint')
        .addColumn('record_path', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('call_results_call_id').unique().on('call_results').columns(['vdn_id', 'call_id']).execute();
      await db.schema.createIndex('call_results_campaign').on('call_results').columns(['campaign_id', 'created_at']).execute();
      await db.schema.createIndex('call_results_data').on('call_results').column('data_id').execute();

      await db.schema
        .createTable('call_data_gates')
        .addColumn('gate_key', 'varchar(300)', (c) => c.primaryKey())
        .addColumn('last_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
