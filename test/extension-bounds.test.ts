/**
 * Bounds of the extensions' instants: the manual clock never goes past 9999-12-31 23:59:59.999
 * UTC (the last instant the vendor's times can show), and a CTI's call times are instants in that
 * range, in order. Found by a hostile-client review: an unbounded `setMs` broke the clock for good.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { envelopeOf, startTestServer, type TestServer } from './helpers.js';

const START = Date.UTC(2030, 0, 7, 8);
let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_CLOCK: 'manual' }, { clock: new ManualClock(START) });
});
after(async () => s.stop());

const clock = async () => (await s.client.request<{ returnObject: { now: number; time: string } }>('GET', '/campaignd/v1/clock')).body!.returnObject;

test('setMs past 9999-12-31 is 02000007 and the clock stays where it was; the last instant itself is allowed', async () => {
  for (const setMs of [9007199254740991, 8.64e15, Date.UTC(10000, 0, 1)]) {
    const r = await s.client.request('POST', '/campaignd/v1/clock', { setMs });
    assert.equal(r.status, 200, r.raw);
    assert.equal(envelopeOf(r.body).resultCode, '02000007', `${setMs}: ${r.raw}`);
  }
  assert.equal((await clock()).now, START);
  const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  const ok = await s.client.request('POST', '/campaignd/v1/clock', { setMs: last });
  assert.equal(envelopeOf(ok.body).resultCode, '0200000', ok.raw);
  assert.equal((await clock()).time, '9999-12-31 23:59:59');
  const further = await s.client.request('POST', '/campaignd/v1/clock', { advanceMs: 1 });
  assert.equal(envelopeOf(further.body).resultCode, '02000007', further.raw);
  assert.equal((await clock()).now, last);
});

test('a CTI result with an instant out of range is 02000007; call times out of order are refused', async () => {
  const path = '/campaignd/v1/campaigns/1/calls/no-such-call/result';
  for (const body of [
    { failCode: '0', callBeginTime: 9007199254740991 },
    { failCode: '0', turns: [{ interNo: 1, systemReplyTime: 8.64e15 }] },
  ]) {
    const r = await s.client.request('POST', path, body);
    assert.equal(envelopeOf(r.body).resultCode, '02000007', r.raw);
  }
  const reversed = await s.client.request('POST', path, { failCode: '0', callBeginTime: 2000, callEndTime: 1000 });
  assert.equal(envelopeOf(reversed.body).resultCode, '0200001');
  assert.match(envelopeOf(reversed.body).resultDesc, /callEndTime must not be earlier than callBeginTime/);
  const inOrder = await s.client.request('POST', path, { failCode: '0', ackBeginTime: 1000, callBeginTime: 2000, callEndTime: 3000 });
  assert.match(envelopeOf(inOrder.body).resultDesc, /no call no-such-call is waiting/);
});
