import { sql, type Kysely } from 'kysely';
import { serialKey, type DialectCaps } from '../dialect.js';

/**
 * Campaign policies (see schema/policies.ts): retry policies, business-result definitions and
 * the v2 campaign columns. The campaign-name index becomes partial (live campaigns only) so an
 * archived campaign's name can be used again.
 */
export function policies(caps: DialectCaps) {
  const { type: pkType, build: serialPk } = serialKey(caps);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('campaigns').addColumn('call_policy', 'text').execute();
      await db.schema.alterTable('campaigns').addColumn('call_order', 'integer').execute();
      await db.schema.alterTable('campaigns').addColumn('deleted_at', 'bigint').execute();
      await db.schema.dropIndex('campaigns_vdn_name').execute();
      await db.schema.createIndex('campaigns_vdn_name_live').unique().on('campaigns').columns(['vdn_id', 'name']).where(sql.ref('deleted_at'), 'is', null).execute();

      await db.schema
        .createTable('retry_policies')
        .addColumn('id', pkType, serialPk)
        .addColumn('campaign_id', 'integer', (c) => c.notNull().unique())
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('policy_type', 'integer', (c) => c.notNull())
        .addColumn('policy_json', 'text', (c) => c.notNull())
        .addColumn('no_retry_policy', 'text', (c) => c.notNull())
        .addColumn('busi_policy', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('business_results')
        .addColumn('id', pkType, serialPk)
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('parent_id', 'integer')
        .addColumn('name', 'varchar(50)', (c) => c.notNull())
        .addColumn('code', 'varchar(50)')
        .addColumn('description', 'varchar(200)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // NULL codes never collide (SQLite and PostgreSQL alike), so only given codes are unique.
      await db.schema.createIndex('business_results_vdn_code').unique().on('business_results').columns(['vdn_id', 'code']).execute();
      await db.schema.createIndex('business_results_vdn_parent').on('business_results').columns(['vdn_id', 'parent_id']).execute();
    },
  };
}
