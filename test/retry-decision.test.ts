/** The retry decision after an attempt. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideAfterAttempt, type NumberCounters, type RetryRules } from '../src/domain/retry-decision.js';

const now = Date.UTC(2026, 0, 14, 10, 0);
const none = new Set<string>();
const counters = (c: Partial<NumberCounters> = {}): NumberCounters => ({ attempts: 1, days: ['2026-01-14'], today: 1, perOutcome: {}, ...c });
const decide = (rules: RetryRules, o: { success?: boolean; failCode?: string; resultCode?: string | null; counters?: NumberCounters; hasNextNumber?: boolean; tz?: string } = {}) =>
  decideAfterAttempt({
    success: o.success ?? false,
    failCode: o.failCode ?? '00603',
    resultCode: o.resultCode ?? null,
    rules,
    counters: o.counters ?? counters(),
    hasNextNumber: o.hasNextNumber ?? false,
    nowMs: now,
    tz: o.tz ?? 'UTC',
  });

test('success finishes; no policy moves on or finishes', () => {
  assert.equal(decide({ mode: 'none', noRetry: none }, { success: true }).kind, 'finish');
  assert.equal(decide({ mode: 'none', noRetry: none }).kind, 'finish');
  assert.equal(decide({ mode: 'none', noRetry: none }, { hasNextNumber: true }).kind, 'next-number');
});

test('ordinary: times per day, then the next local midnight, then the budget is spent', () => {
  const rules: RetryRules = { mode: 'ordinary', days: 2, timesPerDay: 3, intervalMs: 600_000, noRetry: none };
  const again = decide(rules, { counters: counters({ today: 1 }) });
  assert.equal(again.kind === 'retry' ? again.at : null, now + 600_000);
  const dayDone = decide(rules, { counters: counters({ today: 3, attempts: 3 }) });
  assert.equal(dayDone.kind === 'retry' ? dayDone.at : null, Date.UTC(2026, 0, 15));
  // In Shanghai (UTC+8) 10:00 UTC is 18:00 local; the next local midnight is 16:00 UTC.
  const sh = decide(rules, { counters: counters({ today: 3, attempts: 3 }), tz: 'Asia/Shanghai' });
  assert.equal(sh.kind === 'retry' ? sh.at : null, Date.UTC(2026, 0, 14, 16));
  assert.equal(decide(rules, { counters: counters({ today: 3, attempts: 6, days: ['2026-01-13', '2026-01-14'] }) }).kind, 'finish');
});

test('noRetry results are never retried, whatever the policy', () => {
  const rules: RetryRules = { mode: 'ordinary', days: 5, timesPerDay: 5, intervalMs: 60_000, noRetry: new Set(['007']) };
  assert.equal(decide(rules, { resultCode: '007' }).kind, 'finish');
  assert.equal(decide(rules, { resultCode: '007', hasNextNumber: true }).kind, 'next-number');
  assert.equal(decide(rules, { resultCode: '008' }).kind, 'retry');
});

test('by result: rules by external result, then by fail code; unknown outcomes are not retried', () => {
  const rules: RetryRules = {
    mode: 'by-result',
    rules: new Map([
      ['4', { retries: 2, intervalMs: 300_000 }],
      ['00537', { retries: 1, intervalMs: 60_000 }],
    ]),
    noRetry: none,
  };
  const r1 = decide(rules, { resultCode: '4', counters: counters({ perOutcome: { '4': 1 } }) });
  assert.deepEqual(r1.kind === 'retry' ? r1.at : null, now + 300_000);
  assert.equal(decide(rules, { resultCode: '4', counters: counters({ perOutcome: { '4': 3 } }) }).kind, 'finish');
  const busy = decide(rules, { failCode: '00537', resultCode: null, counters: counters({ perOutcome: { '00537': 1 } }) });
  assert.deepEqual(busy.kind === 'retry' ? busy.at : null, now + 60_000);
  assert.equal(decide(rules, { failCode: '00604', resultCode: 'x' }).kind, 'finish');
});
