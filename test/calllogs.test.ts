/**
 * Interface invocation records: every request to /rest/isales/... is journaled after its answer
 * (flushed in batches about every 100 ms), and `POST P/calllogs` lists the caller's VDN's entries.
 */
import type { CallLogItem } from '../src/domain/calllogs.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { AK, envelopeOf, P, SK, startTestServer, tempDir, type TestServer } from './helpers.js';
import { CampaigndClient } from '../src/client/index.js';
import { formatDateTime } from '../src/domain/time.js';
import { ConfigError } from '../src/config/error.js';
import { openTestStore } from './pg-target.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
});
after(async () => {
  await s.stop();
});

type LogItem = CallLogItem;
type Page = { resultCode: string; resultDesc: string; count: number; result: LogItem[] };

const HOUR = 3600_000;
const window = () => ({ beginTime: formatDateTime(Date.now() - HOUR), endTime: formatDateTime(Date.now() + HOUR) });

async function logs(body: Record<string, unknown>, vdn = 1, client = s.client): Promise<Page> {
  const res = await client.request('POST', `${P(vdn)}/calllogs`, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Page;
}

/**
 * Polls until the journal holds `n` entries for `url` (entries are written ~100 ms after the
 * answer); fails the test if they are not there within 10 s, so no check rests on a poll that
 * came back empty-handed (10 s: the machine may be busy).
 */
async function waitFor(url: string, n: number, vdn = 1, srv = s): Promise<Page> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const page = await logs({ offset: 0, limit: 100, url, ...window() }, vdn, srv.client);
    if (page.count >= n) return page;
    if (Date.now() > deadline) assert.fail(`the journal holds ${page.count} entries for ${url} in VDN ${vdn} after 10 s, expected ${n}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('journal entries', () => {
  test('a request is journaled with url, method, parameters (path variables included) and its result', async () => {
    const before = Date.now();
    const res = await s.client.request('GET', `${P(1)}/queryOBSResultCode?pageSize=3&pageNum=1`);
    assert.equal(res.status, 200);
    const page = await waitFor(`${P(1)}/queryOBSResultCode`, 1);
    assert.equal(page.resultCode, '0200000');
    assert.equal(page.resultDesc, 'queryCalllogs success');
    assert.equal(page.count, 1);
    const e = page.result[0]!;
    assert.match(e.id, /^[0-9]{30}$/);
    assert.match(e.operTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    const t = Date.parse(e.operTime);
    assert.ok(t >= before - 1000 && t <= Date.now(), e.operTime);
    assert.deepEqual(
      { ...e, id: '', operTime: '' },
      {
        id: '',
        operTime: '',
        url: `${P(1)}/queryOBSResultCode`,
        request: '{"pageSize":3,"pageNum":1,"vdnId":1}',
        resultCode: '0200000',
        resultDesc: 'query queryOBSResultCode Success!',
        httpStatus: 200,
        type: 'GET',
      },
    );
  });

  test("business errors are journaled with their code; the body's fields and path variables make up request", async () => {
    await s.client.request('POST', `${P(1)}/updateObResult`, { defId: '4711', displayResult: 'x', obsCodes: ['00602'] });
    const e = (await waitFor(`${P(1)}/updateObResult`, 1)).result[0]!;
    assert.equal(e.resultCode, '0200001');
    assert.match(e.resultDesc ?? '', /4711 does not exist/);
    assert.equal(e.type, 'POST');
    assert.deepEqual(JSON.parse(e.request!), { defId: '4711', displayResult: 'x', obsCodes: ['00602'], vdnId: 1 });
  });

  test('secret-bearing fields are masked at any depth; the signature is never stored', async () => {
    const body = { displayResult: 'x', obsCodes: ['00603'], password: 'hunter2', serverInfo: { ip: '10.0.0.1', serverPwd: 'sftp-secret' }, list: [{ secretKey: 'abc' }] };
    await s.client.request('POST', `${P(1)}/createObResult`, body);
    const e = (await waitFor(`${P(1)}/createObResult`, 1)).result[0]!;
    const req = JSON.parse(e.request!);
    assert.equal(req.password, '******');
    assert.deepEqual(req.serverInfo, { ip: '10.0.0.1', serverPwd: '******' });
    assert.deepEqual(req.list, [{ secretKey: '******' }]);
    assert.ok(!e.request!.includes('hunter2') && !e.request!.includes('sftp-secret'));
    const rows = await s.store.db.selectFrom('call_logs').selectAll().execute();
    const dump = JSON.stringify(rows);
    assert.ok(!dump.includes('auth-v2') && !dump.includes(SK), 'no Authorization header or secret in the journal');
    assert.ok(
      rows.some((r) => r.access_key === AK),
      'the signing AK is kept',
    );
  });

  test('401: a request whose signature fails is not journaled at all', async () => {
    const bad = new CampaigndClient({ baseUrl: s.url, accessKey: 'someoneElse', secretKey: 'not-the-secret-000' });
    const forged = new CampaigndClient({ baseUrl: s.url, accessKey: AK, secretKey: 'not-the-secret-000' });
    const url = `${P(1)}/queryOBSResults`;
    for (const c of [bad, forged]) {
      const res = await c.request('GET', `${url}?pageSize=2&pageNum=1`);
      assert.equal(res.status, 401);
    }
    await s.client.request('GET', `${url}?pageSize=1&pageNum=1`);
    const page = await waitFor(url, 1);
    await new Promise((r) => setTimeout(r, 150)); // a flush later: still only the signed one
    const again = await logs({ offset: 0, limit: 100, url, ...window() });
    assert.equal(again.count, 1, JSON.stringify(again.result));
    assert.equal(page.result[0]!.httpStatus, 200);
    assert.equal(await s.store.db.selectFrom('call_logs').select('id').where('http_status', '=', 401).executeTakeFirst(), undefined);
  });

  test('403: a valid key of another VDN is journaled in the VDN it tried, with only the path variables', async () => {
    await s.keys.put('vdn2only', 'vdn2-secret-key-0001', [2], Date.now());
    const other = new CampaigndClient({ baseUrl: s.url, accessKey: 'vdn2only', secretKey: 'vdn2-secret-key-0001' });
    const res = await other.request('POST', `${P(1)}/createObResult`, { displayResult: 'evil', obsCodes: ['00604'], note: 'refused body' });
    assert.equal(res.status, 403);
    const e = (await waitFor(`${P(1)}/createObResult`, 2)).result.find((r) => r.httpStatus === 403)!;
    assert.ok(e);
    assert.equal(e.request, '{"vdnId":"1"}', 'a refused body is not stored');
    const row = await s.store.db.selectFrom('call_logs').select('access_key').where('id', '=', e.id).executeTakeFirstOrThrow();
    assert.equal(row.access_key, 'vdn2only');
    // …and that key cannot read VDN 1's journal.
    assert.equal((await other.request('POST', `${P(1)}/calllogs`, { offset: 0, limit: 10, ...window() })).status, 403);
  });

  test("only the caller's VDN: another VDN's requests are not listed", async () => {
    await s.client.request('GET', `${P(2)}/queryOBSResultCode?pageSize=1&pageNum=1`);
    await waitFor(`${P(2)}/queryOBSResultCode`, 1, 2);
    const page = await logs({ offset: 0, limit: 100, ...window() });
    assert.ok(page.result.length > 0);
    assert.ok(
      page.result.every((r) => r.url.startsWith(`${P(1)}/`) || r.url === P(1)),
      JSON.stringify(page.result.map((r) => r.url)),
    );
  });

  test('a burst of requests is journaled completely (batches of 200), paged with offset/limit in time order', async () => {
    const url = `${P(3)}/queryOBSResults`;
    await Promise.all(Array.from({ length: 250 }, () => s.client.request('GET', `${url}?pageSize=1&pageNum=1`)));
    const page = await waitFor(url, 250, 3);
    assert.equal(page.count, 250);
    const p2 = await logs({ offset: 100, limit: 100, url, ...window() }, 3);
    const p3 = await logs({ offset: 200, limit: 100, url, ...window() }, 3);
    assert.equal(p2.result.length, 100);
    assert.equal(p3.result.length, 50);
    const all = [...page.result, ...p2.result, ...p3.result];
    assert.equal(new Set(all.map((r) => r.id)).size, 250);
    const times = all.map((r) => Date.parse(r.operTime));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
  });
});

describe('calllogs query rules', () => {
  test('beginTime and endTime bound the window (inclusive, to the second); 7 days apart is allowed', async () => {
    const past = { beginTime: '2020-01-01 00:00:00', endTime: '2020-01-08 00:00:00' };
    const page = await logs({ offset: 0, limit: 10, ...past });
    assert.equal(page.resultCode, '0200000', page.resultDesc);
    assert.equal(page.count, 0);
    assert.deepEqual(page.result, []);
    const now = formatDateTime(Date.now() + 1000);
    assert.ok((await logs({ offset: 0, limit: 10, beginTime: formatDateTime(Date.now() - HOUR), endTime: now })).count > 0);
  });

  test('an empty url filter means every interface', async () => {
    const all = await logs({ offset: 0, limit: 1, url: '', ...window() });
    const none = await logs({ offset: 0, limit: 1, url: '/rest/isales/v1/openapi/campaigns/1/nothing', ...window() });
    assert.ok(all.count > 1);
    assert.equal(none.count, 0);
  });

  const cases: Array<[string, () => Record<string, unknown>, string, RegExp?]> = [
    ['0200001 endTime before beginTime', () => ({ offset: 0, limit: 10, beginTime: '2024-01-02 00:00:00', endTime: '2024-01-01 23:59:59' }), '0200001', /earlier/],
    ['0200001 more than 7 days apart', () => ({ offset: 0, limit: 10, beginTime: '2024-01-01 00:00:00', endTime: '2024-01-08 00:00:01' }), '0200001', /7 days/],
    ['0200001 body is not an object', () => [1] as unknown as Record<string, unknown>, '0200001'],
    ['02000001 missing offset', () => ({ limit: 10, ...window() }), '02000001', /offset/],
    ['02000001 missing limit', () => ({ offset: 0, ...window() }), '02000001', /limit/],
    ['02000001 missing beginTime', () => ({ offset: 0, limit: 10, endTime: '2024-01-01 00:00:00' }), '02000001', /beginTime/],
    ['02000001 missing endTime', () => ({ offset: 0, limit: 10, beginTime: '2024-01-01 00:00:00' }), '02000001', /endTime/],
    ['02000002 beginTime in another format', () => ({ offset: 0, limit: 10, beginTime: '2024-01-01T00:00:00Z', endTime: '2024-01-02 00:00:00' }), '02000002', /beginTime/],
    ['02000007 endTime not a real date', () => ({ offset: 0, limit: 10, beginTime: '2024-02-01 00:00:00', endTime: '2024-02-30 00:00:00' }), '02000007', /endTime/],
    ['02000003 url longer than 1024', () => ({ offset: 0, limit: 10, url: '/'.repeat(1025), ...window() }), '02000003', /url/],
    ['02000006 limit not a number', () => ({ offset: 0, limit: 'ten', ...window() }), '02000006', /limit/],
    ['02000007 limit 101', () => ({ offset: 0, limit: 101, ...window() }), '02000007', /limit/],
    ['02000007 limit 0', () => ({ offset: 0, limit: 0, ...window() }), '02000007', /limit/],
    ['02000007 negative offset', () => ({ offset: -1, limit: 10, ...window() }), '02000007', /offset/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(name, async () => {
      const page = await logs(body());
      assert.equal(page.resultCode, code, page.resultDesc);
      if (desc) assert.match(page.resultDesc, desc);
    });
  }
});

describe('configuration and shutdown', () => {
  test('CAMPAIGND_CALLLOG_PARAMS=off keeps the entry but not its parameters', async () => {
    const off = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLLOG_PARAMS: 'off' });
    try {
      await off.client.request('GET', `${P(1)}/queryOBSResultCode?pageSize=1&pageNum=1`);
      const e = (await waitFor(`${P(1)}/queryOBSResultCode`, 1, 1, off)).result[0]!;
      assert.equal(e.request, null);
      assert.equal(e.resultCode, '0200000');
    } finally {
      await off.stop();
    }
  });

  test('an unknown CAMPAIGND_CALLLOG_PARAMS value stops the start', async () => {
    await assert.rejects(
      startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLLOG_PARAMS: 'maybe' }),
      (e: unknown) => e instanceof ConfigError && /CAMPAIGND_CALLLOG_PARAMS/.test(e.message),
    );
  });

  test('entries still in memory are written when the server closes', async () => {
    const dir = tempDir();
    try {
      const srv = await startTestServer({ CAMPAIGND_ENGINE: 'off' }, { dir });
      const res = await srv.client.request('GET', `${P(1)}/queryOBSResultCode?pageSize=1&pageNum=1`);
      assert.equal(res.status, 200);
      await srv.stop(); // right away: well inside the ~100 ms flush interval
      const store = await openTestStore(dir);
      try {
        const rows = await store.db.selectFrom('call_logs').select(['url', 'http_status']).execute();
        assert.deepEqual(rows, [{ url: `${P(1)}/queryOBSResultCode`, http_status: 200 }]);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
