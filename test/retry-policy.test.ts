/**
 * Retry policy set/query through HTTP, and the pure parser the engine uses
 * (`parseRetryPolicy`), including the vendor's single-quoted policyJson and the two namings of
 * the ordinary policy's counts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';
import { NO_RETRY_POLICY, parseLooseJson, parseRetryPolicy, retryEntryFor } from '../src/domain/retry-policy.js';
import { retryPolicyOf } from '../src/domain/campaign-policies.js';
import { DomainError } from '../src/domain/errors.js';

let s: TestServer;
let cid: number;
before(async () => {
  s = await startTestServer();
  cid = await createCampaign(s.client);
  for (const [vdn, code, obs] of [
    [1, '007', '00603'],
    [1, '008', '00604'],
    [2, '009', '00605'],
  ] as const) {
    const env = await call('POST', `${P(vdn)}/createObResult`, { resultCode: code, displayResult: code, obsCodes: [obs] });
    assert.equal(env.resultCode, '0200000', env.resultDesc);
  }
  const br = await call('POST', `${P(1)}/addBusinessResult`, {
    name: 'Interested',
    code: 'INT',
    children: [{ name: 'Later', code: 'INT-L' }],
  });
  assert.equal(br.resultCode, '0200000', br.resultDesc);
  await call('POST', `${P(1)}/addBusinessResult`, { name: 'Refused', code: 'REF', children: [{ name: 'Rude', code: 'REF-R' }] });
});
after(async () => s.stop());

type Env = { resultCode: string; resultDesc: string; data?: Record<string, unknown> };
async function call(method: string, path: string, body?: unknown): Promise<Env> {
  const res = await s.client.request(method, path, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}
const set = (body: unknown, id = cid, vdn = 1) => call('POST', `${P(vdn)}/retryPolicy/${id}`, body);
const get = async (id = cid, vdn = 1) => {
  const env = await call('GET', `${P(vdn)}/retryPolicy/${id}`);
  assert.equal(env.resultCode, '0200000', env.resultDesc);
  return env.data!;
};

describe('retryPolicy set and query', () => {
  test('before any set: the "dial once" default', async () => {
    const id = await createCampaign(s.client);
    assert.deepEqual(await get(id), { retryPolicyId: '', policyType: 0, policyJson: '[]', noRetryPolicy: '[]', busiPolicy: '[]' });
  });

  test('global ordinary policy: query returns it as strings; resultDesc "success"', async () => {
    const policyJson = '[{"type":0,"retryDay":2,"retryTimes":3}]';
    const env = await set({ policyType: 0, policyJson, noRetryPolicy: ['007', '008'] });
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal(env.resultDesc, 'success');
    const data = await get();
    assert.match(String(data.retryPolicyId), /^\d+$/);
    assert.equal(data.policyType, 0);
    assert.equal(data.policyJson, policyJson);
    assert.equal(data.noRetryPolicy, '["007","008"]');
    assert.equal(data.busiPolicy, '[]');
    assert.deepEqual(Object.keys(data).sort(), ['busiPolicy', 'noRetryPolicy', 'policyJson', 'policyType', 'retryPolicyId']);
  });

  test('by number type with the vendor single-quoted sample; the id stays; busiPolicy round-trips as a string', async () => {
    const before = await get();
    const sample = "[{'dataType':'SI','type':1,'policy':[{'result':4,'retryNumber':3,'callInterval':600}]},{'dataType':'OD','type':0,'retryDay':1,'retryTimes':2}]";
    const busi = [
      { busiResultCode: 'INT', busiResultSubCode: 'INT-L', busiResultPolicy: 2, callInterval: 600 },
      { busiResultCode: 'REF', busiResultPolicy: 0 },
    ];
    assert.equal((await set({ policyType: 1, policyJson: sample, busiPolicy: busi })).resultCode, '0200000');
    const data = await get();
    assert.equal(data.retryPolicyId, before.retryPolicyId);
    assert.equal(data.policyJson, sample);
    assert.equal(data.noRetryPolicy, '[]');
    assert.deepEqual(JSON.parse(String(data.busiPolicy)), busi);
    // A client may send back what the query gave it (strings); busiPolicy left out is kept.
    assert.equal(
      (await set({ policyType: 0, policyJson: '[{"type":0,"retryDay":1,"retryTimes":1}]', noRetryPolicy: '["007"]', busiPolicy: data.busiPolicy })).resultCode,
      '0200000',
    );
    assert.equal((await set({ policyType: 0, policyJson: '[{"type":0,"retryDay":1,"retryTimes":1}]' })).resultCode, '0200000');
    assert.deepEqual(JSON.parse(String((await get()).busiPolicy)), busi);
  });

  test('what the interface stored is what the engine reads (retryPolicyOf → typed)', async () => {
    const id = await createCampaign(s.client);
    await set({ policyType: 1, policyJson: "[{'dataType':'SI','type':1,'policy':[{'result':'00603','retryNumber':2,'callInterval':60}]}]" }, id);
    const p = await retryPolicyOf(s.store.db, id);
    assert.equal(p.policyType, 1);
    assert.deepEqual(retryEntryFor(p, 'SI'), { type: 1, dataType: 'SI', rules: [{ result: '00603', retryNumber: 2, callIntervalSec: 60 }] });
    assert.equal(retryEntryFor(p, 'OD'), undefined);
    assert.equal(await retryPolicyOf(s.store.db, 999999), NO_RETRY_POLICY);
  });

  test('busiPolicy rule with policy 0: a callInterval sent along is dropped', async () => {
    const id = await createCampaign(s.client);
    await set({ policyType: 0, policyJson: "[{'type':0,'retryDay':1,'retryTimes':1}]", busiPolicy: [{ busiResultCode: 'REF', busiResultPolicy: 0, callInterval: 5 }] }, id);
    assert.equal((await get(id)).busiPolicy, '[{"busiResultCode":"REF","busiResultPolicy":0}]');
  });

  const ok0 = "[{'type':0,'retryDay':1,'retryTimes':2}]";
  const cases: Array<[string, unknown, string, RegExp?]> = [
    ['0200001 policyJson is not JSON', { policyType: 0, policyJson: '[{"type":0,' }, '0200001', /policyJson/],
    ['0200001 unknown external result code, named', { policyType: 0, policyJson: ok0, noRetryPolicy: ['007', 'NOPE'] }, '0200001', /NOPE/],
    ['0200001 external result of another VDN', { policyType: 0, policyJson: ok0, noRetryPolicy: ['009'] }, '0200001', /009/],
    ['0200001 duplicate code in noRetryPolicy', { policyType: 0, policyJson: ok0, noRetryPolicy: ['007', '007'] }, '0200001', /twice/],
    [
      '0200001 duplicate dataType',
      { policyType: 1, policyJson: "[{'dataType':'SI','type':0,'retryDay':1,'retryTimes':1},{'dataType':'SI','type':0,'retryDay':1,'retryTimes':1}]" },
      '0200001',
      /SI/,
    ],
    [
      '0200001 sub-result under the wrong parent',
      { policyType: 0, policyJson: ok0, busiPolicy: [{ busiResultCode: 'INT', busiResultSubCode: 'REF-R', busiResultPolicy: 0 }] },
      '0200001',
      /REF-R/,
    ],
    ['0200001 busiPolicy naming a sub-result as a result', { policyType: 0, policyJson: ok0, busiPolicy: [{ busiResultCode: 'INT-L', busiResultPolicy: 0 }] }, '0200001', /INT-L/],
    ['02000001 missing policyType', { policyJson: ok0 }, '02000001', /policyType/],
    ['02000001 missing policyJson', { policyType: 0 }, '02000001', /policyJson/],
    ['02000001 empty policyJson', { policyType: 0, policyJson: '' }, '02000001', /policyJson/],
    ['02000001 empty entry list', { policyType: 0, policyJson: '[]' }, '02000001', /policyJson/],
    ['02000001 entry without type', { policyType: 0, policyJson: "[{'retryDay':1,'retryTimes':1}]" }, '02000001', /policyJson\[0\]\.type/],
    ['02000001 by number type without dataType', { policyType: 1, policyJson: "[{'type':0,'retryDay':1,'retryTimes':1}]" }, '02000001', /dataType/],
    ['02000001 ordinary entry without counts', { policyType: 0, policyJson: "[{'type':0}]" }, '02000001', /retryTimes/],
    ['02000001 result entry without rules', { policyType: 0, policyJson: "[{'type':1,'policy':[]}]" }, '02000001', /policy/],
    ['02000001 busiPolicy rule without code', { policyType: 0, policyJson: ok0, busiPolicy: [{ busiResultPolicy: 0 }] }, '02000001', /busiResultCode/],
    [
      '02000001 busiPolicy callInterval missing for policy 2',
      { policyType: 0, policyJson: ok0, busiPolicy: [{ busiResultCode: 'INT', busiResultPolicy: 2 }] },
      '02000001',
      /callInterval/,
    ],
    ['02000002 noRetryPolicy code with a space', { policyType: 0, policyJson: ok0, noRetryPolicy: ['0 7'] }, '02000002', /noRetryPolicy\[0\]/],
    ['02000002 busiResultCode with an underscore', { policyType: 0, policyJson: ok0, busiPolicy: [{ busiResultCode: 'A_B', busiResultPolicy: 0 }] }, '02000002', /busiResultCode/],
    ['02000003 noRetryPolicy code longer than 7', { policyType: 0, policyJson: ok0, noRetryPolicy: ['12345678'] }, '02000003', /noRetryPolicy/],
    ['02000006 policyType not a number', { policyType: 'x', policyJson: ok0 }, '02000006', /policyType/],
    ['02000006 retryTimes not a number', { policyType: 0, policyJson: "[{'type':0,'retryDay':1,'retryTimes':'many'}]" }, '02000006', /retryTimes/],
    ['02000006 noRetryPolicy an object', { policyType: 0, policyJson: ok0, noRetryPolicy: { a: 1 } }, '02000006', /noRetryPolicy/],
    ['02000007 policyType 2', { policyType: 2, policyJson: ok0 }, '02000007', /policyType/],
    ['02000007 entry type 2', { policyType: 0, policyJson: "[{'type':2}]" }, '02000007', /type/],
    ['02000007 retryDay 0', { policyType: 0, policyJson: "[{'type':0,'retryDay':0,'retryTimes':1}]" }, '02000007', /retryDay/],
    [
      '02000007 busiPolicy callInterval 3601',
      { policyType: 0, policyJson: ok0, busiPolicy: [{ busiResultCode: 'INT', busiResultPolicy: 1, callInterval: 3601 }] },
      '02000007',
      /callInterval/,
    ],
    [
      '02000007 busiPolicy callInterval 0',
      { policyType: 0, policyJson: ok0, busiPolicy: [{ busiResultCode: 'INT', busiResultPolicy: 1, callInterval: 0 }] },
      '02000007',
      /callInterval/,
    ],
    [
      '02000009 noRetryPolicy with policyType 1',
      { policyType: 1, policyJson: "[{'dataType':'SI','type':0,'retryDay':1,'retryTimes':1}]", noRetryPolicy: ['007'] },
      '02000009',
      /noRetryPolicy/,
    ],
    ['02000009 both namings in one entry', { policyType: 0, policyJson: "[{'type':0,'policy':{'retryTime':1,'retryTimes':2,'retryDay':1}}]" }, '02000009', /retryTime/],
    ['02000011 two entries in a global policy', { policyType: 0, policyJson: `[${ok0.slice(1, -1)},${ok0.slice(1, -1)}]` }, '02000011', /exactly one/],
    ['02000011 more than 100 noRetryPolicy codes', { policyType: 0, policyJson: ok0, noRetryPolicy: Array.from({ length: 101 }, (_, i) => `C${i}`) }, '02000011', /noRetryPolicy/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const before = await get();
      const env = await set(body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
      assert.deepEqual(await get(), before, 'a refused set changes nothing');
    });
  }

  test('0200007 unknown campaign, and a campaign of another VDN (set and query)', async () => {
    assert.equal((await set({ policyType: 0, policyJson: ok0 }, 999999)).resultCode, '0200007');
    assert.equal((await set({ policyType: 0, policyJson: ok0 }, cid, 2)).resultCode, '0200007');
    assert.equal((await call('GET', `${P(1)}/retryPolicy/999999`)).resultCode, '0200007');
    assert.equal((await call('GET', `${P(2)}/retryPolicy/${cid}`)).resultCode, '0200007');
  });
});

describe('parseRetryPolicy (pure)', () => {
  const stored = (policyType: number, policyJson: string) => ({ policyType, policyJson, noRetryPolicy: '[]', busiPolicy: '[]' });

  test('older naming: retryDay = days, retryTimes = attempts per day (entry level)', () => {
    const p = parseRetryPolicy(stored(0, '[{"type":0,"retryDay":2,"retryTimes":5}]'));
    assert.deepEqual(p.entries, [{ type: 0, dataType: null, retryDays: 2, retryTimesPerDay: 5 }]);
  });

  test('2025-11 naming inside policy: retryTime = days, retryDay = attempts per day', () => {
    const p = parseRetryPolicy(stored(0, "[{'type':0,'policy':{'retryTime':2,'retryDay':5}}]"));
    assert.deepEqual(p.entries, [{ type: 0, dataType: null, retryDays: 2, retryTimesPerDay: 5 }]);
  });

  test('older naming inside policy is read by its keys, not its place', () => {
    const p = parseRetryPolicy(stored(0, "[{'type':0,'policy':{'retryDay':2,'retryTimes':5}}]"));
    assert.deepEqual(p.entries[0], { type: 0, dataType: null, retryDays: 2, retryTimesPerDay: 5 });
  });

  test('loose scalars inside policyJson, and a single object instead of a list', () => {
    const p = parseRetryPolicy(stored(1, "{'dataType':'SI','type':'1','policy':[{'result':4,'retryNumber':'3','callInterval':'600'}]}"));
    assert.deepEqual(p.entries, [{ type: 1, dataType: 'SI', rules: [{ result: '4', retryNumber: 3, callIntervalSec: 600 }] }]);
  });

  test('single quotes: escaped quotes and double quotes inside are kept', () => {
    assert.deepEqual(parseLooseJson(`{'a':'it\\'s "x"'}`), { a: `it's "x"` });
    assert.equal(parseLooseJson('{a:1}'), undefined);
  });

  test('never set → NO_RETRY_POLICY; a broken stored value throws a DomainError', () => {
    assert.equal(parseRetryPolicy(undefined), NO_RETRY_POLICY);
    assert.equal(retryEntryFor(NO_RETRY_POLICY, null), undefined);
    assert.throws(() => parseRetryPolicy(stored(0, '[{"type":0}]')), DomainError);
  });
});
