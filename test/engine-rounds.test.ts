/**
 * Pacing of call data through the real engine and the manual clock (README §"The engine", 3):
 * a round of at most `ivrParam.callCount` calls per campaign, rounds `ivrParam.callInterval`
 * seconds apart, and the global `CAMPAIGND_MAX_CPS` across campaigns. Also: a move of the clock
 * that needs more steps than `CAMPAIGND_CLOCK_MAX_STEPS` stops there with an error, never jumps.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { startTestServer, envelopeOf, type TestServer } from './helpers.js';
import { addData, advance, campaign, MIN, results, SEC } from './engine-helpers.js';

const start = Date.UTC(2030, 5, 3, 9); // Monday 09:00 UTC
const numbers = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

/** How many calls of a campaign started at each instant, as [offset from t0 in s, count]. */
async function perInstant(s: TestServer, campaignId: number, t0: number): Promise<Array<[number, number]>> {
  const counts = new Map<number, number>();
  for (const r of await results(s, { campaignId })) {
    const t = (Number(r.created_at) - t0) / SEC;
    counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0] - b[0]);
}

describe('rounds: callCount and callInterval', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1' }, { clock: new ManualClock(start) });
  });
  after(async () => s.stop());

  test('callCount 3, callInterval 10: 7 records go out as 3 at t0, 3 at t0+10 s, 1 at t0+20 s', async () => {
    const cid = await campaign(s, { ivrParam: { deviceSign: '100', callCount: 3, callInterval: 10 } });
    const t0 = s.clock.now();
    await addData(s, cid, numbers('57100', 7));
    await advance(s, MIN);
    assert.deepEqual(await perInstant(s, cid, t0), [
      [0, 3],
      [10, 3],
      [20, 1],
    ]);
  });

  test('without callCount and callInterval: rounds of 10, 1 s apart', async () => {
    const cid = await campaign(s, { ivrParam: { deviceSign: '100' } });
    const t0 = s.clock.now();
    await addData(s, cid, numbers('57200', 12));
    await advance(s, MIN);
    assert.deepEqual(await perInstant(s, cid, t0), [
      [0, 10],
      [1, 2],
    ]);
  });

  test('two campaigns keep their own round spacing', async () => {
    const a = await campaign(s, { ivrParam: { deviceSign: '100', callCount: 2, callInterval: 30 } });
    const b = await campaign(s, { ivrParam: { deviceSign: '100', callCount: 1, callInterval: 5 } });
    const t0 = s.clock.now();
    await addData(s, a, numbers('57300', 4));
    await addData(s, b, numbers('57400', 3));
    await advance(s, 2 * MIN);
    assert.deepEqual(await perInstant(s, a, t0), [
      [0, 2],
      [30, 2],
    ]);
    assert.deepEqual(await perInstant(s, b, t0), [
      [0, 1],
      [5, 1],
      [10, 1],
    ]);
  });
});

describe('CAMPAIGND_MAX_CPS across campaigns', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1', CAMPAIGND_MAX_CPS: '3' }, { clock: new ManualClock(start) });
  });
  after(async () => s.stop());

  test('at most 3 calls in any second of engine time, however many campaigns have work', async () => {
    const a = await campaign(s, { ivrParam: { deviceSign: '100', callCount: 10, callInterval: 1 } });
    const b = await campaign(s, { ivrParam: { deviceSign: '100', callCount: 10, callInterval: 1 } });
    const t0 = s.clock.now();
    await addData(s, a, numbers('57500', 5));
    await addData(s, b, numbers('57600', 4));
    await advance(s, MIN);
    const all = [...(await perInstant(s, a, t0)), ...(await perInstant(s, b, t0))];
    const perSecond = new Map<number, number>();
    for (const [t, n] of all) perSecond.set(Math.floor(t), (perSecond.get(Math.floor(t)) ?? 0) + n);
    assert.deepEqual(
      [...perSecond.entries()].sort((x, y) => x[0] - y[0]),
      [
        [0, 3],
        [1, 3],
        [2, 3],
      ],
      '9 calls, 3 a second',
    );
    // The campaign first in line takes the budget first; the other waits for the next second.
    assert.deepEqual(await perInstant(s, a, t0), [
      [0, 3],
      [1, 2],
    ]);
    assert.deepEqual(await perInstant(s, b, t0), [
      [1, 1],
      [2, 3],
    ]);
  });

  test('more campaigns than rounds dialled at once (6): the budget still goes to them in line, every record once', async () => {
    // On PostgreSQL up to ROUNDS_AT_ONCE (4) rounds are dialled at once (call-data-worker.ts).
    const ids: number[] = [];
    for (let k = 0; k < 6; k++) ids.push(await campaign(s, { ivrParam: { deviceSign: '100', callCount: 10, callInterval: 1 } }));
    const t0 = s.clock.now();
    for (const [k, id] of ids.entries()) await addData(s, id, numbers(`5780${k}`, 2));
    await advance(s, MIN);
    const per = await Promise.all(ids.map((id) => perInstant(s, id, t0)));
    const perSecond = new Map<number, number>();
    for (const list of per) for (const [t, n] of list) perSecond.set(Math.floor(t), (perSecond.get(Math.floor(t)) ?? 0) + n);
    assert.deepEqual(
      [...perSecond.entries()].sort((x, y) => x[0] - y[0]),
      [
        [0, 3],
        [1, 3],
        [2, 3],
        [3, 3],
      ],
      '12 calls, 3 a second',
    );
    assert.deepEqual(
      per,
      [
        [[0, 2]],
        [
          [0, 1],
          [1, 1],
        ],
        [[1, 2]],
        [[2, 2]],
        [
          [2, 1],
          [3, 1],
        ],
        [[3, 2]],
      ],
      'in line: each campaign takes what is left of the second',
    );
    const called = (await results(s, {})).filter((r) => ids.includes(Number(r.campaign_id))).map((r) => r.called_no);
    assert.equal(new Set(called).size, 12, 'every record called once');
    assert.equal(called.length, 12);
  });
});

describe('CAMPAIGND_CLOCK_MAX_STEPS', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1', CAMPAIGND_CLOCK_MAX_STEPS: '3' }, { clock: new ManualClock(start) });
  });
  after(async () => s.stop());

  test('a move needing more steps stops at the last one reached with 0200001, every due call made; the next move goes on', async () => {
    const cid = await campaign(s, { ivrParam: { deviceSign: '100', callCount: 1, callInterval: 10 } });
    const t0 = s.clock.now();
    await addData(s, cid, numbers('57700', 6));
    const res = await s.client.request('POST', '/campaignd/v1/clock', { advanceMs: 10 * MIN });
    const env = envelopeOf(res.body);
    assert.equal(res.status, 200);
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /CAMPAIGND_CLOCK_MAX_STEPS \(3\)/);
    // t0 (before stepping) + 3 steps of 10 s: the clock stands at t0 + 30 s, not at the target.
    assert.equal(s.clock.now(), t0 + 30 * SEC);
    assert.match(env.resultDesc, new RegExp(String(t0 + 30 * SEC)));
    assert.deepEqual(await perInstant(s, cid, t0), [
      [0, 1],
      [10, 1],
      [20, 1],
      [30, 1],
    ]);
    const again = await s.client.request('POST', '/campaignd/v1/clock', { advanceMs: 20 * SEC });
    assert.equal(envelopeOf(again.body).resultCode, '0200000', again.raw);
    assert.deepEqual(await perInstant(s, cid, t0), [
      [0, 1],
      [10, 1],
      [20, 1],
      [30, 1],
      [40, 1],
      [50, 1],
    ]);
  });
});
