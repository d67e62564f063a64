/**
 * Batches besides create/pause/resume: update (rename), delete (with its waiting call data),
 * and the list, documented as a GET with a JSON body: sent here with node:http (fetch cannot
 * send a GET body) and signed over the raw body bytes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { formatTimestamp, sign } from '../src/auth/c2.js';
import { ManualClock } from '../src/engine/clock.js';
import { AK, createBatch, createCampaign, envelopeOf, P, SK, startTestServer, type TestServer } from './helpers.js';

const clock = new ManualClock(Date.UTC(2030, 0, 15, 9, 0, 0));
let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_MAX_BATCHES: '50' }, { clock });
});
after(async () => s.stop());

type Env = ReturnType<typeof envelopeOf> & Record<string, unknown>;
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;

async function call(method: string, path: string, body?: unknown, query?: Record<string, string | number>): Promise<Env> {
  const res = await s.client.request(method, path, body, query);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as Env;
}

/** A signed GET carrying `body` (exact bytes), through node:http. */
function rawGet(path: string, body: string | undefined, opts: { signedBody?: string; contentType?: string } = {}): Promise<{ status: number; body: Env }> {
  const url = new URL(s.url + path);
  const signedBody = opts.signedBody ?? body;
  const ct = opts.contentType ?? 'application/json; charset=UTF-8';
  const signedHeaders: Record<string, string> = { host: url.host };
  if (signedBody !== undefined) {
    signedHeaders['content-type'] = ct;
    signedHeaders['content-length'] = String(Buffer.byteLength(signedBody));
  }
  const { authorization } = sign({
    accessKey: AK,
    secretKey: SK,
    timestamp: formatTimestamp(Date.now(), 'seconds'),
    method: 'GET',
    path: url.pathname,
    query: [...url.searchParams.entries()],
    headers: signedHeaders,
    ...(signedBody === undefined ? {} : { body: Buffer.from(signedBody) }),
  });
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization };
    if (body !== undefined) {
      headers['content-type'] = ct;
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = http.request(url, { method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Env }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const list = (cid: number, filter: Record<string, unknown>) => rawGet(`${P(1)}/callbatch/${cid}/list`, JSON.stringify(filter));

describe('batch update', () => {
  test('renames a batch; the list shows the new name', async () => {
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    const id = await createBatch(s.client, 1, cid, 'April');
    const env = await call('POST', `${P(1)}/callbatch/${cid}/update`, { id, name: 'April (retry)' });
    assert.equal(env.resultCode, '0200000');
    assert.equal(env.resultDesc, 'success');
    const l = await list(cid, { offset: 0, limit: 10 });
    assert.deepEqual(l.body.data, [{ id, name: 'April (retry)', status: 2 }]);
  });

  test("keeping its own name is fine; another batch's name is 03000001", async () => {
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    const a = await createBatch(s.client, 1, cid, 'A');
    await createBatch(s.client, 1, cid, 'B');
    assert.equal((await call('POST', `${P(1)}/callbatch/${cid}/update`, { id: a, name: 'A' })).resultCode, '0200000');
    const dup = await call('POST', `${P(1)}/callbatch/${cid}/update`, { id: a, name: 'B' });
    assert.equal(dup.resultCode, '03000001');
    assert.match(dup.resultDesc, /B/);
  });

  test('03000004 for an unknown id (or one of another campaign), 0200007 for an unknown campaign', async () => {
    const c1 = await createCampaign(s.client, 1, {}, clock.now());
    const c2 = await createCampaign(s.client, 1, {}, clock.now());
    const other = await createBatch(s.client, 1, c2, 'other');
    assert.equal((await call('POST', `${P(1)}/callbatch/${c1}/update`, { id: '1'.repeat(30), name: 'x' })).resultCode, '03000004');
    assert.equal((await call('POST', `${P(1)}/callbatch/${c1}/update`, { id: other, name: 'x' })).resultCode, '03000004');
    assert.equal((await call('POST', `${P(1)}/callbatch/999999/update`, { id: other, name: 'x' })).resultCode, '0200007');
  });

  test('validation: 02000001 missing or empty, 02000002 forbidden characters, 02000003 too long', async () => {
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    const id = await createBatch(s.client, 1, cid, 'V');
    const u = (b: unknown) => call('POST', `${P(1)}/callbatch/${cid}/update`, b);
    assert.equal((await u({ id })).resultCode, '02000001');
    assert.equal((await u({ id, name: '' })).resultCode, '02000001');
    assert.equal((await u({ name: 'x' })).resultCode, '02000001');
    assert.equal((await u({ id, name: 'a<b' })).resultCode, '02000002');
    assert.equal((await u({ id, name: 'x'.repeat(256) })).resultCode, '02000003');
  });

  test('03000002 while the campaign is expired', async () => {
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    const id = await createBatch(s.client, 1, cid, 'E');
    await s.store.db
      .updateTable('campaigns')
      .set({ end_time: clock.now() - 1 })
      .where('id', '=', cid)
      .execute();
    assert.equal((await call('POST', `${P(1)}/callbatch/${cid}/update`, { id, name: 'F' })).resultCode, '03000002');
    assert.equal((await call('POST', `${P(1)}/callbatch/${cid}/delete`, { id })).resultCode, '03000002');
  });
});

describe('batch delete', () => {
  test('deletes the batch and its waiting call data; finished records stay', async () => {
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    const keep = await createBatch(s.client, 1, cid, 'keep');
    const gone = await createBatch(s.client, 1, cid, 'gone');
    clock.advance(1500);
    const add = await call('POST', `${P2()}/calldata/${cid}`, {
      batchId: gone,
      callDataList: [{ called: [{ calledNo: '5550001' }] }, { called: [{ calledNo: '5550002' }] }],
    });
    assert.equal(add.resultCode, '0200000', JSON.stringify(add));
    const [waiting, finished] = (add.returnObject as { dataIdList: Array<{ dataId: number }> }).dataIdList.map((d) => d.dataId);
    await s.store.db.updateTable('call_data').set({ state: 'done', completed_at: clock.now() }).where('id', '=', finished!).execute();

    assert.equal((await call('POST', `${P(1)}/callbatch/${cid}/delete`, { id: gone })).resultCode, '0200000');
    const l = await list(cid, { offset: 0, limit: 10 });
    assert.deepEqual(
      (l.body.data as Array<{ id: string }>).map((b) => b.id),
      [keep],
    );
    assert.equal((await call('GET', `${P(1)}/calldata/${cid}/${waiting}`)).resultCode, '0200033');
    assert.equal((await call('GET', `${P(1)}/calldata/${cid}/${finished}`)).resultCode, '0200000');
    assert.equal((await call('POST', `${P(1)}/callbatch/${cid}/delete`, { id: gone })).resultCode, '03000004');
  });

  test('refused (0200001) while one of its records is being dialled; nothing is deleted', async () => {
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    const b = await createBatch(s.client, 1, cid, 'busy');
    clock.advance(1500);
    const add = await call('POST', `${P2()}/calldata/${cid}`, { batchId: b, callDataList: [{ called: [{ calledNo: '5550003' }] }, { called: [{ calledNo: '5550004' }] }] });
    const ids = (add.returnObject as { dataIdList: Array<{ dataId: number }> }).dataIdList.map((d) => d.dataId);
    await s.store.db
      .updateTable('call_data')
      .set({ state: 'dialing', lease_owner: 'n1', lease_until: clock.now() + 60000 })
      .where('id', '=', ids[0]!)
      .execute();
    const env = await call('POST', `${P(1)}/callbatch/${cid}/delete`, { id: b });
    assert.equal(env.resultCode, '0200001');
    assert.match(env.resultDesc, /dialled/);
    assert.equal((await call('GET', `${P(1)}/calldata/${cid}/${ids[1]}`)).resultCode, '0200000');
    assert.equal((await list(cid, { offset: 0, limit: 10 })).body.totalCount, 1);
  });

  test('02000001 without id, 0200007 for an unknown campaign', async () => {
    const cid = await createCampaign(s.client, 1, {}, clock.now());
    assert.equal((await call('POST', `${P(1)}/callbatch/${cid}/delete`, {})).resultCode, '02000001');
    assert.equal((await call('POST', `${P(1)}/callbatch/999999/delete`, { id: '1'.repeat(30) })).resultCode, '0200007');
  });
});

describe('batch list', () => {
  let cid: number;
  const ids: string[] = [];
  before(async () => {
    cid = await createCampaign(s.client, 1, {}, clock.now());
    for (const [name, status] of [
      ['May_1', 1],
      ['may-2', 2],
      ['June', 2],
      ['Mayday', 1],
    ] as const) {
      ids.push(await createBatch(s.client, 1, cid, name, status));
    }
  });

  test('GET with a JSON body (signed over the raw bytes): page, total, oldest first', async () => {
    const r = await list(cid, { offset: 1, limit: 2 });
    assert.equal(r.status, 200);
    assert.equal(r.body.resultCode, '0200000');
    assert.equal(r.body.totalCount, 4);
    assert.deepEqual(r.body.data, [
      { id: ids[1], name: 'may-2', status: 2 },
      { id: ids[2], name: 'June', status: 2 },
    ]);
  });

  test('query parameters work too, and body fields win over query fields', async () => {
    const q = await call('GET', `${P(1)}/callbatch/${cid}/list`, undefined, { offset: 0, limit: 100, status: 1 });
    assert.deepEqual(
      (q.data as Array<{ name: string }>).map((b) => b.name),
      ['May_1', 'Mayday'],
    );
    const mixed = await rawGet(`${P(1)}/callbatch/${cid}/list?offset=0&limit=1&status=1`, JSON.stringify({ limit: 10 }));
    assert.equal(mixed.body.totalCount, 2);
    assert.equal((mixed.body.data as unknown[]).length, 2);
  });

  test('name is a case-insensitive substring; LIKE wildcards match literally', async () => {
    const r = await list(cid, { name: 'MAY', offset: 0, limit: 10 });
    assert.deepEqual(
      (r.body.data as Array<{ name: string }>).map((b) => b.name),
      ['May_1', 'may-2', 'Mayday'],
    );
    const u = await list(cid, { name: 'y_', offset: 0, limit: 10 });
    assert.deepEqual(
      (u.body.data as Array<{ name: string }>).map((b) => b.name),
      ['May_1'],
    );
  });

  test('pause and resume show in the list', async () => {
    await call('POST', `${P(1)}/callbatch/${cid}/resume`, { id: ids[2] });
    const r = await list(cid, { name: 'June', offset: 0, limit: 10 });
    assert.equal((r.body.data as Array<{ status: number }>)[0]!.status, 1);
    await call('POST', `${P(1)}/callbatch/${cid}/pause`, { id: ids[2] });
    assert.equal(((await list(cid, { name: 'June', offset: 0, limit: 10 })).body.data as Array<{ status: number }>)[0]!.status, 2);
  });

  test('validation: 02000001 without offset/limit, 02000007 out of range, 0200001 malformed or non-object body', async () => {
    const noOffset = await list(cid, { limit: 10 });
    assert.equal(noOffset.body.resultCode, '02000001');
    assert.match(noOffset.body.resultDesc, /offset/);
    assert.equal((await call('GET', `${P(1)}/callbatch/${cid}/list`)).resultCode, '02000001');
    assert.equal((await list(cid, { offset: 0, limit: 101 })).body.resultCode, '02000007');
    assert.equal((await list(cid, { offset: 0, limit: 10, status: 3 })).body.resultCode, '02000007');
    assert.equal((await list(cid, { offset: 'x', limit: 10 })).body.resultCode, '02000006');
    assert.equal((await rawGet(`${P(1)}/callbatch/${cid}/list`, '{"offset":0,')).body.resultCode, '0200001');
    assert.equal((await rawGet(`${P(1)}/callbatch/${cid}/list`, '[1]')).body.resultCode, '0200001');
    const text = await rawGet(`${P(1)}/callbatch/${cid}/list`, 'offset=0', { contentType: 'text/plain' });
    assert.equal(text.status, 415);
    assert.equal(text.body.resultCode, '0200001');
    const huge = await rawGet(`${P(1)}/callbatch/${cid}/list`, JSON.stringify({ offset: 0, limit: 1, name: 'x'.repeat(s.config.bodyLimit) }));
    assert.equal(huge.status, 413);
  });

  test('the signature covers the GET body: a body other than the signed one is 401', async () => {
    const r = await rawGet(`${P(1)}/callbatch/${cid}/list`, JSON.stringify({ offset: 0, limit: 10 }), { signedBody: JSON.stringify({ offset: 0, limit: 11 }) });
    assert.equal(r.status, 401);
    assert.equal(r.body.resultCode, '0200001');
  });

  test('0200007 for an unknown campaign; an expired campaign still lists', async () => {
    assert.equal((await list(999999, { offset: 0, limit: 10 })).body.resultCode, '0200007');
    const c = await createCampaign(s.client, 1, {}, clock.now());
    await createBatch(s.client, 1, c, 'old');
    await s.store.db
      .updateTable('campaigns')
      .set({ end_time: clock.now() - 1 })
      .where('id', '=', c)
      .execute();
    assert.equal((await list(c, { offset: 0, limit: 10 })).body.totalCount, 1);
  });
});
