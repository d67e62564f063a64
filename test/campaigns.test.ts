/**
 * The minimum around the seeds: campaign add v1, campaign details, batch create and resume.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { campaignBody, createBatch, createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_SKILL_QUEUES: '7,8', CAMPAIGND_IVR_CAMPAIGN_QUOTA: '30', CAMPAIGND_MAX_BATCHES: '3' });
});
after(async () => s.stop());

async function post(path: string, body: unknown) {
  const res = await s.client.request('POST', path, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body);
}

const skillCampaign = (o: Record<string, unknown> = {}) =>
  campaignBody({
    deviceType: 2,
    ivrParam: undefined,
    skillParam: { skillId: 7, skillName: 'Voice', outBoundType: 2, predictParam: { predictMethod: 5, offhookPredictParam: { offHookRate: 100 } } },
    ...o,
  });

describe('campaign add v1 and details', () => {
  test('creates a campaign; details echo it with status 2 and the calling number in the pool', async () => {
    const body = campaignBody({ name: 'Spring sale', description: 'first', callBackUrl: 'http://127.0.0.1:9/cb', priority: 2 });
    const res = await s.client.request('POST', P(1), body);
    const env = res.body as unknown as { resultCode: string; resultDesc: string; returnObject: { id: number } };
    assert.equal(env.resultCode, '0200000');
    assert.equal(env.resultDesc, '');
    assert.ok(Number.isInteger(env.returnObject.id) && env.returnObject.id > 0);

    const d = await s.client.request('GET', `${P(1)}/${env.returnObject.id}`);
    const det = (d.body as unknown as { returnObject: Record<string, unknown> }).returnObject;
    assert.equal(det.id, env.returnObject.id);
    assert.equal(det.name, 'Spring sale');
    assert.equal(det.status, 2);
    assert.equal(det.strBeginTime, body.strBeginTime);
    assert.equal(det.strEndTime, body.strEndTime);
    assert.equal(det.deviceType, 3);
    assert.deepEqual(det.callerNo, [{ accessCode: '4001001', priority: 1 }]);
    assert.equal(det.maxAlertingTime, 30);
    assert.deepEqual(det.ivrParam, { deviceSign: '100', callCount: 10, callInterval: 5 });
    assert.equal(det.skillParam, null);
    assert.equal(det.callBackUrl, 'http://127.0.0.1:9/cb');
    const sched = det.scheduleParam as Record<string, string | null>;
    assert.equal(sched.workdayBeginTime1, '08:00');
    assert.equal(sched.workdayEndTime1, '20:00');
    assert.equal(sched.holidayBeginTime1, null);
  });

  test('ids are positive integers that grow', async () => {
    const a = await createCampaign(s.client);
    const b = await createCampaign(s.client);
    assert.ok(b > a);
  });

  test('initStatus 1 creates the campaign suspended (status 3)', async () => {
    const id = await createCampaign(s.client, 1, { initStatus: 1 });
    const det = (await s.client.request('GET', `${P(1)}/${id}`)).body as unknown as { returnObject: { status: number } };
    assert.equal(det.returnObject.status, 3);
  });

  test('an expired campaign reports status 4', async () => {
    const id = await createCampaign(s.client);
    await s.store.db.updateTable('campaigns').set({ end_time: Date.now() - 1 }).where('id', '=', id).execute();
    const det = (await s.client.request('GET', `${P(1)}/${id}`)).body as unknown as { returnObject: { status: number } };
    assert.equal(det.returnObject.status, 4);
  });

  test('a skill-queue campaign with a declared queue', async () => {
    const env = await post(P(1), skillCampaign());
    assert.equal(env.resultCode, '0200000');
  });

  test('details of an unknown campaign or of another VDN: 0200007', async () => {
    const id = await createCampaign(s.client, 1);
    const other = await s.client.request('GET', `${P(2)}/${id}`);
    assert.equal(envelopeOf(other.body).resultCode, '0200007');
    const missing = await s.client.request('GET', `${P(1)}/99999`);
    assert.equal(envelopeOf(missing.body).resultCode, '0200007');
  });

  test('details with a non-numeric campaign id: a validation code, not 500', async () => {
    const res = await s.client.request('GET', `${P(1)}/abc`);
    assert.equal(res.status, 200);
    assert.equal(envelopeOf(res.body).resultCode, '02000006');
  });

  const yesterday = formatDateTime(startOfUtcDay(Date.now()) - 86400_000);
  const cases: Array<[string, () => unknown, string, RegExp?]> = [
    ['0200002 start before today', () => campaignBody({ strBeginTime: yesterday }), '0200002', /strBeginTime/],
    ['0200001 end not after begin', () => campaignBody({ strEndTime: campaignBody().strBeginTime }), '0200001', /strEndTime/],
    ['0200017 undeclared skill queue', () => skillCampaign({ skillParam: { skillId: 99 } }), '0200017', /99/],
    ['02000001 missing name', () => campaignBody({ name: undefined }), '02000001', /name/],
    ['02000001 skillParam required for predictive', () => skillCampaign({ skillParam: undefined }), '02000001', /skillParam/],
    ['02000001 ivrParam required for IVR', () => campaignBody({ ivrParam: undefined }), '02000001', /ivrParam/],
    ['02000002 description with forbidden characters', () => campaignBody({ description: 'a<b>' }), '02000002', /description/],
    ['02000002 callerNo with letters', () => campaignBody({ callerNo: '40a' }), '02000002', /callerNo/],
    ['02000002 schedule slot not HH:mm', () => campaignBody({ scheduleParam: { workdayBeginTime1: '8h', workdayEndTime1: '20:00' } }), '02000002', /workdayBeginTime1/],
    ['02000003 name longer than 100', () => campaignBody({ name: 'n'.repeat(101) }), '02000003', /name/],
    ['02000006 deviceType not a number', () => campaignBody({ deviceType: 'x' }), '02000006', /deviceType/],
    ['02000007 deviceType 4', () => campaignBody({ deviceType: 4 }), '02000007', /deviceType/],
    ['02000007 maxAlertingTime 121', () => campaignBody({ maxAlertingTime: 121 }), '02000007', /maxAlertingTime/],
    ['02000007 preview needs at least 9 s', () => skillCampaign({ deviceType: 5, maxAlertingTime: 6 }), '02000007', /maxAlertingTime/],
    ['02000007 a date that does not exist', () => campaignBody({ strEndTime: '2031-02-30 00:00:00' }), '02000007', /strEndTime/],
    ['02000007 time in the wrong format', () => campaignBody({ strEndTime: '2031/02/01' }), '02000007', /strEndTime/],
    ['02000009 schedule begin without end', () => campaignBody({ scheduleParam: { workdayBeginTime1: '08:00' } }), '02000009', /workdayEndTime1/],
    ['0200001 schedule window ending before it begins', () => campaignBody({ scheduleParam: { workdayBeginTime1: '18:00', workdayEndTime1: '08:00' } }), '0200001'],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const env = await post(P(1), body());
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('0200005 duplicate name in the same VDN; the same name in another VDN is fine', async () => {
    const body = campaignBody({ name: 'dup-name' });
    assert.equal((await post(P(1), body)).resultCode, '0200000');
    assert.equal((await post(P(1), body)).resultCode, '0200005');
    assert.equal((await post(P(2), body)).resultCode, '0200000');
  });

  test('loose scalars: numbers as strings', async () => {
    const env = await post(P(1), campaignBody({ deviceType: '3', maxAlertingTime: '30', initStatus: '0' }));
    assert.equal(env.resultCode, '0200000');
  });
});

describe('campaign quotas', () => {
  let q: TestServer;
  before(async () => {
    q = await startTestServer({ CAMPAIGND_SKILL_CAMPAIGN_QUOTA: '2', CAMPAIGND_IVR_CAMPAIGN_QUOTA: '1' });
  });
  after(async () => q.stop());

  test('0200003 skill-queue quota and 0200004 IVR quota, counted per VDN, expired campaigns excluded', async () => {
    const send = async (vdn: number, body: unknown) => envelopeOf((await q.client.request('POST', P(vdn), body)).body).resultCode;
    assert.equal(await send(1, skillCampaign()), '0200000');
    assert.equal(await send(1, skillCampaign()), '0200000');
    assert.equal(await send(1, skillCampaign()), '0200003');
    assert.equal(await send(1, campaignBody()), '0200000');
    assert.equal(await send(1, campaignBody()), '0200004');
    assert.equal(await send(2, campaignBody()), '0200000');
    await q.store.db.updateTable('campaigns').set({ end_time: Date.now() - 1 }).where('vdn_id', '=', 1).where('device_type', '=', 3).execute();
    assert.equal(await send(1, campaignBody()), '0200000');
  });
});

describe('batches: create and resume', () => {
  let cid: number;
  before(async () => {
    cid = await createCampaign(s.client);
  });

  test('create answers a 30-digit id; default status is suspended, resume starts it', async () => {
    const res = await s.client.request('POST', `${P(1)}/callbatch/${cid}/create`, { name: 'first batch' });
    const env = res.body as unknown as { resultCode: string; returnObject: { id: string } };
    assert.equal(env.resultCode, '0200000');
    assert.match(env.returnObject.id, /^[0-9]{30}$/);
    const id = env.returnObject.id;
    assert.equal((await post(`${P(1)}/callbatch/${cid}/resume`, { id })).resultCode, '0200000');
    const row = await s.store.db.selectFrom('batches').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 1);
    assert.equal((await post(`${P(1)}/callbatch/${cid}/resume`, { id })).resultCode, '03000005');
    assert.equal((await post(`${P(1)}/callbatch/${cid}/pause`, { id })).resultCode, '0200000');
    assert.equal((await post(`${P(1)}/callbatch/${cid}/resume`, { id })).resultCode, '0200000');
  });

  test('03000001 duplicate name in a campaign; 03000003 per-campaign limit', async () => {
    const c2 = await createCampaign(s.client);
    await createBatch(s.client, 1, c2, 'a');
    assert.equal((await post(`${P(1)}/callbatch/${c2}/create`, { name: 'a' })).resultCode, '03000001');
    await createBatch(s.client, 1, c2, 'b');
    await createBatch(s.client, 1, c2, 'c');
    const env = await post(`${P(1)}/callbatch/${c2}/create`, { name: 'd' });
    assert.equal(env.resultCode, '03000003');
    assert.match(env.resultDesc, /limit 3/);
  });

  test('create/resume on a suspended campaign are allowed; on an expired one 03000002', async () => {
    const susp = await createCampaign(s.client, 1, { initStatus: 1 });
    const id = await createBatch(s.client, 1, susp, 'x');
    assert.equal((await post(`${P(1)}/callbatch/${susp}/resume`, { id })).resultCode, '0200000');
    await s.store.db.updateTable('campaigns').set({ end_time: Date.now() - 1 }).where('id', '=', susp).execute();
    assert.equal((await post(`${P(1)}/callbatch/${susp}/create`, { name: 'y' })).resultCode, '03000002');
  });

  const cases: Array<[string, unknown, string, RegExp?]> = [
    ['02000001 missing name', {}, '02000001', /name/],
    ['02000002 name with forbidden characters', { name: 'a/b' }, '02000002', /name/],
    ['02000003 name longer than 255', { name: 'n'.repeat(256) }, '02000003', /name/],
    ['02000007 status 3', { name: 'ok', status: 3 }, '02000007', /status/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(`create: ${name}`, async () => {
      const env = await post(`${P(1)}/callbatch/${cid}/create`, body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('create/resume: 0200007 unknown campaign; resume 03000004 unknown batch', async () => {
    assert.equal((await post(`${P(1)}/callbatch/77777/create`, { name: 'x' })).resultCode, '0200007');
    assert.equal((await post(`${P(1)}/callbatch/${cid}/resume`, { id: '1' })).resultCode, '03000004');
  });
});
