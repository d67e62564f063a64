/**
 * Reservations besides the seeds: appoint/update, appoint/delete and appoint/list, every error
 * code each documents, and that what create/updateResult/update/delete write is what list shows.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CreateAppointmentBody, Operations } from '../src/client/index.js';
import { createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.stop());

const HOUR = 3600_000;
const ALL_ZERO = '123456789012345678901234567890';

async function post(path: string, body: unknown) {
  const res = await s.client.request('POST', `${P(1)}${path}`, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as ReturnType<typeof envelopeOf> & Record<string, unknown>;
}

/** Creates a reservation through the typed client; returns its id. */
async function reserve(body: CreateAppointmentBody, vdn = 1): Promise<string> {
  const res = await s.client.createAppointment(vdn, body);
  assert.ok(res.ok, res.raw);
  envelopeOf(res.body);
  return res.body.returnObject!.id;
}

const row = (id: string) => s.store.db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

type Item = Record<string, unknown> & { appointId: string };
/** Lists reservations of VDN 1 through the typed client. */
async function listAll(filter: Omit<Operations['listAppointments']['body'], 'offset' | 'limit'> = {}): Promise<{ totalCount: number; data: Item[] }> {
  const res = await s.client.listAppointments(1, { offset: 0, limit: 100, ...filter });
  assert.ok(res.ok, res.raw);
  return res.body as unknown as { totalCount: number; data: Item[] };
}

describe('appoint/update', () => {
  let cid: number;
  let manual: string;
  let auto: string;
  before(async () => {
    cid = await createCampaign(s.client);
    manual = await reserve({ callType: 1, calledNo: '2001', userAccount: 'agent1', taskId: String(cid), appointTime: Date.now() + HOUR, remark: 'first' });
    auto = await reserve({ callType: 2, calledNo: '2002', taskId: String(cid), appointTime: Date.now() + HOUR });
  });

  test('"update success": new agent, time and remark; due_at follows appointTime; list shows it', async () => {
    const t = Date.now() + 3 * HOUR;
    const res = await s.client.request('POST', `${P(1)}/appoint/update`, {
      appointId: manual,
      userAccount: 'agent2',
      workNo: '101',
      appointTime: String(t),
      remark: 'call after lunch',
    });
    assert.deepEqual(res.body, { resultCode: '0200000', resultDesc: 'update success', returnCode: '0200000', returnDesc: 'update success' });
    const r = await row(manual);
    assert.equal(Number(r.appoint_time), t);
    assert.equal(Number(r.due_at), t);
    assert.equal(r.state, 'pending');
    const item = (await listAll({ calledNo: '2001' })).data[0]!;
    assert.equal(item.appointTime, t);
    assert.equal(item.userAccount, 'agent2');
    assert.equal(item.workNo, '101');
    assert.equal(item.remark, 'call after lunch');
  });

  test('only the sent fields change; an empty agent is ignored, an empty remark clears it', async () => {
    const before = await row(manual);
    assert.equal((await post('/appoint/update', { appointId: manual, userAccount: '', remark: '' })).resultCode, '0200000');
    const r = await row(manual);
    assert.equal(r.user_account, 'agent2');
    assert.equal(r.remark, null);
    assert.equal(Number(r.appoint_time), Number(before.appoint_time));
  });

  test('a due or timed-out manual reservation moved to a new time starts afresh', async () => {
    await s.store.db.updateTable('reservations').set({ state: 'due', timeout: 1 }).where('id', '=', manual).execute();
    assert.equal((await listAll({ calledNo: '2001' })).data[0]!.timeout, true);
    const t = Date.now() + 5 * HOUR;
    assert.equal((await post('/appoint/update', { appointId: manual, appointTime: t })).resultCode, '0200000');
    const r = await row(manual);
    assert.deepEqual([r.state, r.timeout, Number(r.due_at)], ['pending', 0, t]);
    assert.equal((await listAll({ calledNo: '2001' })).data[0]!.timeout, false);
  });

  const cases: Array<[string, () => Record<string, unknown>, string, RegExp?]> = [
    ['0200001 automatic reservations cannot be updated', () => ({ appointId: auto, remark: 'x' }), '0200001', /automatic/],
    ['02000001 missing appointId', () => ({ remark: 'x' }), '02000001', /appointId/],
    ['02000001 empty appointId', () => ({ appointId: '' }), '02000001', /appointId/],
    ['02000002 userAccount with spaces', () => ({ appointId: manual, userAccount: 'a b' }), '02000002', /userAccount/],
    ['02000002 workNo with letters', () => ({ appointId: manual, workNo: '1a' }), '02000002', /workNo/],
    ['02000003 remark longer than 500', () => ({ appointId: manual, remark: 'x'.repeat(501) }), '02000003', /remark/],
    ['02000003 appointId longer than 64', () => ({ appointId: '1'.repeat(65) }), '02000003', /appointId/],
    ['04000001 appointTime in the past', () => ({ appointId: manual, appointTime: Date.now() - 1000 }), '04000001'],
    ['04000001 appointTime after the campaign end', () => ({ appointId: manual, appointTime: Date.now() + 400 * 86400_000 }), '04000001', /end time/],
    ['02000006 appointTime not a number', () => ({ appointId: manual, appointTime: 'tomorrow' }), '02000006', /appointTime/],
    ['04000004 unknown reservation', () => ({ appointId: ALL_ZERO, remark: 'x' }), '04000004'],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const before = await row(manual);
      const env = await post('/appoint/update', body());
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
      assert.deepEqual(await row(manual), before, 'a refused update changes nothing');
    });
  }

  test('0200001 body is not an object; 04000004 for a reservation of another VDN', async () => {
    assert.equal((await post('/appoint/update', 'x')).resultCode, '0200001');
    const res = await s.client.request('POST', `${P(2)}/appoint/update`, { appointId: manual, remark: 'x' });
    assert.equal(envelopeOf(res.body).resultCode, '04000004');
  });

  test('0200001 once the result has been reported (carried out)', async () => {
    const id = await reserve({ callType: 1, calledNo: '2003', userAccount: 'agent1', taskId: String(cid), appointTime: Date.now() + HOUR });
    assert.equal((await post('/appoint/updateResult', { appointId: id, failCode: '00000' })).resultCode, '0200000');
    const env = await post('/appoint/update', { appointId: id, appointTime: Date.now() + 2 * HOUR });
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /carried out/);
  });
});

describe('appoint/delete', () => {
  let cid: number;
  before(async () => {
    cid = await createCampaign(s.client);
  });

  test('"success"; the reservation and its result history are gone from every interface', async () => {
    const id = await reserve({ callType: 1, calledNo: '3001', userAccount: 'agent1', taskId: String(cid), appointTime: Date.now() + HOUR });
    await post('/appoint/updateResult', { appointId: id, failCode: '00603' });
    const res = await s.client.request('POST', `${P(1)}/appoint/delete`, { appointId: id });
    assert.deepEqual(res.body, { resultCode: '0200000', resultDesc: 'success', returnCode: '0200000', returnDesc: 'success' });
    assert.equal((await listAll({ calledNo: '3001' })).totalCount, 0);
    assert.equal((await post('/appoint/update', { appointId: id, remark: 'x' })).resultCode, '04000004');
    assert.equal((await post('/appoint/updateResult', { appointId: id })).resultCode, '04000004');
    assert.equal((await post('/appoint/delete', { appointId: id })).resultCode, '04000004');
    const history = await s.store.db.selectFrom('reservation_results').select('id').where('reservation_id', '=', id).execute();
    assert.equal(history.length, 0);
  });

  test('0200001 while the engine is dialling it; deletable again once settled', async () => {
    const id = await reserve({ callType: 2, calledNo: '3002', taskId: String(cid), appointTime: Date.now() + HOUR });
    await s.store.db
      .updateTable('reservations')
      .set({ state: 'dialing', lease_owner: 'node-x', lease_until: Date.now() + 60_000 })
      .where('id', '=', id)
      .execute();
    const env = await post('/appoint/delete', { appointId: id });
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /dialled/);
    assert.equal((await row(id)).state, 'dialing');
    await s.store.db.updateTable('reservations').set({ state: 'done', lease_owner: null, lease_until: null }).where('id', '=', id).execute();
    assert.equal((await post('/appoint/delete', { appointId: id })).resultCode, '0200000');
  });

  test("04000004 unknown or another VDN's; 02000001 missing appointId; 0200001 not an object", async () => {
    const id = await reserve({ callType: 2, calledNo: '3003', taskId: String(cid), appointTime: Date.now() + HOUR });
    assert.equal((await post('/appoint/delete', { appointId: ALL_ZERO })).resultCode, '04000004');
    const res = await s.client.request('POST', `${P(2)}/appoint/delete`, { appointId: id });
    assert.equal(envelopeOf(res.body).resultCode, '04000004');
    assert.equal((await row(id)).id, id);
    assert.equal((await post('/appoint/delete', {})).resultCode, '02000001');
    assert.equal((await post('/appoint/delete', [id])).resultCode, '0200001');
  });
});

describe('appoint/list', () => {
  let c1: number;
  let c2: number;
  const t0 = Date.now() + 10 * HOUR;
  const ids: string[] = [];
  before(async () => {
    c1 = await createCampaign(s.client, 1, { name: 'List campaign one' });
    c2 = await createCampaign(s.client, 1, { name: 'List campaign two', initStatus: 1 });
    // Created out of order; list orders by appointTime.
    ids[2] = await reserve({ callType: 1, calledNo: '4001', userAccount: 'ann', taskId: String(c1), appointTime: t0 + 2 * HOUR, remark: 'r2' });
    ids[0] = await reserve({ callType: 1, calledNo: '4001', userAccount: 'bob', taskId: String(c1), appointTime: t0 });
    ids[1] = await reserve({ callType: 2, calledNo: '4002', taskId: String(c2), appointTime: t0 + HOUR, callData: '{"a":1}' });
    ids[3] = await reserve({ callType: 1, calledNo: '4003', userAccount: 'cat', taskId: String(c2), appointTime: t0 + 3 * HOUR });
    await reserve({ callType: 2, calledNo: '4001', taskId: String(await createCampaign(s.client, 2)), appointTime: t0 }, 2);
  });

  const mine = (data: Item[]) => data.filter((d) => ids.includes(d.appointId)).map((d) => d.appointId);

  test("every field, in appointTime order; taskStatus is the campaign's wire status; userName = userAccount", async () => {
    await post('/appoint/updateResult', { appointId: ids[2], failCode: '00000', callId: 'c-1', busiResult: 'b1', busiSubStatus: 's1', beginTime: t0 - 5000, endTime: t0 - 1000 });
    const res = await s.client.request('POST', `${P(1)}/appoint/list`, { offset: 0, limit: 100, beginTime: t0, endTime: t0 + 3 * HOUR });
    const body = res.body as unknown as { resultDesc: string; totalCount: number; data: Item[] };
    assert.equal(body.resultDesc, 'success');
    assert.deepEqual(mine(body.data), ids);
    assert.equal(body.totalCount, body.data.length);
    assert.deepEqual(
      body.data.find((d) => d.appointId === ids[2]),
      {
        appointId: ids[2],
        callType: 1,
        appointTime: t0 + 2 * HOUR,
        calledNo: '4001',
        taskId: String(c1),
        taskName: 'List campaign one',
        taskStatus: 2,
        timeout: false,
        userAccount: 'ann',
        userName: 'ann',
        workNo: null,
        beginTime: t0 - 5000,
        endTime: t0 - 1000,
        remark: 'r2',
        failCode: '00000',
        callId: 'c-1',
        busiResult: 'b1',
        busiSubStatus: 's1',
      },
    );
    const automatic = body.data.find((d) => d.appointId === ids[1])!;
    assert.deepEqual([automatic.callType, automatic.taskStatus, automatic.userAccount, automatic.failCode], [2, 3, null, null]);
  });

  test('filters: calledNo, userAccountList, taskId, appointTime window (inclusive); other VDNs never show', async () => {
    assert.deepEqual(mine((await listAll({ calledNo: '4001' })).data), [ids[0], ids[2]]);
    assert.equal((await listAll({ calledNo: '4001' })).totalCount, 2);
    assert.deepEqual(mine((await listAll({ userAccountList: ['ann', 'cat'] })).data), [ids[2], ids[3]]);
    assert.deepEqual(mine((await listAll({ taskId: String(c2) })).data), [ids[1], ids[3]]);
    assert.deepEqual(mine((await listAll({ taskId: c2, calledNo: 4003 })).data), [ids[3]]);
    assert.deepEqual(mine((await listAll({ beginTime: t0 + HOUR, endTime: String(t0 + 2 * HOUR) })).data), [ids[1], ids[2]]);
    assert.deepEqual((await listAll({ taskId: '999999' })).data, []);
  });

  test('offset/limit paging keeps the order and the total', async () => {
    const page = async (offset: number) =>
      (await post('/appoint/list', { offset, limit: 2, beginTime: t0, endTime: t0 + 3 * HOUR })) as unknown as { totalCount: number; data: Item[] };
    const p1 = await page(0);
    const p2 = await page(2);
    assert.equal(p1.totalCount, 4);
    assert.equal(p2.totalCount, 4);
    assert.deepEqual(
      [...p1.data, ...p2.data].map((d) => d.appointId),
      ids,
    );
    assert.deepEqual((await page(4)).data, []);
  });

  test('an expired campaign reports taskStatus 4; update and delete show through list', async () => {
    await s.store.db
      .updateTable('campaigns')
      .set({ end_time: Date.now() - 1000 })
      .where('id', '=', c2)
      .execute();
    assert.equal((await listAll({ taskId: String(c2) })).data[0]!.taskStatus, 4);
    await post('/appoint/update', { appointId: ids[0], userAccount: 'dan' });
    assert.deepEqual(mine((await listAll({ userAccountList: ['dan'] })).data), [ids[0]]);
    await post('/appoint/delete', { appointId: ids[3] });
    assert.deepEqual(mine((await listAll({ taskId: String(c2) })).data), [ids[1]]);
  });

  const cases: Array<[string, Record<string, unknown> | string, string, RegExp?]> = [
    ['0200001 body is not an object', 'list', '0200001'],
    ['0200001 endTime before beginTime', { offset: 0, limit: 10, beginTime: 2000, endTime: 1000 }, '0200001', /endTime/],
    ['02000001 missing offset', { limit: 10 }, '02000001', /offset/],
    ['02000001 missing limit', { offset: 0 }, '02000001', /limit/],
    ['02000002 calledNo with letters', { offset: 0, limit: 10, calledNo: '12ab' }, '02000002', /calledNo/],
    ['02000002 taskId with letters', { offset: 0, limit: 10, taskId: 'x1' }, '02000002', /taskId/],
    ['02000003 calledNo longer than 24', { offset: 0, limit: 10, calledNo: '1'.repeat(25) }, '02000003', /calledNo/],
    ['02000006 offset not a number', { offset: 'first', limit: 10 }, '02000006', /offset/],
    ['02000006 userAccountList not a list', { offset: 0, limit: 10, userAccountList: { a: 1 } }, '02000006', /userAccountList/],
    ['02000007 limit 0', { offset: 0, limit: 0 }, '02000007', /limit/],
    ['02000007 limit 101', { offset: 0, limit: 101 }, '02000007', /limit/],
    ['02000007 negative offset', { offset: -1, limit: 10 }, '02000007', /offset/],
    ['02000011 more than 100 accounts', { offset: 0, limit: 10, userAccountList: Array.from({ length: 101 }, (_, i) => `a${i}`) }, '02000011', /userAccountList/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const env = await post('/appoint/list', body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }
});
