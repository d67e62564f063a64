/**
 * Dialect differences live here as named capability flags; nothing else asks "is this
 * Postgres?" (STYLE.md guideline 4).
 */
export type DialectName = 'sqlite' | 'postgres';

export interface DialectCaps {
  name: DialectName;
  /** `FOR UPDATE SKIP LOCKED` is available for claims. */
  skipLocked: boolean;
  /** LISTEN/NOTIFY can nudge other nodes. */
  listenNotify: boolean;
  /** Column type of an auto-incrementing integer primary key. */
  serialType: 'integer' | 'serial';
}

export const DIALECTS: Record<DialectName, DialectCaps> = {
  sqlite: { name: 'sqlite', skipLocked: false, listenNotify: false, serialType: 'integer' },
  postgres: { name: 'postgres', skipLocked: true, listenNotify: true, serialType: 'serial' },
};

/**
 * An auto-incrementing integer primary key for the schema builder:
 * `integer primary key autoincrement` on SQLite, `serial primary key` on PostgreSQL.
 *
 * @example const id = serialKey(caps); db.schema.createTable('t').addColumn('id', id.type, id.build)
 */
export function serialKey(caps: DialectCaps) {
  return {
    type: caps.serialType as 'integer',
    build: <C extends { primaryKey(): C; autoIncrement(): C }>(c: C): C => (caps.serialType === 'serial' ? c.primaryKey() : c.primaryKey().autoIncrement()),
  };
}
