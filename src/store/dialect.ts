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
