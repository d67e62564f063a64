/**
 * The simulated dialer (README §"The engine", Dialers; `CAMPAIGND_SIM_*`): the same seed,
 * number and attempt always give the same outcome, only codes of the mix with a positive
 * weight come out, per-number scripts win (the last code repeats), and the times it reports
 * are consistent. Property tests over arbitrary seeds, numbers and attempts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_MIX, parseMix, parseScripts, SimulatedDialer } from '../src/engine/simulated-dialer.js';

const dialer = (seed: string, extra: Partial<ConstructorParameters<typeof SimulatedDialer>[0]> = {}) =>
  new SimulatedDialer({ seed, mix: DEFAULT_MIX, scripts: new Map(), ringSeconds: [3, 20], talkSeconds: [20, 180], ...extra });
const number = fc.stringMatching(/^[0-9]{3,15}$/);
const attempt = fc.integer({ min: 1, max: 50 });

test('property: the same seed, number and attempt give the same outcome, whatever else was dialled in between', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 20 }), number, attempt, fc.array(number, { maxLength: 5 }), async (seed, n, a, noise) => {
      const one = dialer(seed);
      const two = dialer(seed);
      for (const x of noise) await two.dial({ callId: '1', vdnId: 1, campaignId: 1, calledNo: x, callerNo: '1', attempt: 1, maxAlertingTime: 30, deviceType: 3, nowMs: 0 });
      const req = { callId: '2', vdnId: 1, campaignId: 1, calledNo: n, callerNo: '4001', attempt: a, maxAlertingTime: 30, deviceType: 3, nowMs: 1_000_000 };
      assert.deepEqual(await one.dial(req), await two.dial(req));
    }),
    { numRuns: 200 },
  );
});

test('property: only codes of the mix with a positive weight come out; times are consistent', async () => {
  const mix = parseMix('00000:3,00603:1,00604:0');
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 10 }), number, attempt, fc.integer({ min: 5, max: 120 }), async (seed, n, a, maxAlerting) => {
      const d = dialer(seed, { mix });
      const r = await d.dial({ callId: '3', vdnId: 1, campaignId: 1, calledNo: n, callerNo: '4001', attempt: a, maxAlertingTime: maxAlerting, deviceType: 3, nowMs: 5000 });
      assert.equal(r.kind, 'settled');
      if (r.kind !== 'settled') return;
      const o = r.outcome;
      assert.ok(['00000', '00603'].includes(o.failCode), o.failCode);
      assert.equal(o.ackBeginTime, 6000, 'acknowledged 1 s after dialling');
      if (o.failCode === '00000') {
        const ring = (o.callBeginTime! - 6000) / 1000;
        assert.ok(ring >= 3 && ring <= Math.min(20, maxAlerting), `ring ${ring}`);
        const talk = (o.callEndTime! - o.callBeginTime!) / 1000;
        assert.ok(talk >= 20 && talk <= 180, `talk ${talk}`);
      } else {
        assert.equal(o.callBeginTime, null);
        assert.equal(o.callEndTime, 6000 + maxAlerting * 1000, 'no answer rings for maxAlertingTime');
      }
    }),
    { numRuns: 200 },
  );
});

test('scripts win over the mix: codes for attempts 1, 2, …, the last one repeats', () => {
  const d = dialer('x', { scripts: parseScripts('13800000002=00603,00603,00000;13800000009=00538') });
  assert.deepEqual(
    [1, 2, 3, 4, 9].map((a) => d.codeFor('13800000002', a)),
    ['00603', '00603', '00000', '00000', '00000'],
  );
  assert.deepEqual(
    [1, 2].map((a) => d.codeFor('13800000009', a)),
    ['00538', '00538'],
  );
});

test('a connected call has a recording only with a recordings URL', async () => {
  const req = { callId: '123456', vdnId: 1, campaignId: 1, calledNo: '1', callerNo: '4001', attempt: 1, maxAlertingTime: 30, deviceType: 3, nowMs: 0 };
  const mix = parseMix('00000:1');
  const without = await dialer('s', { mix }).dial(req);
  const withUrl = await dialer('s', { mix, recordUrl: 'https://rec.example/calls/' }).dial(req);
  assert.equal(without.kind === 'settled' && without.outcome.recordPath, null);
  assert.equal(withUrl.kind === 'settled' && withUrl.outcome.recordPath, 'https://rec.example/calls/123456.wav');
});

test('mix and scripts that cannot be read are refused with the entry named', () => {
  assert.throws(() => parseMix('00000:1,abc'), /abc/);
  assert.throws(() => parseMix('00000:0'), /positive weight/);
  assert.throws(() => parseScripts('5550001=00603,77777'), /77777/);
  assert.throws(() => parseScripts('5550001'), /NUMBER=CODE/);
});
