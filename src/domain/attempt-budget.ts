/**
 * The attempt budget of one called number (PRODUCT.md "Attempt budget", issue #7): the bound
 * that no window, pause, outcome, business-result writeback, restart or clock move can exceed.
 *
 * - ordinary policy (`type` 0, `retryDay` D, `retryTimes` T): `retryDay` counts consecutive
 *   local calendar days from the local day of the number's first attempt; on each of them at
 *   most T attempts; from day D on (0-based) the number is finished, even when windows, pauses
 *   or holds left attempts of earlier days unused. At most D × T attempts in all;
 * - result-based policy (`type` 1): at most 1 + Σ `retryNumber` attempts (each outcome's own
 *   count is kept by retry-decision.ts);
 * - no policy: one attempt.
 *
 * Checked twice: after each attempt (retry-decision.ts never schedules a retry outside the
 * budget) and as a dial-time gate before each attempt (`budgetGate`), so a record made due by
 * anything else (a writeback, a resume, a clock jump) still cannot exceed it. The counters live
 * in the record's `retry_state`, written in the same transaction as the call result, so they
 * survive restarts. Pure functions; days are local dates (`yyyy-mm-dd`) in the campaign's zone.
 */
import type { GateResult } from './gates.js';
import { daysBetween, localDay, nextLocalMidnight, startOfLocalDate } from './local-time.js';
import type { RetryRules } from './retry-decision.js';

/** The attempts made on one called number so far. */
export interface NumberHistory {
  attempts: number;
  /** Local date of the first attempt (`yyyy-mm-dd`), null before it. */
  firstDay: string | null;
  /** Attempts per local date. */
  perDay: Readonly<Record<string, number>>;
}

/** The most attempts the policy allows on one number (≥ 1). */
export function attemptBound(rules: RetryRules): number {
  switch (rules.mode) {
    case 'none':
      return 1;
    case 'ordinary':
      return Math.max(1, rules.days * rules.timesPerDay);
    case 'by-result':
      return 1 + [...rules.rules.values()].reduce((a, r) => a + r.retries, 0);
  }
}

/** The first instant (epoch ms) after the ordinary budget's last day: day `firstDay` + `days`. */
export function budgetEnd(firstDay: string, days: number, tz: string): number {
  return startOfLocalDate(firstDay, Math.max(days, 0), tz);
}

/** The reason text the trail shows when a number's budget is spent. */
export function budgetUsedUp(detail: string): string {
  return `attempt budget used up (${detail})`;
}

/**
 * Dial-time budget gate. `until: null` means the number may never be dialled again (the worker
 * moves on to the record's next number or finishes the record); otherwise the instant (epoch
 * ms, the next local midnight) the number may be dialled again.
 */
export function budgetGate(rules: RetryRules, h: NumberHistory, nowMs: number, tz: string): GateResult {
  if (h.attempts === 0) return { go: true };
  const bound = attemptBound(rules);
  if (h.attempts >= bound) return { go: false, gate: 'attempt-budget', until: null, reason: budgetUsedUp(`${h.attempts} of ${bound} attempts made`) };
  if (rules.mode !== 'ordinary' || h.firstDay === null) return { go: true };
  const today = localDay(nowMs, tz);
  const index = daysBetween(h.firstDay, today);
  if (index >= rules.days) {
    return { go: false, gate: 'attempt-budget', until: null, reason: budgetUsedUp(`retryDay ${rules.days} day(s) counted from ${h.firstDay}`) };
  }
  const used = h.perDay[today] ?? 0;
  if (used < rules.timesPerDay) return { go: true };
  if (index + 1 < rules.days) {
    return { go: false, gate: 'attempt-budget', until: nextLocalMidnight(nowMs, tz), reason: `${used} of ${rules.timesPerDay} attempts today used` };
  }
  return { go: false, gate: 'attempt-budget', until: null, reason: budgetUsedUp(`${used} of ${rules.timesPerDay} attempts on the last of ${rules.days} day(s)`) };
}
