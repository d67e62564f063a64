/**
 * Calling windows in a campaign's time zone, DST-correct.
 *
 * A campaign's `scheduleParam` gives up to three workday windows and three holiday windows as
 * local `HH:mm` pairs. A local day is a holiday when one of the campaign's special dates covers
 * it; otherwise it is a workday. The rules (pinned by tests):
 * - a window is open at an instant exactly when that instant's local wall-clock time (read in
 *   the zone by the time-zone library, local-time.ts) lies inside it (PRODUCT.md "Local time
 *   is a library's job"). So on a DST fall-back day a 01:30–02:00 window is open during both
 *   passes of the repeated hour and closed at 01:10 of the second pass; on a spring-forward day
 *   a window whose start falls into the gap opens at the first instant after the gap;
 * - a workday with no workday windows is open all day (nothing forbids calling);
 * - a holiday with no holiday windows is closed all day (declaring a special date without
 *   windows means "do not call then");
 * - windows are local wall-clock times: 08:00–20:00 stays 08:00–20:00 on both sides of a DST
 *   change, so the UTC instants move.
 *
 * How: the timeline is cut at the zone's offset transitions (asked of the library); between two
 * transitions local time = instant + a constant offset, so window edges map back exactly.
 * Pure functions: time comes in as epoch ms, zones as IANA names.
 */
import type { Window } from './campaign-rules.js';
import { nextTransition, offsetMsAt, type LocalDate } from './local-time.js';

export { isValidTimeZone, localParts, type LocalDate, type LocalParts } from './local-time.js';

const DAY = 86_400_000;
const MIN = 60_000;

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

/**
 * A "naive local" reading is the local wall-clock time written as if it were UTC epoch ms
 * (instant + offset). Splitting it into a calendar date is plain calendar arithmetic; the zone
 * is only involved in the offset, which the library gives.
 */
function dateOfNaive(dayStart: number): LocalDate {
  const t = new Date(dayStart);
  const wd = t.getUTCDay();
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate(), weekday: wd === 0 ? 7 : wd };
}

/** The windows of one local day on the naive-local axis, sorted. */
function intervalsOn(dayStart: number, windows: ScheduleWindows, isSpecial: IsSpecialDay): Array<[number, number]> {
  const special = isSpecial(dateOfNaive(dayStart));
  const list = special ? windows.holiday : windows.workday;
  if (list.length === 0) return special ? [] : [[dayStart, dayStart + DAY]];
  return list.map((w): [number, number] => [dayStart + w.begin * MIN, dayStart + w.end * MIN]).sort((a, b) => a[0] - b[0]);
}

function containing(local: number, windows: ScheduleWindows, isSpecial: IsSpecialDay): [number, number] | undefined {
  const dayStart = Math.floor(local / DAY) * DAY;
  return intervalsOn(dayStart, windows, isSpecial).find(([a, b]) => a <= local && local < b);
}

/** The first naive-local reading in [from, to) that is inside a window. */
function firstOpenIn(from: number, to: number, windows: ScheduleWindows, isSpecial: IsSpecialDay): number | undefined {
  if (containing(from, windows, isSpecial)) return from;
  for (let dayStart = Math.floor(from / DAY) * DAY; dayStart < to; dayStart += DAY) {
    for (const [a] of intervalsOn(dayStart, windows, isSpecial)) if (a > from && a < to) return a;
  }
  return undefined;
}

/**
 * Whether calling is allowed at `nowMs` (epoch ms) in zone `tz`, and until when / from when
 * (epoch ms). `horizonDays` bounds the search for the next opening.
 *
 * @example windowDecision(Date.now(), 'Europe/Berlin', { workday: [{ begin: 480, end: 1200 }], holiday: [] }, () => false)
 */
export function windowDecision(nowMs: number, tz: string, windows: ScheduleWindows, isSpecial: IsSpecialDay, horizonDays = 400): WindowDecision {
  let offset = offsetMsAt(nowMs, tz);
  const current = containing(nowMs + offset, windows, isSpecial);
  if (current) {
    // Open: it closes when the wall clock reaches the window's end, or earlier if an offset
    // change throws the wall clock out of the window.
    for (let t = nowMs; ; ) {
      const end = current[1] - offset;
      const transition = nextTransition(t, tz);
      if (transition === null || transition > end) return { open: true, closesAt: end };
      offset = offsetMsAt(transition, tz);
      const local = transition + offset;
      if (local < current[0] || local >= current[1]) return { open: true, closesAt: transition };
      t = transition;
    }
  }
  const limit = nowMs + (horizonDays + 1) * DAY;
  for (let t = nowMs; t < limit; ) {
    const transition = nextTransition(t, tz);
    const segmentEnd = Math.min(transition ?? limit, limit);
    const local = firstOpenIn(t + offset, segmentEnd + offset, windows, isSpecial);
    if (local !== undefined) return { open: false, opensAt: local - offset };
    if (transition === null || transition >= limit) break;
    t = transition;
    offset = offsetMsAt(transition, tz);
  }
  return { open: false };
}
