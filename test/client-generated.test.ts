/**
 * The generated typed client (src/client/generated.ts): up to date with the contract, one method
 * per documented interface, business errors as typed values against a real server, and the
 * types themselves (the `@ts-expect-error` lines fail `npm run typecheck` if a type loosens).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OPERATIONS, type CallResult, type Operations } from '../src/client/index.js';
import { OPERATION_IDS } from '../src/contract/operations.js';
import { BUSINESS_CODES, PROTOCOL_CODES } from '../src/contract/error-codes.js';
import { RESULT_CODES } from '../src/domain/errors.js';
import { GENERATED, freshClientSource } from './gen-client.js';
import { unlistedCodes } from './check-result-codes.js';
import { startTestServer, tempDir, type TestServer } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
});
after(() => s.stop());

test('src/client/generated.ts is what the generator writes for the current contract (run npm run gen:client)', async () => {
  assert.equal(fs.readFileSync(GENERATED, 'utf8'), await freshClientSource());
});

test('one client method per named interface, with the method and path the document gives', () => {
  const doc = s.app.swagger() as unknown as { paths: Record<string, Record<string, { operationId?: string; 'x-result-codes'?: string[] }>> };
  const named = Object.entries(OPERATION_IDS).map(([k, id]) => [id, k] as const);
  assert.equal(Object.keys(OPERATIONS).length, named.length);
  for (const [id, k] of named) {
    const [method, path] = k.split(' ') as [string, string];
    const spec = OPERATIONS[id];
    assert.deepEqual([spec.method, spec.path], [method, path], id);
    assert.equal(typeof (s.client as unknown as Record<string, unknown>)[id], 'function', id);
    const op = doc.paths[path]?.[method.toLowerCase()];
    assert.equal(op?.operationId, id);
    for (const c of PROTOCOL_CODES) assert.ok(op?.['x-result-codes']?.includes(c), `${id} lists ${c}`);
  }
});

test('every listed code is in the catalogue, and each operation lists its business codes', () => {
  for (const [id, codes] of Object.entries(BUSINESS_CODES)) {
    for (const c of codes) assert.ok(c in RESULT_CODES, `${id}: ${c} is not in domain/errors.ts`);
  }
  const doc = s.app.swagger() as unknown as { paths: Record<string, Record<string, { operationId?: string; 'x-result-codes'?: string[] }>> };
  for (const methods of Object.values(doc.paths)) {
    for (const op of Object.values(methods)) {
      if (op.operationId === undefined) continue;
      const listed = op['x-result-codes'] ?? [];
      for (const c of BUSINESS_CODES[op.operationId as keyof typeof BUSINESS_CODES]) assert.ok(listed.includes(c), `${op.operationId} ${c}`);
    }
  }
});

test('the document carries an example answer for each listed code', () => {
  const doc = s.app.swagger() as unknown as {
    paths: Record<
      string,
      Record<string, { 'x-result-codes'?: string[]; responses: Record<string, { content: Record<string, { examples?: Record<string, { value: { resultCode: string } }> }> }> }>
    >;
  };
  const op = doc.paths['/rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/create']!.post!;
  const examples = op.responses['200']!.content['application/json']!.examples!;
  assert.deepEqual(Object.keys(examples).sort(), ['0200000', ...op['x-result-codes']!].sort());
  assert.equal(examples['0200007']?.value.resultCode, '0200007');
});

test('success and business errors come back as typed values from a real server', async () => {
  const created = await s.client.createCampaign(1, {
    name: 'typed',
    strBeginTime: '2030-01-01 00:00:00',
    strEndTime: '2030-02-01 00:00:00',
    deviceType: 3,
    callerNo: '4001',
    maxAlertingTime: 30,
    scheduleParam: { workdayBeginTime1: '08:00', workdayEndTime1: '20:00' },
    ivrParam: { deviceSign: '100' },
  });
  assert.equal(created.ok, true, created.raw);
  if (!created.ok) return;
  const id = created.body.returnObject?.id;
  assert.equal(typeof id, 'number');

  const batch = await s.client.createBatch(1, id!, { name: 'typed batch' });
  assert.ok(batch.ok, batch.raw);
  const again = await s.client.createBatch(1, id!, { name: 'typed batch' });
  assert.equal(again.ok, false);
  if (!again.ok) {
    assert.equal(again.error.resultCode, '03000001');
    assert.match(again.error.resultDesc, /.+/);
    assert.equal(again.error.status, 200);
  }
  // The batch list (documented as a GET with a JSON body) takes its filter as query parameters here.
  const listed = await s.client.listBatches(1, id!, { offset: 0, limit: 10, name: 'typed batch' });
  assert.ok(listed.ok, listed.raw);
  if (listed.ok)
    assert.deepEqual(
      listed.body.data?.map((b) => b.name),
      ['typed batch'],
    );
  const missing = await s.client.getCampaign(1, 999999);
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.equal(missing.error.resultCode, '0200007');

  const list = await s.client.listCampaigns(1, { status: 0, deviceType: 0, rowsPerPage: 10 });
  assert.ok(list.ok, list.raw);
  const bad = await s.client.request('GET', '/rest/isales/v1/openapi/campaigns/1/999999');
  assert.equal(bad.status, 200, 'request() stays for hand-made calls');
});

test('types: bodies, queries and error codes are checked at compile time', () => {
  const c = s.client;
  // Compile-time only: the calls below are never sent.
  const never = (_: unknown) => {};
  never(() => {
    // @ts-expect-error: createBatch needs a name
    void c.createBatch(1, 2, {});
    // @ts-expect-error: status is 1 or 2
    void c.createBatch(1, 2, { name: 'x', status: 3 });
    // @ts-expect-error: listCampaigns requires status and deviceType
    void c.listCampaigns(1, { rowsPerPage: 10 });
    void (async () => {
      const r: CallResult<Operations['getCampaign']> = await c.getCampaign(1, 2);
      if (!r.ok) {
        // @ts-expect-error: 03000001 is not a code getCampaign answers
        const code: Operations['getCampaign']['codes'] | '0200001' | '0200006' | undefined = r.error.resultCode === '03000001' ? undefined : r.error.resultCode;
        never(code);
      }
    })();
  });
  assert.ok(true);
});

test('the after-suite check reports an answered code the list lacks, and passes listed ones', async () => {
  const dir = tempDir();
  try {
    fs.writeFileSync(
      path.join(dir, '1.log'),
      [
        'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/create 03000001',
        'POST /rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/create 0200033',
        'GET /healthz 0200000',
      ].join('\n'),
    );
    const r = await unlistedCodes(dir);
    assert.equal(r.recorded, 3);
    assert.deepEqual(r.missing, ['createBatch POST /rest/isales/v1/openapi/campaigns/{vdnId}/callbatch/{campaignId}/create 0200033']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every recorded request example passes its interface schema; the document shows the examples', async () => {
  const { EXAMPLES } = await import('../src/contract/examples.js');
  const { Ajv } = await import('ajv');
  // The server's own AJV settings (http/server.ts): coercion on, first error only.
  const ajv = new Ajv({ coerceTypes: true, allErrors: false, strict: false });
  const doc = s.app.swagger() as unknown as {
    paths: Record<string, Record<string, { operationId?: string; requestBody?: { content: Record<string, { schema: object; examples?: Record<string, { value: unknown }> }> } }>>;
  };
  let checked = 0;
  for (const methods of Object.values(doc.paths)) {
    for (const op of Object.values(methods)) {
      const ex = EXAMPLES[op.operationId as keyof typeof EXAMPLES];
      const media = op.requestBody?.content['application/json'];
      if (ex?.request === undefined || media === undefined) continue;
      const value = structuredClone(ex.request);
      const validate = ajv.compile(media.schema);
      assert.ok(validate(value), `${op.operationId}: ${JSON.stringify(validate.errors)}`);
      assert.deepEqual(media.examples?.recorded?.value, ex.request);
      checked++;
    }
  }
  assert.ok(checked >= 20, `only ${checked} request examples`);
});
