/**
 * `/docs` in a real browser (issue #11): Swagger UI renders from campaignd's own assets, and a
 * call tried from it is signed in the page with the AK/SK entered there and answers 0200000;
 * without keys the same call answers 401. Debian's chromium through playwright-core.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifact, ensureConsoleBuilt, launch } from './browser.js';
import { AK, SK, startTestServer, type TestServer } from './helpers.js';

describe('/docs in a browser', { timeout: 120_000 }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  const foreign: string[] = [];

  before(async () => {
    ensureConsoleBuilt();
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual' });
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(s.url) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
    });
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  /** Opens GET /campaignd/v1/clock, tries it out and returns the response status and body text. */
  async function tryClock(p: Page): Promise<{ status: string; body: string }> {
    const op = p.locator('.opblock-get').filter({ has: p.locator('[data-path="/campaignd/v1/clock"]') });
    if (!(await op.locator('.opblock-body').isVisible())) await op.locator('.opblock-summary').click();
    const tryIt = op.getByRole('button', { name: 'Try it out' });
    if (await tryIt.isVisible()) await tryIt.click();
    const answered = p.waitForResponse((r) => r.url().endsWith('/campaignd/v1/clock'));
    await op.getByRole('button', { name: 'Execute' }).click();
    const res = await answered;
    await op.locator('.live-responses-table .response .response-col_status').first().waitFor();
    return { status: String(res.status()), body: await res.text() };
  }

  test('Swagger UI renders with the signing panel', async () => {
    await page.goto(`${s.url}/docs/`);
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'campaignd' }).waitFor();
    await page.getByRole('form', { name: 'Signing keys' }).waitFor();
    await page.screenshot({ path: artifact('docs.png') });
  });

  test('without keys a tried call answers 401', async () => {
    const r = await tryClock(page);
    assert.equal(r.status, '401');
    assert.match(r.body, /authentication failed/);
  });

  test('with the AK/SK entered in the page the call is signed and answers 0200000', async () => {
    const form = page.getByRole('form', { name: 'Signing keys' });
    await form.getByLabel('AK').fill(AK);
    await form.getByLabel('SK').fill(SK);
    await form.getByRole('button', { name: 'Use these keys' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: `signing as ${AK}` })
      .waitFor();
    const r = await tryClock(page);
    assert.equal(r.status, '200');
    const body = JSON.parse(r.body) as { resultCode: string; returnObject: { kind: string } };
    assert.equal(body.resultCode, '0200000');
    assert.equal(body.returnObject.kind, 'manual');
    await page.screenshot({ path: artifact('docs-signed-call.png'), fullPage: false });
  });

  test('a signed POST with a body is accepted too (the body bytes are signed)', async () => {
    const op = page.locator('.opblock-post').filter({ has: page.locator('[data-path="/campaignd/v1/clock"]') });
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    await op.locator('textarea.body-param__text').fill('{"advanceMs": 60000}');
    const answered = page.waitForResponse((r) => r.url().endsWith('/campaignd/v1/clock') && r.request().method() === 'POST');
    await op.getByRole('button', { name: 'Execute' }).click();
    const res = await answered;
    assert.equal(res.status(), 200);
    assert.equal(((await res.json()) as { resultCode: string }).resultCode, '0200000');
  });

  test('every request went to campaignd itself', () => {
    assert.deepEqual(foreign, []);
  });
});
