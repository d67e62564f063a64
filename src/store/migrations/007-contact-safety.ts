import { sql, type Kysely } from 'kysely';
import { serialKey, type DialectCaps } from '../dialect.js';

/**
 * Contact safety (issue #7):
 * - campaigns.region / campaigns.rule_pack: the extension fields `region` (numbers' default
 *   region) and `rulePack` (jurisdiction rule pack);
 * - blocklist.number_tail: the last 8 digits of the listed number, indexed, so a lookup by
 *   subscriber (phone-numbers.ts) finds every spelling of it; filled for existing rows;
 * - contact_attempts and contact_locks (schema/contact-safety.ts).
 */
export function contactSafety(caps: DialectCaps) {
  const { type: pkType, build: serialPk } = serialKey(caps);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('campaigns').addColumn('region', 'varchar(2)').execute();
      await db.schema.alterTable('campaigns').addColumn('rule_pack', 'varchar(16)').execute();
      await db.schema.alterTable('blocklist').addColumn('number_tail', 'varchar(8)').execute();
      // Same rule as phone-numbers.ts `numberTail`, spelled out so the migration never drifts.
      const numberTail = (n: string) => n.replace(/\D/g, '').slice(-8);
      const rows = await sql<{ vdn_id: number; number: string }>`select vdn_id, number from blocklist`.execute(db);
      for (const r of rows.rows) {
        await sql`update blocklist set number_tail = ${numberTail(r.number)} where vdn_id = ${r.vdn_id} and number = ${r.number}`.execute(db);
      }
      await db.schema.createIndex('blocklist_tail').on('blocklist').columns(['vdn_id', 'number_tail']).execute();

      await db.schema
        .createTable('contact_attempts')
        .addColumn('id', pkType, serialPk)
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('number_key', 'varchar(32)', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('data_id', 'integer')
        .addColumn('reservation_id', 'varchar(30)')
        .addColumn('call_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('contact_attempts_number').on('contact_attempts').columns(['vdn_id', 'number_key', 'at']).execute();
      await db.schema
        .createTable('contact_locks')
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('number_key', 'varchar(32)', (c) => c.notNull())
        .addColumn('touched_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('contact_locks_pk', ['vdn_id', 'number_key'])
        .execute();
    },
  };
}
