import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/** Tables for campaign policies (retry policy, business results). */
export function policies(caps: DialectCaps) {
  void caps;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      void db;
    },
  };
}
