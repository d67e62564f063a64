/**
 * The preflight extension (issue #7): what a campaign would dial now and what is held, by gate,
 * with the next eligible instant — and the engine then dials exactly the "dial now" records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import type { Preflight } from '../src/engine/preflight.js';
import { campaignBody, createBatch, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

const DAY = 86_400_000;
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;

async function ok(s: TestServer, method: string, path: string, body?: unknown) {
  const res = await s.client.request(method, path, body);
  const env = envelopeOf(res.body) as ReturnType<typeof envelopeOf> & { returnObject?: Record<string, unknown> };
  assert.equal(env.resultCode, '0200000', `${method} ${path}: ${res.raw}`);
  return env;
}

async function campaign(s: TestServer, extra: Record<string, unknown>): Promise<number> {
  const begin = startOfUtcDay(s.clock.now());
  const body = campaignBody({ strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 30 * DAY), ...extra }, begin);
  return Number((await ok(s, 'POST', P(1), body)).returnObject!.id);
}

/** Adds records and runs one engine pass (which holds them at their gates). */
async function add(s: TestServer, cid: number, numbers: string[], extra: Record<string, unknown> = {}) {
  await ok(s, 'POST', `${P2(1)}/calldata/${cid}`, { ...extra, callDataList: numbers.map((n) => ({ sessionId: `s${n}`, called: [{ calledNo: n }] })) });
  await ok(s, 'POST', '/campaignd/v1/clock', { advanceMs: 0 });
}

const preflight = async (s: TestServer, cid: number) => (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/preflight`)).returnObject as unknown as Preflight;

test('preflight counts dial-now and held records by gate, and the engine then dials exactly the dial-now ones', async () => {
  const now = Date.UTC(2030, 0, 7, 8); // Monday 08:00 UTC = 09:00 Paris
  const s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_ENGINE_POLL_MS: '60000' }, { clock: new ManualClock(now) });
  try {
    const cid = await campaign(s, { scheduleParam: { workdayBeginTime1: '07:00', workdayEndTime1: '20:00' } });
    const paused = await createBatch(s.client, 1, cid, 'paused', 2);
    const data = ['5554001', '5554002', '13800000601'];
    // With the manual clock nothing is dialled until the clock moves: the paused batch's record
    // first, then (1 s later, the add spacing) the others.
    await ok(s, 'POST', `${P2(1)}/calldata/${cid}`, { batchId: paused, callDataList: [{ sessionId: 'p1', called: [{ calledNo: '5554009' }] }] });
    await ok(s, 'POST', '/campaignd/v1/clock', { advanceMs: 1000 });
    await ok(s, 'POST', `${P2(1)}/calldata/${cid}`, { callDataList: data.map((n) => ({ sessionId: `s${n}`, called: [{ calledNo: n }] })) });
    await ok(s, 'POST', `${P(1)}/blocklist/add`, { blocklist: ['8613800000601'] });
    const fr = await campaign(s, { scheduleParam: {}, rulePack: 'FR' });

    const p = await preflight(s, cid);
    assert.equal(p.at, now + 1000);
    assert.deepEqual([p.callData.waiting, p.callData.dialNow, p.callData.held, p.callData.truncated], [4, 2, 2, false]);
    assert.deepEqual(
      p.callData.groups.map((g) => [g.gate, g.count, g.nextEligibleAt]),
      [
        ['batch-paused', 1, null],
        ['blocklist', 1, null],
      ],
    );
    assert.deepEqual([p.reservations.waiting, p.reservations.dialNow], [0, 0]);

    await s.client.request('POST', '/campaignd/v1/clock', { advanceMs: 1000 });
    await add(s, fr, ['0612345678', '0612345679']);
    const pf = await preflight(s, fr);
    assert.deepEqual([pf.callData.waiting, pf.callData.dialNow, pf.callData.held], [2, 0, 2]);
    assert.equal(pf.callData.groups[0]!.gate, 'rule-pack');
    assert.equal(pf.callData.groups[0]!.nextEligibleAt, Date.UTC(2030, 0, 7, 9), '10:00 Paris');
    assert.match(pf.callData.groups[0]!.reason, /rule pack FR/);

    const dialled = await s.store.db.selectFrom('call_results').select('called_no').where('campaign_id', '=', cid).execute();
    assert.deepEqual(dialled.map((r) => r.called_no).sort(), ['5554001', '5554002'], 'the engine dialled exactly the dial-now records');
    const after = await preflight(s, cid);
    assert.equal(after.callData.dialNow, 0);

    // A suspended campaign holds everything it has waiting, until a resume (no instant).
    await ok(s, 'PUT', `${P(1)}/${fr}/pause`);
    const suspended = await preflight(s, fr);
    assert.deepEqual(
      suspended.callData.groups.map((g) => [g.gate, g.count, g.nextEligibleAt, g.reason]),
      [['campaign-state', 2, null, 'campaign suspended']],
    );
  } finally {
    await s.stop();
  }
});

test('preflight of an unknown campaign is refused with 0200007 in the envelope, never a 500', async () => {
  const s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  try {
    const res = await s.client.request('GET', '/campaignd/v1/campaigns/1/999999/preflight');
    assert.equal(res.status, 200);
    assert.equal(envelopeOf(res.body).resultCode, '0200007');
    assert.match(envelopeOf(res.body).resultDesc, /campaign 999999/);
  } finally {
    await s.stop();
  }
});

test('nextEligibleAt is the instant every gate opens, not only the first: a 09:00 window under the FR pack (10:00) → 10:00 Paris', async () => {
  const now = Date.UTC(2026, 11, 1, 6); // Tuesday 07:00 in Paris
  const s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_ENGINE_POLL_MS: '60000' }, { clock: new ManualClock(now) });
  try {
    const cid = await campaign(s, { timeZone: 'Europe/Paris', rulePack: 'FR', scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '18:00' } });
    await add(s, cid, ['33612345678']);
    const p = await preflight(s, cid);
    assert.deepEqual(
      p.callData.groups.map((g) => [g.gate, g.count, g.nextEligibleAt]),
      [['calling-window', 1, Date.UTC(2026, 11, 1, 9)]],
    );
    // and the engine agrees: nothing at 08:00Z (window open, pack closed), the call at 09:00Z
    await ok(s, 'POST', '/campaignd/v1/clock', { setMs: Date.UTC(2026, 11, 1, 8, 30) });
    assert.equal((await s.store.db.selectFrom('call_results').select('id').where('campaign_id', '=', cid).execute()).length, 0);
    await ok(s, 'POST', '/campaignd/v1/clock', { setMs: Date.UTC(2026, 11, 1, 9, 0, 1) });
    const calls = await s.store.db.selectFrom('call_results').select('created_at').where('campaign_id', '=', cid).execute();
    assert.deepEqual(
      calls.map((c) => Number(c.created_at)),
      [Date.UTC(2026, 11, 1, 9)],
    );
  } finally {
    await s.stop();
  }
});
