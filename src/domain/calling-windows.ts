/**
 * Calling windows in a campaign's time zone, DST-correct.
 *
 * A campaign's `scheduleParam` gives up to three workday windows and three holiday windows as
 * local `HH:mm` pairs. A local day is a holiday when one of the campaign's special dates covers
 * it; otherwise it is a workday. The rules (pinned by tests):
 * - a workday with no workday windows is open all day (nothing forbids calling);
 * - a holiday with no holiday windows is closed all day (declaring a special date without
 *   windows means "do not call then");
 * - windows are local wall-clock times: 08:00–20:00 stays 08:00–20:00 on both sides of a DST
 *   change, so the UTC instants move. A window edge that falls into a DST gap (a local time that
 *   does not exist) maps to the first instant after the gap.
 *
 * Pure functions: time comes in as epoch ms, zones as IANA names.
 */
import type { Window } from './campaign-rules.js';

export interface LocalDate {
  year: number;
  month: number;
  day: number;
  /** ISO weekday: 1 Monday … 7 Sunday. */
  weekday: number;
}

export interface LocalParts extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(tz, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Whether `tz` is an IANA zone this runtime knows. */
export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading of `ms` in `tz`. */
export function localParts(ms: number, tz: string): LocalParts {
  const out: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) out[p.type] = p.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour),
    minute: Number(out.minute),
    second: Number(out.second),
    weekday: WEEKDAYS[out.weekday ?? 'Mon'] ?? 1,
  };
}

/** Offset of `tz` from UTC at instant `ms`, in ms (positive east of Greenwich). */
function offsetAt(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `tz` reads the given local time. In a DST gap the
 * result is the first instant after the gap; in a DST overlap, the earlier of the two instants.
 */
export function zonedTimeToUtc(year: number, month: number, day: number, minutes: number, tz: string): number {
  const naive = Date.UTC(year, month - 1, day, 0, minutes);
  // Two candidates, one per offset around the local time; keep those that read back correctly.
  const o1 = offsetAt(naive - 86400_000 / 2, tz);
  const o2 = offsetAt(naive + 86400_000 / 2, tz);
  const candidates = [naive - o1, naive - o2].sort((a, b) => a - b);
  for (const c of candidates) {
    const p = localParts(c, tz);
    if (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) === naive) return c;
  }
  // The local time does not exist (spring-forward gap): answer the instant the gap ends, i.e.
  // the offset transition, found by bisection between the two candidates (to the second).
  let lo = candidates[0]!;
  let hi = candidates[1]!;
  const loOffset = offsetAt(lo, tz);
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (offsetAt(mid, tz) === loOffset) lo = mid;
    else hi = mid;
  }
  return hi;
}

export interface ScheduleWindows {
  workday: readonly Window[];
  holiday: readonly Window[];
}

export type IsSpecialDay = (d: LocalDate) => boolean;

export interface WindowDecision {
  open: boolean;
  /** When open: the instant the current window closes. */
  closesAt?: number;
  /** When closed: the next instant a window opens (undefined if none within the horizon). */
  opensAt?: number;
}

function addDays(d: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  const wd = t.getUTCDay();
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(), weekday: wd === 0 ? 7 : wd };
}

/** UTC intervals of the calling windows on one local day. */
function intervalsOn(d: LocalDate, tz: string, windows: ScheduleWindows, isSpecial: IsSpecialDay): Array<[number, number]> {
  const special = isSpecial(d);
  const list = special ? windows.holiday : windows.workday;
  if (list.length === 0) {
    if (special) return [];
    return [[zonedTimeToUtc(d.year, d.month, d.day, 0, tz), zonedTimeToUtc(d.year, d.month, d.day, 24 * 60, tz)]];
  }
  return list
    .map((w): [number, number] => [zonedTimeToUtc(d.year, d.month, d.day, w.begin, tz), zonedTimeToUtc(d.year, d.month, d.day, w.end, tz)])
    .sort((a, b) => a[0] - b[0]);
}

/**
 * Whether calling is allowed at `nowMs`, and until when / from when.
 *
 * @example windowDecision(Date.now(), 'Europe/Berlin', { workday: [{ begin: 480, end: 1200 }], holiday: [] }, () => false)
 */
export function windowDecision(nowMs: number, tz: string, windows: ScheduleWindows, isSpecial: IsSpecialDay, horizonDays = 400): WindowDecision {
  const p = localParts(nowMs, tz);
  let day: LocalDate = { year: p.year, month: p.month, day: p.day, weekday: p.weekday };
  // Start one day back: a window of yesterday cannot still be open (windows end by 24:00), but
  // the day boundary itself is computed through the zone, so look at it once to be safe.
  day = addDays(day, -1);
  for (let i = 0; i <= horizonDays + 1; i++, day = addDays(day, 1)) {
    for (const [start, end] of intervalsOn(day, tz, windows, isSpecial)) {
      if (end <= nowMs) continue;
      if (start <= nowMs) return { open: true, closesAt: end };
      return { open: false, opensAt: start };
    }
  }
  return { open: false };
}
