/**
 * The console's files as campaignd serves them (no browser): `/console` → `/console/`, the page
 * and its hashed assets unsigned from `dist/console`, the page never cached, assets immutable;
 * the /docs page loads the console's signer.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ensureConsoleBuilt } from './browser.js';
import { startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
before(async () => {
  ensureConsoleBuilt();
  s = await startTestServer();
});
after(async () => s.stop());

test('/console redirects to /console/, which serves the page unsigned and uncached', async () => {
  const r = await fetch(`${s.url}/console`, { redirect: 'manual' });
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), '/console/');
  const page = await fetch(`${s.url}/console/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(page.headers.get('cache-control'), 'no-cache');
  const html = await page.text();
  assert.match(html, /<div id="app">/);
  assert.doesNotMatch(html, /https?:\/\//, 'the page names no other host');
  const asset = /src="\.\/(assets\/index-[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(asset, html);
  const js = await fetch(`${s.url}/console/${asset}`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
});

test('a file the console does not have is 404 in the envelope', async () => {
  const r = await fetch(`${s.url}/console/assets/nope.js`);
  assert.equal(r.status, 404);
  assert.equal(((await r.json()) as { resultCode: string }).resultCode, '0200001');
});

test('/docs loads the signer module the console build provides', async () => {
  const theme = await fetch(`${s.url}/docs/static/theme/campaignd-sign.js`);
  assert.equal(theme.status, 200);
  assert.match(await theme.text(), /\.\.\/console\/docs-signer\.js/);
  const signer = await fetch(`${s.url}/console/docs-signer.js`);
  assert.equal(signer.status, 200);
  assert.match(await signer.text(), /campaigndSign/);
});
