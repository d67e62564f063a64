import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/** Tables for the interface invocation journal. */
export function journal(caps: DialectCaps) {
  void caps;
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      void db;
    },
  };
}
