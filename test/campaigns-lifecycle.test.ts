/**
 * Campaign pause, resume and delete (archive and hard), and how their effects show through the
 * other interfaces (details, list, batches, calling numbers, retry policy, reservations).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { campaignBody, createBatch, createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.stop());

type Env = { resultCode: string; resultDesc: string; [k: string]: unknown };
async function call(method: string, path: string, body?: unknown): Promise<Env> {
  const res = await s.client.request(method, path, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}
const status = async (id: number) => ((await call('GET', `${P(1)}/${id}`)).returnObject as { status: number }).status;
const pause = (id: number, vdn = 1) => call('PUT', `${P(vdn)}/${id}/pause`);
const resume = (id: number, vdn = 1) => call('PUT', `${P(vdn)}/${id}/resume`);
const del = (id: number, body: unknown, vdn = 1) => call('DELETE', `${P(vdn)}/${id}`, body);
const expire = (id: number) =>
  s.store.db
    .updateTable('campaigns')
    .set({ end_time: Date.now() - 1 })
    .where('id', '=', id)
    .execute();

describe('pause and resume', () => {
  test('pause → status 3, resume → status 2, both with resultDesc ""', async () => {
    const id = await createCampaign(s.client);
    const p = await pause(id);
    assert.equal(p.resultCode, '0200000', p.resultDesc);
    assert.equal(p.resultDesc, '');
    assert.equal(await status(id), 3);
    const r = await resume(id);
    assert.equal(r.resultCode, '0200000', r.resultDesc);
    assert.equal(r.resultDesc, '');
    assert.equal(await status(id), 2);
  });

  test('0200011 for forbidden transitions: pause twice, resume a running campaign', async () => {
    const id = await createCampaign(s.client);
    const r = await resume(id);
    assert.equal(r.resultCode, '0200011');
    assert.match(r.resultDesc, /resume/);
    assert.equal((await pause(id)).resultCode, '0200000');
    assert.equal((await pause(id)).resultCode, '0200011');
    assert.equal(await status(id), 3);
  });

  test('a not-started campaign can be paused; a created-suspended one resumed', async () => {
    const future = await createCampaign(s.client, 1, {
      strBeginTime: campaignBody({}, Date.now() + 3 * 86400_000).strBeginTime,
      strEndTime: campaignBody({}, Date.now() + 10 * 86400_000).strBeginTime,
    });
    assert.equal((await pause(future)).resultCode, '0200000');
    const susp = await createCampaign(s.client, 1, { initStatus: 1 });
    assert.equal((await resume(susp)).resultCode, '0200000');
  });

  test('0200011 for pause and resume of an expired campaign (running or suspended before it ended)', async () => {
    const a = await createCampaign(s.client);
    const b = await createCampaign(s.client, 1, { initStatus: 1 });
    await expire(a);
    await expire(b);
    assert.equal((await pause(a)).resultCode, '0200011');
    assert.equal((await resume(b)).resultCode, '0200011');
    assert.equal(await status(b), 4);
  });

  test('0200007 unknown campaign or another VDN; 02000006 non-numeric id', async () => {
    const id = await createCampaign(s.client);
    assert.equal((await pause(999999)).resultCode, '0200007');
    assert.equal((await resume(id, 2)).resultCode, '0200007');
    assert.equal((await call('PUT', `${P(1)}/abc/pause`)).resultCode, '02000006');
  });

  test('visible through batches: a suspended campaign refuses batch pause (03000002)', async () => {
    const id = await createCampaign(s.client);
    const batch = await createBatch(s.client, 1, id, 'b1', 1);
    await pause(id);
    assert.equal((await call('POST', `${P(1)}/callbatch/${id}/pause`, { id: batch })).resultCode, '03000002');
    await resume(id);
    assert.equal((await call('POST', `${P(1)}/callbatch/${id}/pause`, { id: batch })).resultCode, '0200000');
  });
});

describe('delete', () => {
  test('0200011 while the status is 2; the campaign stays', async () => {
    const id = await createCampaign(s.client);
    const env = await del(id, { archiveHistory: 1 });
    assert.equal(env.resultCode, '0200011');
    assert.match(env.resultDesc, /pause it first/);
    assert.equal(await status(id), 2);
  });

  test('archiveHistory 1: gone for every interface, kept in the store, name free again', async () => {
    const body = campaignBody({ name: 'to-archive' });
    const created = await call('POST', P(1), body);
    const id = (created.returnObject as { id: number }).id;
    const batch = await createBatch(s.client, 1, id, 'kept');
    await call('POST', `${P(1)}/retryPolicy/${id}`, { policyType: 0, policyJson: "[{'type':0,'retryDay':1,'retryTimes':1}]" });
    await pause(id);
    const env = await del(id, { archiveHistory: '1' });
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal(env.resultDesc, '');

    for (const [method, path, b] of [
      ['GET', `${P(1)}/${id}`, undefined],
      ['PUT', `${P(1)}/${id}/resume`, undefined],
      ['PUT', `${P(1)}/${id}`, campaignBody({ name: 'to-archive' })],
      ['DELETE', `${P(1)}/${id}`, { archiveHistory: 0 }],
      ['GET', `${P(1)}/retryPolicy/${id}`, undefined],
      ['POST', `${P(1)}/callerNo/${id}`, { callerNo: [{ accessCode: '5', priority: 1 }] }],
      ['POST', `${P(1)}/callbatch/${id}/create`, { name: 'x' }],
      ['POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '123', taskId: String(id), appointTime: Date.now() + 3600_000 }],
    ] as const) {
      assert.equal((await call(method, path, b)).resultCode, '0200007', `${method} ${path}`);
    }
    const list = await s.client.request('GET', P(1), undefined, { status: 0, deviceType: 0, name: 'to-archive' });
    assert.deepEqual((list.body as unknown as { data: unknown[] }).data, []);

    const row = await s.store.db.selectFrom('campaigns').select(['deleted_at']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(Number(row.deleted_at) > 0, 'the campaign row is kept with an archive marker');
    assert.ok(await s.store.db.selectFrom('batches').select('id').where('id', '=', batch).executeTakeFirst(), 'its batches are kept');
    assert.equal((await call('POST', P(1), body)).resultCode, '0200000', 'the name can be used again');
  });

  test('archiveHistory 0: the campaign and its rows are removed in one go', async () => {
    const id = await createCampaign(s.client);
    await createBatch(s.client, 1, id, 'gone');
    await call('POST', `${P(1)}/callerNo/${id}`, { callerNo: [{ accessCode: '777', priority: 2 }] });
    const appoint = await call('POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '123', taskId: String(id), appointTime: Date.now() + 3600_000 });
    assert.equal(appoint.resultCode, '0200000', appoint.resultDesc);
    await call('POST', `${P(1)}/retryPolicy/${id}`, { policyType: 0, policyJson: "[{'type':0,'retryDay':1,'retryTimes':1}]" });
    const now = Date.now();
    const data = await s.store.db
      .insertInto('call_data')
      .values({ vdn_id: 1, campaign_id: id, state: 'ready', due_at: now, number_index: 0, attempts: 0, succeeded: 0, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await s.store.db
      .insertInto('call_data_numbers')
      .values({ data_id: Number(data.id), idx: 0, called_no: '555', delay_time: 0, attempts: 0 })
      .execute();
    const other = await createCampaign(s.client);
    await expire(id);

    const env = await del(id, { archiveHistory: 0 });
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    const db = s.store.db;
    const count = async (t: 'campaigns' | 'batches' | 'caller_numbers' | 'reservations' | 'call_data' | 'retry_policies') =>
      (
        await db
          .selectFrom(t)
          .selectAll()
          .where(t === 'campaigns' ? 'id' : 'campaign_id', '=', id)
          .execute()
      ).length;
    for (const t of ['campaigns', 'batches', 'caller_numbers', 'reservations', 'call_data', 'retry_policies'] as const) {
      assert.equal(await count(t), 0, t);
    }
    assert.equal((await db.selectFrom('call_data_numbers').selectAll().where('data_id', '=', Number(data.id)).execute()).length, 0);
    assert.equal(await status(other), 2, 'other campaigns are untouched');
    assert.equal((await call('GET', `${P(1)}/${id}`)).resultCode, '0200007');
  });

  const cases: Array<[string, unknown, string, RegExp?]> = [
    ['02000001 no body', undefined, '02000001', /archiveHistory/],
    ['02000001 missing archiveHistory', {}, '02000001', /archiveHistory/],
    ['02000006 archiveHistory not a number', { archiveHistory: 'yes' }, '02000006', /archiveHistory/],
    ['02000007 archiveHistory 2', { archiveHistory: 2 }, '02000007', /archiveHistory/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const id = await createCampaign(s.client, 1, { initStatus: 1 });
      const env = await del(id, body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
      assert.equal(await status(id), 3, 'nothing was deleted');
    });
  }

  test('0200007 unknown campaign or another VDN', async () => {
    const id = await createCampaign(s.client, 1, { initStatus: 1 });
    assert.equal((await del(999999, { archiveHistory: 0 })).resultCode, '0200007');
    assert.equal((await del(id, { archiveHistory: 0 }, 2)).resultCode, '0200007');
  });
});
