/**
 * Bad input never breaks the interfaces of issue 13: random JSON bodies and valid bodies with one
 * field replaced by a random JSON value (fast-check, fixed seed) always get the envelope and an
 * HTTP status below 500, and the server stays healthy.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

const SEED = 1313;
const P2 = `/rest/isales/v2/openapi/campaigns/1`;
let s: TestServer;
let cid: number;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_SECRETS_KEY: randomBytes(32).toString('base64'), CAMPAIGND_IMPORT_POLL_MS: '600000' });
  cid = await createCampaign(s.client);
});
after(async () => s.stop());

const tpl = {
  name: 'fuzz',
  deviceType: 3,
  maxAlertingTime: 30,
  callerNo: [{ accessCode: '4001', priority: 1 }],
  scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '18:00' },
  ivrParam: { deviceSign: '1', callCount: 1, callInterval: 1 },
};
const interfaces = (): Array<[string, string, string, Record<string, unknown>]> => [
  ['file/addServer', 'POST', `${P(1)}/file/addServer`, { serverInfo: { ip: '10.0.0.1', port: 22, filePath: '/' }, userName: 'u', serverPwd: 'password1' }],
  ['file/updateServer', 'POST', `${P(1)}/file/123/updateServer`, { serverInfo: { ip: '10.0.0.1', port: 22, filePath: '/' }, userName: 'u' }],
  ['file/queryServer', 'POST', `${P(1)}/file/queryServer`, { offset: 0, limit: 10, serverIds: ['1'] }],
  ['calldatafile upload', 'POST', `${P(1)}/calldatafile/uploadFileServer/${cid}`, { serverId: '1', fileName: 'a.xlsx', hour: 1, minute: 2 }],
  ['calldatafile query', 'POST', `${P(1)}/calldatafile/queryDataImportTask/${cid}`, { offset: 0, limit: 10, importTaskIds: ['1'] }],
  ['blackfile upload', 'POST', `${P(1)}/blackfile/uploadFileServer`, { serverId: '1', fileName: 'a.csv' }],
  ['blackfile query', 'POST', `${P(1)}/blackfile/queryDataImportTask`, { offset: 0, limit: 10 }],
  ['blackCategory create', 'POST', `${P(1)}/blackCategory/create`, { name: 'g', description: 'd' }],
  ['blackCategory update', 'POST', `${P(1)}/blackCategory/update`, { id: '1', name: 'g' }],
  ['blackCategory query', 'POST', `${P(1)}/blackCategory/query`, { name: 'g', offset: 0, limit: 10 }],
  ['blackType create', 'POST', `${P(1)}/blackType/create`, { name: 't', actionType: '1', action: 'x' }],
  ['blackType update', 'POST', `${P(1)}/blackType/update`, { id: '1', name: 't', actionType: '2' }],
  ['blackType query', 'POST', `${P(1)}/blackType/query`, { offset: 0, limit: 10 }],
  ['template create', 'POST', `${P(1)}/template`, tpl],
  ['template update', 'PUT', `${P(1)}/template/123456789012345678901234567890/update`, tpl],
  ['template copy', 'POST', `${P(1)}/template/copy`, { name: 'c', from: String(cid), initStatus: 1 }],
  ['callRecord v1', 'POST', `${P(1)}/callRecord`, { callId: 'x' }],
  ['callRecord v2', 'POST', `${P2}/callRecord`, { callId: 'x', page: 1, limit: 10 }],
  ['groupcalldata', 'POST', `${P(1)}/groupcalldata?campaignGroupId=1`, { callDataList: [] }],
];

test('random and mutated bodies → always an envelope, HTTP < 500 (fast-check, fixed seed)', async () => {
  for (const [name, method, path, valid] of interfaces()) {
    const keys = Object.keys(valid);
    const body = fc.oneof(
      fc.jsonValue(),
      fc.tuple(fc.constantFrom(...keys), fc.jsonValue()).map(([k, v]) => ({ ...valid, [k]: v })),
      fc.tuple(fc.constantFrom(...keys), fc.string({ unit: 'binary', maxLength: 300 })).map(([k, v]) => ({ ...valid, [k]: v })),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await s.client.request(method, path, b);
        assert.ok(res.status < 500, `${name}: HTTP ${res.status} ${res.raw}\nbody: ${JSON.stringify(b).slice(0, 300)}`);
        envelopeOf(res.body);
      }),
      { seed: SEED, numRuns: 25 },
    );
    assert.equal((await fetch(s.url + '/healthz')).status, 200, `/healthz after fuzzing ${name}`);
  }
});
