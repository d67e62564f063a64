/**
 * What happens after an attempt on a called number: retry it (when), move on to the record's
 * next number, or finish the record. Pure: the caller passes the rules, the counters and the
 * time.
 *
 * Rules (reference §4.6, PRODUCT.md):
 * - success (00000) finishes the record;
 * - an outcome whose external result code is in `noRetry` is never retried on that number; the
 *   record's next number, if any, is still tried (a vacant landline says nothing about the mobile);
 * - ordinary policy (type 0): at most `timesPerDay` attempts on a number per local day, on the
 *   `days` consecutive local days counted from the day of its first attempt (attempt-budget.ts);
 *   retries within a day are `intervalMs` apart, and a day's last attempt moves the number to
 *   the next local midnight (the calling-window gate then waits for the first window). A retry
 *   that would fall after the budget's last day finishes the number ("attempt budget used up");
 * - result-based policy (type 1): a rule for the outcome (matched on the external result code,
 *   then on the OBS fail code) allows `retries` more attempts, `intervalMs` apart; an outcome
 *   without a rule is not retried;
 * - no policy: no retries.
 */
import { attemptBound, budgetEnd, budgetUsedUp } from './attempt-budget.js';
import { localDay, nextLocalMidnight } from './local-time.js';

export { localDay } from './local-time.js';

export interface ResultRule {
  retries: number;
  intervalMs: number;
}

export type RetryRules =
  | { mode: 'none'; noRetry: ReadonlySet<string> }
  | { mode: 'ordinary'; days: number; timesPerDay: number; intervalMs: number; noRetry: ReadonlySet<string> }
  | { mode: 'by-result'; rules: ReadonlyMap<string, ResultRule>; noRetry: ReadonlySet<string> };

/** Attempt counters of one called number. */
export interface NumberCounters {
  /** Attempts on this number so far, including the one just settled. */
  attempts: number;
  /** Local dates (yyyy-mm-dd) with attempts, including today's, first attempt's day first. */
  days: readonly string[];
  /** Attempts on this number today (local), including the one just settled. */
  today: number;
  /** Attempts per outcome on this number (result or fail code → count), including this one. */
  perOutcome: Readonly<Record<string, number>>;
}

export type RetryDecision = { kind: 'finish'; reason: string } | { kind: 'retry'; at: number; reason: string } | { kind: 'next-number'; reason: string };

/**
 * The decision after one settled attempt. `nowMs` is the engine time (epoch ms); `tz` the
 * campaign's IANA zone for local days. `retry.at` is epoch ms.
 */
export function decideAfterAttempt(input: {
  success: boolean;
  failCode: string;
  resultCode: string | null;
  rules: RetryRules;
  counters: NumberCounters;
  hasNextNumber: boolean;
  nowMs: number;
  tz: string;
}): RetryDecision {
  const { success, failCode, resultCode, rules, counters, hasNextNumber, nowMs, tz } = input;
  if (success) return { kind: 'finish', reason: 'call connected' };
  const moveOn = (reason: string): RetryDecision => (hasNextNumber ? { kind: 'next-number', reason } : { kind: 'finish', reason: `${reason}; no number left` });

  if (resultCode !== null && rules.noRetry.has(resultCode)) return moveOn(`result ${resultCode} is never retried`);
  const bound = attemptBound(rules);
  if (rules.mode !== 'none' && counters.attempts >= bound) return moveOn(budgetUsedUp(`${counters.attempts} of ${bound} attempts made`));

  switch (rules.mode) {
    case 'none':
      return moveOn('no retry policy');
    case 'ordinary': {
      const first = counters.days[0] ?? localDay(nowMs, tz);
      const end = budgetEnd(first, rules.days, tz);
      const spent = budgetUsedUp(`retryDay ${rules.days} day(s) from ${first}, retryTimes ${rules.timesPerDay} a day`);
      if (counters.today < rules.timesPerDay) {
        const at = nowMs + rules.intervalMs;
        if (at < end) return { kind: 'retry', at, reason: `attempt ${counters.today + 1} of ${rules.timesPerDay} today` };
        return moveOn(spent);
      }
      const next = nextLocalMidnight(nowMs, tz);
      if (next < end) return { kind: 'retry', at: next, reason: `${counters.today} of ${rules.timesPerDay} attempts today used; next day` };
      return moveOn(spent);
    }
    case 'by-result': {
      const key = resultCode !== null && rules.rules.has(resultCode) ? resultCode : rules.rules.has(failCode) ? failCode : null;
      if (key === null) return moveOn(`no retry rule for ${resultCode ?? failCode}`);
      const rule = rules.rules.get(key)!;
      const used = (counters.perOutcome[key] ?? 1) - 1;
      if (used < rule.retries) return { kind: 'retry', at: nowMs + rule.intervalMs, reason: `retry ${used + 1} of ${rule.retries} for ${key}` };
      return moveOn(`${rule.retries} retries for ${key} used up`);
    }
  }
}

/** A business-result policy rule (retry-policy.ts `BusiPolicyRule`), as far as the decision needs it. */
export interface BusiRule {
  busiResultCode: string;
  busiResultSubCode: string | null;
  busiResultPolicy: 0 | 1 | 2;
  callIntervalSec: number | null;
}

export type BusiDecision = { kind: 'none' } | { kind: 'stop' } | { kind: 'next-number'; at: number } | { kind: 'same-number'; at: number };

/**
 * What a written-back business result does to the record: the rule for (result, sub-result)
 * wins over the rule for the result alone; 0 stops calling, 1 calls the next number, 2 calls
 * the same number again, each `callInterval` seconds after the writeback. No rule: nothing.
 */
export function decideAfterBusinessResult(rules: readonly BusiRule[], busiResult: string, subStatus: string | null, nowMs: number): BusiDecision {
  const exact = subStatus !== null ? rules.find((r) => r.busiResultCode === busiResult && r.busiResultSubCode === subStatus) : undefined;
  const rule = exact ?? rules.find((r) => r.busiResultCode === busiResult && r.busiResultSubCode === null);
  if (!rule) return { kind: 'none' };
  const at = nowMs + (rule.callIntervalSec ?? 0) * 1000;
  if (rule.busiResultPolicy === 0) return { kind: 'stop' };
  return rule.busiResultPolicy === 1 ? { kind: 'next-number', at } : { kind: 'same-number', at };
}
