/**
 * Campaign add/modify v2 (calling-number list, inline retry policy, callPolicy, busiPolicy,
 * callOrder), the v2 fields in details, and calling-number delete.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { campaignBody, createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';

const P2 = (vdnId: number | string = 1) => `/rest/isales/v2/openapi/campaigns/${vdnId}`;

let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_SKILL_QUEUES: '7', CAMPAIGND_IVR_CAMPAIGN_QUOTA: '100' });
  // Definitions the policies below refer to.
  await call('POST', `${P(1)}/createObResult`, { resultCode: '007', displayResult: 'No answer', obsCodes: ['00603'] });
  await call('POST', `${P(1)}/addBusinessResult`, { name: 'Interested', code: 'INT', children: [{ name: 'Call back', code: 'INT-CB' }] });
});
after(async () => s.stop());

type Env = { resultCode: string; resultDesc: string; [k: string]: unknown };
async function call(method: string, path: string, body?: unknown): Promise<Env> {
  const res = await s.client.request(method, path, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}
async function details(id: number, vdn = 1): Promise<Record<string, unknown>> {
  const env = await call('GET', `${P(vdn)}/${id}`);
  assert.equal(env.resultCode, '0200000', env.resultDesc);
  return env.returnObject as Record<string, unknown>;
}

/** The vendor's v2 sample shape, with its single-quoted policyJson. */
const SAMPLE_POLICY_JSON = "[{'dataType':'SI','type':1,'policy':[{'result':4,'retryNumber':3,'callInterval':600}]}]";
const v2Body = (o: Record<string, unknown> = {}) => ({
  ...campaignBody(),
  callerNo: [
    { accessCode: '4002', priority: 2 },
    { accessCode: '4001', priority: 1 },
  ],
  priority: 4,
  retryPolicy: { policyType: 1, policyJson: SAMPLE_POLICY_JSON },
  callPolicy: { callType: 1, chooseType: 0, turns: [{ turnType: 'SI' }] },
  busiPolicy: [{ busiResultCode: 'INT', busiResultSubCode: 'INT-CB', busiResultPolicy: 2, callInterval: 300 }],
  callOrder: 1,
  ...o,
});
async function addV2(o: Record<string, unknown> = {}, vdn = 1): Promise<number> {
  const env = await call('POST', P2(vdn), v2Body(o));
  assert.equal(env.resultCode, '0200000', env.resultDesc);
  return (env.returnObject as { id: number }).id;
}

describe('campaign add v2', () => {
  test('the full v2 body: id, and details show the pool, priority, policies and callOrder', async () => {
    const env = await call('POST', P2(1), v2Body({ name: 'v2 full' }));
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal(env.resultDesc, '');
    const id = (env.returnObject as { id: number }).id;
    assert.ok(Number.isInteger(id) && id > 0);
    const d = await details(id);
    assert.equal(d.name, 'v2 full');
    assert.deepEqual(d.callerNo, [
      { accessCode: '4001', priority: 1 },
      { accessCode: '4002', priority: 2 },
    ]);
    assert.equal(d.priority, 4);
    assert.equal(d.callOrder, 1);
    assert.deepEqual(d.callPolicy, { callType: 1, chooseType: 0, turns: [{ turnType: 'SI' }] });
    assert.deepEqual(d.busiPolicy, [{ busiResultCode: 'INT', busiResultSubCode: 'INT-CB', busiResultPolicy: 2, callInterval: 300 }]);
    const rp = d.retryPolicy as Record<string, unknown>;
    assert.equal(rp.policyType, 1);
    assert.equal(rp.policyJson, SAMPLE_POLICY_JSON, 'policyJson is returned as it was sent');
    assert.match(String(rp.retryPolicyId), /^\d+$/);

    // The same policy through the retry-policy query.
    const q = await call('GET', `${P(1)}/retryPolicy/${id}`);
    const data = q.data as Record<string, unknown>;
    assert.equal(data.retryPolicyId, rp.retryPolicyId);
    assert.equal(data.policyJson, SAMPLE_POLICY_JSON);
    assert.deepEqual(JSON.parse(String(data.busiPolicy)), d.busiPolicy);
  });

  test('without policies: details show retryPolicy null and an empty busiPolicy', async () => {
    const id = await addV2({ retryPolicy: undefined, busiPolicy: undefined, callPolicy: undefined, callOrder: undefined });
    const d = await details(id);
    assert.equal(d.retryPolicy, null);
    assert.deepEqual(d.busiPolicy, []);
    assert.equal(d.callPolicy, null);
    assert.equal(d.callOrder, null);
  });

  test('a global ordinary policy with the 2025-11 naming and noRetryPolicy is accepted', async () => {
    const id = await addV2({
      retryPolicy: { policyType: 0, policyJson: '[{"type":0,"policy":{"retryTime":2,"retryDay":3}}]', noRetryPolicy: ['007'] },
    });
    const data = (await call('GET', `${P(1)}/retryPolicy/${id}`)).data as Record<string, unknown>;
    assert.equal(data.policyType, 0);
    assert.equal(data.noRetryPolicy, '["007"]');
  });

  test('0200005 duplicate name, shared with v1 campaigns', async () => {
    await createCampaign(s.client, 1, { name: 'shared-name' });
    const env = await call('POST', P2(1), v2Body({ name: 'shared-name' }));
    assert.equal(env.resultCode, '0200005');
  });

  const yesterday = formatDateTime(startOfUtcDay(Date.now()) - 86400_000);
  const skill = { deviceType: 2, ivrParam: undefined, skillParam: { skillId: 7, outBoundType: 2 } };
  const cases: Array<[string, Record<string, unknown>, string, RegExp?]> = [
    ['0200002 start before today', { strBeginTime: yesterday }, '0200002', /strBeginTime/],
    ['0200017 unknown skill queue', { ...skill, skillParam: { skillId: 99 } }, '0200017', /99/],
    [
      '0200001 duplicate calling numbers',
      {
        callerNo: [
          { accessCode: '1', priority: 1 },
          { accessCode: '1', priority: 2 },
        ],
      },
      '0200001',
      /twice/,
    ],
    ['0200001 policyJson that is not JSON', { retryPolicy: { policyType: 0, policyJson: '[{type:' } }, '0200001', /policyJson/],
    [
      '0200001 unknown external result in noRetryPolicy',
      { retryPolicy: { policyType: 0, policyJson: "[{'type':0,'retryDay':1,'retryTimes':2}]", noRetryPolicy: ['X9'] } },
      '0200001',
      /X9/,
    ],
    ['0200001 unknown business result in busiPolicy', { busiPolicy: [{ busiResultCode: 'NOPE', busiResultPolicy: 0 }] }, '0200001', /NOPE/],
    ['02000001 empty callerNo list', { callerNo: [] }, '02000001', /callerNo/],
    ['02000001 retryPolicy without policyJson', { retryPolicy: { policyType: 0 } }, '02000001', /policyJson/],
    ['02000001 busiPolicy callInterval missing for policy 1', { busiPolicy: [{ busiResultCode: 'INT', busiResultPolicy: 1 }] }, '02000001', /callInterval/],
    ['02000002 accessCode with letters', { callerNo: [{ accessCode: '40a', priority: 1 }] }, '02000002', /accessCode/],
    ['02000003 name longer than 100', { name: 'n'.repeat(101) }, '02000003', /name/],
    ['02000006 callerNo as a v1 string', { callerNo: '4001' }, '02000006', /callerNo/],
    ['02000007 calling-number priority 6', { callerNo: [{ accessCode: '4001', priority: 6 }] }, '02000007', /priority/],
    ['02000007 preview ring time below 9 s (the v1 rule, shared)', { ...skill, deviceType: 5, maxAlertingTime: 6 }, '02000007', /maxAlertingTime/],
    ['02000007 policyType 2', { retryPolicy: { policyType: 2, policyJson: '[]' } }, '02000007', /policyType/],
    ['02000007 busiResultPolicy 3', { busiPolicy: [{ busiResultCode: 'INT', busiResultPolicy: 3 }] }, '02000007', /busiResultPolicy/],
    ['02000009 noRetryPolicy with policyType 1', { retryPolicy: { policyType: 1, policyJson: SAMPLE_POLICY_JSON, noRetryPolicy: ['007'] } }, '02000009', /noRetryPolicy/],
    ['02000009 schedule begin without end', { scheduleParam: { workdayBeginTime1: '08:00' } }, '02000009'],
    ['02000011 more than 100 calling numbers', { callerNo: Array.from({ length: 101 }, (_, i) => ({ accessCode: String(5000 + i), priority: 1 })) }, '02000011', /callerNo/],
  ];
  for (const [name, o, code, desc] of cases) {
    test(name, async () => {
      const env = await call('POST', P2(1), v2Body(o));
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('0200003 and 0200004 quotas count v1 and v2 campaigns together', async () => {
    const q = await startTestServer({ CAMPAIGND_SKILL_CAMPAIGN_QUOTA: '1', CAMPAIGND_IVR_CAMPAIGN_QUOTA: '1' });
    try {
      const send = async (path: string, body: unknown) => envelopeOf((await q.client.request('POST', path, body)).body).resultCode;
      const v2 = (o: Record<string, unknown>) => v2Body({ retryPolicy: undefined, busiPolicy: undefined, ...o });
      assert.equal(await send(P(1), campaignBody()), '0200000');
      assert.equal(await send(P2(1), v2({})), '0200004');
      assert.equal(await send(P2(1), v2(skill)), '0200000');
      assert.equal(await send(P(1), campaignBody(skill)), '0200003');
    } finally {
      await q.stop();
    }
  });
});

describe('campaign modify v2', () => {
  test('replaces the pool, keeps busiPolicy when absent, stores the new retry policy', async () => {
    const id = await addV2();
    const body = v2Body({
      name: 'v2 modified',
      callerNo: [
        { accessCode: '4001', priority: 3 },
        { accessCode: '4003', priority: 1 },
      ],
      retryPolicy: { policyType: 0, policyJson: "[{'type':0,'retryDay':2,'retryTimes':3}]" },
      busiPolicy: undefined,
      callOrder: 2,
    });
    const env = await call('PUT', `${P2(1)}/${id}`, body);
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal(env.resultDesc, '');
    const d = await details(id);
    assert.equal(d.name, 'v2 modified');
    assert.deepEqual(d.callerNo, [
      { accessCode: '4003', priority: 1 },
      { accessCode: '4001', priority: 3 },
    ]);
    assert.equal(d.callOrder, 2);
    assert.equal((d.retryPolicy as Record<string, unknown>).policyType, 0);
    assert.equal((d.busiPolicy as unknown[]).length, 1, 'busiPolicy was not part of the request and is kept');
  });

  test('0200016 ended, 0200001 deviceType change, 0200005 name taken, 0200007 unknown, 0200017, 0200002', async () => {
    const id = await addV2();
    const other = await addV2({ name: 'v2-taken' });
    assert.equal((await call('PUT', `${P2(1)}/${id}`, v2Body({ deviceType: 1 }))).resultCode, '0200001');
    assert.equal((await call('PUT', `${P2(1)}/${id}`, v2Body({ name: 'v2-taken' }))).resultCode, '0200005');
    assert.equal((await call('PUT', `${P2(1)}/${other}`, v2Body({ name: 'v2-taken' }))).resultCode, '0200000', 'its own name is fine');
    assert.equal((await call('PUT', `${P2(1)}/999999`, v2Body())).resultCode, '0200007');
    assert.equal((await call('PUT', `${P2(2)}/${id}`, v2Body())).resultCode, '0200007', 'another VDN');
    assert.equal((await call('PUT', `${P2(1)}/${id}`, v2Body({ strBeginTime: yesterdayStr() }))).resultCode, '0200002');
    const sk = await addV2({ deviceType: 2, ivrParam: undefined, skillParam: { skillId: 7 } });
    assert.equal((await call('PUT', `${P2(1)}/${sk}`, v2Body({ deviceType: 2, ivrParam: undefined, skillParam: { skillId: 8 } }))).resultCode, '0200017');
    await s.store.db
      .updateTable('campaigns')
      .set({ end_time: Date.now() - 1 })
      .where('id', '=', id)
      .execute();
    const ended = await call('PUT', `${P2(1)}/${id}`, v2Body());
    assert.equal(ended.resultCode, '0200016');
  });

  test('validation codes as in add: 02000001 missing scheduleParam, 02000011 too many numbers', async () => {
    const id = await addV2();
    assert.equal((await call('PUT', `${P2(1)}/${id}`, v2Body({ scheduleParam: undefined }))).resultCode, '02000001');
    const many = Array.from({ length: 101 }, (_, i) => ({ accessCode: String(7000 + i), priority: 1 }));
    assert.equal((await call('PUT', `${P2(1)}/${id}`, v2Body({ callerNo: many }))).resultCode, '02000011');
  });
});

function yesterdayStr(): string {
  return formatDateTime(startOfUtcDay(Date.now()) - 86400_000);
}

describe('calling numbers: delete', () => {
  let cid: number;
  before(async () => {
    cid = await addV2({ callerNo: [{ accessCode: '6001', priority: 1 }], retryPolicy: undefined, busiPolicy: undefined });
    const env = await call('POST', `${P(1)}/callerNo/${cid}`, {
      callerNo: [
        { accessCode: '6002', priority: 2 },
        { accessCode: '6003', priority: 3 },
        { accessCode: '6004', priority: 3 },
      ],
    });
    assert.equal(env.resultCode, '0200000');
  });
  const del = (body: unknown, id = cid) => call('DELETE', `${P(1)}/callerNo/${id}`, body);
  const pool = async () => ((await details(cid)).callerNo as Array<{ accessCode: string }>).map((n) => n.accessCode);

  test('deletes the named numbers; details show the rest', async () => {
    const env = await del({ callerNo: [{ accessCode: '6004' }, { accessCode: '6003', priority: 3 }] });
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.deepEqual(await pool(), ['6001', '6002']);
  });

  test('0200001 for unknown numbers, naming them; nothing deleted', async () => {
    const env = await del({ callerNo: [{ accessCode: '6002' }, { accessCode: '9998' }, { accessCode: '9999' }] });
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /9998, 9999/);
    assert.deepEqual(await pool(), ['6001', '6002']);
  });

  test('0200001 when the priority does not match the pool', async () => {
    const env = await del({ callerNo: [{ accessCode: '6002', priority: 5 }] });
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /6002 \(priority 5\)/);
  });

  test('0200001 when no number would remain; nothing deleted', async () => {
    const env = await del({ callerNo: [{ accessCode: '6001' }, { accessCode: '6002' }] });
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /at least one/);
    assert.deepEqual(await pool(), ['6001', '6002']);
  });

  const cases: Array<[string, unknown, string, RegExp?]> = [
    ['0200001 duplicate in the request', { callerNo: [{ accessCode: '6001' }, { accessCode: '6001' }] }, '0200001', /twice/],
    ['02000001 missing callerNo', {}, '02000001', /callerNo/],
    ['02000001 no body at all', undefined, '02000001', /callerNo/],
    ['02000001 empty list', { callerNo: [] }, '02000001', /callerNo/],
    ['02000002 letters in accessCode', { callerNo: [{ accessCode: '60a1' }] }, '02000002', /accessCode/],
    ['02000003 accessCode longer than 24', { callerNo: [{ accessCode: '1'.repeat(25) }] }, '02000003', /accessCode/],
    ['02000007 priority 0', { callerNo: [{ accessCode: '6001', priority: 0 }] }, '02000007', /priority/],
    ['02000011 more than 100', { callerNo: Array.from({ length: 101 }, (_, i) => ({ accessCode: String(i) })) }, '02000011', /callerNo/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const env = await del(body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('0200007 unknown campaign', async () => {
    assert.equal((await del({ callerNo: [{ accessCode: '6001' }] }, 999999)).resultCode, '0200007');
  });
});
