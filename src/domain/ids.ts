import { randomInt } from 'node:crypto';

// One counter per process, never reset: ids made in the same millisecond (a manual clock stands
// still) keep their creation order, whatever other times were used in between.
let seq = randomInt(0, 50_000_000);
const nodeSalt = String(randomInt(0, 1_000_000_000)).padStart(9, '0');

/**
 * Reservation and batch ids are 30-digit numeric strings, unique across nodes (PRODUCT.md).
 * Layout: 13 digits of epoch milliseconds, 9 random digits chosen once per process, 8 digits of
 * a counter. The time prefix keeps ids ordered by creation (cheap to page through); the random
 * part makes a collision between nodes negligible; the counter rules one out within a process.
 *
 * @example newLongId(Date.now()) // '174712034211433247704877116507'
 */
export function newLongId(nowMs: number): string {
  seq = (seq + 1) % 100_000_000;
  const ms = String(Math.max(0, Math.floor(nowMs)) % 1e13).padStart(13, '0');
  return ms + nodeSalt + String(seq).padStart(8, '0');
}

export const LONG_ID_PATTERN = /^[0-9]{30}$/;

/** Epoch ms from which {@link newLongId}'s 13-digit time prefix wraps (year 2286). */
const LONG_ID_MS_LIMIT = 1e13;

/**
 * The bound of the ids {@link newLongId} makes before `cutoffMs` (epoch ms): a 30-digit string
 * `B` such that, for every whole millisecond `t` in [0, 10^13), `newLongId(t) < B` (as strings,
 * and in any collation that orders digits, since both have 30 digits) exactly when
 * `t < cutoffMs` (a fractional `t` shares the prefix of `floor(t)`, so it may fall below `B` while
 * not before a fractional cutoff: compare the time too when that matters). An id
 * made at exactly `cutoffMs`, or later in that millisecond, is not below it. Answers null when
 * no such bound exists: a cutoff at or before the epoch (a negative time makes the same prefix
 * as 0) or from 10^13 ms on (the prefix wraps); the caller then compares times instead. Used by
 * retention to find old journal rows by their primary key (issue #12, migration 015).
 *
 * @example longIdsBefore(1_700_000_000_000) // '170000000000000000000000000000'
 */
export function longIdsBefore(cutoffMs: number): string | null {
  const ms = Math.ceil(cutoffMs);
  if (!(ms > 0 && ms < LONG_ID_MS_LIMIT)) return null;
  return String(ms).padStart(13, '0') + '0'.repeat(17);
}

/** Largest id of a serial column (PostgreSQL `integer`, the same limit kept on SQLite). */
export const MAX_SERIAL_ID = 2_147_483_647;

/**
 * Whether `n` can be the id of a stored row with a serial id (campaigns, call data, external
 * results…). An id beyond {@link MAX_SERIAL_ID} names no row: callers answer their "does not
 * exist" code without a query, since PostgreSQL refuses such a value for an `integer` column
 * (which would otherwise surface as HTTP 500 for bad input).
 *
 * @example isSerialId(2147483648) // false
 */
export function isSerialId(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1 && n <= MAX_SERIAL_ID;
}
