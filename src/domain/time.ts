/**
 * The time formats of the CC-iSales wire: `yyyy-MM-dd HH:mm:ss` (UTC) for campaign times,
 * `HH:mm` for calling windows, epoch milliseconds for `TimeStamp` fields.
 */

const DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** `2026-01-31 08:00:00` (UTC) → epoch ms, or null when malformed or not a real date. */
export function parseDateTime(s: string): number | null {
  const m = DATETIME.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  if (new Date(ms).getUTCDate() !== d) return null; // 2026-02-30 and friends
  return ms;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** epoch ms → `yyyy-MM-dd HH:mm:ss` in UTC. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` + `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** 00:00 UTC of the day containing `ms`. */
export function startOfUtcDay(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

export const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** `HH:mm` → minutes after midnight. */
export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * A `TimeStamp` field: epoch ms as a number or a numeric string (PRODUCT.md "Times").
 * Returns null for anything else.
 */
export function parseTimeStamp(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  return null;
}
