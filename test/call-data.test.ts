/**
 * Call data: add v1/v2, delete, query one record, number types. A manual engine clock makes the
 * "1 s between adds" rule deterministic; the engine itself is off so records keep their state.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { insertBlocklistEntry } from '../src/store/blocklist.repository.js';
import { groupCommitOf } from '../src/store/group-commit.js';
import { GROUP_COMMIT_MAX_RECORDS } from '../src/domain/call-data.js';
import { createBatch, createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

const T0 = Date.UTC(2030, 2, 10, 8, 0, 0);
const clock = new ManualClock(T0);
let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' }, { clock });
});
after(async () => s.stop());

type Env = ReturnType<typeof envelopeOf> & Record<string, unknown>;
type AddObj = { totalSize: number; dataIdList: Array<{ called: string; dataId: number }> };
type Detail = { dataId: number; properties: Array<{ propCode: string; propName: string; propValue: string }>; calledNos: Array<{ calledNo: string; type: string | null }> };
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;

async function call(srv: TestServer, method: string, path: string, body?: unknown): Promise<Env> {
  const res = await srv.client.request(method, path, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as Env;
}
/** Adds after moving the clock past the 1 s spacing. */
async function addV1(cid: number, list: unknown[], srv = s): Promise<Env> {
  clock.advance(1000);
  return call(srv, 'POST', `${P(1)}/calldata/${cid}`, { callDataList: list });
}
async function addV2(cid: number, body: Record<string, unknown>, srv = s): Promise<Env> {
  clock.advance(1000);
  return call(srv, 'POST', `${P2()}/calldata/${cid}`, body);
}
const ok = (e: Env): AddObj => {
  assert.equal(e.resultCode, '0200000', JSON.stringify(e));
  return e.returnObject as AddObj;
};
const campaign = () => createCampaign(s.client, 1, {}, clock.now());
const detail = async (cid: number, dataId: number) => (await call(s, 'GET', `${P(1)}/calldata/${cid}/${dataId}`)).data as Detail;
const prop = (d: Detail, code: string) => d.properties.find((p) => p.propCode === code)?.propValue;
const rows = (cid: number) => s.store.db.selectFrom('call_data').selectAll().where('campaign_id', '=', cid).orderBy('id').execute();

describe('large call-data adds (CAMPAIGND_CALLDATA_MAX above GROUP_COMMIT_MAX_RECORDS)', () => {
  let big: TestServer;
  before(async () => {
    big = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLDATA_MAX: '200' }, { clock });
  });
  after(async () => big.stop());

  test(`up to ${GROUP_COMMIT_MAX_RECORDS} records the add is group-committed, above it runs in a transaction of its own; both store every record`, async () => {
    const cid = await createCampaign(big.client, 1, {}, clock.now());
    const stats = groupCommitOf(big.store.db).stats;
    const list = (k: number, from: number) => Array.from({ length: k }, (_, i) => ({ called: String(13600000000 + from + i) }));
    const before = stats.requests;
    assert.equal(ok(await addV1(cid, list(GROUP_COMMIT_MAX_RECORDS, 0), big)).dataIdList.length, GROUP_COMMIT_MAX_RECORDS);
    assert.equal(stats.requests - before, 1, 'the small add went through the group committer');
    const large = GROUP_COMMIT_MAX_RECORDS + 1;
    assert.equal(ok(await addV1(cid, list(large, 1000), big)).totalSize, GROUP_COMMIT_MAX_RECORDS + large);
    assert.equal(stats.requests - before, 1, 'the large add did not');
    assert.equal((await big.store.db.selectFrom('call_data').select('id').where('campaign_id', '=', cid).execute()).length, GROUP_COMMIT_MAX_RECORDS + large);
  });
});

describe('adds larger than one multi-row INSERT (400 records per statement)', () => {
  let big: TestServer;
  before(async () => {
    big = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLDATA_MAX: '1000' }, { clock });
  });
  after(async () => big.stop());
  const cols = [
    'vdn_id',
    'campaign_id',
    'batch_id',
    'session_id',
    'caller',
    'custom_field',
    'call_data',
    'recycle_time',
    'priority',
    'state',
    'due_at',
    'number_index',
    'attempts',
  ] as const;
  const later = [
    'retry_state',
    'last_fail_code',
    'last_result_code',
    'last_call_at',
    'busi_result',
    'busi_sub_status',
    'busi_result_desc',
    'work_no',
    'lease_owner',
    'lease_until',
    'completed_at',
    'call_id',
    'dispatched_at',
  ] as const;

  test('every record and number is stored as given, dataIdList matches the stored ids in input order, and ids are never reused', async () => {
    const cid = await createCampaign(big.client, 1, {}, clock.now());
    const batch = await createBatch(big.client, 1, cid, 'bulk-batch');
    ok(await call(big, 'POST', `${P(1)}/callNoType/add`, { callNoTypes: ['bulk-a'] }));
    // 901 records: two full statements and a short one; every third with two numbers, fields varied.
    const list = Array.from({ length: 901 }, (_, i) => ({
      sessionId: `bulk-${i}`,
      called:
        i % 3 === 0 ? [{ calledNo: String(15000000000 + i), delayTime: i % 7, type: 'bulk-a' }, { calledNo: String(15100000000 + i) }] : [{ calledNo: String(15000000000 + i) }],
      ...(i % 2 === 0 ? { caller: String(4000 + i), customField: `cf${i}`, callData: `{"i":${i}}`, priority: 1 + (i % 100), recycleTime: '2031-01-01 00:00:00' } : {}),
    }));
    const r = ok(await addV2(cid, { batchId: batch, callDataList: list }, big));
    assert.equal(r.totalSize, 901);
    const stored = await big.store.db.selectFrom('call_data').selectAll().where('campaign_id', '=', cid).orderBy('id').execute();
    assert.deepEqual(
      stored.map((x) => Number(x.id)),
      r.dataIdList.map((d) => d.dataId),
    );
    assert.deepEqual(
      r.dataIdList.map((d) => d.called),
      list.map((x) => x.called[0]!.calledNo),
    );
    const now = clock.now();
    stored.forEach((row, i) => {
      const x = list[i]!;
      const even = i % 2 === 0;
      const want = [
        1,
        cid,
        batch,
        x.sessionId,
        even ? x.caller : null,
        even ? x.customField : null,
        even ? x.callData : null,
        even ? Date.UTC(2031, 0, 1) : null,
        even ? x.priority : null,
        'ready',
        now + (x.called[0]!.delayTime ?? 0) * 1000,
        0,
        0,
      ];
      assert.deepEqual(
        cols.map((c) => (row[c] === null || typeof row[c] === 'string' ? row[c] : Number(row[c]))),
        want,
        `record ${i}`,
      );
      assert.equal(row.succeeded, 0);
      assert.equal(Number(row.created_at), now);
      assert.equal(Number(row.updated_at), now);
      for (const c of later) assert.equal(row[c], null, `record ${i} ${c}`);
    });
    const numbers = await big.store.db
      .selectFrom('call_data_numbers')
      .selectAll()
      .where(
        'data_id',
        'in',
        stored.map((x) => Number(x.id)),
      )
      .orderBy('data_id')
      .orderBy('idx')
      .execute();
    assert.deepEqual(
      numbers.map((n) => [Number(n.data_id), n.idx, n.called_no, n.delay_time, n.type, n.attempts]),
      list.flatMap((x, i) => x.called.map((c, idx) => [r.dataIdList[i]!.dataId, idx, c.calledNo, c.delayTime ?? 0, c.type ?? null, 0])),
    );

    // The newest records deleted, the next add still gets ids above every id ever given.
    const top = r.dataIdList.at(-1)!.dataId;
    ok(await call(big, 'POST', `${P(1)}/calldata/${cid}/delete`, { sessionId: 'bulk-900' }));
    const again = ok(await addV1(cid, [{ called: '15200000000' }, { called: '15200000001' }], big));
    assert.deepEqual(
      again.dataIdList.map((d) => d.dataId),
      [top + 1, top + 2],
    );
  });

  test('concurrent adds (group-committed together when they arrive in one turn) each get their own ids', async () => {
    const cids = [await createCampaign(big.client, 1, {}, clock.now()), await createCampaign(big.client, 1, {}, clock.now())];
    clock.advance(1000);
    const results = await Promise.all(
      cids.flatMap((cid, k) => [
        call(big, 'POST', `${P(1)}/calldata/${cid}`, { callDataList: Array.from({ length: 30 }, (_, i) => ({ called: String(15300000000 + k * 100 + i) })) }),
      ]),
    );
    const lists = results.map((e) => ok(e).dataIdList);
    for (const [k, cid] of cids.entries()) {
      const stored = await big.store.db
        .selectFrom('call_data as d')
        .innerJoin('call_data_numbers as n', 'n.data_id', 'd.id')
        .select(['d.id', 'n.called_no'])
        .where('d.campaign_id', '=', cid)
        .orderBy('d.id')
        .execute();
      assert.deepEqual(
        stored.map((x) => ({ called: x.called_no, dataId: Number(x.id) })),
        lists[k],
      );
    }
    assert.equal(new Set(lists.flat().map((d) => d.dataId)).size, 60);
  });
});

describe('add call data v1', () => {
  test('adds records: "create data succeeded", dataIdList in order, totalSize = uncompleted records', async () => {
    const cid = await campaign();
    const e = await addV1(cid, [
      { sessionId: 's-1', called: '13800000001', caller: '4001', customField: 'May', recycleTime: '2030-04-01 00:00:00', callData: '{"name":"Ann"}', priority: 3 },
      { called: '13800000002' },
    ]);
    assert.equal(e.resultDesc, 'create data succeeded');
    const r = ok(e);
    assert.equal(r.totalSize, 2);
    assert.deepEqual(
      r.dataIdList.map((d) => d.called),
      ['13800000001', '13800000002'],
    );
    assert.ok(r.dataIdList[1]!.dataId > r.dataIdList[0]!.dataId);
    assert.equal(ok(await addV1(cid, [{ called: '13800000003' }])).totalSize, 3);

    const [row] = await rows(cid);
    assert.equal(row!.state, 'ready');
    assert.equal(Number(row!.due_at), clock.now() - 1000);
    assert.equal(row!.number_index, 0);
    assert.equal(row!.attempts, 0);
    assert.equal(row!.succeeded, 0);
    assert.equal(row!.batch_id, null);
    assert.equal(Number(row!.recycle_time), Date.UTC(2030, 3, 1));

    const d = await detail(cid, r.dataIdList[0]!.dataId);
    assert.equal(d.dataId, r.dataIdList[0]!.dataId);
    assert.equal(prop(d, 'sessionId'), 's-1');
    assert.equal(prop(d, 'caller'), '4001');
    assert.equal(prop(d, 'customField'), 'May');
    assert.equal(prop(d, 'callData'), '{"name":"Ann"}');
    assert.equal(prop(d, 'recycleTime'), '2030-04-01 00:00:00');
    assert.equal(prop(d, 'priority'), '3');
    assert.equal(prop(d, 'batchId'), '');
    assert.deepEqual(d.calledNos, [{ calledNo: '13800000001', type: null }]);
  });

  test('0200022 less than 1 s after the last accepted add; a refused add does not restart the wait', async () => {
    const cid = await campaign();
    ok(await addV1(cid, [{ called: '5551001' }]));
    const fast = await call(s, 'POST', `${P(1)}/calldata/${cid}`, { callDataList: [{ called: '5551002' }] });
    assert.equal(fast.resultCode, '0200022');
    clock.advance(999);
    assert.equal((await call(s, 'POST', `${P(1)}/calldata/${cid}`, { callDataList: [{ called: '5551002' }] })).resultCode, '0200022');
    clock.advance(1);
    ok(await call(s, 'POST', `${P(1)}/calldata/${cid}`, { callDataList: [{ called: '5551002' }] }));
    // Another campaign has its own spacing.
    const other = await campaign();
    ok(await call(s, 'POST', `${P(1)}/calldata/${other}`, { callDataList: [{ called: '5551003' }] }));
  });

  test('0200029 above the per-request maximum (20 by default)', async () => {
    const cid = await campaign();
    const list = Array.from({ length: 21 }, (_, i) => ({ called: `55520${String(i).padStart(2, '0')}` }));
    const e = await addV1(cid, list);
    assert.equal(e.resultCode, '0200029');
    assert.equal((await rows(cid)).length, 0);
    ok(await addV1(cid, list.slice(0, 20)));
  });

  test('0200018 for a number twice in the request; nothing is added', async () => {
    const cid = await campaign();
    const e = await addV1(cid, [{ called: '5553001' }, { sessionId: 'other', called: '5553001' }]);
    assert.equal(e.resultCode, '0200018');
    assert.match(e.resultDesc, /5553001/);
    assert.equal((await rows(cid)).length, 0);
  });

  test('0200024 for a blocklisted number; the whole request is refused', async () => {
    const cid = await campaign();
    await insertBlocklistEntry(s.store.db, {
      vdn_id: 1,
      number: '5554001',
      expires_at: null,
      restrict_times: null,
      restrict_period: null,
      category_id: null,
      type_id: null,
      created_at: clock.now(),
    });
    await insertBlocklistEntry(s.store.db, {
      vdn_id: 1,
      number: '5554002',
      expires_at: clock.now() - 1,
      restrict_times: null,
      restrict_period: null,
      category_id: null,
      type_id: null,
      created_at: clock.now(),
    });
    const e = await addV1(cid, [{ called: '5554000' }, { called: '5554001' }]);
    assert.equal(e.resultCode, '0200024');
    assert.match(e.resultDesc, /5554001/);
    assert.equal((await rows(cid)).length, 0);
    ok(await addV1(cid, [{ called: '5554002' }])); // expired entry: not blocked
  });

  test('0200019 while the campaign is expired; suspended and not-started campaigns take numbers', async () => {
    const expired = await campaign();
    await s.store.db
      .updateTable('campaigns')
      .set({ end_time: clock.now() + 500 })
      .where('id', '=', expired)
      .execute();
    assert.equal((await addV1(expired, [{ called: '5555001' }])).resultCode, '0200019');
    const suspended = await createCampaign(s.client, 1, { initStatus: 1 }, clock.now());
    ok(await addV1(suspended, [{ called: '5555002' }]));
    const later = await createCampaign(s.client, 1, { strBeginTime: '2030-06-01 00:00:00', strEndTime: '2030-07-01 00:00:00' }, clock.now());
    ok(await addV1(later, [{ called: '5555003' }]));
  });

  test('0200030 for a malformed, impossible or past recycleTime', async () => {
    const cid = await campaign();
    assert.equal((await addV1(cid, [{ called: '5556001', recycleTime: '2030/04/01 00:00:00' }])).resultCode, '0200030');
    assert.equal((await addV1(cid, [{ called: '5556001', recycleTime: '2030-02-30 00:00:00' }])).resultCode, '0200030');
    assert.equal((await addV1(cid, [{ called: '5556001', recycleTime: '2030-03-01 00:00:00' }])).resultCode, '0200030');
    assert.equal((await rows(cid)).length, 0);
  });

  test('0200007 for an unknown campaign or one of another VDN', async () => {
    const cid = await campaign();
    assert.equal((await addV1(999999, [{ called: '5557001' }])).resultCode, '0200007');
    clock.advance(1000);
    assert.equal((await call(s, 'POST', `${P(2)}/calldata/${cid}`, { callDataList: [{ called: '5557001' }] })).resultCode, '0200007');
  });

  test('field validation: 02000001, 02000002, 02000003, 02000006, 02000007', async () => {
    const cid = await campaign();
    const codeOf = async (body: unknown) => (await call(s, 'POST', `${P(1)}/calldata/${cid}`, body)).resultCode;
    assert.equal(await codeOf({}), '02000001');
    assert.equal(await codeOf({ callDataList: [] }), '02000001');
    assert.equal(await codeOf({ callDataList: [{ sessionId: 'x' }] }), '02000001');
    assert.equal(await codeOf({ callDataList: [{ called: '' }] }), '02000001');
    assert.equal(await codeOf({ callDataList: [{ called: '138-0000' }] }), '02000002');
    assert.equal(await codeOf({ callDataList: [{ called: '1'.repeat(25) }] }), '02000003');
    assert.equal(await codeOf({ callDataList: [{ called: '1', sessionId: 's'.repeat(33) }] }), '02000003');
    assert.equal(await codeOf({ callDataList: [{ called: '1', customField: 'c'.repeat(201) }] }), '02000003');
    assert.equal(await codeOf({ callDataList: [{ called: '1', callData: 'd'.repeat(1025) }] }), '02000003');
    assert.equal(await codeOf({ callDataList: [{ called: '1', caller: '4001a' }] }), '02000002');
    assert.equal(await codeOf({ callDataList: 'x' }), '02000006');
    assert.equal(await codeOf({ callDataList: [{ called: '1', priority: 'high' }] }), '02000006');
    assert.equal(await codeOf({ callDataList: [{ called: '1', priority: 0 }] }), '02000007');
    assert.equal((await rows(cid)).length, 0);
  });
});

describe('add call data v2', () => {
  test('several numbers per record, delays, types and a batch; due_at honours the first delay', async () => {
    const cid = await campaign();
    const batch = await createBatch(s.client, 1, cid, 'v2-batch');
    ok(await call(s, 'POST', `${P(1)}/callNoType/add`, { callNoTypes: ['mobile', 'home'] }));
    const e = await addV2(cid, {
      batchId: batch,
      callDataList: [
        {
          sessionId: 'cust-1',
          called: [
            { calledNo: '5558001', delayTime: 60, type: 'mobile' },
            { calledNo: '5558002', type: 'home' },
          ],
          customField: 'VIP',
        },
        { sessionId: 'cust-2', called: [{ calledNo: '5558001' }] },
      ],
    });
    assert.equal(e.resultDesc, 'create data succeeded');
    const r = ok(e);
    assert.deepEqual(
      r.dataIdList.map((d) => d.called),
      ['5558001', '5558001'],
    );
    const d = await detail(cid, r.dataIdList[0]!.dataId);
    assert.deepEqual(d.calledNos, [
      { calledNo: '5558001', type: 'mobile' },
      { calledNo: '5558002', type: 'home' },
    ]);
    assert.equal(prop(d, 'batchId'), batch);
    const [first, second] = await rows(cid);
    assert.equal(Number(first!.due_at), clock.now() + 60_000);
    assert.equal(Number(second!.due_at), clock.now());
    const nums = await s.store.db.selectFrom('call_data_numbers').selectAll().where('data_id', '=', Number(first!.id)).orderBy('idx').execute();
    assert.deepEqual(
      nums.map((n) => [n.idx, n.called_no, n.delay_time, n.type, n.attempts]),
      [
        [0, '5558001', 60, 'mobile', 0],
        [1, '5558002', 0, 'home', 0],
      ],
    );
  });

  test('0200018 for a number twice within one sessionId (or one record); other sessions may repeat it', async () => {
    const cid = await campaign();
    const twice = await addV2(cid, {
      callDataList: [
        { sessionId: 'a', called: [{ calledNo: '5559001' }] },
        { sessionId: 'a', called: [{ calledNo: '5559001' }] },
      ],
    });
    assert.equal(twice.resultCode, '0200018');
    const inRecord = await addV2(cid, { callDataList: [{ called: [{ calledNo: '5559002' }, { calledNo: '5559002' }] }] });
    assert.equal(inRecord.resultCode, '0200018');
    ok(
      await addV2(cid, {
        callDataList: [
          { sessionId: 'a', called: [{ calledNo: '5559001' }] },
          { sessionId: 'b', called: [{ calledNo: '5559001' }] },
        ],
      }),
    );
  });

  test('03000004 for an unknown batchId, 0200001 for an unknown number type', async () => {
    const cid = await campaign();
    assert.equal((await addV2(cid, { batchId: '9'.repeat(30), callDataList: [{ called: [{ calledNo: '5550101' }] }] })).resultCode, '03000004');
    const t = await addV2(cid, { callDataList: [{ called: [{ calledNo: '5550101', type: 'fax' }] }] });
    assert.equal(t.resultCode, '0200001');
    assert.match(t.resultDesc, /fax/);
    assert.equal((await rows(cid)).length, 0);
  });

  test('the shared limits: 0200029, 0200022, 0200024, 0200019, 0200030', async () => {
    const cid = await campaign();
    const many = Array.from({ length: 21 }, (_, i) => ({ called: [{ calledNo: `55502${String(i).padStart(2, '0')}` }] }));
    assert.equal((await addV2(cid, { callDataList: many })).resultCode, '0200029');
    ok(await addV2(cid, { callDataList: many.slice(0, 1) }));
    assert.equal((await call(s, 'POST', `${P2()}/calldata/${cid}`, { callDataList: many.slice(1, 2) })).resultCode, '0200022');
    await insertBlocklistEntry(s.store.db, {
      vdn_id: 1,
      number: '5550299',
      expires_at: null,
      restrict_times: null,
      restrict_period: null,
      category_id: null,
      type_id: null,
      created_at: clock.now(),
    });
    assert.equal((await addV2(cid, { callDataList: [{ called: [{ calledNo: '5550298' }, { calledNo: '5550299' }] }] })).resultCode, '0200024');
    assert.equal((await addV2(cid, { callDataList: [{ called: [{ calledNo: '5550297' }], recycleTime: '2030-13-01 00:00:00' }] })).resultCode, '0200030');
    await s.store.db.updateTable('campaigns').set({ end_time: clock.now() }).where('id', '=', cid).execute();
    assert.equal((await addV2(cid, { callDataList: many.slice(2, 3) })).resultCode, '0200019');
  });

  test('field validation: 02000001, 02000002, 02000007, 02000011', async () => {
    const cid = await campaign();
    const codeOf = async (body: unknown) => (await call(s, 'POST', `${P2()}/calldata/${cid}`, body)).resultCode;
    assert.equal(await codeOf({ callDataList: [{ called: [] }] }), '02000001');
    assert.equal(await codeOf({ callDataList: [{ called: [{ delayTime: 1 }] }] }), '02000001');
    assert.equal(await codeOf({ callDataList: [{ called: [{ calledNo: '1', delayTime: 7201 }] }] }), '02000007');
    assert.equal(await codeOf({ callDataList: [{ called: [{ calledNo: '1', type: 'a b' }] }] }), '02000002');
    assert.equal(await codeOf({ callDataList: [{ called: [{ calledNo: '1' }], customField: 'a;b' }] }), '02000002');
    assert.equal(await codeOf({ callDataList: [{ called: Array.from({ length: 21 }, (_, i) => ({ calledNo: String(i) })) }] }), '02000011');
    assert.equal(await codeOf({ callDataList: [{ called: '5550301' }] }), '02000006');
  });
});

describe('configurable limits', () => {
  let lim: TestServer;
  before(async () => {
    lim = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLDATA_MAX: '3', CAMPAIGND_MAX_UNCOMPLETED: '4' }, { clock });
  });
  after(async () => lim.stop());

  test('CAMPAIGND_CALLDATA_MAX → 0200029; CAMPAIGND_MAX_UNCOMPLETED → 0200020, and finished records free room', async () => {
    const cid = await createCampaign(lim.client, 1, {}, clock.now());
    const n = (k: number, from = 0) => Array.from({ length: k }, (_, i) => ({ called: `55504${String(from + i).padStart(2, '0')}` }));
    assert.equal((await addV1(cid, n(4), lim)).resultCode, '0200029');
    assert.equal(ok(await addV1(cid, n(3), lim)).totalSize, 3);
    const over = await addV1(cid, n(2, 10), lim);
    assert.equal(over.resultCode, '0200020');
    assert.match(over.resultDesc, /limit of 4/);
    await lim.store.db.updateTable('call_data').set({ state: 'done', completed_at: clock.now() }).where('campaign_id', '=', cid).where('session_id', 'is', null).execute();
    assert.equal(ok(await addV1(cid, n(2, 10), lim)).totalSize, 2);
  });

  test('an unusable value stops the server with the variable named', async () => {
    await assert.rejects(startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLDATA_MAX: 'many' }), /CAMPAIGND_CALLDATA_MAX/);
  });
});

describe('delete call data', () => {
  let cid: number;
  let ids: number[];
  before(async () => {
    cid = await campaign();
    ids = ok(
      await addV1(cid, [
        { sessionId: 'k1', called: '5556101', customField: 'east', recycleTime: '2030-03-20 10:00:00' },
        { sessionId: 'k2', called: '5556102', customField: 'east', recycleTime: '2030-03-21 09:30:00' },
        { sessionId: 'k3', called: '5556103', customField: 'west', recycleTime: '2030-03-21 18:00:00' },
        { sessionId: 'k4', called: '5556104', customField: 'west', recycleTime: '2030-03-22 08:00:00' },
        { sessionId: 'k5', called: '5556105', customField: 'north' },
        { sessionId: 'k6', called: '5556106', customField: 'north' },
        { sessionId: 'k7', called: '5556107', customField: 'south' },
      ]),
    ).dataIdList.map((d) => d.dataId);
  });
  const del = (body: unknown) => call(s, 'POST', `${P(1)}/calldata/${cid}/delete`, body);
  const exists = async (i: number) => (await call(s, 'GET', `${P(1)}/calldata/${cid}/${ids[i]}`)).resultCode === '0200000';

  test('an empty filter is refused (02000001); recycleType without recycleTime is 02000009; a bad recycleTime 0200030', async () => {
    assert.equal((await del({})).resultCode, '02000001');
    assert.equal((await del({ archiveHistory: 1 })).resultCode, '02000001');
    assert.equal((await del({ recycleType: 1 })).resultCode, '02000009');
    assert.equal((await del({ recycleTime: '2030-03-21' })).resultCode, '0200030');
    assert.equal((await del({ recycleTime: '2030-02-31 00:00:00' })).resultCode, '0200030');
    assert.equal((await del({ recycleType: 4, recycleTime: '2030-03-21 00:00:00' })).resultCode, '02000007');
    assert.equal((await call(s, 'POST', `${P(1)}/calldata/999999/delete`, { sessionId: 'k1' })).resultCode, '0200007');
    for (let i = 0; i < ids.length; i++) assert.ok(await exists(i));
  });

  test('recycleType 3 (exact, the default), 2 (that day), 1 (at or before that day)', async () => {
    const exact = await del({ recycleTime: '2030-03-21 09:30:00' });
    assert.equal((exact.returnObject as { deletedCount: number }).deletedCount, 1);
    assert.equal(await exists(1), false);
    assert.equal(await exists(2), true);
    assert.equal(((await del({ recycleTime: '2030-03-21 00:00:00', recycleType: 2 })).returnObject as { deletedCount: number }).deletedCount, 1);
    assert.equal(await exists(2), false);
    assert.equal(((await del({ recycleTime: '2030-03-22 00:00:00', recycleType: 1 })).returnObject as { deletedCount: number }).deletedCount, 2);
    assert.equal(await exists(0), false);
    assert.equal(await exists(3), false);
  });

  test('by sessionId, called and customField (AND); a dialled record refuses the request; finished ones stay', async () => {
    assert.equal(((await del({ sessionId: 'k5', customField: 'south' })).returnObject as { deletedCount: number }).deletedCount, 0);
    await s.store.db.updateTable('call_data').set({ state: 'dialing', lease_owner: 'n1' }).where('id', '=', ids[4]!).execute();
    const busy = await del({ customField: 'north' });
    assert.equal(busy.resultCode, '0200001');
    assert.ok(await exists(5));
    await s.store.db.updateTable('call_data').set({ state: 'done', lease_owner: null, completed_at: clock.now() }).where('id', '=', ids[4]!).execute();
    assert.equal(((await del({ customField: 'north' })).returnObject as { deletedCount: number }).deletedCount, 1);
    assert.ok(await exists(4));
    assert.equal(await exists(5), false);
    assert.equal(((await del({ called: '5556107' })).returnObject as { deletedCount: number }).deletedCount, 1);
    assert.equal(await exists(6), false);
    const left = await s.store.db.selectFrom('call_data_numbers').select('data_id').where('data_id', 'in', ids).execute();
    assert.deepEqual(
      left.map((r) => r.data_id),
      [ids[4]],
    );
  });

  test('archiveHistory 1 keeps the records as archived: no longer visible or counted', async () => {
    const c = await campaign();
    const [a, b] = ok(
      await addV1(c, [
        { sessionId: 'x', called: '5556201' },
        { sessionId: 'y', called: '5556202' },
      ]),
    ).dataIdList.map((d) => d.dataId);
    const e = await call(s, 'POST', `${P(1)}/calldata/${c}/delete`, { sessionId: 'x', archiveHistory: 1 });
    assert.equal(e.resultDesc, 'success');
    assert.equal((await call(s, 'GET', `${P(1)}/calldata/${c}/${a}`)).resultCode, '0200033');
    const row = await s.store.db.selectFrom('call_data').select('state').where('id', '=', a!).executeTakeFirstOrThrow();
    assert.equal(row.state, 'archived');
    assert.equal(ok(await addV1(c, [{ called: '5556203' }])).totalSize, 2);
    assert.equal((await call(s, 'GET', `${P(1)}/calldata/${c}/${b}`)).resultCode, '0200000');
  });
});

describe('query one record', () => {
  test('0200033 for an unknown dataId or one of another campaign; 0200007 for an unknown campaign; 02000006 for a non-numeric id', async () => {
    const c1 = await campaign();
    const c2 = await campaign();
    const [id] = ok(await addV1(c1, [{ called: '5557101' }])).dataIdList.map((d) => d.dataId);
    assert.equal((await call(s, 'GET', `${P(1)}/calldata/${c1}/${id}`)).resultCode, '0200000');
    assert.equal((await call(s, 'GET', `${P(1)}/calldata/${c2}/${id}`)).resultCode, '0200033');
    assert.equal((await call(s, 'GET', `${P(1)}/calldata/${c1}/987654321`)).resultCode, '0200033');
    assert.equal((await call(s, 'GET', `${P(1)}/calldata/999999/${id}`)).resultCode, '0200007');
    assert.equal((await call(s, 'GET', `${P(1)}/calldata/${c1}/abc`)).resultCode, '02000006');
  });
});

describe('number types', () => {
  test('add then query (per VDN, in the order added)', async () => {
    ok(await call(s, 'POST', `${P(3)}/callNoType/add`, { callNoTypes: ['st', 'OD'] }));
    ok(await call(s, 'POST', `${P(3)}/callNoType/add`, { callNoTypes: ['SI-2'] }));
    const q = await call(s, 'GET', `${P(3)}/callNoType/query`);
    assert.equal(q.resultCode, '0200000');
    assert.deepEqual(q.data, ['st', 'OD', 'SI-2']);
    assert.deepEqual((await call(s, 'GET', `${P(4)}/callNoType/query`)).data, []);
  });

  test('refused all or nothing: twice in the request or already there (0200001); 02000011, 02000002, 02000003, 02000001', async () => {
    const add = (body: unknown) => call(s, 'POST', `${P(5)}/callNoType/add`, body);
    ok(await add({ callNoTypes: ['a'] }));
    assert.equal((await add({ callNoTypes: ['b', 'b'] })).resultCode, '0200001');
    const clash = await add({ callNoTypes: ['c', 'a'] });
    assert.equal(clash.resultCode, '0200001');
    assert.match(clash.resultDesc, /\ba\b/);
    assert.equal((await add({ callNoTypes: Array.from({ length: 21 }, (_, i) => `t${i}`) })).resultCode, '02000011');
    assert.equal((await add({ callNoTypes: ['x_y'] })).resultCode, '02000002');
    assert.equal((await add({ callNoTypes: ['x'.repeat(21)] })).resultCode, '02000003');
    assert.equal((await add({ callNoTypes: [] })).resultCode, '02000001');
    assert.equal((await add({})).resultCode, '02000001');
    assert.deepEqual((await call(s, 'GET', `${P(5)}/callNoType/query`)).data, ['a']);
  });
});
