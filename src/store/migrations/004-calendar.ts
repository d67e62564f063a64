import type { Kysely } from 'kysely';
import { serialKey, type DialectCaps } from '../dialect.js';

/**
 * Special dates per campaign (unique names per campaign, at most 20 — enforced by the domain),
 * and the blocklist's relative-validity columns (see schema/calendar.ts).
 */
export function calendar(caps: DialectCaps) {
  const { type: pkType, build: serialPk } = serialKey(caps);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('special_dates')
        .addColumn('id', pkType, serialPk)
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(30)', (c) => c.notNull())
        .addColumn('type', 'integer', (c) => c.notNull())
        .addColumn('week', 'varchar(16)')
        .addColumn('begin_date', 'varchar(10)')
        .addColumn('end_date', 'varchar(10)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('special_dates_campaign_name').unique().on('special_dates').columns(['campaign_id', 'name']).execute();

      await db.schema.alterTable('blocklist').addColumn('validity_time', 'integer').execute();
      await db.schema.alterTable('blocklist').addColumn('validity_time_unit', 'integer').execute();
      // blocklist/query pages through a VDN's entries in insertion order.
      await db.schema.createIndex('blocklist_vdn_created').on('blocklist').columns(['vdn_id', 'created_at', 'number']).execute();
    },
  };
}
