/**
 * Rolling contact limits: "at most `max` calls to one number in any `periodMs`". Used by the
 * rule packs' caps (rule-packs.ts) and the cross-campaign contact caps (contact-caps.ts); the
 * attempts are counted per canonical number (phone-numbers.ts) across the VDN.
 */

export interface ContactLimit {
  max: number;
  /** Length of the rolling period, ms. */
  periodMs: number;
  /** For the trail: `3 calls per 24 h`. */
  label: string;
}

/**
 * Whether one more call is allowed at `nowMs` given the instants (epoch ms) of earlier calls to
 * the number. Returns null when allowed, else the first instant at which it is allowed again
 * (when enough of the counted calls have aged out of the period).
 */
export function limitReachedUntil(limit: ContactLimit, callsAt: readonly number[], nowMs: number): number | null {
  const inPeriod = callsAt.filter((t) => t > nowMs - limit.periodMs && t <= nowMs).sort((a, b) => a - b);
  if (inPeriod.length < limit.max) return null;
  return inPeriod[inPeriod.length - limit.max]! + limit.periodMs;
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h`, `30d`, `90m` → ms, or null. */
export function parsePeriod(s: string): number | null {
  const m = /^(\d{1,5})([mhd])$/.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return n > 0 ? n * UNITS[m[2]!]! : null;
}

/** `3 calls per 24h`. */
export function limitLabel(max: number, period: string): string {
  return `${max} call${max === 1 ? '' : 's'} per ${period}`;
}
