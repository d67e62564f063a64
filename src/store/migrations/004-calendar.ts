import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/** Tables for special dates. */
export function calendar(caps: DialectCaps) {
  void caps;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      void db;
    },
  };
}
