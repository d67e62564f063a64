/**
 * The VDN blocklist: add, delete one, delete all, query — every documented error code, the
 * validity arithmetic on a manual clock, expiry, the frequency-limited mode, and the effect on
 * appoint/create (04000003) through the interfaces only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CampaigndClient } from '../src/client/index.js';
import { ManualClock } from '../src/engine/clock.js';
import { AK, createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

// The vendor's example: added at 2020-12-31 10:06:25 with 120 hours → expires 2021-01-05 10:06:25.
const T0 = Date.UTC(2020, 11, 31, 10, 6, 25);
const HOUR = 3600_000;
const clock = new ManualClock(T0);
let s: TestServer;
before(async () => {
  s = await startTestServer({}, { clock });
});
after(async () => s.stop());

async function call(method: string, path: string, body?: unknown, vdn = 1) {
  const res = await s.client.request(method, `${P(vdn)}${path}`, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as ReturnType<typeof envelopeOf> & Record<string, unknown>;
}
/** Creates a blocklist group (`blackCategory`) or type (`blackType`) and returns its id. */
async function group(kind: 'blackCategory' | 'blackType', name: string, vdn = 1): Promise<string> {
  const env = await call('POST', `/${kind}/create`, kind === 'blackType' ? { name, actionType: '1' } : { name }, vdn);
  assert.equal(env.resultCode, '0200000', env.resultDesc);
  return (env.returnObject as { id: string }).id;
}
async function add(body: Record<string, unknown>, vdn = 1) {
  const env = await call('POST', '/blocklist/add', body, vdn);
  assert.equal(env.resultCode, '0200000', env.resultDesc);
}
type Item = Record<string, unknown> & { blockNum: string };
async function check(numbers: string[], vdn = 1): Promise<Item[]> {
  const env = await call('POST', '/blocklist/query', { blocklist: numbers }, vdn);
  assert.equal(env.resultCode, '0200000', env.resultDesc);
  assert.equal(env.totalCount, (env.data as Item[]).length);
  return env.data as Item[];
}
async function page(offset = 0, limit = 100, extra: Record<string, unknown> = {}, vdn = 1) {
  const env = await call('POST', '/blocklist/query', { offset, limit, ...extra }, vdn);
  assert.equal(env.resultCode, '0200000', env.resultDesc);
  return env as unknown as { totalCount: number; data: Item[] };
}

describe('blocklist/add and query', () => {
  test('add answers "success"; a permanent entry shows an empty expiry and flag true', async () => {
    const res = await s.client.request('POST', `${P(1)}/blocklist/add`, { blocklist: ['1000001', 1000002] });
    assert.deepEqual(res.body, { resultCode: '0200000', resultDesc: 'success', returnCode: '0200000', returnDesc: 'success' });
    assert.deepEqual(await check(['1000002', '1000001', '1000999']), [
      { blockNum: '1000002', validityExpirationTime: '', flag: true },
      { blockNum: '1000001', validityExpirationTime: '', flag: true },
    ]);
  });

  test('validity: hours by default, days, months (clamped), years; the absolute time wins', async () => {
    await add({ blocklist: ['2000001'], validityTime: 120 });
    await add({ blocklist: ['2000002'], validityTime: '2', validityTimeUnit: 3 });
    await add({ blocklist: ['2000003'], validityTime: 2, validityTimeUnit: 2 });
    const [cat1, type1] = [await group('blackCategory', 'cat1'), await group('blackType', 'type1')];
    await add({ blocklist: ['2000004'], validityTime: 1, validityTimeUnit: 1, relCategoryId: cat1, typeId: type1 });
    await add({ blocklist: ['2000005'], validityTime: 1, validityExpirationTime: '2021-03-01 00:00:00' });
    const rows = await check(['2000001', '2000002', '2000003', '2000004', '2000005']);
    assert.deepEqual(rows, [
      { blockNum: '2000001', validityExpirationTime: '2021-01-05 10:06:25', validityTime: 120, validityTimeUnit: 4, flag: true },
      { blockNum: '2000002', validityExpirationTime: '2021-01-02 10:06:25', validityTime: 2, validityTimeUnit: 3, flag: true },
      { blockNum: '2000003', validityExpirationTime: '2021-02-28 10:06:25', validityTime: 2, validityTimeUnit: 2, flag: true },
      { blockNum: '2000004', validityExpirationTime: '2021-12-31 10:06:25', validityTime: 1, validityTimeUnit: 1, relCategoryId: cat1, typeId: type1, flag: true },
      { blockNum: '2000005', validityExpirationTime: '2021-03-01 00:00:00', flag: true },
    ]);
  });

  test('0200007 for a number still listed: nothing of the request is added; isCoverDupNo 1 overwrites', async () => {
    const env = await call('POST', '/blocklist/add', { blocklist: ['3000001', '1000001'], validityTime: 5 });
    assert.equal(env.resultCode, '0200007');
    assert.match(env.resultDesc, /1000001/);
    assert.deepEqual(await check(['3000001']), []);
    assert.equal((await call('POST', '/blocklist/add', { blocklist: ['1000001'], isCoverDupNo: 0 })).resultCode, '0200007');
    await add({ blocklist: ['3000001', '1000001'], validityTime: 5, isCoverDupNo: '1' });
    assert.deepEqual(
      (await check(['1000001', '3000001'])).map((r) => [r.blockNum, r.validityExpirationTime]),
      [
        ['1000001', '2020-12-31 15:06:25'],
        ['3000001', '2020-12-31 15:06:25'],
      ],
    );
  });

  test('an expired entry: flag false, gone from paging, not "already listed", no longer blocks reservations', async () => {
    await add({ blocklist: ['4000001'], validityTime: 1 });
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    const reserve = () => call('POST', '/appoint/create', { callType: 2, calledNo: '4000001', taskId: String(cid), appointTime: clock.now() + 2 * HOUR });
    assert.equal((await reserve()).resultCode, '04000003');
    clock.advance(HOUR);
    assert.deepEqual(await check(['4000001']), [{ blockNum: '4000001', validityExpirationTime: '2020-12-31 11:06:25', validityTime: 1, validityTimeUnit: 4, flag: false }]);
    assert.ok(!(await page()).data.some((r) => r.blockNum === '4000001'));
    assert.equal((await reserve()).resultCode, '0200000');
    await add({ blocklist: ['4000001'] });
    assert.deepEqual(await check(['4000001']), [{ blockNum: '4000001', validityExpirationTime: '', flag: true }]);
  });

  test('the frequency-limited mode is listed but does not refuse a reservation outright', async () => {
    await add({ blocklist: ['5000001'], restrictTimes: 2, restrictPeriod: 1 });
    assert.deepEqual(await check(['5000001']), [{ blockNum: '5000001', validityExpirationTime: '', restrictTimes: 2, restrictPeriod: '1', flag: true }]);
    assert.equal((await call('POST', '/blocklist/add', { blocklist: ['5000001'] })).resultCode, '0200007');
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    const env = await call('POST', '/appoint/create', { callType: 2, calledNo: '5000001', taskId: String(cid), appointTime: clock.now() + HOUR });
    assert.equal(env.resultCode, '0200000');
  });

  test('paging: entries in effect in insertion order with the total; group/type filters; per VDN', async () => {
    const v = 7;
    const [g1, t1, t2] = [await group('blackCategory', 'g1', v), await group('blackType', 't1', v), await group('blackType', 't2', v)];
    for (const n of ['903', '901', '902']) {
      clock.advance(1000);
      await add({ blocklist: [n], ...(n === '901' ? { relCategoryId: g1, typeId: t1 } : {}) }, v);
    }
    const p1 = await page(0, 2, {}, v);
    const p2 = await page(2, 2, {}, v);
    assert.equal(p1.totalCount, 3);
    assert.deepEqual(
      [...p1.data, ...p2.data].map((r) => r.blockNum),
      ['903', '901', '902'],
    );
    assert.ok(
      p1.data.every((r) => !('flag' in r)),
      'flag only in a membership query',
    );
    assert.deepEqual(
      (await page(0, 10, { relCategoryId: g1 }, v)).data.map((r) => r.blockNum),
      ['901'],
    );
    assert.deepEqual((await page(0, 10, { typeId: t2 }, v)).data, []);
    assert.deepEqual(await check(['903'], 8), []);
  });
});

describe('a blocklisted number and appoint/create', () => {
  test('added → 04000003; deleted → accepted; delete-all → accepted', async () => {
    const cid = await createCampaign(s.client, 3, {}, clock.now());
    const reserve = (no: string) => call('POST', '/appoint/create', { callType: 2, calledNo: no, taskId: String(cid), appointTime: clock.now() + HOUR }, 3);
    await add({ blocklist: ['13900000001', '13900000002'] }, 3);
    assert.equal((await reserve('13900000001')).resultCode, '04000003');
    assert.equal((await reserve('13900000002')).resultCode, '04000003');
    assert.equal((await call('POST', '/blocklist/delete', { blocklistNo: '13900000001' }, 3)).resultCode, '0200000');
    assert.equal((await reserve('13900000001')).resultCode, '0200000');
    assert.equal((await reserve('13900000002')).resultCode, '04000003');
    assert.equal((await call('DELETE', '/blocklist', undefined, 3)).resultCode, '0200000');
    assert.equal((await reserve('13900000002')).resultCode, '0200000');
  });
});

describe('blocklist/delete and delete all', () => {
  test('delete one answers "success"; the number is gone; an unknown number is 0200001', async () => {
    await add({ blocklist: ['6000001', '6000002'] }, 4);
    const res = await s.client.request('POST', `${P(4)}/blocklist/delete`, { blocklistNo: 6000001 });
    assert.deepEqual(res.body, { resultCode: '0200000', resultDesc: 'success', returnCode: '0200000', returnDesc: 'success' });
    assert.deepEqual(
      (await check(['6000001', '6000002'], 4)).map((r) => r.blockNum),
      ['6000002'],
    );
    const env = await call('POST', '/blocklist/delete', { blocklistNo: '6000001' }, 4);
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /6000001/);
  });

  const cases: Array<[string, unknown, string]> = [
    ['02000001 missing blocklistNo', {}, '02000001'],
    ['02000001 empty blocklistNo', { blocklistNo: '' }, '02000001'],
    ['02000002 letters', { blocklistNo: '12ab' }, '02000002'],
    ['02000003 longer than 24', { blocklistNo: '1'.repeat(25) }, '02000003'],
    ['0200001 not an object', ['1'], '0200001'],
  ];
  for (const [name, body, code] of cases) {
    test(`delete one: ${name}`, async () => {
      assert.equal((await call('POST', '/blocklist/delete', body, 4)).resultCode, code);
    });
  }

  test('DELETE without a body or Content-Type is signed and accepted; it empties one VDN only', async () => {
    await add({ blocklist: ['7000001', '7000002'] }, 5);
    await add({ blocklist: ['7000001'] }, 6);
    const res = await s.client.request('DELETE', `${P(5)}/blocklist`);
    assert.deepEqual(res.body, { resultCode: '0200000', resultDesc: 'success', returnCode: '0200000', returnDesc: 'success' });
    assert.equal((await page(0, 10, {}, 5)).totalCount, 0);
    assert.equal((await page(0, 10, {}, 6)).totalCount, 1);
    // With a Content-Type and an empty body it works too; an empty list is fine.
    const empty = await s.client.request('DELETE', `${P(5)}/blocklist`, '');
    assert.equal(envelopeOf(empty.body).resultCode, '0200000');
  });

  test('DELETE with a wrong signature is refused (401) and deletes nothing', async () => {
    await add({ blocklist: ['7100001'] }, 5);
    const bad = new CampaigndClient({ baseUrl: s.url, accessKey: AK, secretKey: 'not-the-secret' });
    const res = await bad.request('DELETE', `${P(5)}/blocklist`);
    assert.equal(res.status, 401);
    assert.equal((await page(0, 10, {}, 5)).totalCount, 1);
  });
});

describe('blocklist errors', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => String(8000000 + i));
  const addCases: Array<[string, unknown, string, RegExp?]> = [
    ['0200001 validityExpirationTime in the past', { blocklist: ['81'], validityExpirationTime: '2020-01-01 00:00:00' }, '0200001', /validityExpirationTime/],
    ['0200001 body is an array', [['81']], '0200001'],
    ['0200018 duplicate numbers in the request', { blocklist: ['81', '82', '81'] }, '0200018', /81/],
    ['0200029 more than 20 numbers', { blocklist: many(21) }, '0200029', /20/],
    ['02000001 missing blocklist', { validityTime: 1 }, '02000001', /blocklist/],
    ['02000001 empty list', { blocklist: [] }, '02000001', /blocklist/],
    ['02000001 empty number', { blocklist: ['81', ''] }, '02000001', /blocklist\[1\]/],
    ['02000002 number with letters', { blocklist: ['81a'] }, '02000002', /blocklist\[0\]/],
    ['02000002 validityExpirationTime not yyyy-MM-dd HH:mm:ss', { blocklist: ['81'], validityExpirationTime: '2030-01-01' }, '02000002', /validityExpirationTime/],
    ['02000003 number longer than 24', { blocklist: ['1'.repeat(25)] }, '02000003', /blocklist\[0\]/],
    ['02000003 relCategoryId longer than 64', { blocklist: ['81'], relCategoryId: 'c'.repeat(65) }, '02000003', /relCategoryId/],
    ['02000006 blocklist not a list', { blocklist: '81' }, '02000006', /blocklist/],
    ['02000006 validityTime not a number', { blocklist: ['81'], validityTime: 'long' }, '02000006', /validityTime/],
    ['02000007 validityTime 0', { blocklist: ['81'], validityTime: 0 }, '02000007', /validityTime/],
    ['02000007 validityTime 121', { blocklist: ['81'], validityTime: 121 }, '02000007', /validityTime/],
    ['02000007 validityTimeUnit 5', { blocklist: ['81'], validityTime: 1, validityTimeUnit: 5 }, '02000007', /validityTimeUnit/],
    ['02000007 isCoverDupNo 2', { blocklist: ['81'], isCoverDupNo: 2 }, '02000007', /isCoverDupNo/],
    ['02000007 restrictTimes 101', { blocklist: ['81'], restrictTimes: 101, restrictPeriod: '0' }, '02000007', /restrictTimes/],
    ['02000007 restrictPeriod "2"', { blocklist: ['81'], restrictTimes: 1, restrictPeriod: '2' }, '02000007', /restrictPeriod/],
    ['02000007 validityExpirationTime that does not exist', { blocklist: ['81'], validityExpirationTime: '2030-02-30 00:00:00' }, '02000007', /validityExpirationTime/],
    ['02000009 restrictTimes without restrictPeriod', { blocklist: ['81'], restrictTimes: 3 }, '02000009', /restrictPeriod/],
    ['02000009 restrictPeriod without restrictTimes', { blocklist: ['81'], restrictPeriod: '0' }, '02000009', /restrictTimes/],
  ];
  for (const [name, body, code, desc] of addCases) {
    test(`add: ${name}`, async () => {
      const env = await call('POST', '/blocklist/add', body, 9);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('every refused add left the VDN empty; exactly 20 numbers are accepted', async () => {
    assert.equal((await page(0, 100, {}, 9)).totalCount, 0);
    await add({ blocklist: many(20) }, 9);
    assert.equal((await page(0, 100, {}, 9)).totalCount, 20);
  });

  const queryCases: Array<[string, unknown, string, RegExp?]> = [
    ['02000009 both blocklist and offset/limit', { blocklist: ['1'], offset: 0, limit: 10 }, '02000009'],
    ['02000009 neither', {}, '02000009'],
    ['02000009 offset without limit', { offset: 0 }, '02000009', /limit/],
    ['02000001 empty list', { blocklist: [] }, '02000001', /blocklist/],
    ['02000002 number with letters', { blocklist: ['x'] }, '02000002', /blocklist\[0\]/],
    ['02000006 limit not a number', { offset: 0, limit: 'ten' }, '02000006', /limit/],
    ['02000007 limit 0', { offset: 0, limit: 0 }, '02000007', /limit/],
    ['02000007 limit 101', { offset: 0, limit: 101 }, '02000007', /limit/],
    ['02000011 more than 20 numbers', { blocklist: many(21) }, '02000011', /blocklist/],
    ['0200001 not an object', 'query', '0200001'],
  ];
  for (const [name, body, code, desc] of queryCases) {
    test(`query: ${name}`, async () => {
      const env = await call('POST', '/blocklist/query', body, 9);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }
});

describe('blocklist and call-data add', () => {
  test('a number added through blocklist/add is refused by call-data add v1 and v2 (0200024); after delete it is accepted', async () => {
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    await add({ blocklist: ['5557001'] });
    const v1 = await call('POST', `/calldata/${cid}`, { callDataList: [{ called: '5557001' }] });
    assert.equal(v1.resultCode, '0200024');
    assert.match(v1.resultDesc, /5557001/);
    const res = await s.client.request('POST', `/rest/isales/v2/openapi/campaigns/1/calldata/${cid}`, {
      callDataList: [{ called: [{ calledNo: '5557002' }, { calledNo: '5557001' }] }],
    });
    assert.equal(envelopeOf(res.body).resultCode, '0200024');
    assert.equal((await call('POST', '/blocklist/delete', { blocklistNo: '5557001' })).resultCode, '0200000');
    clock.advance(2000); // call-data adds on one campaign are at least 1 s apart
    assert.equal((await call('POST', `/calldata/${cid}`, { callDataList: [{ called: '5557001' }] })).resultCode, '0200000');
  });
});
