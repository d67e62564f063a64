/**
 * Times of file imports: when a scheduled import starts, and the time format of import tasks.
 * Kept apart from import-rows.ts (the row rules, loaded only when an import runs).
 */
import { instantAt } from './local-time.js';

/** Epoch ms → the import-task time format: `2022-03-11T07:27:09.000+00:00` (UTC). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/**
 * The start of an import: now, or the next instant at or after `nowMs` at which the wall clock
 * in `tz` reads `hour:minute` (a scheduled import).
 *
 * @example scheduledStart(Date.UTC(2026, 0, 1, 10), 9, 30, 'UTC') // 2026-01-02 09:30 UTC
 */
export function scheduledStart(nowMs: number, hour: number | undefined, minute: number | undefined, tz: string): number {
  if (hour === undefined || minute === undefined) return nowMs;
  const d = new Date(nowMs);
  // Walk the local days from yesterday (UTC and local dates may differ by one) to tomorrow.
  for (let k = -1; k <= 2; k++) {
    const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + k));
    const at = instantAt({ year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() }, hour * 60 + minute, tz, 'compatible');
    if (at >= nowMs) return at;
  }
  return nowMs;
}
