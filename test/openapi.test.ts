/**
 * The OpenAPI 3.1 document: valid, unsigned, and listing exactly the routes the server has, with
 * the C2 security scheme on signed ones and the protocol answers; the docs page and its assets
 * served by campaignd itself.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestServer, type TestServer } from './helpers.js';

type Operation = { security?: unknown[]; responses?: Record<string, unknown>; description?: string; tags?: string[] };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };

let s: TestServer;
let doc: Doc;
before(async () => {
  s = await startTestServer();
  const r = await fetch(`${s.url}/openapi.json`);
  assert.equal(r.status, 200);
  doc = (await r.json()) as Doc;
});
after(async () => s.stop());

test('the document is valid OpenAPI 3.1', async () => {
  assert.equal(doc.openapi, '3.1.0');
  const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
});

test('it lists exactly the routes the server has (docs and console assets aside)', () => {
  const served = new Set(
    s.app.routeTable
      .filter((r) => !r.url.startsWith('/docs') && !r.url.startsWith('/console') && r.url !== '/openapi.json')
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`),
  );
  const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
  assert.ok(served.size >= 50, `only ${served.size} routes`);
  assert.deepEqual(
    [...served].filter((r) => !documented.has(r)),
    [],
    'routes missing from the document',
  );
  assert.deepEqual(
    [...documented].filter((r) => !served.has(r)),
    [],
    'documented operations the server does not have',
  );
});

test('signed operations carry the C2 scheme and the protocol answers; the probes are unsigned', () => {
  assert.ok(doc.components.securitySchemes.C2);
  const create = doc.paths['/rest/isales/v1/openapi/campaigns/{vdnId}/appoint/create']!.post!;
  assert.equal(create.security, undefined, 'inherits the document-wide C2 requirement');
  for (const code of ['200', '401', '403', '404', '413', '415']) assert.ok(create.responses?.[code], `no ${code} answer`);
  assert.match(create.description ?? '', /04000002 \(calledNo\)/);
  assert.deepEqual(create.tags, ['appoint']);
  for (const p of ['/healthz', '/readyz', '/metrics']) {
    assert.deepEqual(doc.paths[p]?.get?.security, [], `${p} should be unsigned`);
    assert.equal(doc.paths[p]?.get?.responses?.['401'], undefined);
  }
});

test('/docs renders Swagger UI from assets campaignd serves itself', async () => {
  const page = await fetch(`${s.url}/docs/`, { redirect: 'follow' });
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /swagger-ui-bundle\.js/);
  assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)[a-z]/i, 'the page loads something from another host');
  const bundle = await fetch(`${s.url}/docs/static/swagger-ui-bundle.js`);
  assert.equal(bundle.status, 200);
  assert.ok((await bundle.arrayBuffer()).byteLength > 100_000);
});
