/**
 * Bad input through the real server: malformed JSON, wrong media type, oversized bodies, unknown
 * paths, bad path parameters, validation codes, loose scalars, and a seeded fuzz loop over the
 * POST interfaces. Whatever arrives, the answer is an envelope and never a 5xx.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CampaigndClient, type ApiResponse, type Envelope } from '../src/client/index.js';
import { AK, SK, P, campaignBody, createBatch, createCampaign, envelopeOf, startTestServer, type TestServer } from './helpers.js';

let srv: TestServer;

before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.stop();
});

/** Asserts an envelope under HTTP 500 and that the server still answers /healthz. */
async function expectEnvelope(res: ApiResponse<Envelope>, status?: number): Promise<Envelope> {
  assert.ok(res.status < 500, `HTTP ${res.status}: ${res.raw}`);
  if (status !== undefined) assert.equal(res.status, status, res.raw);
  const env = envelopeOf(res.body);
  const h = await fetch(srv.url + '/healthz');
  assert.equal(h.status, 200, 'the server no longer answers /healthz');
  return env;
}

const post = (path: string, body: unknown) => srv.client.request<Envelope>('POST', path, body);

describe('malformed requests', () => {
  test('malformed JSON, signed over the malformed bytes → HTTP 200, 0200001', async () => {
    for (const body of ['{"name": ', '{name: 1}', '{"a":1,}', "{'a':1}", '{"a":1} trailing', '\u0000', 'NaN', '{"a":01}']) {
      const env = await expectEnvelope(await post(P(1), body), 200);
      assert.equal(env.resultCode, '0200001', `${JSON.stringify(body)} → ${env.resultDesc}`);
    }
  });

  test('wrong Content-Type (text/plain) → HTTP 415 with the envelope', async () => {
    const c = new CampaigndClient({ baseUrl: srv.url, accessKey: AK, secretKey: SK, headers: { 'content-type': 'text/plain' } });
    const res = await c.request<Envelope>('POST', P(1), JSON.stringify(campaignBody()));
    const env = await expectEnvelope(res, 415);
    assert.notEqual(env.resultCode, '0200000');
    // form posts too
    const c2 = new CampaigndClient({ baseUrl: srv.url, accessKey: AK, secretKey: SK, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expectEnvelope(await c2.request<Envelope>('POST', P(1), 'a=1'), 415);
  });

  test('Content-Type with a space before charset (as the reference writes it) is accepted', async () => {
    const c = new CampaigndClient({ baseUrl: srv.url, accessKey: AK, secretKey: SK, headers: { 'content-type': 'application/json; charset=UTF-8' } });
    const env = await expectEnvelope(await c.request<Envelope>('POST', P(1), campaignBody()), 200);
    assert.equal(env.resultCode, '0200000', env.resultDesc);
  });

  test('body over 1 MiB → HTTP 413 with the envelope', async () => {
    const big = JSON.stringify({ ...campaignBody(), description: 'x'.repeat(1024 * 1024 + 10) });
    const env = await expectEnvelope(await post(P(1), big), 413);
    assert.notEqual(env.resultCode, '0200000');
  });

  test('a body just under 1 MiB is read (and refused by validation, not by size)', async () => {
    const body = JSON.stringify({ ...campaignBody(), description: 'x'.repeat(1024 * 1024 - 1000) });
    assert.ok(Buffer.byteLength(body) < 1024 * 1024);
    const env = await expectEnvelope(await post(P(1), body), 200);
    assert.equal(env.resultCode, '02000003', env.resultDesc);
  });

  test('unknown paths → 404 with the envelope', async () => {
    for (const [method, path] of [
      ['GET', '/nothing'],
      ['POST', '/rest/isales/v1/openapi/campaigns/1/noSuchInterface'],
      ['GET', '/rest/isales/v9/openapi/campaigns/1/1'],
      ['DELETE', P(1)],
    ] as const) {
      const res = await srv.client.request<Envelope>(method, path, method === 'POST' ? {} : undefined);
      const env = await expectEnvelope(res, 404);
      assert.notEqual(env.resultCode, '0200000');
    }
    const res = await fetch(srv.url + '/nothing');
    assert.equal(res.status, 404);
    envelopeOf(await res.json());
  });

  for (const [vdn, code] of [
    ['0', '02000007'],
    ['10000', '02000007'],
    ['abc', '02000006'],
  ] as const) {
    test(`vdnId ${vdn} → a validation code (${code}), not 500`, async () => {
      const env = await expectEnvelope(await post(P(vdn), campaignBody()), 200);
      assert.equal(env.resultCode, code, env.resultDesc);
      assert.match(env.resultDesc, /vdnId/);
      const g = await srv.client.request<Envelope>('GET', `${P(vdn)}/1`);
      const genv = await expectEnvelope(g, 200);
      assert.equal(genv.resultCode, code, genv.resultDesc);
    });
  }

  test('campaignId 0 / abc / 99999999999 in the path → a validation code, not 500', async () => {
    for (const [id, code] of [
      ['0', '02000007'],
      ['abc', '02000006'],
      ['99999999999', '02000007'],
    ] as const) {
      const env = await expectEnvelope(await post(`${P(1)}/callbatch/${id}/create`, { name: 'b' }), 200);
      assert.equal(env.resultCode, code, `${id}: ${env.resultDesc}`);
    }
  });

  test('JSON that is not an object (array, string, number, true, null) → 0200001', async () => {
    for (const body of ['[]', '[{"name":"a"}]', '"a string"', '42', 'true', 'null']) {
      const env = await expectEnvelope(await post(P(1), body), 200);
      assert.equal(env.resultCode, '0200001', `${body}: ${env.resultDesc}`);
    }
  });

  test('no body at all on a POST → 0200001 "the request body must be a JSON object", not 500', async () => {
    const env = await expectEnvelope(await srv.client.request<Envelope>('POST', P(1)), 200);
    assert.equal(env.resultCode, '0200001', env.resultDesc);
    assert.match(env.resultDesc, /JSON object/);
  });
});

describe('validation codes', () => {
  const without = (field: string) => {
    const b = campaignBody();
    delete b[field];
    return b;
  };

  test('missing required field → 02000001 naming the field', async () => {
    for (const field of ['name', 'strEndTime', 'maxAlertingTime', 'scheduleParam']) {
      const env = await expectEnvelope(await post(P(1), without(field)), 200);
      assert.equal(env.resultCode, '02000001', `${field}: ${env.resultDesc}`);
      assert.ok(env.resultDesc.includes(field), `resultDesc should name ${field}: ${env.resultDesc}`);
    }
  });

  test('null for a required field → 02000001 naming the field', async () => {
    const env = await expectEnvelope(await post(P(1), campaignBody({ name: null })), 200);
    assert.equal(env.resultCode, '02000001', env.resultDesc);
    assert.match(env.resultDesc, /name/);
    const id = await createCampaign(srv.client);
    const a = await expectEnvelope(await post(`${P(1)}/appoint/create`, { callType: 2, calledNo: '13800000000', taskId: String(id), appointTime: null }), 200);
    assert.equal(a.resultCode, '02000001', a.resultDesc);
    assert.match(a.resultDesc, /appointTime/);
  });

  test('empty string for a required field → 02000001', async () => {
    const env = await expectEnvelope(await post(P(1), campaignBody({ name: '' })), 200);
    assert.equal(env.resultCode, '02000001', env.resultDesc);
    assert.match(env.resultDesc, /name/);
  });

  test('wrong type ("deviceType": "x") → 02000006 naming the field', async () => {
    const env = await expectEnvelope(await post(P(1), campaignBody({ deviceType: 'x' })), 200);
    assert.equal(env.resultCode, '02000006', env.resultDesc);
    assert.match(env.resultDesc, /deviceType/);
    const env2 = await expectEnvelope(await post(P(1), campaignBody({ scheduleParam: 'not-an-object' })), 200);
    assert.equal(env2.resultCode, '02000006', env2.resultDesc);
    assert.match(env2.resultDesc, /scheduleParam/);
  });

  test('too long → 02000003 naming the field', async () => {
    const env = await expectEnvelope(await post(P(1), campaignBody({ name: 'n'.repeat(101) })), 200);
    assert.equal(env.resultCode, '02000003', env.resultDesc);
    assert.match(env.resultDesc, /name/);
  });

  test('out of range → 02000007 naming the field', async () => {
    for (const [field, value] of [
      ['maxAlertingTime', 500],
      ['maxAlertingTime', 1],
      ['deviceType', 4],
      ['initStatus', 7],
    ] as const) {
      const env = await expectEnvelope(await post(P(1), campaignBody({ [field]: value })), 200);
      assert.equal(env.resultCode, '02000007', `${field}=${value}: ${env.resultDesc}`);
      assert.ok(env.resultDesc.includes(field), env.resultDesc);
    }
  });

  test('loose scalars: "deviceType": "3" and "maxAlertingTime": "30" are accepted', async () => {
    const env = await expectEnvelope(await post(P(1), campaignBody({ deviceType: '3', maxAlertingTime: '30' })), 200);
    assert.equal(env.resultCode, '0200000', env.resultDesc);
  });

  test('loose scalars: numeric taskId and string callType/appointTime in appoint/create are accepted', async () => {
    const id = await createCampaign(srv.client);
    const at = Date.now() + 3_600_000;
    const a = await expectEnvelope(await post(`${P(1)}/appoint/create`, { callType: 2, calledNo: '13800000001', taskId: id, appointTime: at }), 200);
    assert.equal(a.resultCode, '0200000', a.resultDesc);
    const b = await expectEnvelope(
      await post(`${P(1)}/appoint/create`, { callType: '1', calledNo: '13800000002', userAccount: 'agent1', taskId: String(id), appointTime: String(at) }),
      200,
    );
    assert.equal(b.resultCode, '0200000', b.resultDesc);
  });

  test('a number that does not fit: 1e400 and 12.5 are not integers (02000006); -0 and 10^29 are out of range (02000007); never 500', async () => {
    for (const [raw, code] of [
      ['1e400', '02000006'],
      ['12.5', '02000006'],
      ['-0', '02000007'],
      ['123456789012345678901234567890', '02000007'],
    ] as const) {
      const body = JSON.stringify(campaignBody()).replace('"maxAlertingTime":30', `"maxAlertingTime":${raw}`);
      assert.ok(body.includes(raw));
      const env = await expectEnvelope(await post(P(1), body), 200);
      assert.equal(env.resultCode, code, `${raw}: ${env.resultDesc}`);
      assert.match(env.resultDesc, /maxAlertingTime/);
    }
  });

  test('deeply nested JSON (100 000 levels) → an envelope, not 500', async () => {
    const depth = 100_000;
    const nested = '['.repeat(depth) + ']'.repeat(depth);
    for (const body of [nested, `{"name":${nested}}`, '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)]) {
      const env = await expectEnvelope(await post(P(1), body), 200);
      assert.notEqual(env.resultCode, '0200000');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzz
// ---------------------------------------------------------------------------------------------

/** FNV-1a of a string: a distinct, stable sub-seed per interface. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** mulberry32: small, seeded, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELD_NAMES = [
  'name',
  'description',
  'strBeginTime',
  'strEndTime',
  'deviceType',
  'callerNo',
  'maxAlertingTime',
  'scheduleParam',
  'ivrParam',
  'skillParam',
  'initStatus',
  'callBackUrl',
  'priority',
  'status',
  'id',
  'callType',
  'calledNo',
  'userAccount',
  'workNo',
  'taskId',
  'appointTime',
  'callData',
  'remark',
  'appointId',
  'failCode',
  'callId',
  'busiResult',
  'busiSubStatus',
  'beginTime',
  'endTime',
  'accessCode',
  'resultCode',
  'displayResult',
  'obsCodes',
  '__proto__',
  'constructor',
  'toString',
  '',
  ' ',
  'workdayBeginTime1',
  'deviceSign',
  'skillId',
  'predictParam',
];

const RAW_NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '2',
  '3',
  '5',
  '9999',
  '10000',
  '2147483647',
  '2147483648',
  '-2147483649',
  '9007199254740993',
  '1e308',
  '1e400',
  '-1e400',
  '1.5',
  '0.0000001',
  '1E2',
  '123456789012345678901234567890',
  String(Date.now() + 3_600_000),
];

const SAMPLE_STRINGS = [
  '',
  ' ',
  '0',
  '1',
  '00000',
  '00602',
  '13800000000',
  '*#',
  'abc',
  'null',
  'true',
  '2030-01-01 00:00:00',
  '08:00',
  '25:99',
  'https://example.com/cb',
  'javascript:alert(1)',
  '<script>',
  '"; DROP TABLE campaigns; --',
  '../../etc/passwd',
  '%00',
  '\u0000',
  '\ud800',
  '\udfff',
  '😀'.repeat(3),
  '中文名称',
  'ç',
  '\u202e',
  'a'.repeat(300),
  '9'.repeat(40),
];

function randomString(r: () => number): string {
  const pick = r();
  if (pick < 0.5) return SAMPLE_STRINGS[Math.floor(r() * SAMPLE_STRINGS.length)]!;
  const len = Math.floor(r() * (r() < 0.1 ? 3000 : 20));
  let s = '';
  for (let i = 0; i < len; i++) {
    const k = r();
    if (k < 0.6) s += String.fromCharCode(0x20 + Math.floor(r() * 95));
    else if (k < 0.8) s += String.fromCharCode(Math.floor(r() * 0x20));
    else if (k < 0.95) s += String.fromCodePoint(0x80 + (Math.floor(r() * 0x10ff7f) % 0xd000));
    else s += String.fromCharCode(0xd800 + Math.floor(r() * 0x800)); // lone surrogates
  }
  return s;
}

/** Upper bound on the characters one generated body may hold (keeps the loop fast). */
const BUDGET = 20_000;

/** A random JSON text (not always an object); `budget.left` caps its size. */
function randomJsonValue(r: () => number, depth: number, budget: { left: number }): string {
  const k = r();
  if (budget.left <= 0 || (depth > 6 && k < 0.9) || k < 0.35) {
    const s = randomScalar(r);
    budget.left -= s.length;
    return s;
  }
  if (k < 0.7) {
    const n = Math.floor(r() * 6);
    const parts: string[] = [];
    for (let i = 0; i < n && budget.left > 0; i++) {
      const key = r() < 0.7 ? FIELD_NAMES[Math.floor(r() * FIELD_NAMES.length)]! : randomString(r);
      budget.left -= key.length + 4;
      parts.push(JSON.stringify(key) + ':' + randomJsonValue(r, depth + 1, budget));
    }
    return '{' + parts.join(',') + '}';
  }
  if (k < 0.95) {
    const n = Math.floor(r() * (r() < 0.05 ? 300 : 5));
    const parts: string[] = [];
    for (let i = 0; i < n && budget.left > 0; i++) parts.push(randomJsonValue(r, depth + 1, budget));
    return '[' + parts.join(',') + ']';
  }
  const d = 1 + Math.floor(r() * 500);
  budget.left -= 2 * d;
  return '['.repeat(d) + randomScalar(r) + ']'.repeat(d);
}

function randomScalar(r: () => number): string {
  const k = r();
  if (k < 0.3) return RAW_NUMBERS[Math.floor(r() * RAW_NUMBERS.length)]!;
  if (k < 0.4) return String(Math.floor((r() - 0.5) * 1e6));
  if (k < 0.8) return JSON.stringify(randomString(r));
  if (k < 0.87) return 'true';
  if (k < 0.94) return 'false';
  return 'null';
}

/** A valid body for the interface with a few fields replaced, removed or added. */
function mutate(r: () => number, valid: Record<string, unknown>): string {
  const budget = { left: BUDGET };
  const fields = Object.keys(valid);
  const parts = new Map<string, string>(fields.map((f) => [f, JSON.stringify(valid[f])]));
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const op = r();
    const f = fields[Math.floor(r() * fields.length)]!;
    if (op < 0.6) parts.set(f, randomJsonValue(r, 3, budget));
    else if (op < 0.8) parts.delete(f);
    else parts.set(FIELD_NAMES[Math.floor(r() * FIELD_NAMES.length)]!, randomJsonValue(r, 3, budget));
  }
  return '{' + [...parts].map(([k, v]) => JSON.stringify(k) + ':' + v).join(',') + '}';
}

function randomBody(r: () => number, valid: Record<string, unknown>): string | Uint8Array {
  const k = r();
  let text: string;
  if (k < 0.5) text = mutate(r, valid);
  else if (k < 0.85) text = randomJsonValue(r, 0, { left: BUDGET });
  else if (k < 0.95) {
    // truncated / corrupted JSON
    const t = mutate(r, valid);
    text = t.slice(0, Math.floor(r() * t.length));
  } else {
    // bytes that are not valid UTF-8 inside a JSON object
    const t = Buffer.from(mutate(r, valid), 'utf8');
    const bad = Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]);
    const at = Math.floor(r() * t.length);
    return Buffer.concat([t.subarray(0, at), bad.subarray(0, 1 + Math.floor(r() * bad.length)), t.subarray(at)]);
  }
  return text === '' ? '{' : text;
}

describe('fuzz: seeded random bodies against every interface that takes a body', () => {
  const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
  const ROUNDS = 120;
  let campaignId: number;
  let batchId: string;
  let appointId: string;

  before(async () => {
    campaignId = await createCampaign(srv.client, 1, { name: 'fuzz-target' });
    batchId = await createBatch(srv.client, 1, campaignId, 'fuzz-batch');
    const a = await srv.client.request<Envelope & { returnObject: { id: string } }>('POST', `${P(1)}/appoint/create`, {
      callType: 1,
      calledNo: '13900000000',
      userAccount: 'agent1',
      taskId: String(campaignId),
      appointTime: Date.now() + 3_600_000,
    });
    assert.equal(a.body?.resultCode, '0200000', a.raw);
    appointId = a.body!.returnObject.id;
  });

  const V2 = '/rest/isales/v2/openapi/campaigns/1';
  const interfaces = (): Array<[string, string, string, Record<string, unknown>]> => [
    ['campaign add', 'POST', P(1), campaignBody()],
    [
      'campaign add v2',
      'POST',
      V2,
      { ...campaignBody(), callerNo: [{ accessCode: '4001', priority: 1 }], retryPolicy: { policyType: 0, policyJson: '[{"type":0,"retryDay":1,"retryTimes":2}]' } },
    ],
    ['campaign modify v1', 'PUT', `${P(1)}/${campaignId}`, campaignBody({ name: 'fuzz-target' })],
    ['campaign modify v2', 'PUT', `${V2}/${campaignId}`, { ...campaignBody({ name: 'fuzz-target' }), callerNo: [{ accessCode: '4001', priority: 1 }] }],
    ['campaign pause', 'PUT', `${P(1)}/${campaignId}/pause`, {}],
    ['callbatch create', 'POST', `${P(1)}/callbatch/${campaignId}/create`, { name: 'b1', status: 2 }],
    ['callbatch update', 'POST', `${P(1)}/callbatch/${campaignId}/update`, { id: batchId, name: 'b2' }],
    ['callbatch pause', 'POST', `${P(1)}/callbatch/${campaignId}/pause`, { id: batchId }],
    ['callbatch resume', 'POST', `${P(1)}/callbatch/${campaignId}/resume`, { id: batchId }],
    [
      'appoint create',
      'POST',
      `${P(1)}/appoint/create`,
      { callType: 1, calledNo: '13800000000', userAccount: 'agent1', taskId: String(campaignId), appointTime: Date.now() + 3_600_000, callData: 'x', remark: 'r' },
    ],
    ['appoint updateResult', 'POST', `${P(1)}/appoint/updateResult`, { appointId, userAccount: 'agent1', failCode: '00000', beginTime: Date.now(), endTime: Date.now() + 1000 }],
    ['appoint update', 'POST', `${P(1)}/appoint/update`, { appointId, appointTime: Date.now() + 7_200_000 }],
    ['appoint list', 'POST', `${P(1)}/appoint/list`, { offset: 0, limit: 10, taskId: String(campaignId), userAccountList: ['agent1'] }],
    ['callerNo add', 'POST', `${P(1)}/callerNo/${campaignId}`, { callerNo: [{ accessCode: '4001', priority: 1 }] }],
    ['callerNo delete', 'DELETE', `${P(1)}/callerNo/${campaignId}`, { callerNo: [{ accessCode: '4001', priority: 1 }] }],
    ['createObResult', 'POST', `${P(1)}/createObResult`, { resultCode: 'R1', displayResult: 'No answer', obsCodes: ['00602'] }],
    ['updateObResult', 'POST', `${P(1)}/updateObResult`, { defId: '1', displayResult: 'No answer', obsCodes: ['00602'] }],
    [
      'retryPolicy set',
      'POST',
      `${P(1)}/retryPolicy/${campaignId}`,
      { policyType: 1, policyJson: "[{'dataType':'SI','type':1,'policy':[{'result':4,'retryNumber':3,'callInterval':600}]}]" },
    ],
    ['addBusinessResult', 'POST', `${P(1)}/addBusinessResult`, { name: 'Interested', code: 'INT', children: [{ name: 'Later', code: 'L' }] }],
    ['calldata add v1', 'POST', `${P(1)}/calldata/${campaignId}`, { callDataList: [{ sessionId: 's1', called: '13800000001', recycleTime: '2099-01-01 00:00:00' }] }],
    ['calldata add v2', 'POST', `${V2}/calldata/${campaignId}`, { batchId, callDataList: [{ sessionId: 's2', called: [{ calledNo: '13800000002', delayTime: 10, type: 'SI' }] }] }],
    ['calldata delete', 'POST', `${P(1)}/calldata/${campaignId}/delete`, { sessionId: 's1', recycleTime: '2099-01-01 00:00:00', recycleType: 1 }],
    ['callNoType add', 'POST', `${P(1)}/callNoType/add`, { callNoTypes: ['SI', 'OD'] }],
    ['blocklist add', 'POST', `${P(1)}/blocklist/add`, { blocklist: ['13900000009'], validityTime: 2, validityTimeUnit: 3 }],
    ['blocklist delete', 'POST', `${P(1)}/blocklist/delete`, { blocklistNo: '13900000009' }],
    ['blocklist query', 'POST', `${P(1)}/blocklist/query`, { offset: 0, limit: 10 }],
    ['holiday add', 'POST', `${P(1)}/holiday/${campaignId}`, { name: 'weekend', type: 1, week: '6,7' }],
    ['holiday modify', 'PUT', `${P(1)}/holiday/${campaignId}`, { id: 1, name: 'summer', type: 3, beginTime: '07-01', endTime: '08-31' }],
    ['callresult', 'POST', `${P(1)}/callresult/${campaignId}`, { pageNum: 1, pageSize: 10, showDetail: 1, beginTime: '2026-01-01', endTime: '2026-01-20' }],
    ['callBusiResult', 'POST', `${P(1)}/callBusiResult/1`, { busiResult: 'INT', subStatus: 'L', busiResultDesc: 'x', workNo: '101' }],
    ['calllogs', 'POST', `${P(1)}/calllogs`, { offset: 0, limit: 10, beginTime: '2026-01-01 00:00:00', endTime: '2026-01-05 00:00:00' }],
    ['clock', 'POST', '/campaignd/v1/clock', { advanceMs: 1000 }],
    // Last: a valid variation may delete the campaign the others work on.
    ['campaign delete', 'DELETE', `${P(1)}/${campaignId}`, { archiveHistory: 1 }],
  ];

  test(`${ROUNDS} random bodies per interface (seed ${SEED}) → always an envelope, HTTP < 500`, async () => {
    for (const [name, method, path, valid] of interfaces()) {
      const r = prng(SEED ^ hash(name));
      for (let i = 0; i < ROUNDS; i++) {
        const body = randomBody(r, valid);
        const res = await srv.client.request<Envelope>(method, path, body);
        const shown = typeof body === 'string' ? body.slice(0, 300) : `<bytes> ${Buffer.from(body).toString('latin1').slice(0, 300)}`;
        assert.ok(res.status < 500, `${name} #${i} (seed ${SEED}): HTTP ${res.status} ${res.raw}\nbody: ${shown}`);
        try {
          envelopeOf(res.body);
        } catch (e) {
          assert.fail(`${name} #${i} (seed ${SEED}): ${(e as Error).message}\nbody: ${shown}`);
        }
      }
      const h = await fetch(srv.url + '/healthz');
      assert.equal(h.status, 200, `/healthz after fuzzing ${name}`);
    }
  });
});

// Found by the session-4 review: on PostgreSQL these ids (beyond the `integer` range of the serial
// columns) reached the database and were answered HTTP 500; on SQLite they were "does not exist".
// Both backends must answer the interface's "does not exist" code.
describe('ids beyond the serial range name nothing (never 500, same code on both backends)', () => {
  const BIG = '2147483648';
  test('appoint/create, appoint/list, call data, trail, preview, callBusiResult, external results', async () => {
    const cid = await createCampaign(srv.client, 1);
    const preview = await createCampaign(srv.client, 1, { deviceType: 5, ivrParam: undefined, skillParam: { skillId: 7, skillName: 'sales' } });
    const appointTime = Date.now() + 86_400_000;
    const cases: Array<[string, string, string, unknown, string]> = [
      ['appoint/create taskId', 'POST', `${P(1)}/appoint/create`, { callType: '1', calledNo: '66660001', userAccount: 'a', taskId: BIG, appointTime }, '0200007'],
      ['appoint/list taskId', 'POST', `${P(1)}/appoint/list`, { taskId: BIG, offset: 0, limit: 10 }, '0200000'],
      ['calldata get', 'GET', `${P(1)}/calldata/${cid}/${BIG}`, undefined, '0200033'],
      ['trail', 'GET', `/campaignd/v1/campaigns/1/${cid}/calldata/${BIG}/trail`, undefined, '0200033'],
      ['preview decision', 'POST', `/campaignd/v1/campaigns/1/${preview}/preview/${BIG}`, { agentId: 'a1', decision: 'call' }, '0200001'],
      ['callBusiResult', 'POST', `${P(1)}/callBusiResult/${BIG}`, { busiResult: 'x' }, '0200033'],
      ['queryObsResultDetail', 'GET', `${P(1)}/${BIG}/queryObsResultDetail`, undefined, '0200001'],
      ['deleteObsResult', 'DELETE', `${P(1)}/${BIG}/deleteObsResult`, undefined, '0200001'],
      ['updateObResult', 'POST', `${P(1)}/updateObResult`, { defId: BIG, displayResult: 'x', obsCodes: ['00603'] }, '0200001'],
    ];
    for (const [name, method, path, body, code] of cases) {
      const env = await expectEnvelope(await srv.client.request<Envelope>(method, path, body), 200);
      assert.equal(env.resultCode, code, `${name}: ${JSON.stringify(env)}`);
    }
    const list = await post(`${P(1)}/appoint/list`, { taskId: BIG, offset: 0, limit: 10 });
    assert.equal((list.body as unknown as { totalCount: number }).totalCount, 0, list.raw);
  });
});
