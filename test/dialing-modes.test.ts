/** Dialing modes, the predictive controller and abandon accounting (pure domain rules). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ABANDON_OBS_CODE, AbandonLedger, isAbandoned, quietUntil } from '../src/domain/abandon.js';
import { dialingModeOf, dispatchBudget, type BudgetInput } from '../src/domain/dialing-modes.js';
import { adaptiveAlpha, expectedExcess, predictiveDials } from '../src/domain/predictive-controller.js';
import { isKnownObsCode } from '../src/domain/obs-codes.js';

const base: BudgetInput = {
  mode: 'predictive',
  freeAgents: 5,
  busyAgents: 15,
  inFlight: 0,
  waiting: 0,
  answerRate: 0.3,
  meanHandleSeconds: 160,
  meanAnswerSeconds: 9,
  graceSeconds: 2,
  target: 0.03,
  measuredRate: 0,
  headroom: 1000,
};

test('the device type decides the mode: 5 preview, 6 progressive, 2 predictive, IVR types none', () => {
  assert.equal(dialingModeOf(5), 'preview');
  assert.equal(dialingModeOf(6), 'progressive');
  assert.equal(dialingModeOf(2), 'predictive');
  assert.equal(dialingModeOf(1), null);
  assert.equal(dialingModeOf(3), null);
});

test('abandoned calls are recorded with the vendor code 01046 (no agent could be seized)', () => {
  assert.equal(ABANDON_OBS_CODE, '01046');
  assert.ok(isKnownObsCode(ABANDON_OBS_CODE));
});

test('an answered call is abandoned when no agent takes it within the grace time (2 s)', () => {
  assert.equal(isAbandoned(1000, 3000), false);
  assert.equal(isAbandoned(1000, 3001), true);
  assert.equal(isAbandoned(1000, null), true);
  assert.equal(isAbandoned(1000, 5000, 5000), false);
  assert.equal(quietUntil(10), 10 + 72 * 3_600_000);
});

test('the ledger counts over 30 days (or the life), and its headroom is ⌊target × answered⌋ − abandoned', () => {
  const l = new AbandonLedger();
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 100; i++) l.answered(t0 + i * 1000);
  l.abandoned(t0 + 200_000);
  assert.deepEqual(l.window(t0 + 300_000), { answered: 100, abandoned: 1, rate: 0.01 });
  assert.equal(l.headroom(t0 + 300_000, 0.03, 60_000), 2);
  // 31 days later everything has left the window.
  const later = t0 + 31 * 86_400_000;
  l.answered(later);
  assert.deepEqual(l.window(later), { answered: 1, abandoned: 0, rate: 0 });
  // Answered calls about to leave the window do not count for the headroom.
  const l2 = new AbandonLedger();
  for (let i = 0; i < 100; i++) l2.answered(t0);
  assert.equal(l2.headroom(t0 + 30 * 86_400_000 - 30_000, 0.03, 60_000), 0);
  assert.equal(l2.headroom(t0 + 1000, 0.03, 60_000), 3);
});

test('expectedExcess matches a direct binomial sum', () => {
  const direct = (n: number, p: number, k: number) => {
    let s = 0;
    for (let x = 0; x <= n; x++) {
      let c = 1;
      for (let i = 0; i < x; i++) c = (c * (n - i)) / (i + 1);
      s += Math.max(0, x - k) * c * p ** x * (1 - p) ** (n - x);
    }
    return s;
  };
  for (const [n, p, k] of [
    [10, 0.3, 2],
    [40, 0.5, 12.5],
    [3, 0.9, 0],
    [25, 0.05, 1],
  ] as const)
    assert.ok(Math.abs(expectedExcess(n, p, k) - direct(n, p, k)) < 1e-9, `${n} ${p} ${k}`);
  assert.equal(expectedExcess(5, 0.3, 5), 0);
  // Large n falls back to the normal approximation and stays close to n·p − k when far above k.
  assert.ok(Math.abs(expectedExcess(5000, 0.5, 100) - 2400) < 1);
});

test('α is the target up to half of it, falls to 0 at 90 % of it', () => {
  assert.equal(adaptiveAlpha(0.03, 0), 0.03);
  assert.equal(adaptiveAlpha(0.03, 0.015), 0.03);
  assert.ok(adaptiveAlpha(0.03, 0.02) < 0.03 && adaptiveAlpha(0.03, 0.02) > 0);
  assert.equal(adaptiveAlpha(0.03, 0.027), 0);
  assert.equal(adaptiveAlpha(0, 0), 0);
});

test('predictive over-dials with low answer rates, less as the rate nears the target, progressive at it', () => {
  const free = predictiveDials(base);
  assert.ok(free.dials > base.freeAgents, `over-dials: ${free.dials}`);
  const near = predictiveDials({ ...base, measuredRate: 0.02 });
  assert.ok(near.dials < free.dials && near.dials >= base.freeAgents, `slows down: ${near.dials}`);
  assert.equal(predictiveDials({ ...base, measuredRate: 0.028 }).dials, base.freeAgents);
  // No headroom: one call per free agent only.
  assert.equal(predictiveDials({ ...base, headroom: 0 }).dials, base.freeAgents);
  // Higher answer rate → fewer calls.
  assert.ok(predictiveDials({ ...base, answerRate: 0.8 }).dials < free.dials);
  // CPS bound.
  assert.equal(predictiveDials({ ...base, maxNew: 2 }).dials, 2);
});

test('progressive: one call per free agent (× ratio), preview: none', () => {
  const p: BudgetInput = { ...base, mode: 'progressive' };
  assert.equal(dispatchBudget(p), 5);
  assert.equal(dispatchBudget({ ...p, inFlight: 3 }), 2);
  assert.equal(dispatchBudget({ ...p, inFlight: 7 }), 0);
  assert.equal(dispatchBudget({ ...p, ratio: 2 }), 10);
  assert.equal(dispatchBudget({ ...p, ratio: 2, headroom: 2 }), 7);
  assert.equal(dispatchBudget({ ...p, ratio: 2, headroom: 0 }), 5);
  assert.equal(dispatchBudget({ ...base, mode: 'preview' }), 0);
});

const budgetArb = fc.record({
  mode: fc.constantFrom<BudgetInput['mode']>('predictive', 'progressive'),
  freeAgents: fc.integer({ min: 0, max: 50 }),
  busyAgents: fc.integer({ min: 0, max: 50 }),
  inFlight: fc.integer({ min: 0, max: 200 }),
  waiting: fc.integer({ min: 0, max: 5 }),
  answerRate: fc.double({ min: 0.01, max: 1, noNaN: true }),
  meanHandleSeconds: fc.double({ min: 1, max: 1000, noNaN: true }),
  meanAnswerSeconds: fc.double({ min: 0, max: 60, noNaN: true }),
  graceSeconds: fc.constantFrom(2, 5),
  target: fc.double({ min: 0, max: 0.1, noNaN: true }),
  measuredRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
  headroom: fc.integer({ min: 0, max: 100 }),
  ratio: fc.double({ min: 1, max: 3, noNaN: true }),
});

test('property: the calls started never exceed the free agents by more than the abandon headroom allows', () => {
  fc.assert(
    fc.property(budgetArb, (s) => {
      const n = dispatchBudget(s);
      assert.ok(Number.isInteger(n) && n >= 0);
      const worstCase = s.inFlight + s.waiting + n - s.freeAgents;
      // Either no call can be abandoned in the worst case, or the worst case fits the headroom.
      assert.ok(worstCase <= Math.max(0, s.headroom) || n === 0 || s.inFlight + s.waiting + n <= s.freeAgents, `worst case ${worstCase} > headroom ${s.headroom}`);
      // Never fewer than one call per free agent not yet covered.
      assert.ok(n >= Math.max(0, s.freeAgents - s.inFlight - s.waiting));
    }),
    { numRuns: 500 },
  );
});

test('configuration: defaults, and values that cannot be used name their variable', async () => {
  const { loadAgentConfig } = await import('../src/config/agents.js');
  assert.deepEqual(loadAgentConfig({}), {
    abandonTarget: 0.03,
    abandonGraceMs: 2000,
    abandonQuietMs: 72 * 3_600_000,
    progressiveRatio: 1,
    simAgents: 10,
    simAgentTalkSeconds: [60, 240],
    simAgentWrapUpSeconds: [5, 15],
  });
  assert.equal(loadAgentConfig({ CAMPAIGND_ABANDON_TARGET_PERCENT: '1.5' }).abandonTarget, 0.015);
  for (const [name, value] of [
    ['CAMPAIGND_ABANDON_TARGET_PERCENT', '3%'],
    ['CAMPAIGND_ABANDON_TARGET_PERCENT', '101'],
    ['CAMPAIGND_ABANDON_GRACE_SECONDS', '0'],
    ['CAMPAIGND_ABANDON_QUIET_HOURS', '-1'],
    ['CAMPAIGND_PROGRESSIVE_RATIO', '0.5'],
    ['CAMPAIGND_SIM_AGENTS', 'ten'],
    ['CAMPAIGND_SIM_AGENT_TALK_SECONDS', '240-60'],
    ['CAMPAIGND_SIM_AGENT_WRAPUP_SECONDS', '5'],
  ] as const) {
    assert.throws(
      () => loadAgentConfig({ [name]: value }),
      (e: Error) => e.message.includes(name),
      `${name}=${value}`,
    );
  }
});
