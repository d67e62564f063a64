import type { Kysely } from 'kysely';
import { serialKey, type DialectCaps } from '../dialect.js';

/**
 * Tables of the rest of the CC-iSales surface (schema/surface.ts): file servers, import tasks
 * (with their seen-keys table for duplicate detection across restarts), blocklist groups and
 * types, campaign templates and call records. Names are stored as sent; `name_key` (the NFC form)
 * carries the uniqueness (PRODUCT.md: unique names compare after NFC).
 */
export function surface(caps: DialectCaps) {
  const { type: pkType, build: serialPk } = serialKey(caps);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('file_servers')
        .addColumn('id', 'varchar(30)', (c) => c.primaryKey())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('ip', 'varchar(64)', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('file_path', 'varchar(255)', (c) => c.notNull())
        .addColumn('user_name', 'varchar(30)', (c) => c.notNull())
        .addColumn('password', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('file_servers_address', ['vdn_id', 'ip', 'port'])
        .execute();

      await db.schema
        .createTable('import_tasks')
        .addColumn('id', 'varchar(30)', (c) => c.primaryKey())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('campaign_id', 'integer')
        .addColumn('batch_id', 'varchar(64)')
        .addColumn('category_id', 'varchar(30)')
        .addColumn('type_id', 'varchar(30)')
        .addColumn('server_id', 'varchar(30)', (c) => c.notNull())
        .addColumn('file_path', 'varchar(255)')
        .addColumn('file_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('start_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('rows_done', 'integer', (c) => c.notNull())
        .addColumn('succ_num', 'integer', (c) => c.notNull())
        .addColumn('repeat_num', 'integer', (c) => c.notNull())
        .addColumn('fail_num', 'integer', (c) => c.notNull())
        .addColumn('black_num', 'integer', (c) => c.notNull())
        .addColumn('err_msg', 'text', (c) => c.notNull())
        .addColumn('begin_time', 'bigint')
        .addColumn('end_time', 'bigint')
        .addColumn('lease_owner', 'varchar(64)')
        .addColumn('lease_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('import_tasks_due').on('import_tasks').columns(['status', 'start_at']).execute();
      await db.schema.createIndex('import_tasks_list').on('import_tasks').columns(['vdn_id', 'kind', 'campaign_id', 'id']).execute();

      await db.schema
        .createTable('import_seen')
        .addColumn('task_id', 'varchar(30)', (c) => c.notNull())
        .addColumn('key', 'varchar(64)', (c) => c.notNull())
        .addPrimaryKeyConstraint('import_seen_pk', ['task_id', 'key'])
        .execute();

      await db.schema
        .createTable('black_categories')
        .addColumn('id', 'varchar(30)', (c) => c.primaryKey())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(64)', (c) => c.notNull())
        .addColumn('name_key', 'varchar(256)', (c) => c.notNull())
        .addColumn('description', 'varchar(255)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('black_categories_name', ['vdn_id', 'name_key'])
        .execute();

      await db.schema
        .createTable('black_types')
        .addColumn('id', 'varchar(30)', (c) => c.primaryKey())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(64)', (c) => c.notNull())
        .addColumn('name_key', 'varchar(256)', (c) => c.notNull())
        .addColumn('description', 'varchar(255)')
        .addColumn('action_type', 'varchar(8)', (c) => c.notNull())
        .addColumn('action', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('black_types_name', ['vdn_id', 'name_key'])
        .execute();

      await db.schema
        .createTable('campaign_templates')
        .addColumn('id', 'varchar(30)', (c) => c.primaryKey())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('name_key', 'varchar(400)', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('task_type', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('campaign_templates_name', ['vdn_id', 'name_key'])
        .execute();

      await db.schema
        .createTable('call_records')
        .addColumn('id', pkType, serialPk)
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('call_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('inter_no', 'integer', (c) => c.notNull())
        .addColumn('system_reply', 'text')
        .addColumn('user_saying', 'text')
        .addColumn('intention', 'varchar(255)')
        .addColumn('system_reply_time', 'bigint')
        .addColumn('request_time', 'bigint')
        .addColumn('response_source', 'varchar(64)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('call_records_call').on('call_records').columns(['vdn_id', 'call_id', 'inter_no']).execute();
    },
  };
}
