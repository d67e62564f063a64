/**
 * Agent campaigns on simulated time: the discrete-event simulation (src/engine/dialing-simulation.ts)
 * of the simulated agent pool, the dispatch budget of each mode, the predictive controller and
 * the abandon ledger — the real domain modules, without HTTP or a database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { simulateCampaign, type SimulationOptions } from '../src/engine/dialing-simulation.js';

const week: SimulationOptions = {
  mode: 'predictive',
  records: 100_000,
  start: Date.UTC(2026, 0, 5),
  days: 7,
  openHour: 9,
  closeHour: 21,
  pool: { agents: 20, talkSeconds: [60, 240], wrapUpSeconds: [5, 15], seed: 1 },
  answerRate: 0.3,
  answerSeconds: [3, 15],
  noAnswerSeconds: [10, 30],
  seed: 7,
};

test('a week of a predictive campaign (100,000 records, 20 agents, 30 % answered, talk 60–240 s): abandon ≤ 3 % at every instant, occupancy > 70 %', () => {
  const r = simulateCampaign(week);
  assert.ok(r.dialled > 90_000, `dialled ${r.dialled}`);
  assert.ok(r.answered > 25_000, `answered ${r.answered}`);
  assert.ok(r.abandoned > 0, 'the controller does over-dial');
  assert.ok(r.maxRate <= 0.03, `max abandon rate ${r.maxRate}`);
  assert.ok(r.finalRate <= 0.03, `final rate ${r.finalRate}`);
  assert.ok(r.occupancy > 0.7, `occupancy ${r.occupancy}`);
  assert.equal(r.quietViolations, 0);
  // Deterministic: the same seed gives the same run.
  const again = simulateCampaign({ ...week, records: 5000, days: 1 });
  const again2 = simulateCampaign({ ...week, records: 5000, days: 1 });
  assert.deepEqual({ ...again, runMs: 0 }, { ...again2, runMs: 0 });
});

test('predictive beats progressive on agent wait, progressive never abandons', () => {
  const day = { ...week, records: 40_000, days: 2 };
  const pred = simulateCampaign(day);
  const prog = simulateCampaign({ ...day, mode: 'progressive' });
  assert.equal(prog.abandoned, 0);
  assert.equal(prog.maxRate, 0);
  assert.ok(prog.dialled > 10_000);
  assert.ok(pred.meanWaitSeconds < prog.meanWaitSeconds, `wait ${pred.meanWaitSeconds} < ${prog.meanWaitSeconds}`);
  assert.ok(pred.occupancy > prog.occupancy);
});

test('preview dials exactly what an agent accepted, never abandons', () => {
  const r = simulateCampaign({ ...week, mode: 'preview', records: 3000, days: 1, previewAcceptRate: 0.6 });
  assert.ok(r.previewAccepted.length > 1000 && r.previewAccepted.length < 3000, `accepted ${r.previewAccepted.length}`);
  assert.deepEqual(r.previewDialled, r.previewAccepted);
  assert.equal(r.dialled, r.previewAccepted.length);
  assert.equal(r.abandoned, 0);
});

test('an abandoned number is dialled again only after the quiet period', () => {
  // A tight pool and a short quiet period so numbers do come back within the run.
  const r = simulateCampaign({ ...week, records: 4000, days: 2, quietMs: 3_600_000, target: 0.1 });
  assert.ok(r.abandoned > 0);
  assert.equal(r.quietViolations, 0);
});

test('property: over random answer rates, handle times and pools the abandon rate never passes the target', () => {
  fc.assert(
    fc.property(
      fc.record({
        agents: fc.integer({ min: 1, max: 30 }),
        answerRate: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        talkLo: fc.integer({ min: 10, max: 200 }),
        talkSpan: fc.integer({ min: 0, max: 300 }),
        wrap: fc.integer({ min: 0, max: 60 }),
        target: fc.constantFrom(0.01, 0.03, 0.05),
        seed: fc.integer({ min: 1, max: 1_000_000 }),
      }),
      (p) => {
        const r = simulateCampaign({
          ...week,
          records: 3000,
          days: 1,
          openHour: 9,
          closeHour: 13,
          pool: { agents: p.agents, talkSeconds: [p.talkLo, p.talkLo + p.talkSpan], wrapUpSeconds: [0, p.wrap], seed: p.seed },
          answerRate: p.answerRate,
          target: p.target,
          seed: p.seed,
        });
        assert.ok(r.maxRate <= p.target, `rate ${r.maxRate} > ${p.target}`);
      },
    ),
    { numRuns: 25 },
  );
});
