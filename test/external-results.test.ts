/**
 * OBS result codes and external results besides create: update, delete, list, detail, and the
 * fail-code → external-result lookup the engine records with every call result.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AK, createCampaign, envelopeOf, P, SK, startTestServer, type TestServer } from './helpers.js';
import { CampaigndClient } from '../src/client/index.js';
import { externalResultFor } from '../src/domain/external-results.js';
import { OBS_CODES } from '../src/domain/obs-codes.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
});
after(async () => {
  await s.stop();
});

type Body = Record<string, unknown>;
async function call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Body & { resultCode: string; resultDesc: string }> {
  const client = headers ? new CampaigndClient({ baseUrl: s.url, accessKey: AK, secretKey: SK, headers }) : s.client;
  const res = await client.request(method, path, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Body & { resultCode: string; resultDesc: string };
}
async function create(vdn: number, body: Body): Promise<string> {
  const env = await call('POST', `${P(vdn)}/createObResult`, body);
  assert.equal(env.resultCode, '0200000', env.resultDesc);
  return env.defId as string;
}
const detail = (vdn: number, defId: string) => call('GET', `${P(vdn)}/${defId}/queryObsResultDetail`);
const update = (vdn: number, body: unknown) => call('POST', `${P(vdn)}/updateObResult`, body);
const remove = (vdn: number, defId: string) => call('DELETE', `${P(vdn)}/${defId}/deleteObsResult`);

describe('queryOBSResultCode', () => {
  test('a page of the catalogue with the sample texts and the total', async () => {
    const env = await call('GET', `${P(1)}/queryOBSResultCode?pageSize=5&pageNum=2`);
    assert.equal(env.resultCode, '0200000');
    assert.equal(env.resultDesc, 'query queryOBSResultCode Success!');
    assert.equal(env.totalCount, OBS_CODES.length);
    assert.deepEqual(
      env.obsCodes,
      OBS_CODES.slice(5, 10).map((c) => ({ obsCode: c.code, obsCodeDesc: c.description })),
    );
    assert.deepEqual(Object.keys(env).sort(), ['obsCodes', 'resultCode', 'resultDesc', 'returnCode', 'returnDesc', 'totalCount']);
  });

  test('00605 reads "The switch is busy."; the locale header does not change it (English only)', async () => {
    for (const locale of ['zh_CN', 'en_US']) {
      const env = await call('GET', `${P(1)}/queryOBSResultCode?pageSize=50&pageNum=2`, undefined, { locale });
      const codes = env.obsCodes as { obsCode: string; obsCodeDesc: string }[];
      assert.equal(codes.find((c) => c.obsCode === '00605')?.obsCodeDesc, 'The switch is busy.');
    }
  });

  test('a page past the end is empty', async () => {
    const env = await call('GET', `${P(1)}/queryOBSResultCode?pageSize=50&pageNum=3`);
    assert.deepEqual(env.obsCodes, []);
    assert.equal(env.totalCount, OBS_CODES.length);
  });

  const cases: Array<[string, string, string]> = [
    ['02000001 without pageSize', 'pageNum=1', '02000001'],
    ['02000001 without pageNum', 'pageSize=1', '02000001'],
    ['02000007 pageSize 51', 'pageSize=51&pageNum=1', '02000007'],
    ['02000007 pageSize 0', 'pageSize=0&pageNum=1', '02000007'],
    ['02000007 pageNum 0', 'pageSize=10&pageNum=0', '02000007'],
    ['02000006 pageSize not a number', 'pageSize=ten&pageNum=1', '02000006'],
  ];
  for (const [name, query, code] of cases) {
    test(name, async () => {
      const env = await call('GET', `${P(1)}/queryOBSResultCode?${query}`);
      assert.equal(env.resultCode, code, env.resultDesc);
    });
  }
});

describe('updateObResult', () => {
  let defId: string;
  let other: string;
  before(async () => {
    defId = await create(3, { resultCode: 'U1', displayResult: 'busy', obsCodes: ['00537', '00145'] });
    other = await create(3, { resultCode: 'U2', displayResult: 'rejected', obsCodes: ['00604'] });
  });

  test('replaces the label and the whole mapping; detail shows it', async () => {
    const env = await update(3, { defId, displayResult: 'busy (any)', obsCodes: ['00537', '00181'] });
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal(env.resultDesc, 'updateObResult Success!');
    assert.deepEqual(Object.keys(env).sort(), ['resultCode', 'resultDesc', 'returnCode', 'returnDesc']);
    const d = (await detail(3, defId)).obResult as { displayResult: string; resultCode: string; resultMapList: { failCode: string }[] };
    assert.equal(d.displayResult, 'busy (any)');
    assert.equal(d.resultCode, 'U1', 'resultCode is kept');
    assert.deepEqual(
      d.resultMapList.map((m) => m.failCode),
      ['00181', '00537'],
    );
  });

  test('a code it no longer maps is free for another result', async () => {
    assert.ok(await create(3, { displayResult: 'user busy', obsCodes: ['00145'] }));
  });

  test('accepts defId as a number (loose scalars)', async () => {
    assert.equal((await update(3, { defId: Number(defId), displayResult: 'busy', obsCodes: ['00537', '00181'] })).resultCode, '0200000');
  });

  test('0200001 a code mapped to another result; nothing changes', async () => {
    const env = await update(3, { defId, displayResult: 'changed', obsCodes: ['00537', '00604'] });
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, new RegExp(`00604.*${other}`));
    const d = (await detail(3, defId)).obResult as { displayResult: string; resultMapList: unknown[] };
    assert.equal(d.displayResult, 'busy');
    assert.equal(d.resultMapList.length, 2);
  });

  test('0200001 unknown defId, and one of another VDN', async () => {
    assert.match((await update(3, { defId: '999999', displayResult: 'x', obsCodes: ['00703'] })).resultDesc, /999999 does not exist/);
    const env = await update(4, { defId, displayResult: 'x', obsCodes: ['00703'] });
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /does not exist in VDN 4/);
  });

  const cases: Array<[string, () => unknown, string, RegExp]> = [
    ['0200001 duplicate OBS code', () => ({ defId, displayResult: 'x', obsCodes: ['00537', '00537'] }), '0200001', /twice/],
    ['0200001 body is not an object', () => [defId], '0200001', /object/],
    ['02000001 missing defId', () => ({ displayResult: 'x', obsCodes: ['00537'] }), '02000001', /defId/],
    ['02000001 missing displayResult', () => ({ defId, obsCodes: ['00537'] }), '02000001', /displayResult/],
    ['02000001 missing obsCodes', () => ({ defId, displayResult: 'x' }), '02000001', /obsCodes/],
    ['02000001 empty obsCodes', () => ({ defId, displayResult: 'x', obsCodes: [] }), '02000001', /obsCodes/],
    ['02000001 empty displayResult', () => ({ defId, displayResult: '', obsCodes: ['00537'] }), '02000001', /displayResult/],
    ['02000002 defId not numeric', () => ({ defId: 'abc', displayResult: 'x', obsCodes: ['00537'] }), '02000002', /defId/],
    ['02000003 displayResult of 201 characters', () => ({ defId, displayResult: 'x'.repeat(201), obsCodes: ['00537'] }), '02000003', /displayResult/],
    ['02000006 obsCodes not a list', () => ({ defId, displayResult: 'x', obsCodes: '00537' }), '02000006', /obsCodes/],
    ['02000007 unknown OBS code', () => ({ defId, displayResult: 'x', obsCodes: ['99999'] }), '02000007', /99999/],
    ['02000011 too many obsCodes', () => ({ defId, displayResult: 'x', obsCodes: Array.from({ length: 201 }, () => '00537') }), '02000011', /obsCodes/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const env = await update(3, body());
      assert.equal(env.resultCode, code, env.resultDesc);
      assert.match(env.resultDesc, desc);
    });
  }
});

describe('deleteObsResult', () => {
  test('removes the result and frees its OBS codes', async () => {
    const defId = await create(5, { resultCode: 'D1', displayResult: 'gone', obsCodes: ['00208', '00209'] });
    const env = await remove(5, defId);
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal(env.resultDesc, 'deleteObsResult Success!');
    assert.equal((await detail(5, defId)).resultCode, '0200001');
    const list = await call('GET', `${P(5)}/queryOBSResults?pageSize=50&pageNum=1`);
    assert.ok(!(list.data as { defId: string }[]).some((r) => r.defId === defId));
    assert.ok(await create(5, { resultCode: 'D1', displayResult: 'again', obsCodes: ['00208', '00209'] }), 'code and OBS codes are free again');
    assert.equal((await remove(5, defId)).resultCode, '0200001', 'a second delete finds nothing');
  });

  test('0200001 while a retry policy names its code in noRetryPolicy; allowed once it no longer does', async () => {
    const defId = await create(6, { resultCode: 'NR1', displayResult: 'never retry', obsCodes: ['00538'] });
    const campaignId = await createCampaign(s.client, 6);
    const set = (noRetryPolicy: string[]) =>
      call('POST', `${P(6)}/retryPolicy/${campaignId}`, { policyType: 0, policyJson: '[{"type":0,"retryDay":1,"retryTimes":1}]', noRetryPolicy });
    assert.equal((await set(['NR1'])).resultCode, '0200000');
    const env = await remove(6, defId);
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, new RegExp(`NR1.*campaign ${campaignId}`));
    assert.equal((await detail(6, defId)).resultCode, '0200000', 'still there');
    assert.equal((await set([])).resultCode, '0200000');
    assert.equal((await remove(6, defId)).resultCode, '0200000');
  });

  test("0200001 unknown defId and another VDN's defId", async () => {
    const defId = await create(7, { displayResult: 'mine', obsCodes: ['00548'] });
    assert.equal((await remove(7, '424242')).resultCode, '0200001');
    assert.equal((await remove(8, defId)).resultCode, '0200001');
    assert.equal((await detail(7, defId)).resultCode, '0200000');
  });

  test('02000002 defId not numeric', async () => {
    assert.equal((await remove(7, 'abc')).resultCode, '02000002');
  });
});

describe('queryOBSResults and queryObsResultDetail', () => {
  const ids: string[] = [];
  before(async () => {
    ids.push(await create(9, { resultCode: 'L1', displayResult: 'one', obsCodes: ['00602', '00606'] }));
    ids.push(await create(9, { displayResult: 'two (no code)', obsCodes: ['00603'] }));
    ids.push(await create(9, { resultCode: 'L3', displayResult: 'three', obsCodes: ['00604'] }));
    await create(10, { resultCode: 'L1', displayResult: 'other VDN', obsCodes: ['00602'] });
  });

  test("pages of the VDN's results, oldest first", async () => {
    const p1 = await call('GET', `${P(9)}/queryOBSResults?pageSize=2&pageNum=1`);
    assert.equal(p1.resultCode, '0200000');
    assert.equal(p1.resultDesc, 'queryOBSResults Success!');
    assert.equal(p1.totalCount, 3);
    assert.deepEqual(p1.data, [
      { defId: ids[0], resultCode: 'L1', displayResult: 'one' },
      { defId: ids[1], resultCode: null, displayResult: 'two (no code)' },
    ]);
    const p2 = await call('GET', `${P(9)}/queryOBSResults?pageSize=2&pageNum=2`);
    assert.deepEqual(p2.data, [{ defId: ids[2], resultCode: 'L3', displayResult: 'three' }]);
    assert.deepEqual((await call('GET', `${P(9)}/queryOBSResults?pageSize=2&pageNum=3`)).data, []);
  });

  test('list validation codes', async () => {
    assert.equal((await call('GET', `${P(9)}/queryOBSResults?pageNum=1`)).resultCode, '02000001');
    assert.equal((await call('GET', `${P(9)}/queryOBSResults?pageSize=51&pageNum=1`)).resultCode, '02000007');
    assert.equal((await call('GET', `${P(9)}/queryOBSResults?pageSize=5&pageNum=-1`)).resultCode, '02000007');
    assert.equal((await call('GET', `${P(9)}/queryOBSResults?pageSize=x&pageNum=1`)).resultCode, '02000006');
  });

  test('detail: top-level obResult with the mapping', async () => {
    const env = await detail(9, ids[0]!);
    assert.equal(env.resultCode, '0200000');
    assert.equal(env.resultDesc, 'queryObsResultDetail Success!');
    assert.deepEqual(Object.keys(env).sort(), ['obResult', 'resultCode', 'resultDesc', 'returnCode', 'returnDesc']);
    assert.deepEqual(env.obResult, {
      defId: ids[0],
      displayResult: 'one',
      vdnId: 9,
      resultCode: 'L1',
      resultMapList: [
        { mapId: `${ids[0]}00602`, defId: ids[0], failCode: '00602', vdnId: 9 },
        { mapId: `${ids[0]}00606`, defId: ids[0], failCode: '00606', vdnId: 9 },
      ],
    });
  });

  test("detail: 0200001 unknown or another VDN's defId; 02000002 not numeric", async () => {
    assert.match((await detail(9, '777777')).resultDesc, /777777 does not exist/);
    assert.equal((await detail(10, ids[0]!)).resultCode, '0200001');
    assert.equal((await detail(9, 'x1')).resultCode, '02000002');
  });
});

describe('externalResultFor (used by the engine)', () => {
  before(async () => {
    await create(11, { resultCode: 'BUSY', displayResult: 'busy', obsCodes: ['00537'] });
    await create(11, { displayResult: 'no code', obsCodes: ['00603'] });
    await create(12, { resultCode: 'OK', displayResult: 'connected', obsCodes: ['00000'] });
  });

  test('a mapped fail code gives its result code', async () => {
    assert.equal(await externalResultFor(s.store.db, 11, '00537'), 'BUSY');
  });
  test('an unmapped success gives OB99999, also as "0"', async () => {
    assert.equal(await externalResultFor(s.store.db, 11, '00000'), 'OB99999');
    assert.equal(await externalResultFor(s.store.db, 11, '0'), 'OB99999');
  });
  test("a mapped success gives the VDN's code", async () => {
    assert.equal(await externalResultFor(s.store.db, 12, '00000'), 'OK');
    assert.equal(await externalResultFor(s.store.db, 12, '0'), 'OK');
  });
  test('an unmapped failure, or one mapped to a result without a code, gives null', async () => {
    assert.equal(await externalResultFor(s.store.db, 11, '00604'), null);
    assert.equal(await externalResultFor(s.store.db, 11, '00603'), null);
    assert.equal(await externalResultFor(s.store.db, 12, '00537'), null, 'mappings are per VDN');
  });
  test('an update is seen by the next lookup', async () => {
    const defId = await create(13, { resultCode: 'X', displayResult: 'x', obsCodes: ['00549'] });
    assert.equal(await externalResultFor(s.store.db, 13, '00549'), 'X');
    assert.equal((await update(13, { defId, displayResult: 'x', obsCodes: ['00548'] })).resultCode, '0200000');
    assert.equal(await externalResultFor(s.store.db, 13, '00549'), null);
    assert.equal(await externalResultFor(s.store.db, 13, '00548'), 'X');
  });
});
