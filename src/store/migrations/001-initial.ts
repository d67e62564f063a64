import type { Kysely } from 'kysely';
import { serialKey, type DialectCaps } from '../dialect.js';

/**
 * The first schema: keys, campaigns and their calling numbers, batches, reservations with their
 * result history, the VDN blocklist and external results. Times are epoch ms in `bigint`
 * columns (64-bit INTEGER affinity on SQLite).
 */
export function initial(caps: DialectCaps) {
  const { type: pkType, build: serialPk } = serialKey(caps);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('access_keys')
        .addColumn('access_key', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('secret_key', 'varchar(256)', (c) => c.notNull())
        .addColumn('vdn_ids', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('campaigns')
        .addColumn('id', pkType, serialPk)
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('description', 'varchar(200)')
        .addColumn('device_type', 'integer', (c) => c.notNull())
        .addColumn('begin_time', 'bigint', (c) => c.notNull())
        .addColumn('end_time', 'bigint', (c) => c.notNull())
        .addColumn('max_alerting_time', 'integer', (c) => c.notNull())
        .addColumn('schedule_param', 'text', (c) => c.notNull())
        .addColumn('ivr_param', 'text')
        .addColumn('skill_param', 'text')
        .addColumn('init_status', 'integer', (c) => c.notNull())
        .addColumn('suspended', 'integer', (c) => c.notNull())
        .addColumn('call_back_url', 'text')
        .addColumn('priority', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('campaigns_vdn_name').unique().on('campaigns').columns(['vdn_id', 'name']).execute();

      await db.schema
        .createTable('caller_numbers')
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('access_code', 'varchar(24)', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('caller_numbers_pk', ['campaign_id', 'access_code'])
        .execute();

      await db.schema
        .createTable('batches')
        .addColumn('id', 'varchar(30)', (c) => c.primaryKey())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('batches_campaign_name').unique().on('batches').columns(['campaign_id', 'name']).execute();

      await db.schema
        .createTable('reservations')
        .addColumn('id', 'varchar(30)', (c) => c.primaryKey())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('call_type', 'integer', (c) => c.notNull())
        .addColumn('called_no', 'varchar(24)', (c) => c.notNull())
        .addColumn('user_account', 'varchar(64)')
        .addColumn('work_no', 'varchar(32)')
        .addColumn('appoint_time', 'bigint', (c) => c.notNull())
        .addColumn('call_data', 'text')
        .addColumn('remark', 'text')
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        .addColumn('timeout', 'integer', (c) => c.notNull())
        .addColumn('caller_no', 'varchar(24)')
        .addColumn('fail_code', 'varchar(16)')
        .addColumn('call_id', 'varchar(64)')
        .addColumn('busi_result', 'varchar(50)')
        .addColumn('busi_sub_status', 'varchar(50)')
        .addColumn('call_begin_time', 'bigint')
        .addColumn('call_end_time', 'bigint')
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_until', 'bigint')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('reservations_due').on('reservations').columns(['state', 'due_at']).execute();
      await db.schema.createIndex('reservations_vdn').on('reservations').columns(['vdn_id', 'campaign_id']).execute();

      await db.schema
        .createTable('reservation_results')
        .addColumn('id', pkType, serialPk)
        .addColumn('reservation_id', 'varchar(30)', (c) => c.notNull())
        .addColumn('source', 'varchar(16)', (c) => c.notNull())
        .addColumn('user_account', 'varchar(64)')
        .addColumn('work_no', 'varchar(32)')
        .addColumn('caller_no', 'varchar(24)')
        .addColumn('fail_code', 'varchar(16)')
        .addColumn('call_id', 'varchar(64)')
        .addColumn('busi_result', 'varchar(50)')
        .addColumn('busi_sub_status', 'varchar(50)')
        .addColumn('call_begin_time', 'bigint')
        .addColumn('call_end_time', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('reservation_results_reservation').on('reservation_results').column('reservation_id').execute();

      await db.schema
        .createTable('blocklist')
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('number', 'varchar(24)', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('restrict_times', 'integer')
        .addColumn('restrict_period', 'varchar(1)')
        .addColumn('category_id', 'varchar(64)')
        .addColumn('type_id', 'varchar(64)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('blocklist_pk', ['vdn_id', 'number'])
        .execute();

      await db.schema
        .createTable('external_results')
        .addColumn('def_id', pkType, serialPk)
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('result_code', 'varchar(7)')
        .addColumn('display_result', 'varchar(200)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('external_results_vdn_code').unique().on('external_results').columns(['vdn_id', 'result_code']).execute();

      await db.schema
        .createTable('external_result_codes')
        .addColumn('def_id', 'integer', (c) => c.notNull())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('obs_code', 'varchar(5)', (c) => c.notNull())
        .addPrimaryKeyConstraint('external_result_codes_pk', ['vdn_id', 'obs_code'])
        .execute();
      await db.schema.createIndex('external_result_codes_def').on('external_result_codes').column('def_id').execute();
    },
  };
}
