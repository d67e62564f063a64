/**
 * Call results (callresult, callresultdetail), failure-category statistics and the
 * business-result writeback, over calls the real engine made with the scripted simulated dialer
 * (fixed ring and talk times, recordings under https://rec.example), the manual clock moved
 * through the signed clock extension. Only the 2000-row cap inserts its rows in bulk.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';
import { formatDateTime } from '../src/domain/time.js';

let s: TestServer;
const DAY = 86400_000;
const HOUR = 3600_000;
const D0 = Date.UTC(2030, 2, 4); // a Monday
const TODAY = D0 + 10 * DAY;
const day = (ms: number) => formatDateTime(ms).slice(0, 10);
const clock = new ManualClock(D0 + 9 * HOUR);

type Env = Record<string, unknown> & { resultCode: string; resultDesc: string };
async function call(method: string, path: string, body?: unknown): Promise<Env> {
  const res = await s.client.request(method, path, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}

/** Adds call data through the interface; returns the dataIds in order. */
async function addCallData(vdn: number, campaignId: number, items: Array<{ sessionId: string; called: string; customField: string }>): Promise<number[]> {
  const env = await call('POST', `${P(vdn)}/calldata/${campaignId}`, { callDataList: items });
  assert.equal(env.resultCode, '0200000', env.resultDesc);
  return (env.returnObject as { dataIdList: { dataId: number }[] }).dataIdList.map((d) => Number(d.dataId));
}

/** Moves the engine clock to `ms` through the extension: the engine dials what falls due on the way. */
async function runTo(ms: number): Promise<void> {
  const env = await call('POST', '/campaignd/v1/clock', { setMs: ms });
  assert.equal(env.resultCode, '0200000', env.resultDesc);
}

/**
 * The calls the engine made get the names the tests use, in the order each number was dialled:
 * c-1/c-2 (no answer, then connected), c-3/c-4 (00537 twice), c-5 (no answer today), c-b1, c-v2.
 */
const NAMES: Record<string, string[]> = {
  '13800000001': ['c-1', 'c-2'],
  '13800000002': ['c-3', 'c-4'],
  '13800000003': ['c-5'],
  '13900000001': ['c-b1'],
  '13700000001': ['c-v2'],
  '13600000001': ['c-del'],
};
const ID = new Map<string, string>(); // name → callId
const NAME = new Map<string, string>(); // callId → name
async function nameCalls(): Promise<void> {
  const rows = await s.store.db.selectFrom('call_results').select(['call_id', 'called_no']).orderBy('id').execute();
  const seen = new Map<string, number>();
  for (const r of rows) {
    const n = seen.get(r.called_no) ?? 0;
    seen.set(r.called_no, n + 1);
    const name = NAMES[r.called_no]?.[n];
    if (name === undefined) continue;
    ID.set(name, r.call_id);
    NAME.set(r.call_id, name);
  }
}
const id = (name: string) => ID.get(name) ?? assert.fail(`no call ${name}`);

let campA: number;
let campB: number;
let campV2: number;
let r1: number;
let r2: number;

before(async () => {
  s = await startTestServer(
    {
      CAMPAIGND_CLOCK: 'manual',
      CAMPAIGND_SIM_SCRIPTS: '13800000001=00603,00000;13800000002=00537;13800000003=00603;13900000001=00604;13700000001=00000;13600000001=00000',
      CAMPAIGND_SIM_RING_SECONDS: '5-5',
      CAMPAIGND_SIM_TALK_SECONDS: '60-60',
      CAMPAIGND_SIM_RECORD_URL: 'https://rec.example',
    },
    { clock },
  );
  assert.equal((await call('POST', `${P(1)}/createObResult`, { resultCode: 'NA', displayResult: 'no answer', obsCodes: ['00603'] })).resultCode, '0200000');
  const open = { scheduleParam: {} };
  campA = await createCampaign(s.client, 1, open, clock.now());
  campB = await createCampaign(s.client, 1, open, clock.now());
  campV2 = await createCampaign(s.client, 2, open, clock.now());
  // No answer is tried again a day later; 00537 an hour later.
  const policy = {
    policyType: 0,
    policyJson: '[{"type":1,"policy":[{"result":"NA","retryNumber":1,"callInterval":86400},{"result":"00537","retryNumber":1,"callInterval":3600}]}]',
  };
  assert.equal((await call('POST', `${P(1)}/retryPolicy/${campA}`, policy)).resultCode, '0200000');
  [r1] = (await addCallData(1, campA, [{ sessionId: 's-1', called: '13800000001', customField: 'cf-a' }])) as [number];
  await addCallData(1, campB, [{ sessionId: 's-1', called: '13900000001', customField: 'cf-a' }]);
  await addCallData(2, campV2, [{ sessionId: 's-9', called: '13700000001', customField: 'x' }]);
  await runTo(D0 + DAY + 10 * HOUR); // c-1, c-b1, c-v2 at D0 09:00; c-2 the next day at 09:00
  [r2] = (await addCallData(1, campA, [{ sessionId: 's-2', called: '13800000002', customField: 'cf-b' }])) as [number];
  await runTo(D0 + DAY + 12 * HOUR); // c-3 at 10:00, c-4 at 11:00
  await runTo(TODAY + 12 * HOUR);
  await addCallData(1, campA, [{ sessionId: 's-3', called: '13800000003', customField: 'cf-a' }]);
  await runTo(TODAY + 12 * HOUR + 1000); // c-5 today
  await nameCalls();
  const when = await s.store.db.selectFrom('call_results').select(['call_id', 'created_at']).orderBy('id').execute();
  const at = new Map(when.map((w) => [NAME.get(w.call_id), Number(w.created_at)]));
  assert.deepEqual(
    ['c-1', 'c-b1', 'c-v2', 'c-2', 'c-3', 'c-4', 'c-5'].map((n) => at.get(n)),
    [D0 + 9 * HOUR, D0 + 9 * HOUR, D0 + 9 * HOUR, D0 + DAY + 9 * HOUR, D0 + DAY + 10 * HOUR, D0 + DAY + 11 * HOUR, TODAY + 12 * HOUR],
    'the engine made each call at the expected instant',
  );
});
after(async () => {
  await s.stop();
});

const results = (campaignId: number, body: unknown, vdn = 1) => call('POST', `${P(vdn)}/callresult/${campaignId}`, body);
/** The calls of an answer, by the names the tests give them (an unnamed call keeps its id). */
const ids = (env: Env) => (env.data as { callId: string }[]).map((r) => NAME.get(r.callId) ?? r.callId);

describe('callresult', () => {
  test('showDetail 1: every completed call of the campaign, oldest first, with the documented fields', async () => {
    const env = await results(campA, { showDetail: 1 });
    assert.equal(env.resultCode, '0200000');
    assert.equal(env.resultDesc, 'Query Success!');
    assert.equal(env.totalCount, 5);
    assert.deepEqual(ids(env), ['c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
    const data = env.data as Record<string, unknown>[];
    assert.deepEqual(data[1], {
      campaignId: campA,
      sessionId: 's-1',
      called: '13800000001',
      callTimeStr: formatDateTime(D0 + DAY + 9 * HOUR + 1000),
      callStatus: 6,
      failCode: '00000',
      resultCode: 'OB99999',
      vdnId: 1,
      callId: id('c-2'),
      recordPath: `https://rec.example/${id('c-2')}.wav`,
    });
    assert.equal(data[0]!.resultCode, 'NA', "fail code mapped through the VDN's external results");
    assert.equal(data[0]!.callTimeStr, formatDateTime(D0 + 9 * HOUR + 1000), 'the call time is when the call was acknowledged (1 s after dialling)');
    assert.equal(data[0]!.recordPath, null, 'an unanswered call has no recording');
    assert.equal(data[2]!.resultCode, null);
  });

  test('showDetail defaults to 0: one final result (the latest attempt) per record (ZH 0783)', async () => {
    const env = await results(campA, {});
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal(env.totalCount, 3);
    assert.deepEqual(ids(env), ['c-2', 'c-4', 'c-5']);
    assert.equal((env.data as { recordPath: unknown }[])[0]!.recordPath, `https://rec.example/${id('c-2')}.wav`);
    assert.deepEqual(ids(await results(campA, { showDetail: 0, sessionId: 's-2' })), ['c-4']);
  });

  test('a request without a body is the same as {}', async () => {
    const res = await s.client.request('POST', `${P(1)}/callresult/${campA}`);
    assert.equal((res.body as Env).totalCount, 3, res.raw);
  });

  test('filters: sessionId, customField, and both', async () => {
    assert.deepEqual(ids(await results(campA, { showDetail: 1, sessionId: 's-2' })), ['c-3', 'c-4']);
    assert.deepEqual(ids(await results(campA, { showDetail: 1, customField: 'cf-a' })), ['c-1', 'c-2', 'c-5']);
    assert.deepEqual(ids(await results(campA, { showDetail: 1, sessionId: 's-1', customField: 'cf-a' })), ['c-1', 'c-2']);
    assert.deepEqual(ids(await results(campA, { showDetail: 1, sessionId: '', customField: '' })).length, 5, 'empty filters are no filters');
  });

  test('a day window (the end day included); the begin must be earlier than the end (0200010); 30 days apart is allowed', async () => {
    assert.equal((await results(campA, { beginTime: day(D0), endTime: day(D0) })).resultCode, '0200010');
    assert.deepEqual(ids(await results(campA, { showDetail: 1, beginTime: day(D0), endTime: day(D0 + DAY) })), ['c-1', 'c-2', 'c-3', 'c-4']);
    assert.deepEqual(ids(await results(campA, { showDetail: 1, beginTime: day(TODAY - 20 * DAY), endTime: day(TODAY + 10 * DAY) })).length, 5);
  });

  test('paging: pageNum and pageSize; totalCount counts every match', async () => {
    const p2 = await results(campA, { showDetail: 1, pageNum: 2, pageSize: 2 });
    assert.equal(p2.totalCount, 5);
    assert.deepEqual(ids(p2), ['c-3', 'c-4']);
    assert.deepEqual(ids(await results(campA, { showDetail: 1, pageNum: '3', pageSize: '2' })), ['c-5']);
    assert.deepEqual(ids(await results(campA, { showDetail: 1, pageNum: 4, pageSize: 2 })), []);
  });

  test('showDetail 0: pages of up to 500; showDetail 1: up to 100', async () => {
    const env = await results(campA, { showDetail: 0, pageNum: 1, pageSize: 500 });
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal((await results(campA, { pageNum: 1, pageSize: 500 })).resultCode, '0200000');
    assert.equal((await results(campA, { showDetail: 1, pageNum: 1, pageSize: 100 })).resultCode, '0200000');
    const detailed = await results(campA, { showDetail: 1, pageNum: 1, pageSize: 100 });
    assert.deepEqual(ids(detailed), ['c-1', 'c-2', 'c-3', 'c-4', 'c-5']);
    assert.equal((detailed.data as { recordPath: unknown }[])[1]!.recordPath, `https://rec.example/${id('c-2')}.wav`, 'with details the recording is there');
  });

  test("only the campaign's own results, and only in its VDN", async () => {
    assert.deepEqual(ids(await results(campB, {})), ['c-b1']);
    assert.deepEqual(ids(await results(campV2, {}, 2)), ['c-v2']);
    assert.equal((await results(campV2, {}, 1)).resultCode, '0200007');
  });

  test('without paging at most 2000 rows are returned', async () => {
    // 2001 calls would take the engine a while; the cap is about the query, so rows are inserted in bulk.
    const campaignId = await createCampaign(s.client, 1, {}, clock.now());
    const rows = Array.from({ length: 2001 }, (_, i) => ({
      call_id: `bulk-${i}`,
      vdn_id: 1,
      campaign_id: campaignId,
      data_id: null,
      reservation_id: null,
      batch_id: null,
      session_id: null,
      custom_field: null,
      called_no: '13811112222',
      caller_no: null,
      call_status: 5,
      fail_code: '00603',
      result_code: 'NA',
      ack_begin_time: null,
      call_begin_time: null,
      call_end_time: null,
      record_path: null,
      created_at: D0 + i,
    }));
    for (let i = 0; i < rows.length; i += 400)
      await s.store.db
        .insertInto('call_results')
        .values(rows.slice(i, i + 400))
        .execute();
    const env = await results(campaignId, {});
    assert.equal(env.totalCount, 2001);
    assert.equal((env.data as unknown[]).length, 2000);
    assert.equal(ids(await results(campaignId, { pageNum: 21, pageSize: 100 }))[0], 'bulk-2000');
  });

  const cases: Array<[string, () => unknown, string, RegExp?]> = [
    ['0200008 only beginTime', () => ({ beginTime: day(D0) }), '0200008', /both/],
    ['0200008 only endTime', () => ({ endTime: day(D0) }), '0200008'],
    ['0200009 beginTime not yyyy-MM-dd', () => ({ beginTime: '2024/01/01', endTime: day(D0) }), '0200009', /beginTime/],
    ['0200009 endTime not a real date', () => ({ beginTime: '2024-02-01', endTime: '2024-02-30' }), '0200009', /endTime/],
    ['0200009 a date-time instead of a date', () => ({ beginTime: '2024-02-01 00:00:00', endTime: '2024-02-02' }), '0200009'],
    ['0200010 beginTime after endTime', () => ({ beginTime: day(D0 + DAY), endTime: day(D0) }), '0200010'],
    ['0200011 31 days apart', () => ({ beginTime: '2024-01-01', endTime: '2024-02-01' }), '0200011', /30 days/],
    ['02000009 pageNum without pageSize', () => ({ pageNum: 1 }), '02000009', /pageSize/],
    ['02000007 pageSize 101 with details', () => ({ pageNum: 1, pageSize: 101, showDetail: 1 }), '02000007', /100/],
    ['0200010 the same day as begin and end', () => ({ beginTime: day(D0), endTime: day(D0) }), '0200010', /earlier/],
    ['02000007 pageSize 501 without details', () => ({ pageNum: 1, pageSize: 501, showDetail: 0 }), '02000007', /pageSize/],
    ['02000007 pageSize 0', () => ({ pageNum: 1, pageSize: 0 }), '02000007'],
    ['02000007 showDetail 2', () => ({ showDetail: 2 }), '02000007', /showDetail/],
    ['02000006 pageNum not a number', () => ({ pageNum: 'one', pageSize: 10 }), '02000006', /pageNum/],
    ['02000003 sessionId of 33 characters', () => ({ sessionId: 'x'.repeat(33) }), '02000003', /sessionId/],
    ['0200001 body is not an object', () => [1], '0200001'],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const env = await results(campA, body());
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('0200007 unknown campaign', async () => {
    assert.equal((await results(999999, {})).resultCode, '0200007');
  });
});

describe('callresultdetail', () => {
  test('one call by callId, times as yyyy-MM-dd HH:mm:ss UTC, callStatus as in the sample', async () => {
    const env = await call('GET', `${P(1)}/callresultdetail/${id('c-2')}`);
    assert.equal(env.resultCode, '0200000');
    assert.equal(env.resultDesc, 'Query Success!');
    const ack = D0 + DAY + 9 * HOUR + 1000; // the simulated dialer: acknowledged after 1 s, 5 s ringing, 60 s talk
    assert.deepEqual(env.data, {
      called: '13800000001',
      ackBeginTime: formatDateTime(ack),
      callBeginTime: formatDateTime(ack + 5000),
      callEndTime: formatDateTime(ack + 65_000),
      callStatus: '6',
      failCode: '00000',
      resultCode: 'OB99999',
      vdnId: 1,
      callId: id('c-2'),
      recordPath: `https://rec.example/${id('c-2')}.wav`,
    });
  });

  test('a failed call has no answer time', async () => {
    const data = (await call('GET', `${P(1)}/callresultdetail/${id('c-3')}`)).data as Record<string, unknown>;
    assert.equal(data.callStatus, '5');
    assert.equal(data.callBeginTime, null);
    assert.equal(data.failCode, '00537');
  });

  test('0200001 unknown callId, and a call of another VDN', async () => {
    assert.match((await call('GET', `${P(1)}/callresultdetail/nope`)).resultDesc, /nope does not exist/);
    assert.equal((await call('GET', `${P(1)}/callresultdetail/${id('c-v2')}`)).resultCode, '0200001');
    assert.equal((await call('GET', `${P(2)}/callresultdetail/${id('c-v2')}`)).resultCode, '0200000');
  });
});

describe('failcategorystatistics', () => {
  const stats = (query: string, vdn = 1) => call('GET', `${P(vdn)}/failcategorystatistics?${query}`);

  test('failed calls per day and fail code; successes are not failures', async () => {
    const env = await stats(`campaignId=${campA}&startDate=${day(D0)}&endDate=${day(D0 + DAY)}`);
    assert.equal(env.resultCode, '0200000');
    assert.deepEqual(env.data, [
      { statDate: day(D0), failData: { '00603': 1 } },
      { statDate: day(D0 + DAY), failData: { '00537': 2 } },
    ]);
  });

  test('without dates: today (UTC)', async () => {
    assert.deepEqual((await stats(`campaignId=${campA}`)).data, [{ statDate: day(TODAY), failData: { '00603': 1 } }]);
  });

  test('a window without failures is empty', async () => {
    assert.deepEqual((await stats(`campaignId=${campA}&startDate=2020-01-01&endDate=2020-01-31`)).data, []);
  });

  const cases: Array<[string, () => string, string]> = [
    ['0200008 only startDate', () => `campaignId=${campA}&startDate=${day(D0)}`, '0200008'],
    ['0200009 bad endDate', () => `campaignId=${campA}&startDate=${day(D0)}&endDate=20240101`, '0200009'],
    ['0200010 startDate after endDate', () => `campaignId=${campA}&startDate=${day(D0 + DAY)}&endDate=${day(D0)}`, '0200010'],
    ['0200011 more than 30 days', () => `campaignId=${campA}&startDate=2024-03-01&endDate=2024-04-01`, '0200011'],
    ['0200007 unknown campaign', () => 'campaignId=999999', '0200007'],
    ['02000001 without campaignId', () => `startDate=${day(D0)}&endDate=${day(D0)}`, '02000001'],
    ['02000002 campaignId not numeric', () => 'campaignId=abc', '02000002'],
  ];
  for (const [name, query, code] of cases) {
    test(name, async () => {
      const env = await stats(query());
      assert.equal(env.resultCode, code, env.resultDesc);
    });
  }

  test('0200007 a campaign of another VDN', async () => {
    assert.equal((await stats(`campaignId=${campV2}`, 1)).resultCode, '0200007');
  });
});

describe('callBusiResult', () => {
  before(async () => {
    const add = (body: unknown) => call('POST', `${P(1)}/addBusinessResult`, body);
    assert.equal((await add({ name: 'Interested', code: 'INT', children: [{ name: 'Call back later', code: 'INT-CB' }] })).resultCode, '0200000');
    assert.equal((await add({ name: 'Refused', children: [{ name: 'Too expensive' }] })).resultCode, '0200000');
  });
  const write = (dataId: number | string, body: unknown, vdn = 1) => call('POST', `${P(vdn)}/callBusiResult/${dataId}`, body);
  const record = (dataId: number) =>
    s.store.db.selectFrom('call_data').select(['busi_result', 'busi_sub_status', 'busi_result_desc', 'work_no']).where('id', '=', dataId).executeTakeFirstOrThrow();

  test('writes the result onto the record after a connected call', async () => {
    const env = await write(r1, { busiResult: 'INT', subStatus: 'INT-CB', busiResultDesc: 'call on Friday', workNo: '101' });
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.deepEqual(Object.keys(env).sort(), ['resultCode', 'resultDesc', 'returnCode', 'returnDesc']);
    assert.deepEqual(await record(r1), { busi_result: 'INT', busi_sub_status: 'INT-CB', busi_result_desc: 'call on Friday', work_no: '101' });
  });

  test('a later writeback replaces it; the pinned agent stays when workNo is omitted; names work for code-less definitions', async () => {
    assert.equal((await write(r1, { busiResult: 'Refused', subStatus: 'Too expensive' })).resultCode, '0200000');
    assert.deepEqual(await record(r1), { busi_result: 'Refused', busi_sub_status: 'Too expensive', busi_result_desc: null, work_no: '101' });
    assert.equal((await write(r1, { busiResult: 'INT' })).resultCode, '0200000', 'subStatus is optional');
    assert.equal((await record(r1)).busi_sub_status, null);
  });

  test('0200999 when no call to the record has connected', async () => {
    const env = await write(r2, { busiResult: 'INT' });
    assert.equal(env.resultCode, '0200999');
    assert.match(env.resultDesc, /no connected call/);
    assert.equal((await record(r2)).busi_result, null);
  });

  test('0200034 a sub-status that is not a child of the result', async () => {
    assert.equal((await write(r1, { busiResult: 'INT', subStatus: 'Too expensive' })).resultCode, '0200034');
    assert.equal((await write(r1, { busiResult: 'Refused', subStatus: 'NOPE' })).resultCode, '0200034');
    assert.equal((await record(r1)).busi_result, 'INT', 'nothing written');
  });

  test('0200033 unknown dataId, a non-numeric one, and one of another VDN', async () => {
    assert.equal((await write(999999, { busiResult: 'INT' })).resultCode, '0200033');
    assert.equal((await write('abc', { busiResult: 'INT' })).resultCode, '0200033');
    assert.equal((await write(r1, { busiResult: 'INT' }, 2)).resultCode, '0200033');
    assert.equal((await write(999999, { busiResult: 'UNKNOWN' })).resultCode, '0200033', 'the record is checked first');
  });

  const cases: Array<[string, unknown, string, RegExp?]> = [
    ['0200001 busiResult not defined in the VDN', { busiResult: 'UNKNOWN' }, '0200001', /UNKNOWN/],
    ['0200001 a sub-result given as busiResult', { busiResult: 'INT-CB' }, '0200001', /INT-CB/],
    ['0200001 body is not an object', 'INT', '0200001'],
    ['02000001 missing busiResult', { subStatus: 'INT-CB' }, '02000001', /busiResult/],
    ['02000001 empty busiResult', { busiResult: '' }, '02000001', /busiResult/],
    ['02000003 busiResult of 51 characters', { busiResult: 'x'.repeat(51) }, '02000003', /busiResult/],
    ['02000003 subStatus of 51 characters', { busiResult: 'INT', subStatus: 'x'.repeat(51) }, '02000003', /subStatus/],
    ['02000002 workNo with letters', { busiResult: 'INT', workNo: 'ab1' }, '02000002', /workNo/],
    ['02000003 workNo of 6 digits', { busiResult: 'INT', workNo: '123456' }, '02000003', /workNo/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const env = await write(r1, body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('0200033 once the campaign is deleted', async () => {
    const cid = await createCampaign(s.client, 1, { scheduleParam: {} }, clock.now());
    const [dataId] = await addCallData(1, cid, [{ sessionId: 'del', called: '13600000001', customField: 'x' }]);
    await runTo(clock.now() + 1000); // the engine makes the connected call
    assert.equal((await write(dataId!, { busiResult: 'INT' })).resultCode, '0200000');
    assert.equal((await call('PUT', `${P(1)}/${cid}/pause`)).resultCode, '0200000');
    assert.equal((await call('DELETE', `${P(1)}/${cid}`, { archiveHistory: 1 })).resultCode, '0200000');
    assert.equal((await write(dataId!, { busiResult: 'INT' })).resultCode, '0200033');
  });
});
