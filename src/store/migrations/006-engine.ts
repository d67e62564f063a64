import type { Kysely } from 'kysely';
import { serialKey, type DialectCaps } from '../dialect.js';

/**
 * Engine tables (decision trail, callback outbox) and the engine's columns on other tables:
 * - caller_numbers.last_used_at: round-robin among numbers of equal priority, across restarts;
 * - call_data.call_id / dispatched_at: an attempt handed to a dialer is recorded *before* the
 *   hand-off, so a crash never dials it twice (see engine/dialer.ts);
 * - reservations.dispatched_at: the same for automatic reservations.
 */
export function engine(caps: DialectCaps) {
  const { type: pkType, build: serialPk } = serialKey(caps);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('caller_numbers').addColumn('last_used_at', 'bigint').execute();
      await db.schema.alterTable('campaigns').addColumn('time_zone', 'varchar(64)').execute();
      await db.schema.alterTable('call_data').addColumn('call_id', 'varchar(64)').execute();
      await db.schema.alterTable('call_data').addColumn('dispatched_at', 'bigint').execute();
      await db.schema.alterTable('reservations').addColumn('dispatched_at', 'bigint').execute();

      await db.schema
        .createTable('engine_trail')
        .addColumn('id', pkType, serialPk)
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('data_id', 'integer')
        .addColumn('reservation_id', 'varchar(30)')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('gate', 'varchar(32)')
        .addColumn('until', 'bigint')
        .addColumn('call_id', 'varchar(64)')
        .addColumn('called_no', 'varchar(24)')
        .addColumn('caller_no', 'varchar(24)')
        .addColumn('fail_code', 'varchar(16)')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('engine_trail_data').on('engine_trail').columns(['data_id', 'id']).execute();
      await db.schema.createIndex('engine_trail_reservation').on('engine_trail').columns(['reservation_id', 'id']).execute();

      await db.schema
        .createTable('callback_outbox')
        .addColumn('id', pkType, serialPk)
        .addColumn('vdn_id', 'integer', (c) => c.notNull())
        .addColumn('campaign_id', 'integer', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_at', 'bigint', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // Small engine state that must survive a restart (the manual clock's reading).
      await db.schema
        .createTable('engine_state')
        .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();

      await db.schema.createIndex('callback_outbox_due').on('callback_outbox').columns(['state', 'next_at']).execute();
    },
  };
}
