import { sql, type Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';
import { nameKey } from '../schema/names.js';

/**
 * Issue #9 (hardening):
 * - indexes for retention pruning: the journal, the decision trail and the finished callbacks
 *   are deleted by age, oldest first, without scanning the tables (015 dropped the journal's,
 *   `call_logs_time`: retention reads the journal by a range of its primary key instead);
 * - `name_nfc` beside the names of campaigns, batches and special dates (schema/names.ts), so
 *   unique names compare after NFC; existing rows are back-filled here.
 */
export function retention(caps: DialectCaps) {
  void caps;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('call_logs_time').on('call_logs').column('oper_time').execute();
      await db.schema.createIndex('engine_trail_at').on('engine_trail').column('at').execute();
      await db.schema.createIndex('callback_outbox_finished').on('callback_outbox').columns(['state', 'updated_at']).execute();

      for (const [table, scope] of [
        ['campaigns', 'vdn_id'],
        ['batches', 'campaign_id'],
        ['special_dates', 'campaign_id'],
      ] as const) {
        await db.schema.alterTable(table).addColumn('name_nfc', 'varchar(255)').execute();
        const rows = await sql<{ id: string | number; name: string }>`select id, name from ${sql.table(table)}`.execute(db);
        for (const r of rows.rows) {
          await sql`update ${sql.table(table)} set name_nfc = ${nameKey(r.name)} where id = ${r.id}`.execute(db);
        }
        await db.schema.createIndex(`${table}_name_nfc`).on(table).columns([scope, 'name_nfc']).execute();
      }
    },
  };
}
