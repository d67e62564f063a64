/**
 * Divergences found in the implemented interfaces (issue 13, isales-gaps §8.6): appoint/create's
 * `callData`, appoint/list's `userAccountList` by work number, and "existence first,
 * everywhere" (an unknown campaign is 0200007 before any body field is judged). The callresult
 * and special-date corrections are pinned in results.test.ts and special-dates.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

const HOUR = 3600_000;
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;
let s: TestServer;
let cid: number;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  cid = await createCampaign(s.client);
});
after(async () => s.stop());

type Env = Record<string, unknown> & { resultCode: string; resultDesc: string };
async function call(method: string, path: string, body?: unknown, query?: Record<string, string | number>): Promise<Env> {
  const res = await s.client.request(method, path, body, query);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}

describe('appoint/create callData (ZH 0777)', () => {
  const base = () => ({ calledNo: '66661001', taskId: String(cid), appointTime: Date.now() + HOUR });
  test('accepted as JSON on an automatic reservation and kept', async () => {
    const r = await call('POST', `${P(1)}/appoint/create`, { ...base(), callType: 2, callData: '{"name":"Li"}' });
    assert.equal(r.resultCode, '0200000', r.resultDesc);
    const id = (r.returnObject as { id: string }).id;
    const row = await s.store.db.selectFrom('reservations').select('call_data').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.call_data, '{"name":"Li"}');
  });
  test('0200001 on a manual reservation; 0200001 when not JSON; an empty string is absent', async () => {
    const manual = await call('POST', `${P(1)}/appoint/create`, { ...base(), callType: 1, userAccount: 'agent1', callData: '{"a":1}' });
    assert.equal(manual.resultCode, '0200001');
    assert.match(manual.resultDesc, /automatic/);
    const notJson = await call('POST', `${P(1)}/appoint/create`, { ...base(), callType: 2, callData: 'name=Li' });
    assert.equal(notJson.resultCode, '0200001');
    assert.match(notJson.resultDesc, /JSON/);
    assert.equal((await call('POST', `${P(1)}/appoint/create`, { ...base(), callType: 1, userAccount: 'agent1', callData: '' })).resultCode, '0200000');
  });
});

describe('appoint/list userAccountList (ZH 0781)', () => {
  test('matches agent accounts or work numbers', async () => {
    const t = Date.now() + 2 * HOUR;
    const mk = async (o: Record<string, unknown>) => {
      const r = await call('POST', `${P(1)}/appoint/create`, { callType: 1, calledNo: '66662001', taskId: String(cid), appointTime: t, ...o });
      assert.equal(r.resultCode, '0200000', r.resultDesc);
      return (r.returnObject as { id: string }).id;
    };
    const byAccount = await mk({ userAccount: 'zoe' });
    const byWorkNo = await mk({ userAccount: 'yan', workNo: '4711' });
    await mk({ userAccount: 'xia', workNo: '4712' });
    const list = await call('POST', `${P(1)}/appoint/list`, { offset: 0, limit: 100, userAccountList: ['zoe', '4711'] });
    assert.deepEqual((list.data as Array<{ appointId?: string; id?: string }>).map((d) => d.appointId ?? d.id).sort(), [byAccount, byWorkNo].sort());
  });
});

describe('existence first, everywhere', () => {
  const unknown = 987654;
  // Each request is wrong in its body too; the unknown campaign must win.
  const cases: Array<[string, string, string, unknown, Record<string, string | number>?]> = [
    ['call data add v1', 'POST', `${P(1)}/calldata/${unknown}`, { callDataList: [{ called: 'x!' }] }],
    ['call data add v2', 'POST', `${P2(1)}/calldata/${unknown}`, { callDataList: 'nope' }],
    ['call data delete', 'POST', `${P(1)}/calldata/${unknown}/delete`, { recycleType: 9 }],
    ['batch create', 'POST', `${P(1)}/callbatch/${unknown}/create`, { name: '' }],
    ['batch pause', 'POST', `${P(1)}/callbatch/${unknown}/pause`, {}],
    ['calling numbers add', 'POST', `${P(1)}/callerNo/${unknown}`, { callerNo: [{ accessCode: 'x' }] }],
    ['retry policy set', 'POST', `${P(1)}/retryPolicy/${unknown}`, { policyType: 7 }],
    ['special date add', 'POST', `${P(1)}/holiday/${unknown}`, { name: '', type: 9 }],
    ['special date modify', 'PUT', `${P(1)}/holiday/${unknown}`, {}],
    ['campaign modify v1', 'PUT', `${P(1)}/${unknown}`, { name: '' }],
    ['campaign modify v2', 'PUT', `${P2(1)}/${unknown}`, {}],
    ['campaign delete', 'DELETE', `${P(1)}/${unknown}`, { archiveHistory: 5 }],
    ['call results', 'POST', `${P(1)}/callresult/${unknown}`, { showDetail: 7 }],
    ['file import', 'POST', `${P(1)}/calldatafile/uploadFileServer/${unknown}`, { hour: 99 }],
    ['appoint/create', 'POST', `${P(1)}/appoint/create`, { callType: 9, calledNo: 'bad!', taskId: String(unknown), appointTime: -1 }],
    ['failure statistics', 'GET', `${P(1)}/failcategorystatistics`, undefined, { campaignId: unknown, startDate: 'x', endDate: 'y' }],
  ];
  for (const [name, method, path, body, query] of cases) {
    test(`${name}: 0200007 before any field check`, async () => {
      const r = await call(method, path, body, query);
      assert.equal(r.resultCode, '0200007', `${name}: ${r.resultDesc}`);
      assert.match(r.resultDesc, new RegExp(String(unknown)));
    });
  }

  test("a malformed id is still a validation error; another VDN's campaign is unknown", async () => {
    assert.equal((await call('POST', `${P(1)}/callbatch/abc/create`, { name: 'x' })).resultCode, '02000006');
    assert.equal((await call('POST', `${P(2)}/callbatch/${cid}/create`, { name: '' })).resultCode, '0200007');
    assert.equal((await call('POST', `${P(1)}/callbatch/${cid}/create`, { name: '' })).resultCode, '02000001', 'a known campaign: the body is judged');
  });
});

describe('groupcalldata (ZH 0768)', () => {
  test('no task groups exist: 0200007 for any group; 02000001 without campaignGroupId; 02000002 malformed', async () => {
    const r = await call('POST', `${P(1)}/groupcalldata`, { callDataList: [{ called: '138' }] }, { campaignGroupId: '12' });
    assert.equal(r.resultCode, '0200007');
    assert.match(r.resultDesc, /task group 12/);
    assert.equal((await call('POST', `${P(1)}/groupcalldata`, {})).resultCode, '02000001');
    assert.equal((await call('POST', `${P(1)}/groupcalldata`, {}, { campaignGroupId: 'ab' })).resultCode, '02000002');
  });
});
