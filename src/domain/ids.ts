import { randomInt } from 'node:crypto';

/**
 * Reservation and batch ids are 30-digit numeric strings, unique across nodes (PRODUCT.md).
 * Layout: 13 digits of epoch milliseconds + 17 random digits. The time prefix keeps ids roughly
 * ordered by creation (cheap to page through); 17 random digits (~56 bits) make a collision
 * between nodes creating ids in the same millisecond negligible. Within one process a counter
 * in the low digits rules out collisions entirely.
 *
 * @example newLongId(Date.now()) // '174712034211433247704877116507'
 */
let lastMs = 0;
let seq = 0;
const nodeSalt = String(randomInt(0, 1_000_000_000)).padStart(9, '0');

export function newLongId(nowMs: number): string {
  if (nowMs === lastMs) {
    seq = (seq + 1) % 100_000_000;
  } else {
    lastMs = nowMs;
    seq = randomInt(0, 50_000_000);
  }
  const ms = String(Math.max(0, Math.floor(nowMs)) % 1e13).padStart(13, '0');
  return ms + nodeSalt + String(seq).padStart(8, '0');
}

export const LONG_ID_PATTERN = /^[0-9]{30}$/;
