/**
 * The operator console in a real browser (issue #14): Debian's chromium through playwright-core
 * against a real campaignd (manual clock, simulated dialer, SQLite file). Sign in, create a
 * campaign through the form, a validation message next to its field, a 1,000-row CSV upload,
 * the manual clock moved and progress and chart following without a reload, pause and resume,
 * a record's trail, the other pages, a phone-sized screen, sign out. Every request the page
 * makes must go to campaignd itself. Screenshots under test/artifacts/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startOfUtcDay } from '../src/domain/time.js';
import { ManualClock } from '../src/engine/clock.js';
import { artifact, ensureConsoleBuilt, launch } from './browser.js';
import { AK, createCampaign, SK, startTestServer, tempDir, type TestServer } from './helpers.js';

const HOUR = 3_600_000;

describe('operator console', { timeout: 240_000 }, () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  const foreign: string[] = [];
  const pageErrors: string[] = [];
  let campaignId = 0;

  before(async () => {
    ensureConsoleBuilt();
    // Monday 2030-01-07 08:00 UTC: inside the form's default 08:00–20:00 window.
    s = await startTestServer(
      { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:3,00603:1', CAMPAIGND_CALLDATA_MAX: '1000' },
      { clock: new ManualClock(startOfUtcDay(Date.UTC(2030, 0, 7)) + 8 * HOUR) },
    );
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(s.url) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
    });
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  test('a wrong secret is refused with the server reason; the right key signs in (keyboard only)', async () => {
    await page.goto(`${s.url}/console/`);
    await page.getByLabel('Access key (AK)').fill(AK);
    await page.getByLabel('Secret key (SK)').fill('not-the-secret');
    await page.keyboard.press('Enter');
    await page
      .getByRole('alert')
      .filter({ hasText: /signature|authentication/ })
      .waitFor();
    await page.screenshot({ path: artifact('signin.png') });
    // Keyboard only: focus the AK field, type, Tab to the SK field, type, Enter.
    await page.getByLabel('Access key (AK)').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(AK);
    await page.keyboard.press('Tab');
    await page.keyboard.type(SK);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Campaigns of VDN 1' }).waitFor();
    await page.getByText('No campaigns yet.').waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
    await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();
    const stored = await page.evaluate<string | null>("sessionStorage.getItem('campaignd.credentials')");
    assert.match(stored ?? '', new RegExp(AK));
    const local = await page.evaluate<string>('JSON.stringify(localStorage)');
    assert.doesNotMatch(local, new RegExp(SK), 'the SK must stay out of local storage');
  });

  test('a bad field gets the server message next to it', async () => {
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByLabel('Name', { exact: true }).fill('bad-ring-time');
    await page.getByLabel('Ring time (s)').fill('500');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    const msg = page.locator('#e-maxAlertingTime');
    await msg.waitFor();
    assert.match((await msg.textContent()) ?? '', /^02000007: .*maxAlertingTime/);
    assert.equal(await page.getByLabel('Ring time (s)').getAttribute('aria-invalid'), 'true');
    await page.screenshot({ path: artifact('campaign-form-error.png'), fullPage: true });
  });

  test('a campaign is created through the form', async () => {
    await page.getByLabel('Name', { exact: true }).fill('console-campaign');
    await page.getByLabel('Ring time (s)').fill('30');
    await page.getByLabel('Seconds between rounds').fill('60');
    await page.getByLabel('Calling-number pool').fill('4001001:1\n4001002:2');
    await page.getByRole('button', { name: 'Create campaign' }).click();
    await page.waitForURL(/#\/campaigns\/\d+$/);
    campaignId = Number(/#\/campaigns\/(\d+)$/.exec(page.url())![1]);
    await page.getByRole('heading', { name: `Campaign ${campaignId} — console-campaign` }).waitFor();
    const details = await s.client.request<{ returnObject: { callerNo: Array<{ accessCode: string }> } }>('GET', `/rest/isales/v1/openapi/campaigns/1/${campaignId}`);
    assert.deepEqual(
      details.body?.returnObject.callerNo.map((c) => c.accessCode),
      ['4001001', '4001002'],
    );
  });

  test('a 1,000-row CSV is uploaded with progress', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'list.csv');
    const rows = ['sessionId,called'];
    for (let i = 0; i < 1000; i++) rows.push(`s-${i},${String(13900000000 + i)}`);
    fs.writeFileSync(file, rows.join('\n') + '\n');
    await page.locator('input[type=file]').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByTestId('upload-result').filter({ hasText: '1000 loaded, 0 refused.' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('upload-progress').getAttribute('aria-valuenow'), '1000');
    await page.getByText('1000 records').waitFor();
    const counts = await s.client.request<{ returnObject: { ready: number } }>('GET', `/campaignd/v1/campaigns/1/${campaignId}/progress`);
    assert.equal(counts.body?.returnObject.ready, 1000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('moving the manual clock moves the progress bar and the chart without a reload', async () => {
    const bar = page.getByTestId('campaign-progress');
    assert.equal(await bar.getAttribute('aria-valuenow'), '0');
    assert.equal(await page.getByTestId('activity-chart').getAttribute('data-attempts'), '0');
    await page.evaluate('window.marker = 42');
    const before = await page.getByTestId('clock').textContent();
    await page.getByRole('button', { name: '+1 hour' }).click();
    await page.waitForFunction("Number(document.querySelector('[data-testid=campaign-progress]')?.getAttribute('aria-valuenow')) > 0", null, { timeout: 30_000 });
    await page.waitForFunction("Number(document.querySelector('[data-testid=activity-chart]')?.getAttribute('data-attempts')) > 0", null, { timeout: 30_000 });
    // The clock shows the new time once the move's answer is in (its events may come first under load).
    await page.waitForFunction(`document.querySelector('[data-testid=clock]')?.textContent !== ${JSON.stringify(before)}`, null, { timeout: 60_000 });
    assert.equal(await page.evaluate<number | undefined>('window.marker'), 42, 'the page was reloaded');
    // The bar follows the server's count live (calls of the move may still be settling): they agree within 30 s.
    for (const deadline = Date.now() + 30_000; ; ) {
      const served = await s.client.request<{ returnObject: { done: number } }>('GET', `/campaignd/v1/campaigns/1/${campaignId}/progress`);
      const done = Number(await bar.getAttribute('aria-valuenow'));
      if (done === served.body?.returnObject.done) break;
      if (Date.now() > deadline) assert.equal(done, served.body?.returnObject.done);
      await page.waitForTimeout(250);
    }
    assert.deepEqual(await page.getByRole('alert').allTextContents(), [], 'the campaign page shows an error');
    await page
      .getByRole('cell', { name: /^(00000|00603)$/ })
      .first()
      .waitFor();
    await page.screenshot({ path: artifact('campaign.png'), fullPage: false });
  });

  test('an XLSX list is read in the browser and loaded too', async () => {
    const { default: ExcelJS } = await import('exceljs');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('list');
    ws.addRow(['sessionId', 'called']);
    for (let i = 0; i < 5; i++) ws.addRow([`x-${i}`, 13800000000 + i]);
    const dir = tempDir();
    const file = path.join(dir, 'list.xlsx');
    await wb.xlsx.writeFile(file);
    await page.locator('input[type=file]').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByTestId('upload-result').filter({ hasText: '5 loaded, 0 refused.' }).waitFor({ timeout: 30_000 });
    await page.getByText('1005 records').waitFor();
    const found = await s.client.request<{ returnObject: { records: Array<{ calledNos: string[] }> } }>('GET', `/campaignd/v1/campaigns/1/${campaignId}/records`, undefined, {
      q: '1380000000',
    });
    assert.deepEqual(
      found.body?.returnObject.records.map((r) => r.calledNos[0]),
      ['13800000000', '13800000001', '13800000002', '13800000003', '13800000004'],
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('pause and resume', async () => {
    await page.getByRole('button', { name: 'Pause campaign' }).click();
    await page.getByTestId('state').filter({ hasText: 'suspended' }).waitFor();
    assert.equal(await page.getByTestId('wire-status').textContent(), '3');
    await page.getByRole('button', { name: 'Resume campaign' }).click();
    await page.getByTestId('state').filter({ hasNotText: 'suspended' }).waitFor();
    assert.notEqual(await page.getByTestId('wire-status').textContent(), '3');
  });

  test('a batch is added, paused and resumed', async () => {
    const batches = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Batches' }) });
    await batches.getByLabel('new batch name').fill('morning');
    await batches.getByRole('button', { name: 'Add batch' }).click();
    await batches.getByText('morning — running').waitFor();
    await batches.getByRole('button', { name: 'Pause' }).click();
    await batches.getByText('morning — paused').waitFor();
    await batches.getByRole('button', { name: 'Resume' }).click();
    await batches.getByText('morning — running').waitFor();
  });

  test('edit: a new name and a special date are saved', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByRole('heading', { name: `Edit campaign ${campaignId}` }).waitFor();
    // The form shows once the campaign's current values are in it.
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'console-campaign');
    await page.getByLabel('Name', { exact: true }).fill('console-campaign-renamed');
    await page.getByLabel('special date name').fill('new-year');
    await page.getByLabel('special date type').selectOption('3');
    await page.getByLabel('begin date').fill('01-01');
    await page.getByLabel('end date').fill('01-01');
    await page.getByRole('button', { name: 'Add date' }).click();
    await page.getByText(/new-year \(type 3\)/).waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: `Campaign ${campaignId} — console-campaign-renamed` }).waitFor();
    const d = await s.client.request<{ returnObject: { name: string; callerNo: unknown[] } }>('GET', `/rest/isales/v1/openapi/campaigns/1/${campaignId}`);
    assert.equal(d.body?.returnObject.name, 'console-campaign-renamed');
    assert.equal(d.body?.returnObject.callerNo.length, 2, 'the pool is kept');
  });

  test("a record's decision trail opens as a timeline", async () => {
    await page.getByLabel('search records').fill('13900000000');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 records').waitFor();
    const link = page.locator('tr[data-record] a').first();
    const dataId = await link.textContent();
    await link.click();
    const trail = page.getByTestId('trail');
    await trail.getByRole('heading', { name: `Decision trail of record ${dataId}` }).waitFor();
    await trail.locator('ol.timeline li').first().waitFor();
    assert.match((await trail.textContent()) ?? '', /13900000000/);
    await page.screenshot({ path: artifact('record-trail.png'), fullPage: true });
  });

  test('preflight names the held records and moves the clock to the next due work', async () => {
    // Engine time is 09:00 on a Monday; this campaign may call from 10:00 only.
    const id = await createCampaign(s.client, 1, { name: 'later', scheduleParam: { workdayBeginTime1: '10:00', workdayEndTime1: '11:00' } }, s.clock.now());
    const added = await s.client.request<{ resultCode: string }>('POST', `/rest/isales/v2/openapi/campaigns/1/calldata/${id}`, {
      callDataList: [{ sessionId: 'p-1', called: [{ calledNo: '13700000001' }] }],
    });
    assert.equal(added.body?.resultCode, '0200000');
    await page.goto(`${s.url}/console/#/campaigns/${id}`);
    const preflight = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Preflight' }) });
    await preflight.getByTestId('dial-now').filter({ hasText: '0' }).waitFor();
    const move = preflight.getByRole('button', { name: /Move the clock to the next due work \(2030-01-07 10:00\)/ });
    await move.click();
    await page.getByTestId('clock').filter({ hasText: '2030-01-07 10:00:00' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('count-done').filter({ hasText: '1' }).waitFor({ timeout: 60_000 });
  });

  test('the other pages render (blocklist, reservations, external results, journal)', async () => {
    // The campaign list: wire status, internal state and a progress bar per campaign.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    const row = page.locator(`tr[data-campaign="${campaignId}"]`);
    await row.waitFor();
    const bar = row.getByRole('progressbar');
    // The bar follows the server (calls of the last clock move may still be settling): they agree within 30 s.
    let p = { done: -1, ready: 0, dialing: 0, state: '' };
    for (const deadline = Date.now() + 30_000; ; ) {
      const served = await s.client.request<{ returnObject: typeof p }>('GET', `/campaignd/v1/campaigns/1/${campaignId}/progress`);
      p = served.body!.returnObject;
      const shown = [await bar.getAttribute('aria-valuenow'), await bar.getAttribute('aria-valuemax')];
      if (shown[0] === String(p.done) && shown[1] === String(p.done + p.ready + p.dialing)) break;
      if (Date.now() > deadline) assert.deepEqual(shown, [String(p.done), String(p.done + p.ready + p.dialing)]);
      await page.waitForTimeout(250);
    }
    assert.match((await row.textContent()) ?? '', new RegExp(p.state));
    await page.screenshot({ path: artifact('campaigns.png'), fullPage: true });
    const pages: Array<[string, string]> = [
      ['Blocklist', 'Blocklist of VDN 1'],
      ['Reservations', 'Reservations of VDN 1'],
      ['External results', 'External results'],
      ['Journal', 'Journal (calllogs) of VDN 1'],
    ];
    for (const [link, heading] of pages) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      // Each page shows a table or its empty-state sentence once its data is in; never an error.
      await page.locator('main table, main p:not(.hint):not(.error)').first().waitFor();
      await page.waitForTimeout(300);
      const alerts = await page.getByRole('alert').allTextContents();
      assert.deepEqual(alerts, [], `${link}: ${alerts.join(' | ')}`);
      await page.screenshot({ path: artifact(`${link.toLowerCase().replace(/ /g, '-')}.png`), fullPage: true });
    }
    // A number blocked and unblocked from the blocklist page.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Blocklist' }).click();
    await page.getByLabel('number to block').fill('13600000001');
    await page.getByRole('button', { name: 'Block' }).click();
    const blocked = page.getByRole('row').filter({ hasText: '13600000001' });
    await blocked.waitFor();
    await blocked.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No blocklisted numbers.').waitFor();
    // All 78 OBS codes, over two pages of the interface.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'External results' }).click();
    await page.getByRole('cell', { name: '34609', exact: true }).waitFor();
    // The journal lists what the console itself did, signed.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Journal' }).click();
    await page.getByText(`/rest/isales/v2/openapi/campaigns/1/calldata/${campaignId}`).first().waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
  });

  test('a phone-sized screen: no sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${s.url}/console/#/campaigns/${campaignId}`);
    await page.getByTestId('campaign-progress').waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    assert.ok(overflow <= 1, `the page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: artifact('campaign-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('sign out forgets the key', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access key (AK)').waitFor();
    assert.equal(await page.evaluate<string | null>("sessionStorage.getItem('campaignd.credentials')"), null);
    await page.reload();
    await page.getByLabel('Access key (AK)').waitFor();
  });

  test('a key bound to VDNs 2 and 3 chooses among them', async () => {
    await s.keys.put('vdn23', 'vdn23-secret-key', [2, 3], Date.now());
    await page.getByLabel('Access key (AK)').fill('vdn23');
    await page.getByLabel('Secret key (SK)').fill('vdn23-secret-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Campaigns of VDN 2' }).waitFor();
    const options = await page.getByLabel('VDN', { exact: true }).locator('option').allTextContents();
    assert.deepEqual(options, ['2', '3']);
    await page.getByLabel('VDN', { exact: true }).selectOption('3');
    await page.getByRole('heading', { name: 'Campaigns of VDN 3' }).waitFor();
    await page.getByText('No campaigns yet.').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Access key (AK)').waitFor();
  });

  test('every request went to campaignd itself; no script error', () => {
    assert.deepEqual(foreign, []);
    assert.deepEqual(pageErrors, []);
  });
});
