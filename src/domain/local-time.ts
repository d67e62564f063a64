/**
 * Local wall-clock time ↔ instants, done by the Temporal API (the `temporal-polyfill` package)
 * rather than by hand (PRODUCT.md "Local time is a library's job").
 *
 * Every conversion from a local time to an instant names how a repeated local time (DST
 * fall-back: 01:30 happens twice) and a skipped one (spring-forward: 02:30 does not exist) are
 * resolved: Temporal's `disambiguation` option, passed explicitly by every caller. Instants are
 * epoch milliseconds (UTC); zones are IANA names; local dates are ISO calendar dates.
 */
import { Temporal } from 'temporal-polyfill';

/**
 * How a local time that happens twice or never maps to an instant (Temporal semantics):
 * `earlier`/`later` pick one of a repeated time's two instants (for a skipped time: the
 * instant the clock reading would have with the offset before / after the gap); `compatible`
 * = `earlier` for a repeated time and `later` for a skipped one (moved forward by the gap's
 * length); `reject` throws RangeError.
 */
export type Disambiguation = 'earlier' | 'later' | 'compatible' | 'reject';

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

const validZones = new Map<string, boolean>();

/** Whether `tz` is an IANA zone the time-zone library knows. */
export function isValidTimeZone(tz: string): boolean {
  let ok = validZones.get(tz);
  if (ok === undefined) {
    try {
      Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(tz);
      ok = true;
    } catch {
      ok = false;
    }
    if (validZones.size < 1000) validZones.set(tz, ok);
  }
  return ok;
}

function zoned(ms: number, tz: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz);
}

/** The wall-clock reading of instant `ms` in `tz`. */
export function localParts(ms: number, tz: string): LocalParts {
  const z = zoned(ms, tz);
  return { year: z.year, month: z.month, day: z.day, weekday: z.dayOfWeek, hour: z.hour, minute: z.minute, second: z.second };
}

/** Offset of `tz` from UTC at instant `ms`, in ms (positive east of Greenwich). */
export function offsetMsAt(ms: number, tz: string): number {
  return zoned(ms, tz).offsetNanoseconds / 1_000_000;
}

/** The first instant after `ms` at which `tz` changes its offset, or null (none known, e.g. UTC). */
export function nextTransition(ms: number, tz: string): number | null {
  const t = zoned(ms, tz).getTimeZoneTransition('next');
  return t ? t.epochMilliseconds : null;
}

/**
 * The instant at which the wall clock in `tz` reads `minutes` after the start of local date
 * `d` (`minutes` may be 1440 = the next day's 00:00). Repeated and skipped local times are
 * resolved as `disambiguation` says (see `Disambiguation`).
 */
export function instantAt(d: { year: number; month: number; day: number }, minutes: number, tz: string, disambiguation: Disambiguation): number {
  const date = Temporal.PlainDate.from({ year: d.year, month: d.month, day: d.day }).add({ days: Math.floor(minutes / 1440) });
  const m = minutes % 1440;
  const pdt = date.toPlainDateTime({ hour: Math.floor(m / 60), minute: m % 60 });
  return pdt.toZonedDateTime(tz, { disambiguation }).epochMilliseconds;
}

/** The local date of instant `ms` in `tz` as `yyyy-mm-dd`. */
export function localDay(ms: number, tz: string): string {
  const hit = dayCache.get(tz);
  if (hit && ms >= hit.from && ms < hit.to) return hit.day;
  const z = zoned(ms, tz);
  const day = z.toPlainDate().toString();
  // The day's exact bounds, so that every instant inside them answers from the cache (issue #12:
  // the settle path asks for every attempt). One entry per zone: the last day asked for.
  dayCache.set(tz, { day, from: z.startOfDay().epochMilliseconds, to: nextLocalMidnight(ms, tz) });
  return day;
}

/** {@link localDay}'s cache: per IANA zone, the local day last computed and the instants it spans, [from, to) epoch ms. */
const dayCache = new Map<string, { day: string; from: number; to: number }>();

/** The first instant of the local day containing `ms` (library's start of day: a midnight in a gap maps to the gap's end). */
export function startOfLocalDay(ms: number, tz: string): number {
  return zoned(ms, tz).startOfDay().epochMilliseconds;
}

/** The first instant of the local day after the one containing `ms`. */
export function nextLocalMidnight(ms: number, tz: string): number {
  return zoned(ms, tz).toPlainDate().add({ days: 1 }).toZonedDateTime(tz).epochMilliseconds;
}

/** The first instant of local day `yyyy-mm-dd` + `n` days. */
export function startOfLocalDate(day: string, n: number, tz: string): number {
  return Temporal.PlainDate.from(day).add({ days: n }).toZonedDateTime(tz).epochMilliseconds;
}

/** Calendar days from local date `a` to `b` (`yyyy-mm-dd`; negative when b is earlier). */
export function daysBetween(a: string, b: string): number {
  return Temporal.PlainDate.from(a).until(Temporal.PlainDate.from(b), { largestUnit: 'days' }).days;
}

/** The local date `n` days after `d`, with its weekday. */
export function addLocalDays(d: { year: number; month: number; day: number }, n: number): LocalDate {
  const p = Temporal.PlainDate.from({ year: d.year, month: d.month, day: d.day }).add({ days: n });
  return { year: p.year, month: p.month, day: p.day, weekday: p.dayOfWeek };
}
