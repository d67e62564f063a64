/**
 * Today's statistics (v2) over call data written through the add interfaces and dialled by the
 * real engine with the scripted simulated dialer (the manual clock moved through the signed
 * clock extension), and the once-per-interval limit (HTTP 429). `recordAttemptResult`'s own
 * rules (owner, state, one transaction) have a repository test at the end.
 *
 * The day starts at 23:00 UTC so that "the next day" is an hour of engine time away; the
 * records that must stay undialled carry a 2-hour `delayTime`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { recordAttemptResult, type AttemptResult } from '../src/store/call-data.repository.js';
import { createBatch, createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

const clock = new ManualClock(Date.UTC(2030, 4, 20, 23, 0, 0));
let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1', CAMPAIGND_SIM_SCRIPTS: '5560001=00000;5560002=00603,00000;5560003=00604' }, { clock });
});
/** Moves the clock through the extension, so the engine dials whatever falls due on the way. */
async function run(ms: number) {
  const res = await s.client.request('POST', '/campaignd/v1/clock', { advanceMs: ms });
  assert.equal(envelopeOf(res.body).resultCode, '0200000', res.raw);
}
after(async () => s.stop());

type Env = ReturnType<typeof envelopeOf> & Record<string, unknown>;
type Counters = Record<string, number>;
type Detail = Counters & { campaignId: string; batchDetail: Array<Counters & { batchId: string }> };
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;

async function stats(query: Record<string, string | number> = {}, vdn = 1, srv = s): Promise<{ status: number; env: Env }> {
  const res = await srv.client.request('GET', `${P2(vdn)}/statistics`, undefined, query);
  return { status: res.status, env: envelopeOf(res.body) as Env };
}
async function add(path: string, body: unknown): Promise<number[]> {
  clock.advance(1000);
  const res = await s.client.request('POST', path, body);
  const env = envelopeOf(res.body) as Env;
  assert.equal(env.resultCode, '0200000', res.raw);
  return (env.returnObject as { dataIdList: Array<{ dataId: number }> }).dataIdList.map((d) => d.dataId);
}
/** What the engine does when it hands an attempt to the dialer (claim + dispatch). */
async function dispatch(dataId: number) {
  await s.store.db
    .updateTable('call_data')
    .set((eb) => ({
      state: 'dialing',
      lease_owner: 'node-1',
      lease_until: clock.now() + 60_000,
      attempts: eb('attempts', '+', 1),
      last_call_at: clock.now(),
      dispatched_at: clock.now(),
    }))
    .where('id', '=', dataId)
    .execute();
}
function result(dataId: number, calledNo: string, connected: boolean, next: AttemptResult['next']): AttemptResult {
  const now = clock.now();
  return {
    dataId,
    owner: 'node-1',
    callId: `call-${dataId}-${now}`,
    calledNo,
    callerNo: '4001001',
    failCode: connected ? '00000' : '00603',
    resultCode: null,
    callStatus: connected ? 6 : 5,
    ackBeginTime: now - 20_000,
    callBeginTime: connected ? now - 15_000 : null,
    callEndTime: now,
    next,
    nowMs: now,
  };
}
const pick = (d: Counters) => ({
  unCallCount: d.unCallCount,
  calledCount: d.calledCount,
  finishCount: d.finishCount,
  totalCount: d.totalCount,
  totalCalledCount: d.totalCalledCount,
  totalCallSucc: d.totalCallSucc,
  totalFinishCount: d.totalFinishCount,
  dailyCount: d.dailyCount,
  dailyCalledCount: d.dailyCalledCount,
  dailyCallSucc: d.dailyCallSucc,
  dailyFinishCount: d.dailyFinishCount,
});

describe("today's statistics", () => {
  let cid: number;
  let batch: string;
  let emptyBatch: string;
  let ids: number[];
  before(async () => {
    cid = await createCampaign(s.client, 1, { scheduleParam: {} }, clock.now());
    // No answer (NA) is tried once more an hour later; busy has no rule, so it is not retried.
    assert.equal(
      envelopeOf((await s.client.request('POST', `${P(1)}/createObResult`, { resultCode: 'NA', displayResult: 'no answer', obsCodes: ['00603'] })).body).resultCode,
      '0200000',
    );
    const policy = await s.client.request('POST', `${P(1)}/retryPolicy/${cid}`, {
      policyType: 0,
      policyJson: '[{"type":1,"policy":[{"result":"NA","retryNumber":1,"callInterval":3600}]}]',
    });
    assert.equal(envelopeOf(policy.body).resultCode, '0200000', policy.raw);
    batch = await createBatch(s.client, 1, cid, 'B1', 1);
    emptyBatch = await createBatch(s.client, 1, cid, 'B0');
    const inBatch = await add(`${P2()}/calldata/${cid}`, {
      batchId: batch,
      callDataList: [{ called: [{ calledNo: '5560001' }, { calledNo: '5560011' }] }, { called: [{ calledNo: '5560002' }] }],
    });
    const byField = await add(`${P(1)}/calldata/${cid}`, { callDataList: [{ called: '5560003', customField: 'cf-1' }] });
    const held = await add(`${P2()}/calldata/${cid}`, {
      callDataList: [{ called: [{ calledNo: '5560004', delayTime: 7200 }], customField: 'cf-1' }, { called: [{ calledNo: '5560005', delayTime: 7200 }] }],
    });
    ids = [...inBatch, ...byField, ...held];
    // The engine: [0] connected → done; [1] no answer → retry in an hour; [2] busy → done; [3],[4] held by their delay.
    await run(10_000);
    const calls = await s.store.db.selectFrom('call_results').select(['data_id', 'fail_code']).where('campaign_id', '=', cid).orderBy('id').execute();
    assert.deepEqual(
      calls.map((c) => [c.data_id, c.fail_code]),
      [
        [ids[0], '00000'],
        [ids[1], '00603'],
        [ids[2], '00604'],
      ],
    );
  });

  test('counters per campaign and per batch (batch id, else customField)', async () => {
    const { status, env } = await stats({ campaignId: cid });
    assert.equal(status, 200);
    assert.equal(env.resultCode, '0200000');
    const [d] = env.countDetail as Detail[];
    assert.equal(d!.campaignId, String(cid));
    assert.deepEqual(pick(d!), {
      unCallCount: 2,
      calledCount: 3,
      finishCount: 2,
      totalCount: 5,
      totalCalledCount: 3,
      totalCallSucc: 1,
      totalFinishCount: 2,
      dailyCount: 5,
      dailyCalledCount: 3,
      dailyCallSucc: 1,
      dailyFinishCount: 2,
    });
    assert.deepEqual(
      d!.batchDetail.map((b) => b.batchId),
      [batch, emptyBatch, 'cf-1'],
    );
    const [b1, b0, cf] = d!.batchDetail;
    assert.deepEqual(pick(b1!), {
      unCallCount: 0,
      calledCount: 2,
      finishCount: 1,
      totalCount: 2,
      totalCalledCount: 2,
      totalCallSucc: 1,
      totalFinishCount: 1,
      dailyCount: 2,
      dailyCalledCount: 2,
      dailyCallSucc: 1,
      dailyFinishCount: 1,
    });
    assert.equal(b0!.totalCount, 0);
    assert.deepEqual(pick(cf!), {
      unCallCount: 1,
      calledCount: 1,
      finishCount: 1,
      totalCount: 2,
      totalCalledCount: 1,
      totalCallSucc: 0,
      totalFinishCount: 1,
      dailyCount: 2,
      dailyCalledCount: 1,
      dailyCallSucc: 0,
      dailyFinishCount: 1,
    });
  });

  test('the same query again within 5 minutes is HTTP 429 "don\'t operate frequently"; other queries are not held', async () => {
    const again = await stats({ campaignId: cid });
    assert.equal(again.status, 429);
    assert.equal(again.env.resultDesc, "don't operate frequently");
    const one = await stats({ campaignId: cid, batchId: batch });
    assert.equal(one.status, 200);
    const [d] = one.env.countDetail as Detail[];
    assert.equal(d!.totalCount, 5);
    assert.deepEqual(
      d!.batchDetail.map((b) => b.batchId),
      [batch],
    );
    clock.advance(299_000);
    assert.equal((await stats({ campaignId: cid })).status, 429);
    clock.advance(1_000);
    assert.equal((await stats({ campaignId: cid })).status, 200);
  });

  test('the next day: daily counters start again, totals stay; a new attempt counts today', async () => {
    await run(Date.UTC(2030, 4, 21, 0, 30) - clock.now()); // the retry of [1] connects at about 00:00
    const retried = await s.store.db.selectFrom('call_results').select(['fail_code', 'created_at']).where('data_id', '=', ids[1]!).orderBy('id').execute();
    assert.deepEqual(
      retried.map((r) => r.fail_code),
      ['00603', '00000'],
    );
    assert.ok(Number(retried[1]!.created_at) >= Date.UTC(2030, 4, 21), 'the retry falls on the next day');
    const [d] = (await stats({ campaignId: cid })).env.countDetail as Detail[];
    assert.deepEqual(pick(d!), {
      unCallCount: 2,
      calledCount: 1,
      finishCount: 3,
      totalCount: 5,
      totalCalledCount: 3,
      totalCallSucc: 2,
      totalFinishCount: 3,
      dailyCount: 0,
      dailyCalledCount: 1,
      dailyCallSucc: 1,
      dailyFinishCount: 1,
    });
  });

  test('deleted records leave the counters (archived too)', async () => {
    clock.advance(1000);
    const res = await s.client.request('POST', `${P(1)}/calldata/${cid}/delete`, { called: '5560005', archiveHistory: 1 });
    assert.equal(envelopeOf(res.body).resultCode, '0200000');
    clock.advance(300_000);
    const [d] = (await stats({ campaignId: cid })).env.countDetail as Detail[];
    assert.equal(d!.totalCount, 4);
    assert.equal(d!.unCallCount, 1);
  });

  test('without campaignId: every campaign of the VDN (empty ones too), none of another VDN', async () => {
    const empty = await createCampaign(s.client, 1, {}, clock.now());
    await createCampaign(s.client, 2, {}, clock.now());
    const { env } = await stats({ campaignId: '', batchId: '' });
    const list = env.countDetail as Detail[];
    assert.deepEqual(
      list.map((d) => d.campaignId),
      [String(cid), String(empty)],
    );
    assert.equal(list[1]!.totalCount, 0);
    assert.deepEqual(list[1]!.batchDetail, []);
    assert.equal(list[0]!.totalCount, 4);
  });

  test('errors: 02000009 batchId without campaignId, 0200007 unknown campaign, 03000004 unknown batch, 02000006 bad campaignId', async () => {
    assert.equal((await stats({ batchId: batch })).env.resultCode, '02000009');
    assert.equal((await stats({ campaignId: 999999 })).env.resultCode, '0200007');
    assert.equal((await stats({ campaignId: cid }, 2)).env.resultCode, '0200007');
    assert.equal((await stats({ campaignId: cid, batchId: 'nope' })).env.resultCode, '03000004');
    assert.equal((await stats({ campaignId: 'abc' })).env.resultCode, '02000006');
  });
});

describe('recordAttemptResult', () => {
  test('settles only a dialing record held by the owner; writes call_results and the record in one go', async () => {
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    const [id] = await add(`${P2()}/calldata/${cid}`, { callDataList: [{ sessionId: 'r1', customField: 'cf', called: [{ calledNo: '5561001' }, { calledNo: '5561002' }] }] });
    assert.equal(await recordAttemptResult(s.store.db, result(id!, '5561001', false, { kind: 'done' })), false, 'not dialing');
    await dispatch(id!);
    assert.equal(await recordAttemptResult(s.store.db, { ...result(id!, '5561001', false, { kind: 'done' }), owner: 'node-2' }), false, 'wrong owner');
    const next = result(id!, '5561001', false, { kind: 'next-number', dueAt: clock.now() + 5000 });
    assert.equal(await recordAttemptResult(s.store.db, { ...next, retryState: '{"numbers":{}}' }), true);
    const row = await s.store.db.selectFrom('call_data').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
    assert.deepEqual(
      [row.state, Number(row.due_at), row.number_index, row.lease_owner, row.dispatched_at, row.last_fail_code, row.retry_state, row.succeeded, row.attempts],
      ['ready', clock.now() + 5000, 1, null, null, '00603', '{"numbers":{}}', 0, 1],
    );
    const results = await s.store.db.selectFrom('call_results').selectAll().where('data_id', '=', id!).execute();
    assert.equal(results.length, 1);
    assert.deepEqual([results[0]!.session_id, results[0]!.custom_field, results[0]!.called_no, results[0]!.call_status, results[0]!.campaign_id], ['r1', 'cf', '5561001', 5, cid]);
    const nums = await s.store.db.selectFrom('call_data_numbers').select(['idx', 'attempts']).where('data_id', '=', id!).orderBy('idx').execute();
    assert.deepEqual(
      nums.map((n) => n.attempts),
      [1, 0],
    );
    // A duplicate callId (unique per VDN) rolls the whole settlement back.
    await dispatch(id!);
    await assert.rejects(recordAttemptResult(s.store.db, { ...result(id!, '5561002', true, { kind: 'done' }), callId: next.callId }));
    assert.equal((await s.store.db.selectFrom('call_data').select('state').where('id', '=', id!).executeTakeFirstOrThrow()).state, 'dialing');
  });
});

describe('CAMPAIGND_STATISTICS_INTERVAL_SECONDS', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_STATISTICS_INTERVAL_SECONDS: '10' }, { clock });
  });
  after(async () => t.stop());

  test('sets the window', async () => {
    assert.equal((await stats({}, 1, t)).status, 200);
    clock.advance(9_999);
    assert.equal((await stats({}, 1, t)).status, 429);
    clock.advance(1);
    assert.equal((await stats({}, 1, t)).status, 200);
  });
});
