/**
 * Records with several called numbers, and the calling number, through the real engine and the
 * manual clock (README §"The engine", 4–7): `delayTime`, moving on to the next number, a
 * `noRetryPolicy` result that ends one number but not the record, result-based `retryNumber` and
 * `callInterval`, "no policy: each number once", business-result policy 1 (next number), the
 * record's own `caller`, and the pool's round-robin across a restart.
 *
 * The simulated dialer is scripted: 58100xx never answer (00603), 58200xx are vacant (00538),
 * 58300xx are busy (00604); every other number answers (00000).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ManualClock } from '../src/engine/clock.js';
import { P, startTestServer, tempDir, type TestServer } from './helpers.js';
import { addData, addRecords, advance, attemptTimes, campaign, DAY, MIN, ok, results, SEC } from './engine-helpers.js';

const start = Date.UTC(2030, 5, 3, 9); // Monday 09:00 UTC
const scripted = (prefix: string, code: string, n = 10) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}=${code}`);
const ENV = {
  CAMPAIGND_CLOCK: 'manual',
  CAMPAIGND_SIM_MIX: '00000:1',
  CAMPAIGND_SIM_SCRIPTS: [...scripted('58100', '00603'), ...scripted('58200', '00538'), ...scripted('58300', '00604')].join(';'),
};
/** One call a round, rounds 1 s apart: every instant below is exact. */
const IVR = { ivrParam: { deviceSign: '100', callCount: 10, callInterval: 1 } };

type Trail = { state: string; decisions: Array<{ at: number; kind: string; gate: string | null; until: number | null; calledNo: string | null; failCode: string | null }> };

describe('several numbers per record', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(ENV, { clock: new ManualClock(start) });
    await ok(s, 'POST', `${P(1)}/createObResult`, { resultCode: 'NA', displayResult: 'no answer', obsCodes: ['00603'] });
    await ok(s, 'POST', `${P(1)}/createObResult`, { resultCode: 'VAC', displayResult: 'vacant', obsCodes: ['00538'] });
  });
  after(async () => s.stop());
  const trail = async (cid: number, dataId: string) => (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/calldata/${dataId}/trail`)).returnObject as unknown as Trail;

  test('delayTime of the first number counts from loading: dialled exactly 120 s later and not before', async () => {
    const cid = await campaign(s, IVR);
    const t0 = s.clock.now();
    const [id] = await addRecords(s, cid, [{ called: [{ calledNo: '5840000', delayTime: 120 }] }]);
    await advance(s, 10 * MIN);
    assert.deepEqual(await attemptTimes(s, '5840000'), [t0 + 120 * SEC]);
    // The record is loaded due at t0 + 120 s, so nothing claims it earlier.
    assert.deepEqual(
      (await trail(cid, id!)).decisions.map((d) => [d.kind, d.at]),
      [
        ['dialled', t0 + 120 * SEC],
        ['settled', t0 + 120 * SEC],
      ],
    );
  });

  test('no policy: each number once, then the record is done; the next number waits its delayTime after the previous attempt', async () => {
    const cid = await campaign(s, IVR);
    const t0 = s.clock.now();
    const [id] = await addRecords(s, cid, [{ called: [{ calledNo: '5810001' }, { calledNo: '5810002', delayTime: 60 }] }]);
    await advance(s, 3 * DAY);
    assert.deepEqual(await attemptTimes(s, '5810001'), [t0]);
    assert.deepEqual(await attemptTimes(s, '5810002'), [t0 + 60 * SEC]);
    const t = await trail(cid, id!);
    assert.equal(t.state, 'done');
    assert.deepEqual(
      t.decisions.filter((d) => d.kind === 'dialled').map((d) => d.calledNo),
      ['5810001', '5810002'],
    );
    const held = t.decisions.find((d) => d.kind === 'skipped');
    assert.deepEqual([held?.gate, held?.calledNo, held?.until], ['number-delay', '5810002', t0 + 60 * SEC], 'the trail names the delay gate and its end');
  });

  test('result-based policy: retryNumber 2 every 300 s on the number, then the next number one round later', async () => {
    const cid = await campaign(s, IVR);
    await ok(s, 'POST', `${P(1)}/retryPolicy/${cid}`, { policyType: 0, policyJson: '[{"type":1,"policy":[{"result":"NA","retryNumber":2,"callInterval":300}]}]' });
    const t0 = s.clock.now();
    await addRecords(s, cid, [{ called: [{ calledNo: '5810003' }, { calledNo: '5840003' }] }]);
    await advance(s, DAY);
    assert.deepEqual(await attemptTimes(s, '5810003'), [t0, t0 + 300 * SEC, t0 + 600 * SEC]);
    assert.deepEqual(await attemptTimes(s, '5840003'), [t0 + 601 * SEC]);
    assert.deepEqual(
      (await results(s, { calledNo: '5810003' })).map((r) => r.result_code),
      ['NA', 'NA', 'NA'],
    );
  });

  test('result-based policy: an outcome without a rule is not retried on that number; the next number is tried', async () => {
    const cid = await campaign(s, IVR);
    await ok(s, 'POST', `${P(1)}/retryPolicy/${cid}`, { policyType: 0, policyJson: '[{"type":1,"policy":[{"result":"NA","retryNumber":2,"callInterval":300}]}]' });
    const t0 = s.clock.now();
    await addRecords(s, cid, [{ called: [{ calledNo: '5830004' }, { calledNo: '5840004' }] }]);
    await advance(s, DAY);
    assert.deepEqual(await attemptTimes(s, '5830004'), [t0]);
    assert.deepEqual(await attemptTimes(s, '5840004'), [t0 + SEC]);
  });

  test("a noRetryPolicy result is never retried on that number, but the record's next number is still tried", async () => {
    const cid = await campaign(s, IVR);
    await ok(s, 'POST', `${P(1)}/retryPolicy/${cid}`, {
      policyType: 0,
      policyJson: '[{"type":1,"policy":[{"result":"VAC","retryNumber":3,"callInterval":60}]}]',
      noRetryPolicy: ['VAC'],
    });
    const t0 = s.clock.now();
    const [id] = await addRecords(s, cid, [{ called: [{ calledNo: '5820005' }, { calledNo: '5840005' }] }]);
    await advance(s, DAY);
    assert.deepEqual(await attemptTimes(s, '5820005'), [t0], 'noRetryPolicy wins over the retry rule for the same result');
    assert.deepEqual(await attemptTimes(s, '5840005'), [t0 + SEC]);
    assert.equal((await trail(cid, id!)).state, 'done');
  });

  test('business-result policy 1: the next number is called callInterval after the writeback', async () => {
    await ok(s, 'POST', `${P(1)}/addBusinessResult`, { name: 'Try the office', code: 'OFFICE' });
    const cid = await campaign(s, IVR);
    await ok(s, 'POST', `${P(1)}/retryPolicy/${cid}`, {
      policyType: 0,
      policyJson: '[{"type":1,"policy":[{"result":"NA","retryNumber":1,"callInterval":60}]}]',
      busiPolicy: [{ busiResultCode: 'OFFICE', busiResultPolicy: 1, callInterval: 900 }],
    });
    const t0 = s.clock.now();
    const [id] = await addRecords(s, cid, [{ called: [{ calledNo: '5840006' }, { calledNo: '5840007' }] }]);
    await advance(s, MIN);
    assert.deepEqual(await attemptTimes(s, '5840006'), [t0]);
    assert.deepEqual(await attemptTimes(s, '5840007'), [], 'a connected call finishes the record');
    const t = s.clock.now();
    await ok(s, 'POST', `${P(1)}/callBusiResult/${id}`, { busiResult: 'OFFICE' });
    await advance(s, DAY);
    assert.deepEqual(await attemptTimes(s, '5840007'), [t + 900 * SEC]);
    assert.deepEqual(await attemptTimes(s, '5840006'), [t0], 'the first number is not called again');
  });
});

describe('the calling number', () => {
  test("a record's own caller is used and leaves the pool's rotation alone; the pool rotates among equals in order, across a restart", async () => {
    const dir = tempDir();
    let s = await startTestServer(ENV, { clock: new ManualClock(start), dir });
    try {
      const cid = await campaign(s, { ...IVR, callerNo: '7000001' });
      await ok(s, 'POST', `${P(1)}/callerNo/${cid}`, {
        callerNo: [
          { accessCode: '7000002', priority: 1 },
          { accessCode: '7000003', priority: 1 },
          { accessCode: '7000009', priority: 2 },
        ],
      });
      await addRecords(s, cid, [{ called: [{ calledNo: '5850001' }], caller: '7100001' }, { called: [{ calledNo: '5850002' }] }, { called: [{ calledNo: '5850003' }] }]);
      await advance(s, MIN);
      const first = await results(s, { campaignId: cid });
      assert.deepEqual(
        first.map((r) => [r.called_no, r.caller_no]),
        [
          ['5850001', '7100001'],
          ['5850002', '7000001'],
          ['5850003', '7000002'],
        ],
      );
      const now = s.clock.now();
      await s.stop();
      s = await startTestServer(ENV, { clock: new ManualClock(now), dir });
      await addData(s, cid, ['5850004', '5850005', '5850006', '5850007']);
      await advance(s, MIN);
      const second = (await results(s, { campaignId: cid })).slice(3);
      assert.deepEqual(
        second.map((r) => r.caller_no),
        ['7000003', '7000001', '7000002', '7000003'],
        'the rotation goes on after the restart where it stood; priority 2 is never used while priority 1 numbers exist',
      );
    } finally {
      await s.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
