/**
 * The campaign engine, driven by the manual clock through the signed clock extension:
 * reservations, gates at every attempt, calling windows across DST, retries, calling-number
 * rotation, results and callbacks. No sleeping: time moves only when the test moves it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../src/engine/clock.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import { AK, campaignBody, createBatch, envelopeOf, P, SK, startTestServer, type TestServer } from './helpers.js';
import { CampaigndClient } from '../src/client/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;

async function ok(s: TestServer, method: string, path: string, body?: unknown) {
  const res = await s.client.request(method, path, body);
  const env = envelopeOf(res.body);
  assert.equal(env.resultCode, '0200000', `${method} ${path}: ${res.raw}`);
  return res.body as unknown as Record<string, unknown> & { returnObject?: Record<string, unknown> };
}

async function advance(s: TestServer, ms: number) {
  await ok(s, 'POST', '/campaignd/v1/clock', { advanceMs: ms });
}

async function _setClock(s: TestServer, ms: number) {
  await ok(s, 'POST', '/campaignd/v1/clock', { setMs: ms });
}

async function results(s: TestServer, where: { campaignId?: number; calledNo?: string } = {}) {
  let q = s.store.db.selectFrom('call_results').selectAll().orderBy('id');
  if (where.campaignId !== undefined) q = q.where('campaign_id', '=', where.campaignId);
  if (where.calledNo !== undefined) q = q.where('called_no', '=', where.calledNo);
  return q.execute();
}

/** A campaign running from `begin` for 60 days, with the given windows and extra fields. */
async function campaign(s: TestServer, begin: number, extra: Record<string, unknown> = {}): Promise<number> {
  const body = campaignBody({ strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 60 * DAY), scheduleParam: {}, ...extra }, begin);
  const r = await ok(s, 'POST', P(1), body);
  return Number(r.returnObject!.id);
}

async function addData(s: TestServer, campaignId: number, numbers: string[], extra: Record<string, unknown> = {}): Promise<string[]> {
  const r = await ok(s, 'POST', `${P2(1)}/calldata/${campaignId}`, {
    ...extra,
    callDataList: numbers.map((n, i) => ({ sessionId: `s-${n}-${i}`, called: [{ calledNo: n }] })),
  });
  const list = (r.returnObject as { dataIdList: Array<{ dataId: string | number }> }).dataIdList;
  return list.map((d) => String(d.dataId));
}

describe('engine with the manual clock', () => {
  const start = startOfUtcDay(Date.UTC(2030, 0, 7)) + 8 * HOUR; // Monday 2030-01-07 08:00 UTC
  let s: TestServer;
  before(async () => {
    s = await startTestServer(
      {
        CAMPAIGND_CLOCK: 'manual',
        CAMPAIGND_SIM_SCRIPTS: '5550001=00603;5550002=00538;5550003=00603,00603,00000;5550099=00000',
        CAMPAIGND_SIM_MIX: '00000:1',
        CAMPAIGND_RETRY_INTERVAL_SECONDS: '1800',
      },
      { clock: new ManualClock(start) },
    );
  });
  after(async () => s.stop());

  test('an automatic reservation is dialled exactly once, at appointTime − 5 min', async () => {
    const now = s.clock.now();
    const cid = await campaign(s, startOfUtcDay(now));
    const appointTime = now + HOUR;
    const r = await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '5550099', taskId: String(cid), appointTime });
    const id = String(r.returnObject!.id);
    await advance(s, HOUR - 5 * MIN - 1000);
    assert.equal((await results(s, { campaignId: cid })).length, 0, 'not dialled before appointTime − 5 min');
    await advance(s, 1000);
    let calls = await results(s, { campaignId: cid });
    assert.equal(calls.length, 1);
    assert.equal(Number(calls[0]!.created_at), appointTime - 5 * MIN);
    assert.equal(calls[0]!.reservation_id, id);
    assert.equal(calls[0]!.fail_code, '00000');
    const row = await s.store.db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.state, 'done');
    assert.equal(row.fail_code, '00000');
    assert.equal(row.caller_no, '4001001');
    await advance(s, 2 * DAY);
    calls = await results(s, { campaignId: cid });
    assert.equal(calls.length, 1, 'never dialled twice');
    const history = await s.store.db.selectFrom('reservation_results').selectAll().where('reservation_id', '=', id).execute();
    assert.deepEqual(
      history.map((h) => h.source),
      ['engine'],
    );
  });

  test('a manual reservation becomes due at appointTime; one never carried out times out after the grace period', async () => {
    const now = s.clock.now();
    const cid = await campaign(s, startOfUtcDay(now));
    const due = s.engine!.events.waitFor('reservation:due');
    const r = await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 1, calledNo: '5550098', userAccount: 'agent7', taskId: String(cid), appointTime: now + 10 * MIN });
    const id = String(r.returnObject!.id);
    await advance(s, 10 * MIN);
    const ev = await due;
    assert.equal(ev.reservationId, id);
    assert.equal(ev.userAccount, 'agent7');
    assert.equal((await results(s, { campaignId: cid })).length, 0, 'campaignd never dials a manual reservation');
    const feed = await ok(s, 'GET', '/campaignd/v1/campaigns/1/reservations/due?userAccount=agent7');
    assert.deepEqual(
      (feed.data as Array<{ appointId: string }>).map((d) => d.appointId),
      [id],
    );
    const other = await ok(s, 'GET', '/campaignd/v1/campaigns/1/reservations/due?userAccount=someone-else');
    assert.deepEqual(other.data, []);
    await advance(s, 31 * MIN);
    const row = await s.store.db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.timeout, 1);
  });
});

describe('call data in the engine', () => {
  // Monday 2030-03-04 06:00 UTC; CAMPAIGND_TIMEZONE stays UTC here (DST has its own suite).
  const start = Date.UTC(2030, 2, 4, 6);
  let s: TestServer;
  before(async () => {
    s = await startTestServer(
      {
        CAMPAIGND_CLOCK: 'manual',
        CAMPAIGND_SIM_SCRIPTS: '5550001=00603;5550002=00538',
        CAMPAIGND_SIM_MIX: '00000:1',
        CAMPAIGND_RETRY_INTERVAL_SECONDS: '1800',
      },
      { clock: new ManualClock(start) },
    );
  });
  after(async () => s.stop());

  const trail = async (cid: number, dataId: string) =>
    (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/calldata/${dataId}/trail`)).returnObject as {
      state: string;
      nextEligibleAt: number | null;
      decisions: Array<{ at: number; kind: string; gate: string | null; until: number | null; calledNo: string | null; callerNo: string | null; failCode: string | null }>;
    };

  test('records are dialled only inside the calling windows; the trail says why and until when', async () => {
    const now = s.clock.now();
    const cid = await campaign(s, startOfUtcDay(now), { scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '10:00' } });
    const [dataId] = await addData(s, cid, ['5550010']);
    await advance(s, 3 * HOUR - 1000); // 08:59:59
    assert.equal((await results(s, { campaignId: cid })).length, 0);
    const held = await trail(cid, dataId!);
    assert.equal(held.decisions[0]!.kind, 'skipped');
    assert.equal(held.decisions[0]!.gate, 'calling-window');
    assert.equal(held.decisions[0]!.until, Date.UTC(2030, 2, 4, 9));
    assert.equal(held.nextEligibleAt, Date.UTC(2030, 2, 4, 9));
    await advance(s, 1000);
    const calls = await results(s, { campaignId: cid });
    assert.equal(calls.length, 1);
    assert.equal(Number(calls[0]!.created_at), Date.UTC(2030, 2, 4, 9));
    const after = await trail(cid, dataId!);
    assert.equal(after.state, 'done');
    assert.deepEqual(
      after.decisions.map((d) => d.kind),
      ['skipped', 'dialled', 'settled'],
    );
  });

  test('a number blocklisted after its data was loaded is never dialled', async () => {
    const cid = await campaign(s, startOfUtcDay(s.clock.now()));
    const [blocked, fine] = await addData(s, cid, ['5550011', '5550012']);
    await ok(s, 'POST', `${P(1)}/blocklist/add`, { blocklist: ['5550011'] });
    await advance(s, 2 * DAY);
    assert.equal((await results(s, { calledNo: '5550011' })).length, 0);
    assert.equal((await results(s, { calledNo: '5550012' })).length, 1);
    const t = await trail(cid, blocked!);
    assert.equal(t.state, 'done');
    assert.equal(t.decisions.at(-1)!.gate, 'blocklist');
    assert.equal((await trail(cid, fine!)).state, 'done');
  });

  test('a paused batch and a suspended campaign hold their records and release them on resume', async () => {
    const cid = await campaign(s, startOfUtcDay(s.clock.now()));
    const batchId = await createBatch(s.client, 1, cid, 'held', 1);
    await ok(s, 'POST', `${P(1)}/callbatch/${cid}/pause`, { id: batchId });
    await addData(s, cid, ['5550020'], { batchId });
    await advance(s, HOUR);
    assert.equal((await results(s, { calledNo: '5550020' })).length, 0, 'paused batch holds');
    await ok(s, 'POST', `${P(1)}/callbatch/${cid}/resume`, { id: batchId });
    await advance(s, MIN);
    assert.equal((await results(s, { calledNo: '5550020' })).length, 1, 'released on resume');

    await ok(s, 'PUT', `${P(1)}/${cid}/pause`);
    await addData(s, cid, ['5550021']);
    await advance(s, HOUR);
    assert.equal((await results(s, { calledNo: '5550021' })).length, 0, 'suspended campaign holds');
    await ok(s, 'PUT', `${P(1)}/${cid}/resume`);
    await advance(s, MIN);
    assert.equal((await results(s, { calledNo: '5550021' })).length, 1, 'released on resume');
  });

  test('retries follow the policy at the configured times; a noRetryPolicy result is never retried', async () => {
    await ok(s, 'POST', `${P(1)}/createObResult`, { resultCode: 'NR1', displayResult: 'vacant', obsCodes: ['00538'] });
    await ok(s, 'POST', `${P(1)}/createObResult`, { resultCode: 'NA1', displayResult: 'no answer', obsCodes: ['00603'] });
    const cid = await campaign(s, startOfUtcDay(s.clock.now()));
    await ok(s, 'POST', `${P(1)}/retryPolicy/${cid}`, { policyType: 0, policyJson: '[{"type":0,"retryDay":2,"retryTimes":2}]', noRetryPolicy: ['NR1'] });
    const t0 = s.clock.now();
    await addData(s, cid, ['5550001', '5550002']);
    await advance(s, 3 * DAY);
    const noAnswer = await results(s, { calledNo: '5550001' });
    const day1 = startOfUtcDay(t0) + DAY;
    assert.deepEqual(
      noAnswer.map((r) => Number(r.created_at)),
      [t0, t0 + 30 * MIN, day1, day1 + 30 * MIN],
      '2 attempts a day, 30 min apart, on 2 days',
    );
    assert.ok(noAnswer.every((r) => r.fail_code === '00603' && r.result_code === 'NA1'));
    const vacant = await results(s, { calledNo: '5550002' });
    assert.equal(vacant.length, 1, 'never retried');
    assert.equal(vacant[0]!.result_code, 'NR1');
  });

  test('calling numbers are taken by priority, round-robin among equals in pool order; a lower priority is never used', async () => {
    const cid = await campaign(s, startOfUtcDay(s.clock.now()), { callerNo: '7000001' });
    await ok(s, 'POST', `${P(1)}/callerNo/${cid}`, {
      callerNo: [
        { accessCode: '7000002', priority: 1 },
        { accessCode: '7000003', priority: 2 },
      ],
    });
    await addData(s, cid, ['5550031', '5550032', '5550033', '5550034']);
    await advance(s, MIN);
    const used = (await results(s, { campaignId: cid })).map((r) => [r.called_no, r.caller_no]);
    assert.deepEqual(used, [
      ['5550031', '7000001'],
      ['5550032', '7000002'],
      ['5550033', '7000001'],
      ['5550034', '7000002'],
    ]);
  });

  test('a written-back business result calls again or stops, as the busiPolicy says', async () => {
    await ok(s, 'POST', `${P(1)}/addBusinessResult`, { name: 'Interested', code: 'INT', children: [{ name: 'Call later', code: 'LATER' }] });
    await ok(s, 'POST', `${P(1)}/addBusinessResult`, { name: 'Not interested', code: 'NO' });
    const cid = await campaign(s, startOfUtcDay(s.clock.now()));
    await ok(s, 'POST', `${P(1)}/retryPolicy/${cid}`, {
      policyType: 0,
      // Two attempts a day: the re-call after the writeback is the second (the attempt budget
      // bounds writeback re-calls too: contact-safety.test.ts).
      policyJson: '[{"type":0,"retryDay":1,"retryTimes":2}]',
      busiPolicy: [
        { busiResultCode: 'INT', busiResultSubCode: 'LATER', busiResultPolicy: 2, callInterval: 600 },
        { busiResultCode: 'NO', busiResultPolicy: 0 },
      ],
    });
    const [later, no] = await addData(s, cid, ['5550061', '5550062']);
    await advance(s, MIN);
    assert.equal((await results(s, { campaignId: cid })).length, 2);
    const t = s.clock.now();
    await ok(s, 'POST', `${P(1)}/callBusiResult/${later}`, { busiResult: 'INT', subStatus: 'LATER' });
    await ok(s, 'POST', `${P(1)}/callBusiResult/${no}`, { busiResult: 'NO' });
    await advance(s, HOUR);
    const again = await results(s, { calledNo: '5550061' });
    assert.deepEqual(again.map((r) => Number(r.created_at)).slice(1), [t + 600_000], 'called again 10 minutes after the writeback');
    assert.equal((await results(s, { calledNo: '5550062' })).length, 1, 'stop: not called again');
  });

  test('a campaign with nothing left to call is call-completed (status 2 on the wire)', async () => {
    const cid = await campaign(s, startOfUtcDay(s.clock.now()));
    await addData(s, cid, ['5550071']);
    const before = (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/progress`)).returnObject!;
    assert.equal(before.state, 'executing');
    assert.equal(before.ready, 1);
    await advance(s, MIN);
    const after = (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/progress`)).returnObject!;
    assert.deepEqual([after.state, after.status, after.done, after.succeeded], ['call-completed', 2, 1, 1]);
  });

  test('results show through callresult, callresultdetail and the statistics', async () => {
    const cid = await campaign(s, startOfUtcDay(s.clock.now()));
    await addData(s, cid, ['5550041']);
    await advance(s, MIN);
    const stats = await ok(s, 'GET', `${P2(1)}/statistics`, undefined);
    const mine = (stats.countDetail as Array<Record<string, unknown>>).find((d) => d.campaignId === String(cid))!;
    assert.deepEqual([mine.totalCount, mine.totalCalledCount, mine.totalCallSucc, mine.finishCount, mine.unCallCount], [1, 1, 1, 1, 0]);
    const list = await ok(s, 'POST', `${P(1)}/callresult/${cid}`, {});
    const data = list.data as Array<{ called: string; failCode: string; callStatus: number; callId: string }>;
    assert.equal(data.length, 1);
    assert.equal(data[0]!.called, '5550041');
    assert.equal(data[0]!.callStatus, 6);
    const detail = await ok(s, 'GET', `${P(1)}/callresultdetail/${data[0]!.callId}`);
    assert.equal((detail.data as { called: string }).called, '5550041');
  });
});

describe('calling windows across a DST change (Europe/Berlin)', () => {
  // Saturday 2030-03-30 06:00 UTC (07:00 CET); summer time starts Sunday 2030-03-31 02:00.
  const start = Date.UTC(2030, 2, 30, 6);
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_TIMEZONE: 'Europe/Berlin', CAMPAIGND_SIM_SCRIPTS: '5550501=00603' }, { clock: new ManualClock(start) });
  });
  after(async () => s.stop());

  test('a 09:00–10:00 local window is 08:00 UTC before the change and 07:00 UTC after it', async () => {
    const cid = await campaign(s, startOfUtcDay(start), { scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '10:00' } });
    await ok(s, 'POST', `${P(1)}/retryPolicy/${cid}`, { policyType: 0, policyJson: '[{"type":0,"retryDay":3,"retryTimes":1}]' });
    await addData(s, cid, ['5550501']);
    await advance(s, 4 * DAY);
    const times = (await results(s, { calledNo: '5550501' })).map((r) => new Date(Number(r.created_at)).toISOString());
    assert.deepEqual(times, ['2030-03-30T08:00:00.000Z', '2030-03-31T07:00:00.000Z', '2030-04-01T07:00:00.000Z']);
  });

  test('a campaign may have its own time zone (campaignd extension field timeZone)', async () => {
    const bad = await s.client.request('POST', P(1), campaignBody({ timeZone: 'Mars/Olympus' }, s.clock.now()));
    assert.equal(envelopeOf(bad.body).resultCode, '02000007');
    const cid = await campaign(s, startOfUtcDay(s.clock.now()), { timeZone: 'America/New_York', scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '10:00' } });
    const details = await ok(s, 'GET', `${P(1)}/${cid}`);
    assert.equal(details.returnObject!.timeZone, 'America/New_York');
    await addData(s, cid, ['5550601']);
    await advance(s, 2 * DAY);
    const times = (await results(s, { calledNo: '5550601' })).map((r) => new Date(Number(r.created_at)).toISOString());
    // 09:00 in New York (UTC−4 in April) is 13:00 UTC.
    assert.deepEqual(times, ['2030-04-03T13:00:00.000Z']);
  });
});

describe('callbacks', () => {
  let s: TestServer;
  let server: http.Server;
  const received: unknown[][] = [];
  let failFirst = 1;
  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failFirst > 0) {
          failFirst--;
          res.writeHead(500).end('busy');
          return;
        }
        received.push(JSON.parse(body) as unknown[]);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"retCode":"0","retMsg":"success"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1' }, { clock: new ManualClock(Date.UTC(2030, 1, 4, 9)) });
  });
  after(async () => {
    await s.stop();
    server.close();
  });

  test('results are pushed to callBackUrl as a JSON array, retried after a failure', async () => {
    const port = (server.address() as AddressInfo).port;
    const now = s.clock.now();
    const cid = await campaign(s, startOfUtcDay(now), { callBackUrl: `http://127.0.0.1:${port}/cb` });
    await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '5551234', taskId: String(cid), appointTime: now + 10 * MIN });
    const delivered = s.engine!.events.waitFor('callback:delivered');
    await advance(s, 10 * MIN);
    const ev = await delivered;
    assert.equal(ev.attempts, 2, 'the first delivery failed and was retried at once');
    assert.equal(received.length, 1);
    const item = received[0]![0] as Record<string, unknown>;
    assert.equal(item.campaignId, cid);
    assert.equal(item.called, '5551234');
    assert.equal(item.callStatus, 6);
    assert.equal(item.failCode, '00000');
    assert.equal(item.vdnId, 1);
    assert.match(String(item.callId), /^[0-9]{30}$/);
    assert.match(String(item.callTimeStr), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
});

describe('clock extension', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({});
  });
  after(async () => s.stop());

  test('the system clock cannot be moved; a key bound to some VDNs may not move any clock', async () => {
    const res = await s.client.request('POST', '/campaignd/v1/clock', { advanceMs: 1000 });
    assert.equal(envelopeOf(res.body).resultCode, '0200001');
    assert.match(envelopeOf(res.body).resultDesc, /CAMPAIGND_CLOCK=manual/);
    const get = await s.client.request('GET', '/campaignd/v1/clock');
    assert.equal(envelopeOf(get.body).resultCode, '0200000');
    const unsigned = await fetch(`${s.url}/campaignd/v1/clock`);
    assert.equal(unsigned.status, 401);
    await s.keys.put('vdn2only', 'vdn2-only-secret', [2], Date.now());
    const bound = new CampaigndClient({ baseUrl: s.url, accessKey: 'vdn2only', secretKey: 'vdn2-only-secret' });
    const refused = await bound.request('POST', '/campaignd/v1/clock', { advanceMs: 1000 });
    assert.equal(refused.status, 403);
    assert.equal(envelopeOf(refused.body).resultCode, '0200001');
  });

  test('a configured key is (re)made unrestricted at start', async () => {
    await s.keys.put(AK, SK, [3], Date.now());
    assert.equal(s.keys.allowsAll(AK), false);
    const again = await startTestServer({}, { dir: s.dir });
    try {
      assert.equal(again.keys.allowsAll(AK), true);
    } finally {
      await again.stop();
    }
  });
});
