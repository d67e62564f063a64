/**
 * Issue #7 "Contact safety", every example as a test against the real server, the real SQLite
 * file and the manual clock: attempt budgets, the DST fall-back window, numbers compared by
 * subscriber, rule packs (FR, US-FL), the cross-campaign contact cap.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import fs from 'node:fs';
import { campaignBody, envelopeOf, P, startTestServer, tempDir, type TestServer } from './helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;

async function call(s: TestServer, method: string, path: string, body?: unknown) {
  const res = await s.client.request(method, path, body);
  return envelopeOf(res.body) as ReturnType<typeof envelopeOf> & { returnObject?: Record<string, unknown> } & Record<string, unknown>;
}

async function ok(s: TestServer, method: string, path: string, body?: unknown) {
  const env = await call(s, method, path, body);
  assert.equal(env.resultCode, '0200000', `${method} ${path}: ${JSON.stringify(env)}`);
  return env;
}

const advance = (s: TestServer, ms: number) => ok(s, 'POST', '/campaignd/v1/clock', { advanceMs: ms });

/** A server on the manual clock at `start`, numbers 555xxxx always unanswered (00603). */
async function server(start: number, env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00603:1', ...env }, { clock: new ManualClock(start) });
}

async function campaign(s: TestServer, extra: Record<string, unknown> = {}, policyJson?: string): Promise<number> {
  const begin = startOfUtcDay(s.clock.now());
  const body = campaignBody({ strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 60 * DAY), scheduleParam: {}, ...extra }, begin);
  const id = Number((await ok(s, 'POST', P(1), body)).returnObject!.id);
  if (policyJson) await ok(s, 'POST', `${P(1)}/retryPolicy/${id}`, { policyType: 0, policyJson });
  return id;
}

async function addData(s: TestServer, campaignId: number, numbers: string[]): Promise<string[]> {
  const r = await ok(s, 'POST', `${P2(1)}/calldata/${campaignId}`, {
    callDataList: numbers.map((n, i) => ({ sessionId: `s-${n}-${i}`, called: [{ calledNo: n }] })),
  });
  return (r.returnObject as { dataIdList: Array<{ dataId: string | number }> }).dataIdList.map((d) => String(d.dataId));
}

async function callTimes(s: TestServer, where: { campaignId?: number; dataId?: string; calledNo?: string }): Promise<number[]> {
  let q = s.store.db.selectFrom('call_results').select('created_at').orderBy('id');
  if (where.campaignId !== undefined) q = q.where('campaign_id', '=', where.campaignId);
  if (where.dataId !== undefined) q = q.where('data_id', '=', Number(where.dataId));
  if (where.calledNo !== undefined) q = q.where('called_no', '=', where.calledNo);
  return (await q.execute()).map((r) => Number(r.created_at));
}

async function trail(s: TestServer, cid: number, dataId: string) {
  const r = await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/calldata/${dataId}/trail`);
  return r.returnObject as { state: string; attempts: number; decisions: Array<{ kind: string; gate: string | null; detail: string | null; at: number }> };
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

describe('issue #7 example 1: attempt budgets are bounded', () => {
  test('retryDay 1 / retryTimes 10, window 09:00–18:00, 1 h spacing, never answered: 9 attempts on day 1, then finished', async () => {
    const start = Date.UTC(2030, 0, 7, 8); // Monday 08:00 UTC
    const s = await server(start);
    try {
      const cid = await campaign(s, { scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '18:00' } }, '[{"type":0,"retryDay":1,"retryTimes":10}]');
      const [id] = await addData(s, cid, ['5551001']);
      await advance(s, 4 * DAY);
      const times = await callTimes(s, { dataId: id! });
      assert.deepEqual(
        times.map(iso),
        [9, 10, 11, 12, 13, 14, 15, 16, 17].map((h) => iso(Date.UTC(2030, 0, 7, h))),
      );
      const t = await trail(s, cid, id!);
      assert.equal(t.state, 'done', 'finished, not ready for another day');
      assert.ok(
        t.decisions.some((d) => d.gate === 'attempt-budget' && /attempt budget used up/.test(d.detail ?? '')),
        JSON.stringify(t.decisions.slice(-3)),
      );
    } finally {
      await s.stop();
    }
  });

  test('no window, retryDay 1 / retryTimes 3, first attempt at 22:30: 2 attempts (the day ends), not 5', async () => {
    const s = await server(Date.UTC(2030, 0, 7, 22, 30));
    try {
      const cid = await campaign(s, {}, '[{"type":0,"retryDay":1,"retryTimes":3}]');
      const [id] = await addData(s, cid, ['5551002']);
      await advance(s, 3 * DAY);
      assert.deepEqual((await callTimes(s, { dataId: id! })).map(iso), [iso(Date.UTC(2030, 0, 7, 22, 30)), iso(Date.UTC(2030, 0, 7, 23, 30))]);
      const t = await trail(s, cid, id!);
      assert.equal(t.state, 'done');
      assert.match(t.decisions.at(-1)!.detail ?? '', /attempt budget used up/);
    } finally {
      await s.stop();
    }
  });

  test('retryDay 2 / retryTimes 3 from 22:30: 2 attempts on day 1 and 3 on day 2, 5 in all', async () => {
    const s = await server(Date.UTC(2030, 0, 7, 22, 30));
    try {
      const cid = await campaign(s, {}, '[{"type":0,"retryDay":2,"retryTimes":3}]');
      const [id] = await addData(s, cid, ['5551003']);
      await advance(s, 4 * DAY);
      assert.deepEqual(
        (await callTimes(s, { dataId: id! })).map(iso),
        [Date.UTC(2030, 0, 7, 22, 30), Date.UTC(2030, 0, 7, 23, 30), Date.UTC(2030, 0, 8, 0, 30), Date.UTC(2030, 0, 8, 1, 30), Date.UTC(2030, 0, 8, 2, 30)].map(iso),
      );
    } finally {
      await s.stop();
    }
  });

  test('blocklist frequency limit of one call per day: called once, then finished (not once a day forever)', async () => {
    const s = await server(Date.UTC(2030, 0, 7, 8));
    try {
      await ok(s, 'POST', `${P(1)}/blocklist/add`, { blocklist: ['5551004'], restrictTimes: 1, restrictPeriod: '1' });
      const cid = await campaign(s, {}, '[{"type":0,"retryDay":1,"retryTimes":10}]');
      const [id] = await addData(s, cid, ['5551004']);
      await advance(s, 5 * DAY);
      assert.equal((await callTimes(s, { dataId: id! })).length, 1);
      const t = await trail(s, cid, id!);
      assert.equal(t.state, 'done');
      assert.ok(
        t.decisions.some((d) => d.gate === 'blocklist'),
        'held by the frequency limit first',
      );
      assert.match(t.decisions.at(-1)!.detail ?? '', /attempt budget used up/);
    } finally {
      await s.stop();
    }
  });

  test('a business-result writeback cannot exceed the budget; a clock jump past the budget days finishes the number', async () => {
    const s = await server(Date.UTC(2030, 0, 7, 8), { CAMPAIGND_SIM_SCRIPTS: '5551005=00000;5551006=00603' });
    try {
      await ok(s, 'POST', `${P(1)}/addBusinessResult`, { name: 'Interested', code: 'INT', children: [{ name: 'Call later', code: 'LATER' }] });
      const cid = await campaign(s, { scheduleParam: { workdayBeginTime1: '08:00', workdayEndTime1: '09:00' } });
      await ok(s, 'POST', `${P(1)}/retryPolicy/${cid}`, {
        policyType: 0,
        policyJson: '[{"type":0,"retryDay":2,"retryTimes":1}]',
        busiPolicy: [{ busiResultCode: 'INT', busiResultSubCode: 'LATER', busiResultPolicy: 2, callInterval: 600 }],
      });
      const [connected, unanswered] = await addData(s, cid, ['5551005', '5551006']);
      await advance(s, MIN);
      await ok(s, 'POST', `${P(1)}/callBusiResult/${connected}`, { busiResult: 'INT', subStatus: 'LATER' });
      // Day 1 allows one attempt: the writeback's re-call waits for day 2 and is the last one.
      await advance(s, DAY);
      await ok(s, 'POST', `${P(1)}/callBusiResult/${connected}`, { busiResult: 'INT', subStatus: 'LATER' });
      // The clock jumps 10 days: the unanswered number's day 2 is long gone.
      await ok(s, 'POST', '/campaignd/v1/clock', { setMs: s.clock.now() + 10 * DAY });
      const calls = await callTimes(s, { dataId: connected! });
      assert.deepEqual(calls.map(iso), [iso(Date.UTC(2030, 0, 7, 8)), iso(Date.UTC(2030, 0, 8, 8))], 'day 1 and day 2, never a third time');
      const t = await trail(s, cid, connected!);
      assert.equal(t.state, 'done');
      assert.match(t.decisions.at(-1)!.detail ?? '', /attempt budget used up/);
      assert.equal((await callTimes(s, { dataId: unanswered! })).length, 2);
    } finally {
      await s.stop();
    }
  });
});

describe('the attempt budget survives a restart', () => {
  test('retryDay 1 / retryTimes 3: two attempts, a restart, then only the third', async () => {
    const dir = tempDir();
    const env = { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00603:1' };
    try {
      let s = await startTestServer(env, { dir, clock: new ManualClock(Date.UTC(2030, 0, 7, 8)) });
      const cid = await campaign(s, {}, '[{"type":0,"retryDay":1,"retryTimes":3}]');
      const [id] = await addData(s, cid, ['5551007']);
      await advance(s, 90 * MIN);
      assert.equal((await callTimes(s, { dataId: id! })).length, 2);
      const at = s.clock.now();
      await s.stop();
      s = await startTestServer(env, { dir, clock: new ManualClock(at) });
      try {
        await advance(s, 3 * DAY);
        assert.deepEqual(
          (await callTimes(s, { dataId: id! })).map(iso),
          [8, 9, 10].map((h) => iso(Date.UTC(2030, 0, 7, h))),
        );
        assert.equal((await trail(s, cid, id!)).state, 'done');
      } finally {
        await s.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('issue #7 example 2: daylight-saving fall-back', () => {
  test('window 01:30–02:00 America/New_York; at 06:10Z on 2027-11-07 (01:10 EST, second pass) a new record waits for 01:30 EST', async () => {
    const s = await server(Date.UTC(2027, 10, 7, 6, 10));
    try {
      const cid = await campaign(s, { timeZone: 'America/New_York', scheduleParam: { workdayBeginTime1: '01:30', workdayEndTime1: '02:00' } });
      const [id] = await addData(s, cid, ['5552001']);
      await advance(s, 10 * MIN);
      assert.deepEqual(await callTimes(s, { dataId: id! }), [], 'not dialled at 01:10 EST');
      const t = await trail(s, cid, id!);
      assert.equal(t.decisions[0]!.gate, 'calling-window');
      await advance(s, 15 * MIN);
      assert.deepEqual((await callTimes(s, { dataId: id! })).map(iso), [iso(Date.UTC(2027, 10, 7, 6, 30))]);
    } finally {
      await s.stop();
    }
  });
});

describe('issue #7 example 3: numbers compared by subscriber', () => {
  test('blocklist 13800000501 refuses 8613800000501 and 008613800000501 in call data and reservations, and holds them at dial time', async () => {
    const s = await server(Date.UTC(2030, 0, 7, 8));
    try {
      const cid = await campaign(s);
      // Added before the number was blocklisted: the engine must still never dial it.
      const early = await addData(s, cid, ['8613800000501']);
      const res = await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '008613800000501', taskId: String(cid), appointTime: s.clock.now() + HOUR });
      await ok(s, 'POST', `${P(1)}/blocklist/add`, { blocklist: ['13800000501'] });
      await advance(s, 2 * MIN); // the call-data add interval
      for (const n of ['8613800000501', '008613800000501']) {
        const env = await call(s, 'POST', `${P2(1)}/calldata/${cid}`, { callDataList: [{ sessionId: `x${n}`, called: [{ calledNo: n }] }] });
        assert.equal(env.resultCode, '0200024', `${n}: ${JSON.stringify(env)}`);
        await advance(s, 2 * 1000);
        const r = await call(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: n, taskId: String(cid), appointTime: s.clock.now() + HOUR });
        assert.equal(r.resultCode, '04000003', `${n}: ${JSON.stringify(r)}`);
      }
      await advance(s, 2 * HOUR);
      assert.deepEqual(await callTimes(s, { campaignId: cid }), [], 'no spelling of the subscriber was dialled');
      const t = await trail(s, cid, early[0]!);
      assert.equal(t.state, 'done');
      assert.equal(t.decisions[0]!.gate, 'blocklist');
      const rtrail = await s.store.db.selectFrom('engine_trail').selectAll().where('reservation_id', '=', String(res.returnObject!.id)).execute();
      assert.ok(
        rtrail.some((d) => d.gate === 'blocklist'),
        'the reservation was held by the blocklist',
      );
      // Stored and returned exactly as sent.
      const listed = await ok(s, 'POST', `${P(1)}/blocklist/query`, { blocklist: ['13800000501'] });
      assert.equal((listed.data as Array<{ blockNum: string }>)[0]!.blockNum, '13800000501');
    } finally {
      await s.stop();
    }
  });
});
