/**
 * The five seed interfaces (../shared/seeds): every example request answers 0200000 with the
 * documented shape, and every error code their pages list is reached.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createBatch, createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';
import { insertBlocklistEntry } from '../src/store/blocklist.repository.js';
import { failUpdatesOf } from './pg-target.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => {
  await s.stop();
});

async function post(path: string, body: unknown) {
  const res = await s.client.request('POST', path, body);
  assert.ok(res.status === 200, `HTTP ${res.status}: ${res.raw}`);
  return envelopeOf(res.body);
}

const HOUR = 3600_000;

describe('appoint/create (seed 000)', () => {
  let campaignId: number;
  before(async () => {
    campaignId = await createCampaign(s.client);
  });

  test('the page example answers 0200000 with id and appointId', async () => {
    const body = {
      callType: '1',
      calledNo: '66660001',
      userAccount: 'testName',
      taskId: String(campaignId),
      appointTime: Date.now() + HOUR,
      remark: 'Remarks',
    };
    const res = await s.client.request('POST', `${P(1)}/appoint/create`, body);
    assert.equal(res.status, 200);
    const env = envelopeOf(res.body) as unknown as { resultCode: string; resultDesc: string; returnObject: { id: string; appointId: string } };
    assert.equal(env.resultCode, '0200000');
    assert.equal(env.resultDesc, 'success');
    assert.match(env.returnObject.id, /^[0-9]{30}$/);
    assert.equal(env.returnObject.appointId, env.returnObject.id);
    assert.deepEqual(Object.keys(res.body as object).sort(), ['resultCode', 'resultDesc', 'returnCode', 'returnDesc', 'returnObject']);
  });

  test('numbers are accepted where the example sends strings (loose scalars)', async () => {
    const env = await post(`${P(1)}/appoint/create`, {
      callType: 2,
      calledNo: 66660002,
      taskId: campaignId,
      appointTime: String(Date.now() + HOUR),
      callData: '{"name":"x"}',
    });
    assert.equal(env.resultCode, '0200000');
  });

  test('ids are unique', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = (await post(`${P(1)}/appoint/create`, {
        callType: 2,
        calledNo: `5550${i}`,
        taskId: String(campaignId),
        appointTime: Date.now() + HOUR,
      })) as unknown as { returnObject: { id: string } };
      ids.add(r.returnObject.id);
    }
    assert.equal(ids.size, 20);
  });

  const base = () => ({ callType: 1, calledNo: '66660001', userAccount: 'agent1', taskId: String(campaignId), appointTime: Date.now() + HOUR });
  const cases: Array<[string, () => Record<string, unknown>, string, RegExp?]> = [
    ['0200001 malformed body (array)', () => [1, 2] as unknown as Record<string, unknown>, '0200001'],
    ['0200007 unknown taskId', () => ({ ...base(), taskId: '999999' }), '0200007', /999999/],
    ['02000001 empty calledNo', () => ({ ...base(), calledNo: '' }), '02000001', /calledNo/],
    [
      '02000001 missing taskId',
      () => {
        const b: Record<string, unknown> = base();
        delete b.taskId;
        return b;
      },
      '02000001',
      /taskId/,
    ],
    [
      '02000001 manual without userAccount',
      () => {
        const b: Record<string, unknown> = base();
        delete b.userAccount;
        return b;
      },
      '02000001',
      /userAccount/,
    ],
    ['02000002 invalid characters in userAccount', () => ({ ...base(), userAccount: 'a b<c>' }), '02000002', /userAccount/],
    ['02000003 userAccount of 65 characters', () => ({ ...base(), userAccount: 'a'.repeat(65) }), '02000003', /userAccount/],
    ['02000002 workNo with letters', () => ({ ...base(), workNo: '10a' }), '02000002', /workNo/],
    ['02000003 workNo of 6 digits', () => ({ ...base(), workNo: '123456' }), '02000003', /workNo/],
    ['02000003 remark too long', () => ({ ...base(), remark: 'x'.repeat(501) }), '02000003', /remark/],
    ['02000003 callData too long', () => ({ ...base(), callType: 2, callData: 'x'.repeat(1025) }), '02000003', /callData/],
    ['04000001 appointTime in the past', () => ({ ...base(), appointTime: Date.now() - 1000 }), '04000001'],
    ['04000001 appointTime after the campaign end', () => ({ ...base(), appointTime: Date.now() + 400 * 86400_000 }), '04000001'],
    ['02000006 appointTime not a number', () => ({ ...base(), appointTime: 'tomorrow' }), '02000006', /appointTime/],
    ['04000002 called number with letters', () => ({ ...base(), calledNo: '12ab' }), '04000002'],
    ['04000002 called number too long', () => ({ ...base(), calledNo: '1'.repeat(25) }), '04000002'],
    ['02000007 callType out of range', () => ({ ...base(), callType: 3 }), '02000007', /callType/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const env = await post(`${P(1)}/appoint/create`, body());
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('04000003 blocklisted called number; expired entries do not block', async () => {
    const now = Date.now();
    await insertBlocklistEntry(s.store.db, {
      vdn_id: 1,
      number: '13900000000',
      expires_at: null,
      restrict_times: null,
      restrict_period: null,
      category_id: null,
      type_id: null,
      created_at: now,
    });
    await insertBlocklistEntry(s.store.db, {
      vdn_id: 1,
      number: '13900000001',
      expires_at: now - 1000,
      restrict_times: null,
      restrict_period: null,
      category_id: null,
      type_id: null,
      created_at: now,
    });
    const blocked = await post(`${P(1)}/appoint/create`, { ...base(), calledNo: '13900000000' });
    assert.equal(blocked.resultCode, '04000003');
    const expired = await post(`${P(1)}/appoint/create`, { ...base(), calledNo: '13900000001' });
    assert.equal(expired.resultCode, '0200000');
    // The blocklist is per VDN: the same number is fine on another VDN.
    const other = await createCampaign(s.client, 2);
    const env = await post(`${P(2)}/appoint/create`, { ...base(), taskId: String(other), calledNo: '13900000000' });
    assert.equal(env.resultCode, '0200000');
  });

  test('a campaign of another VDN is not found (0200007)', async () => {
    const env = await post(`${P(3)}/appoint/create`, base());
    assert.equal(env.resultCode, '0200007');
  });

  test('automatic reservations are due 5 minutes before appointTime, manual ones at appointTime', async () => {
    const t = Date.now() + 2 * HOUR;
    const auto = (await post(`${P(1)}/appoint/create`, { callType: 2, calledNo: '777', taskId: String(campaignId), appointTime: t })) as unknown as {
      returnObject: { id: string };
    };
    const manual = (await post(`${P(1)}/appoint/create`, { ...base(), calledNo: '778', appointTime: t })) as unknown as { returnObject: { id: string } };
    const rows = await s.store.db.selectFrom('reservations').select(['id', 'due_at', 'state']).where('id', 'in', [auto.returnObject.id, manual.returnObject.id]).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    assert.equal(Number(byId.get(auto.returnObject.id)?.due_at), t - 300_000);
    assert.equal(Number(byId.get(manual.returnObject.id)?.due_at), t);
    assert.equal(byId.get(auto.returnObject.id)?.state, 'pending');
  });
});

describe('appoint/create in an OP-standalone deployment', () => {
  let op: TestServer;
  before(async () => {
    op = await startTestServer({ CAMPAIGND_DEPLOYMENT: 'op-standalone' });
  });
  after(async () => op.stop());

  test('manual reservations need workNo instead of userAccount', async () => {
    const cid = await createCampaign(op.client);
    const base = { callType: 1, calledNo: '66660001', taskId: String(cid), appointTime: Date.now() + HOUR };
    const noWorkNo = await op.client.request('POST', `${P(1)}/appoint/create`, { ...base, userAccount: 'agent' });
    assert.equal(envelopeOf(noWorkNo.body).resultCode, '02000001');
    assert.match(envelopeOf(noWorkNo.body).resultDesc, /workNo/);
    const okRes = await op.client.request('POST', `${P(1)}/appoint/create`, { ...base, workNo: '101' });
    assert.equal(envelopeOf(okRes.body).resultCode, '0200000');
  });
});

describe('appoint/updateResult (seed 001)', () => {
  let campaignId: number;
  let manualId: string;
  let autoId: string;
  before(async () => {
    campaignId = await createCampaign(s.client);
    const m = (await post(`${P(1)}/appoint/create`, {
      callType: 1,
      calledNo: '1001',
      userAccount: 'agent1',
      taskId: String(campaignId),
      appointTime: Date.now() + HOUR,
    })) as unknown as { returnObject: { id: string } };
    manualId = m.returnObject.id;
    const a = (await post(`${P(1)}/appoint/create`, { callType: 2, calledNo: '1002', taskId: String(campaignId), appointTime: Date.now() + HOUR })) as unknown as {
      returnObject: { id: string };
    };
    autoId = a.returnObject.id;
  });

  test('the page example answers "update success"', async () => {
    const res = await s.client.request('POST', `${P(1)}/appoint/updateResult`, {
      appointId: manualId,
      failCode: '00000',
      callId: '1747316188-341779',
      busiResult: '17549503',
      busiSubStatus: '17124429',
      beginTime: 1747220297000,
      endTime: 1747220365000,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { resultCode: '0200000', resultDesc: 'update success', returnCode: '0200000', returnDesc: 'update success' });
  });

  test('a second update wins and both are kept in the history', async () => {
    const env = await post(`${P(1)}/appoint/updateResult`, { appointId: manualId, userAccount: 'agent1', failCode: '00603', callerNo: '4001001' });
    assert.equal(env.resultCode, '0200000');
    const row = await s.store.db.selectFrom('reservations').selectAll().where('id', '=', manualId).executeTakeFirstOrThrow();
    assert.equal(row.fail_code, '00603');
    assert.equal(row.state, 'done');
    const history = await s.store.db.selectFrom('reservation_results').selectAll().where('reservation_id', '=', manualId).orderBy('id').execute();
    assert.deepEqual(
      history.map((h) => h.fail_code),
      ['00000', '00603'],
    );
  });

  test('the callback-style success code "0" is stored as 00000', async () => {
    await post(`${P(1)}/appoint/updateResult`, { appointId: manualId, failCode: '0' });
    const row = await s.store.db.selectFrom('reservations').select('fail_code').where('id', '=', manualId).executeTakeFirstOrThrow();
    assert.equal(row.fail_code, '00000');
  });

  const cases: Array<[string, () => Record<string, unknown>, string, RegExp?]> = [
    ['0200001 automatic reservations are refused', () => ({ appointId: autoId, failCode: '00000' }), '0200001', /automatic/],
    ['0200001 endTime before beginTime', () => ({ appointId: manualId, beginTime: 2000, endTime: 1000 }), '0200001', /endTime/],
    ['02000001 empty appointId', () => ({ appointId: '' }), '02000001', /appointId/],
    ['02000001 missing appointId', () => ({ failCode: '00000' }), '02000001', /appointId/],
    ['02000002 failCode with letters', () => ({ appointId: manualId, failCode: 'abc' }), '02000002', /failCode/],
    ['02000003 busiResult too long', () => ({ appointId: manualId, busiResult: 'x'.repeat(51) }), '02000003', /busiResult/],
    ['04000004 unknown reservation', () => ({ appointId: '123456789012345678901234567890' }), '04000004'],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const env = await post(`${P(1)}/appoint/updateResult`, body());
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('a reservation of another VDN is not found (04000004)', async () => {
    const env = await post(`${P(2)}/appoint/updateResult`, { appointId: manualId });
    assert.equal(env.resultCode, '04000004');
  });
});

describe('callerNo/{campaignId} (seed 002)', () => {
  let campaignId: number;
  before(async () => {
    campaignId = await createCampaign(s.client);
  });

  test('the page example answers "create callerNo success" and the pool shows in details', async () => {
    const res = await s.client.request('POST', `${P(1)}/callerNo/${campaignId}`, {
      callerNo: [
        { accessCode: '12345678901234', priority: 1 },
        { accessCode: '525245', priority: 2 },
      ],
    });
    assert.deepEqual(res.body, { resultCode: '0200000', resultDesc: 'create callerNo success', returnCode: '0200000', returnDesc: 'create callerNo success' });
    const details = (await s.client.request('GET', `${P(1)}/${campaignId}`)).body as unknown as { returnObject: { callerNo: Array<{ accessCode: string; priority: number }> } };
    assert.deepEqual(details.returnObject.callerNo, [
      { accessCode: '4001001', priority: 1 },
      { accessCode: '12345678901234', priority: 1 },
      { accessCode: '525245', priority: 2 },
    ]);
  });

  test('all or nothing: a duplicate against the pool adds none of the numbers', async () => {
    const env = await post(`${P(1)}/callerNo/${campaignId}`, {
      callerNo: [
        { accessCode: '999001', priority: 3 },
        { accessCode: '525245', priority: 3 },
      ],
    });
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /525245/);
    const n = await s.store.db.selectFrom('caller_numbers').select('access_code').where('access_code', '=', '999001').execute();
    assert.equal(n.length, 0);
  });

  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ accessCode: String(800000 + i), priority: 1 }));
  const cases: Array<[string, () => unknown, string, RegExp?]> = [
    [
      '0200001 duplicate within the request',
      () => ({
        callerNo: [
          { accessCode: '111', priority: 1 },
          { accessCode: '111', priority: 2 },
        ],
      }),
      '0200001',
      /111/,
    ],
    ['02000001 missing callerNo', () => ({}), '02000001', /callerNo/],
    ['02000001 empty list', () => ({ callerNo: [] }), '02000001', /callerNo/],
    ['02000001 empty accessCode', () => ({ callerNo: [{ accessCode: '', priority: 1 }] }), '02000001', /callerNo\[0\]\.accessCode/],
    ['02000002 accessCode with * (digits only)', () => ({ callerNo: [{ accessCode: '123*', priority: 1 }] }), '02000002', /accessCode/],
    ['02000003 accessCode longer than 24', () => ({ callerNo: [{ accessCode: '1'.repeat(25), priority: 1 }] }), '02000003', /accessCode/],
    ['02000006 priority not a number', () => ({ callerNo: [{ accessCode: '123', priority: 'high' }] }), '02000006', /priority/],
    ['02000006 callerNo not a list', () => ({ callerNo: 'abc' }), '02000006', /callerNo/],
    ['02000007 priority 6', () => ({ callerNo: [{ accessCode: '123', priority: 6 }] }), '02000007', /priority/],
    ['02000007 priority 0', () => ({ callerNo: [{ accessCode: '123', priority: 0 }] }), '02000007', /priority/],
    ['02000011 more than 100 numbers', () => ({ callerNo: many(101) }), '02000011', /callerNo/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const env = await post(`${P(1)}/callerNo/${campaignId}`, body());
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('0200007 unknown campaign', async () => {
    const env = await post(`${P(1)}/callerNo/987654`, { callerNo: [{ accessCode: '123', priority: 1 }] });
    assert.equal(env.resultCode, '0200007');
  });

  test('100 numbers in one request are accepted', async () => {
    const env = await post(`${P(1)}/callerNo/${campaignId}`, { callerNo: many(100) });
    assert.equal(env.resultCode, '0200000');
  });
});

describe('callerNo with a configured VDN allow-list and pool limit', () => {
  let r: TestServer;
  before(async () => {
    r = await startTestServer({ CAMPAIGND_CALLER_NO_ALLOWLIST: '1=4001001,4001002,4001003', CAMPAIGND_MAX_CALLER_NUMBERS: '2' });
  });
  after(async () => r.stop());

  test('numbers outside the VDN allow-list are refused; the pool limit is enforced', async () => {
    const cid = await createCampaign(r.client);
    const bad = await r.client.request('POST', `${P(1)}/callerNo/${cid}`, { callerNo: [{ accessCode: '555', priority: 1 }] });
    assert.equal(envelopeOf(bad.body).resultCode, '0200001');
    assert.match(envelopeOf(bad.body).resultDesc, /555/);
    const good = await r.client.request('POST', `${P(1)}/callerNo/${cid}`, { callerNo: [{ accessCode: '4001002', priority: 2 }] });
    assert.equal(envelopeOf(good.body).resultCode, '0200000');
    const full = await r.client.request('POST', `${P(1)}/callerNo/${cid}`, { callerNo: [{ accessCode: '4001003', priority: 2 }] });
    assert.equal(envelopeOf(full.body).resultCode, '02000011');
    const campaignBad = await r.client.request('POST', P(1), { ...(await import('./helpers.js')).campaignBody({ callerNo: '999' }) });
    assert.equal(envelopeOf(campaignBad.body).resultCode, '0200001');
  });
});

describe('callbatch/{campaignId}/pause (seed 003)', () => {
  let campaignId: number;
  before(async () => {
    campaignId = await createCampaign(s.client);
  });

  test('the page example shape: pausing a started batch answers "success"', async () => {
    const id = await createBatch(s.client, 1, campaignId, 'b-started', 1);
    const res = await s.client.request('POST', `${P(1)}/callbatch/${campaignId}/pause`, { id });
    assert.deepEqual(res.body, { resultCode: '0200000', resultDesc: 'success', returnCode: '0200000', returnDesc: 'success' });
    const row = await s.store.db.selectFrom('batches').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 2);
  });

  test('03000006 pausing twice; a new batch is created suspended', async () => {
    const id = await createBatch(s.client, 1, campaignId, 'b-default');
    const env = await post(`${P(1)}/callbatch/${campaignId}/pause`, { id });
    assert.equal(env.resultCode, '03000006');
  });

  test('03000004 unknown batch id, and a batch of another campaign', async () => {
    const other = await createCampaign(s.client);
    const foreign = await createBatch(s.client, 1, other, 'foreign', 1);
    assert.equal((await post(`${P(1)}/callbatch/${campaignId}/pause`, { id: '123456789012345678901234567890' })).resultCode, '03000004');
    assert.equal((await post(`${P(1)}/callbatch/${campaignId}/pause`, { id: foreign })).resultCode, '03000004');
  });

  test('02000001 missing or empty id', async () => {
    assert.equal((await post(`${P(1)}/callbatch/${campaignId}/pause`, {})).resultCode, '02000001');
    assert.equal((await post(`${P(1)}/callbatch/${campaignId}/pause`, { id: '' })).resultCode, '02000001');
  });

  test('0200007 unknown campaign', async () => {
    assert.equal((await post(`${P(1)}/callbatch/424242/pause`, { id: '1' })).resultCode, '0200007');
  });

  test('0200001 malformed body', async () => {
    assert.equal((await post(`${P(1)}/callbatch/${campaignId}/pause`, 'just a string')).resultCode, '0200001');
  });

  test('03000002 while the campaign is suspended (initStatus 1) or expired', async () => {
    const suspended = await createCampaign(s.client, 1, { initStatus: 1 });
    const id = await createBatch(s.client, 1, suspended, 'b1', 1);
    assert.equal((await post(`${P(1)}/callbatch/${suspended}/pause`, { id })).resultCode, '03000002');
    // An expired campaign: its end time is moved into the past directly in the store.
    const expired = await createCampaign(s.client);
    const id2 = await createBatch(s.client, 1, expired, 'b2', 1);
    await s.store.db
      .updateTable('campaigns')
      .set({ end_time: Date.now() - 1000 })
      .where('id', '=', expired)
      .execute();
    assert.equal((await post(`${P(1)}/callbatch/${expired}/pause`, { id: id2 })).resultCode, '03000002');
  });

  test('a not-started campaign allows pausing', async () => {
    const future = await createCampaign(s.client, 1, {}, Date.now() + 5 * 86400_000);
    const id = await createBatch(s.client, 1, future, 'b', 1);
    assert.equal((await post(`${P(1)}/callbatch/${future}/pause`, { id })).resultCode, '0200000');
  });

  test('0200006 is answered when the database fails, and nothing is half-written', async () => {
    const id = await createBatch(s.client, 1, campaignId, 'b-dbfail', 1);
    // Make the batches table read-only for a moment with a trigger that aborts updates.
    const restore = await failUpdatesOf(s.store, 'batches');
    try {
      const res = await s.client.request('POST', `${P(1)}/callbatch/${campaignId}/pause`, { id });
      assert.equal(res.status, 500);
      assert.equal(envelopeOf(res.body).resultCode, '0200006');
      assert.doesNotMatch(envelopeOf(res.body).resultDesc, /disk on fire/);
    } finally {
      await restore();
    }
    const row = await s.store.db.selectFrom('batches').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 1);
  });
});

describe('createObResult (seed 004)', () => {
  test('the page example answers defId and "createObResult Success!"', async () => {
    const res = await s.client.request('POST', `${P(1)}/createObResult`, { resultCode: '007', displayResult: '7: The call is not answered.', obsCodes: ['00602', '00606'] });
    const body = res.body as unknown as { defId: string } & Record<string, unknown>;
    assert.equal(res.status, 200);
    assert.match(body.defId, /^[0-9]+$/);
    assert.deepEqual(
      { ...body, defId: 'x' },
      { defId: 'x', resultCode: '0200000', resultDesc: 'createObResult Success!', returnCode: '0200000', returnDesc: 'createObResult Success!' },
    );
  });

  test('one OBS code maps to at most one external result per VDN', async () => {
    const env = await post(`${P(1)}/createObResult`, { displayResult: 'again', obsCodes: ['00603', '00602'] });
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /00602/);
    // Nothing of the refused request was written: 00603 is still free.
    const okEnv = await post(`${P(1)}/createObResult`, { displayResult: 'no answer', obsCodes: ['00603'] });
    assert.equal(okEnv.resultCode, '0200000');
    // Another VDN has its own mapping.
    assert.equal((await post(`${P(2)}/createObResult`, { displayResult: 'x', obsCodes: ['00602'] })).resultCode, '0200000');
  });

  const cases: Array<[string, unknown, string, RegExp?]> = [
    ['0200001 duplicate resultCode', { resultCode: '007', displayResult: 'x', obsCodes: ['00604'] }, '0200001', /007/],
    ['0200001 body is not an object', [1], '0200001'],
    ['02000001 missing displayResult', { obsCodes: ['00604'] }, '02000001', /displayResult/],
    ['02000001 empty obsCodes', { displayResult: 'x', obsCodes: [] }, '02000001', /obsCodes/],
    ['02000002 resultCode with spaces', { resultCode: 'a b', displayResult: 'x', obsCodes: ['00604'] }, '02000002', /resultCode/],
    ['02000003 resultCode of 8 characters', { resultCode: '12345678', displayResult: 'x', obsCodes: ['00604'] }, '02000003', /resultCode/],
    ['02000007 an OBS code shorter than 5 digits is not a known code', { displayResult: 'x', obsCodes: ['006'] }, '02000007', /006/],
    ['02000006 obsCodes not a list', { displayResult: 'x', obsCodes: { a: 1 } }, '02000006', /obsCodes/],
    ['02000007 unknown OBS code', { displayResult: 'x', obsCodes: ['99999'] }, '02000007', /99999/],
    ['02000011 too many obsCodes', { displayResult: 'x', obsCodes: Array.from({ length: 201 }, () => '00604') }, '02000011', /obsCodes/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const env = await post(`${P(1)}/createObResult`, body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }
});
