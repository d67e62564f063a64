import type { Kysely } from 'kysely';
import type { DialectCaps } from '../dialect.js';

/**
 * Indexes for the engine's per-pass queries (issue #12):
 *
 * - `reservations_timeout (timeout, state, appoint_time)`: the timeout pass
 *   (`markReservationTimeouts`) and the next-event lookup read only the reservations still
 *   open past their grace, instead of every pending one on every pass.
 * - `caller_numbers_pick (campaign_id, priority, last_used_at, seq)`: a campaign's pool in pick
 *   order (engine.repository.ts `CallerPools` reads the pool once per dispatch transaction).
 */
export function engineDispatch(_caps: DialectCaps) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('reservations_timeout').on('reservations').columns(['timeout', 'state', 'appoint_time']).execute();
      await db.schema.createIndex('caller_numbers_pick').on('caller_numbers').columns(['campaign_id', 'priority', 'last_used_at', 'seq']).execute();
    },
  };
}
