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
    await s.store.db
      .updateTable('campaigns')
      .set({ end_time: Date.now() - 1 })
      .where('id', '=', id)
      .execute();
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
    ['02000002 time in the wrong format', () => campaignBody({ strEndTime: '2031/02/01' }), '02000002', /strEndTime/],
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
    await q.store.db
      .updateTable('campaigns')
      .set({ end_time: Date.now() - 1 })
      .where('vdn_id', '=', 1)
      .where('device_type', '=', 3)
      .execute();
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
    await s.store.db
      .updateTable('campaigns')
      .set({ end_time: Date.now() - 1 })
      .where('id', '=', susp)
      .execute();
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

describe('campaign modify v1', () => {
  const put = async (id: number, body: unknown, vdn = 1) => {
    const res = await s.client.request('PUT', `${P(vdn)}/${id}`, body);
    assert.equal(res.status, 200, res.raw);
    return envelopeOf(res.body);
  };
  const details = async (id: number) => ((await s.client.request('GET', `${P(1)}/${id}`)).body as unknown as { returnObject: Record<string, unknown> }).returnObject;

  test('changes the fields; times may be left out; a new callerNo joins the pool', async () => {
    const id = await createCampaign(s.client, 1, { name: 'mod-1', callBackUrl: 'http://127.0.0.1:9/a' });
    const before = await details(id);
    const body = campaignBody({ name: 'mod-1 renamed', description: 'second', maxAlertingTime: 45, callerNo: '4009', strBeginTime: undefined, strEndTime: undefined });
    const env = await put(id, body);
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal(env.resultDesc, '');
    const after = await details(id);
    assert.equal(after.name, 'mod-1 renamed');
    assert.equal(after.description, 'second');
    assert.equal(after.maxAlertingTime, 45);
    assert.equal(after.strBeginTime, before.strBeginTime);
    assert.equal(after.strEndTime, before.strEndTime);
    assert.equal(after.callBackUrl, 'http://127.0.0.1:9/a', 'an optional field left out keeps its value');
    assert.deepEqual(after.callerNo, [
      { accessCode: '4001001', priority: 1 },
      { accessCode: '4009', priority: 1 },
    ]);
    const later = formatDateTime(startOfUtcDay(Date.now()) + 40 * 86400_000);
    assert.equal((await put(id, campaignBody({ name: 'mod-1 renamed', strEndTime: later }))).resultCode, '0200000');
    assert.equal((await details(id)).strEndTime, later);
  });

  test('a start already in the past may be resent unchanged; a new past start is 0200002', async () => {
    const id = await createCampaign(s.client);
    const past = startOfUtcDay(Date.now()) - 2 * 86400_000;
    await s.store.db.updateTable('campaigns').set({ begin_time: past }).where('id', '=', id).execute();
    assert.equal((await put(id, campaignBody({ strBeginTime: formatDateTime(past) }))).resultCode, '0200000');
    const env = await put(id, campaignBody({ strBeginTime: formatDateTime(past + 86400_000) }));
    assert.equal(env.resultCode, '0200002');
  });

  test('0200016 ended, 0200001 deviceType change, 0200005 duplicate, 0200007 unknown, 0200017', async () => {
    const id = await createCampaign(s.client);
    await createCampaign(s.client, 1, { name: 'mod-taken' });
    assert.equal((await put(id, campaignBody({ deviceType: 1 }))).resultCode, '0200001');
    assert.equal((await put(id, campaignBody({ name: 'mod-taken' }))).resultCode, '0200005');
    assert.equal((await put(999999, campaignBody())).resultCode, '0200007');
    assert.equal((await put(id, campaignBody(), 2)).resultCode, '0200007');
    const sk = (await post(P(1), skillCampaign())) as unknown as { returnObject: { id: number } };
    assert.equal((await put(sk.returnObject.id, skillCampaign({ skillParam: { skillId: 99 } }))).resultCode, '0200017');
    await s.store.db
      .updateTable('campaigns')
      .set({ end_time: Date.now() - 1 })
      .where('id', '=', id)
      .execute();
    const ended = await put(id, campaignBody());
    assert.equal(ended.resultCode, '0200016');
    assert.match(ended.resultDesc, /ended/);
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['02000001 missing name', { name: undefined }, '02000001'],
    ['02000002 callerNo with letters', { callerNo: '4a' }, '02000002'],
    ['02000003 description longer than 200', { description: 'd'.repeat(201) }, '02000003'],
    ['02000006 maxAlertingTime not a number', { maxAlertingTime: 'x' }, '02000006'],
    ['02000007 strEndTime that does not exist', { strEndTime: '2031-02-30 00:00:00' }, '02000007'],
    ['02000009 schedule end without begin', { scheduleParam: { workdayEndTime1: '08:00' } }, '02000009'],
  ];
  for (const [name, o, code] of cases) {
    test(name, async () => {
      const id = await createCampaign(s.client);
      assert.equal((await put(id, campaignBody(o))).resultCode, code);
    });
  }
});

describe('campaign list', () => {
  let l: TestServer;
  const ids: Record<string, number> = {};
  before(async () => {
    l = await startTestServer();
    const mk = async (key: string, o: Record<string, unknown>) => {
      const res = await l.client.request('POST', P(5), campaignBody({ name: key, ...o }));
      ids[key] = (res.body as unknown as { returnObject: { id: number } }).returnObject.id;
    };
    await mk('Alpha North', { callerNo: '111' });
    await mk('Beta South', { ...skillCampaign(), name: 'Beta South', callerNo: '222', initStatus: 1 });
    await mk('alpha expired', {});
    const day0 = startOfUtcDay(Date.now());
    await mk('Gamma later', { strBeginTime: formatDateTime(day0 + 5 * 86400_000), strEndTime: formatDateTime(day0 + 40 * 86400_000) });
    await l.store.db
      .updateTable('campaigns')
      .set({ end_time: Date.now() - 1 })
      .where('id', '=', ids['alpha expired']!)
      .execute();
  });
  after(async () => l.stop());

  type Page = {
    resultCode: string;
    resultDesc: string;
    curPage: number;
    totalSize: number;
    rowsPerPage: number;
    curSkillQueueCount: number;
    curIvrCount: number;
    data: Array<Record<string, unknown>>;
  };
  const list = async (q: Record<string, string | number>) => {
    const res = await l.client.request('GET', P(5), undefined, { status: 0, deviceType: 0, ...q });
    assert.equal(res.status, 200, res.raw);
    return envelopeOf(res.body) as unknown as Page;
  };
  const names = (p: Page) => p.data.map((d) => d.name);

  test('all campaigns, newest first, with the documented fields and the quota counters', async () => {
    const p = await list({});
    assert.equal(p.resultCode, '0200000');
    assert.equal(p.totalSize, 4);
    assert.equal(p.curPage, 1);
    assert.equal(p.rowsPerPage, 10);
    assert.equal(p.curSkillQueueCount, 1);
    assert.equal(p.curIvrCount, 2, 'the expired IVR campaign does not count');
    assert.deepEqual(names(p), ['Gamma later', 'alpha expired', 'Beta South', 'Alpha North']);
    const beta = p.data.find((d) => d.name === 'Beta South')!;
    assert.deepEqual(Object.keys(beta).sort(), ['callerNo', 'deviceType', 'id', 'name', 'status', 'strBeginTime', 'strEndTime']);
    assert.equal(beta.id, ids['Beta South']);
    assert.equal(beta.callerNo, '222');
    assert.equal(beta.deviceType, 2);
    assert.deepEqual(
      p.data.map((d) => d.status),
      [2, 4, 3, 2],
    );
  });

  test('filters: status, deviceType, name (case-insensitive substring), begin/end times', async () => {
    assert.deepEqual(names(await list({ status: 3 })), ['Beta South']);
    assert.deepEqual(names(await list({ status: 4 })), ['alpha expired']);
    assert.deepEqual(names(await list({ status: 2 })), ['Gamma later', 'Alpha North']);
    assert.deepEqual(names(await list({ deviceType: 2 })), ['Beta South']);
    assert.deepEqual(names(await list({ name: 'ALPHA' })), ['alpha expired', 'Alpha North']);
    assert.deepEqual(names(await list({ name: '%' })), []);
    const tomorrow = formatDateTime(startOfUtcDay(Date.now()) + 86400_000);
    assert.deepEqual(names(await list({ beginTime: tomorrow })), ['Gamma later']);
    assert.deepEqual(names(await list({ endTime: tomorrow })), ['alpha expired']);
    assert.equal((await list({ endTime: formatDateTime(startOfUtcDay(Date.now()) + 31 * 86400_000) })).totalSize, 3);
  });

  test('paging: curPage below 1 becomes 1; rowsPerPage limits; past the end is empty', async () => {
    const p = await list({ curPage: 0, rowsPerPage: 3 });
    assert.equal(p.curPage, 1);
    assert.equal(p.data.length, 3);
    const p2 = await list({ curPage: 2, rowsPerPage: 3 });
    assert.deepEqual(names(p2), ['Alpha North']);
    assert.equal(p2.totalSize, 4);
    assert.deepEqual((await list({ curPage: -5, rowsPerPage: 1 })).curPage, 1);
    assert.deepEqual((await list({ curPage: 9 })).data, []);
  });

  const cases: Array<[string, Record<string, string | number | undefined>, string, RegExp?]> = [
    ['02000001 missing status', { status: undefined }, '02000001', /status/],
    ['02000001 missing deviceType', { deviceType: undefined }, '02000001', /deviceType/],
    ['02000002 beginTime in the wrong format', { beginTime: '2030/01/01' }, '02000002', /beginTime/],
    ['02000003 name longer than 30', { name: 'n'.repeat(31) }, '02000003', /name/],
    ['02000006 curPage not a number', { curPage: 'x' }, '02000006', /curPage/],
    ['02000007 status 5', { status: 5 }, '02000007', /status/],
    ['02000007 deviceType 4', { deviceType: 4 }, '02000007', /deviceType/],
    ['02000007 rowsPerPage 101', { rowsPerPage: 101 }, '02000007', /rowsPerPage/],
    ['02000007 rowsPerPage 0', { rowsPerPage: 0 }, '02000007', /rowsPerPage/],
    ['02000007 a date that does not exist', { endTime: '2031-02-30 00:00:00' }, '02000007', /endTime/],
    ['0200001 beginTime after endTime', { beginTime: '2031-02-02 00:00:00', endTime: '2031-02-01 00:00:00' }, '0200001', /beginTime/],
  ];
  for (const [name, q, code, desc] of cases) {
    test(name, async () => {
      const res = await l.client.request('GET', P(5), undefined, { status: 0, deviceType: 0, ...q });
      const env = envelopeOf(res.body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }
});
