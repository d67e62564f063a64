import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/**
 * Engine pacing kept in the database so that several nodes on one database pace together
 * (issue #10): one row per campaign's round spacing (`round:<campaignId>`) and one for the
 * calls-per-second budget (`cps`). See schema/pacing.ts.
 */
export function pacing(_caps: DialectCaps) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('engine_pacing')
        .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('until_at', 'bigint', (c) => c.notNull())
        .addColumn('used', 'bigint', (c) => c.notNull())
        .addColumn('granted', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
