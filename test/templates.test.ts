/**
 * Campaign templates: list, details, create, copy (from a campaign or a template), edit — the v2
 * campaign rules apply — and the extension that makes a campaign from a template.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
});
after(async () => s.stop());

type Env = Record<string, unknown> & { resultCode: string; resultDesc: string; returnObject?: Record<string, unknown> & { id: string } };
async function call(method: string, path: string, body?: unknown, query?: Record<string, string | number>): Promise<Env> {
  const res = await s.client.request(method, path, body, query);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}

const template = (o: Record<string, unknown> = {}) => ({
  name: `tpl-${Math.random().toString(36).slice(2, 9)}`,
  description: 'spring template',
  deviceType: 3,
  maxAlertingTime: 30,
  callerNo: [
    { accessCode: '4001001', priority: 1 },
    { accessCode: '4001002', priority: 2 },
  ],
  scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '18:00' },
  ivrParam: { deviceSign: '100', callCount: 5, callInterval: 10 },
  retryPolicy: { policyType: 0, policyJson: '[{"type":0,"retryDay":2,"retryTimes":3}]' },
  ...o,
});

async function create(o: Record<string, unknown> = {}): Promise<string> {
  const r = await call('POST', `${P(1)}/template`, template(o));
  assert.equal(r.resultCode, '0200000', r.resultDesc);
  assert.match(r.returnObject!.id, /^[0-9]{30}$/);
  return r.returnObject!.id;
}

describe('templates', () => {
  test('create → details carry the body without times; list by status, type and name', async () => {
    const id = await create({ name: 'Spring A' });
    const draft = await create({ name: 'Spring draft', status: 1, deviceType: 2, ivrParam: undefined, skillParam: { skillId: 1 } });
    const d = await call('GET', `${P(1)}/template/${id}`);
    assert.equal(d.resultCode, '0200000');
    const body = d.returnObject!;
    assert.deepEqual(
      { id: body.id, name: body.name, status: body.status, taskType: body.taskType, callerNo: body.callerNo, scheduleParam: body.scheduleParam },
      { id, name: 'Spring A', status: 9, taskType: 3, callerNo: template().callerNo, scheduleParam: template().scheduleParam },
    );
    assert.ok(!('strBeginTime' in body) && !('strEndTime' in body));
    const list = await call('GET', `${P(1)}/template`, undefined, { status: 9, offset: 0, limit: 10, name: 'Spring' });
    assert.deepEqual(list.data, [{ id, name: 'Spring A', status: 9, taskType: 3 }]);
    assert.deepEqual([list.offset, list.limit, list.totalSize], [0, 10, 1]);
    const drafts = await call('GET', `${P(1)}/template`, undefined, { status: 1, taskType: 2, offset: 0, limit: 10 });
    assert.deepEqual(
      (drafts.data as Array<{ id: string }>).map((x) => x.id),
      [draft],
    );
    assert.equal((await call('GET', `${P(1)}/template`, undefined, { offset: 0, limit: 10 })).resultCode, '02000001', 'status is required');
    assert.equal((await call('GET', `${P(1)}/template`, undefined, { status: 2, offset: 0, limit: 10 })).resultCode, '02000007');
    assert.equal((await call('GET', `${P(1)}/template`, undefined, { status: 9, offset: 0, limit: 101 })).resultCode, '02000007');
    assert.equal((await call('GET', `${P(1)}/template`, undefined, { status: 9, offset: 0, limit: 10, name: 'n'.repeat(31) })).resultCode, '02000003');
  });

  test('the campaign rules apply: validation codes, device parameters, policies; 0200001 duplicate name; 0200007 unknown id', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp?]> = [
      [{ name: '' }, '02000001', /name/],
      [{ name: 'n'.repeat(101) }, '02000003', /name/],
      [{ deviceType: 4 }, '02000007', /deviceType/],
      [{ maxAlertingTime: 'x' }, '02000006', /maxAlertingTime/],
      [{ maxAlertingTime: 121 }, '02000007', /maxAlertingTime/],
      [{ description: 'bad;chars' }, '02000002', /description/],
      [{ callerNo: [] }, '02000001', /callerNo/],
      [
        {
          callerNo: [
            { accessCode: '1', priority: 1 },
            { accessCode: '1', priority: 2 },
          ],
        },
        '0200001',
        /twice/,
      ],
      [{ scheduleParam: { workdayBeginTime1: '18:00', workdayEndTime1: '09:00' } }, '0200001'],
      [{ retryPolicy: { policyType: 0, policyJson: 'not json' } }, '0200001'],
      [{ strBeginTime: '2030-01-01 00:00:00' }, '0200001', /strBeginTime/],
    ];
    for (const [o, code, desc] of cases) {
      const r = await call('POST', `${P(1)}/template`, template(o));
      assert.equal(r.resultCode, code, `${JSON.stringify(o)}: ${r.resultDesc}`);
      if (desc) assert.match(r.resultDesc, desc);
    }
    await create({ name: 'Taken' });
    assert.equal((await call('POST', `${P(1)}/template`, template({ name: 'Taken' }))).resultCode, '0200001');
    await create({ name: 'Re\u0301sume\u0301' });
    assert.equal((await call('POST', `${P(1)}/template`, template({ name: 'R\u00e9sum\u00e9' }))).resultCode, '0200001', 'names compare after NFC');
    assert.equal((await call('GET', `${P(1)}/template/123456789012345678901234567890`)).resultCode, '0200007');
    assert.equal((await call('PUT', `${P(1)}/template/123456789012345678901234567890/update`, template())).resultCode, '0200007');
  });

  test('edit replaces the body and keeps the status unless given', async () => {
    const id = await create({ name: 'Edit me', status: 3 });
    const r = await call('PUT', `${P(1)}/template/${id}/update`, template({ name: 'Edited', maxAlertingTime: 45 }));
    assert.equal(r.resultCode, '0200000', r.resultDesc);
    const d = (await call('GET', `${P(1)}/template/${id}`)).returnObject!;
    assert.deepEqual([d.name, d.maxAlertingTime, d.status], ['Edited', 45, 3]);
    await create({ name: 'Other' });
    assert.equal((await call('PUT', `${P(1)}/template/${id}/update`, template({ name: 'Other' }))).resultCode, '0200001');
  });

  test('copy from a campaign and from a template; initStatus 1 → paused (3); name clashes; unknown source 0200007', async () => {
    const cid = await createCampaign(s.client, 1, { name: 'Source campaign', maxAlertingTime: 40 });
    const r = await call('POST', `${P(1)}/template/copy`, { name: 'From campaign', from: String(cid), initStatus: 1 });
    assert.equal(r.resultCode, '0200000', r.resultDesc);
    const fromCampaign = (await call('GET', `${P(1)}/template/${r.returnObject!.id}`)).returnObject!;
    assert.deepEqual([fromCampaign.status, fromCampaign.taskType, fromCampaign.maxAlertingTime, fromCampaign.callerNo], [3, 3, 40, [{ accessCode: '4001001', priority: 1 }]]);
    const tid = await create({ name: 'Copy source' });
    const c2 = await call('POST', `${P(1)}/template/copy`, { name: 'From template', description: 'copied', from: tid });
    const fromTemplate = (await call('GET', `${P(1)}/template/${c2.returnObject!.id}`)).returnObject!;
    assert.deepEqual([fromTemplate.status, fromTemplate.description, fromTemplate.ivrParam], [9, 'copied', template().ivrParam]);
    assert.equal((await call('POST', `${P(1)}/template/copy`, { name: 'Source campaign', from: tid })).resultCode, '0200001', "a campaign's name");
    assert.equal((await call('POST', `${P(1)}/template/copy`, { name: 'From template', from: tid })).resultCode, '0200001');
    assert.equal((await call('POST', `${P(1)}/template/copy`, { name: 'X', from: '999999' })).resultCode, '0200007');
    assert.equal((await call('POST', `${P(1)}/template/copy`, { name: 'X', from: '123456789012345678901234567890' })).resultCode, '0200007');
    assert.equal((await call('POST', `${P(1)}/template/copy`, { name: 'X' })).resultCode, '02000001');
    assert.equal((await call('POST', `${P(1)}/template/copy`, { name: 'X', from: 'abc' })).resultCode, '02000002');
  });

  test("extension: a campaign from a published template, with the template's settings; drafts refused (0200011)", async () => {
    const id = await create({ name: 'Maker' });
    const day = startOfUtcDay(Date.now());
    const times = { strBeginTime: formatDateTime(day), strEndTime: formatDateTime(day + 10 * 86400_000) };
    const r = await call('POST', `/campaignd/v1/campaigns/1/templates/${id}/campaign`, { name: 'Made from template', ...times });
    assert.equal(r.resultCode, '0200000', r.resultDesc);
    const cid = r.returnObject!.id as unknown as number;
    assert.equal(typeof cid, 'number');
    const c = (await call('GET', `${P(1)}/${cid}`)).returnObject!;
    assert.deepEqual([c.name, c.deviceType, c.maxAlertingTime, c.callerNo], ['Made from template', 3, 30, template().callerNo]);
    assert.equal((c.retryPolicy as { policyType: number }).policyType, 0);
    const draft = await create({ name: 'Draft maker', status: 1 });
    assert.equal((await call('POST', `/campaignd/v1/campaigns/1/templates/${draft}/campaign`, { name: 'No', ...times })).resultCode, '0200011');
    assert.equal((await call('POST', `/campaignd/v1/campaigns/1/templates/${id}/campaign`, { name: 'Made from template', ...times })).resultCode, '0200005');
    assert.equal(
      (await call('POST', `/campaignd/v1/campaigns/1/templates/${id}/campaign`, { name: 'Bad', strBeginTime: 'x', strEndTime: times.strEndTime })).resultCode,
      '02000007',
    );
  });
});
