/**
 * Attack on issue #12's deferred journal request (session 10): whatever a signed client sends
 * to a journaled route — secret names escaped or repeated, a nested value hidden under a
 * repeated name, secret-named query parameters, invalid UTF-8, a BOM, `__proto__` — the secret
 * value never reaches `call_logs` (request nor request_params), and the calllogs text of a
 * deferred row is the text `requestJson` gives for the same call. On the store of the pass.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { requestJson } from '../src/domain/calllogs.js';
import { formatDateTime } from '../src/domain/time.js';
import { P, campaignBody, envelopeOf, startTestServer, type TestServer } from './helpers.js';

const MARK = 'S3CR3TVALUE';

describe('attack s10: the deferred journal request over HTTP', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  });
  after(async () => s.stop());

  test('no secret value reaches call_logs whatever the body and query; deferred rows read as requestJson', async () => {
    const cid = (await s.client.request<{ returnObject: { id: number } }>('POST', P(1), campaignBody())).body!.returnObject.id;
    const base = `"callType":1,"calledNo":"66660001","userAccount":"agent01","taskId":"${cid}","appointTime":${Date.now() + 3600_000}`;
    const path = `${P(1)}/appoint/create`;
    const cases: Array<{ q: string; body: Buffer }> = [
      { q: '', body: Buffer.from(`{${base},"\\u0070assword":"${MARK}"}`) },
      { q: '', body: Buffer.from(`{${base},"remark":"${MARK}","remark":"x","pin\\u0043ode":"${MARK}"}`) },
      { q: '', body: Buffer.from(`{${base},"remark":{"apiKey":"${MARK}"},"remark":"x"}`) },
      { q: '', body: Buffer.from(`{${base},"remark":[{"token":"${MARK}"}],"remark":1}`) },
      { q: `?accessToken=${MARK}`, body: Buffer.from(`{${base}}`) },
      { q: `?remark=1&remark=2&sk=${MARK}`, body: Buffer.from(`{${base}}`) },
      { q: `?__proto__=x&token=${MARK}`, body: Buffer.from(`{${base}}`) },
      { q: '', body: Buffer.from(`{${base},"__proto__":{"password":"${MARK}"}}`) },
      { q: '', body: Buffer.concat([Buffer.from(`{${base},"pass\\u0077ord":"${MARK}","x":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]) },
      { q: '', body: Buffer.from(`\uFEFF{${base},"secret":"${MARK}"}`) },
      { q: '', body: Buffer.from(`\t{ ${base} ,\r\n "Pwd" : "${MARK}" }\n`) },
      // The one clean call: odd whitespace, escapes, a repeated name, a query parameter.
      { q: '?7=q&remark=fromQuery', body: Buffer.from(`\t{ ${base} ,\r\n "rem\\u0061rk" : 1 , "remark":"caf\\u00e9", "note":"a", "note":-0.50e1 }\n`) },
    ];
    for (const c of cases) {
      const res = await s.client.request('POST', `${path}${c.q}`, c.body);
      assert.ok(res.status !== 401 && res.status !== 403, `status ${res.status}`);
    }
    const window = { beginTime: formatDateTime(Date.now() - 3600_000), endTime: formatDateTime(Date.now() + 3600_000) };
    const deadline = Date.now() + 10_000;
    let page: { count: number; result: Array<{ id: string; request: string | null }> };
    for (;;) {
      const res = await s.client.request('POST', `${P(1)}/calllogs`, { offset: 0, limit: 100, url: path, ...window });
      page = envelopeOf(res.body) as unknown as typeof page;
      if (page.count >= cases.length) break;
      if (Date.now() > deadline) assert.fail(`${page.count} journal entries, expected ${cases.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const rows = await s.store.db.selectFrom('call_logs').select(['id', 'request', 'request_params']).where('url', '=', path).execute();
    assert.equal(rows.length, cases.length);
    let deferred = 0;
    for (const row of rows) {
      assert.ok(!String(row.request).includes(MARK), `at rest: ${row.request}`);
      assert.ok(!String(row.request_params).includes(MARK), `at rest: ${row.request_params}`);
      const api = page.result.find((r) => r.id === row.id)!;
      assert.ok(!String(api.request).includes(MARK), `calllogs: ${api.request}`);
      if (row.request_params !== null) {
        deferred++;
        const params = JSON.parse(row.request_params) as { vdnId: unknown };
        const old = requestJson({ params: { vdnId: params.vdnId }, query: { 7: 'q', remark: 'fromQuery' }, rawBody: Buffer.from(row.request!), authenticated: true });
        assert.equal(api.request, old);
        assert.equal(old, JSON.stringify({ 7: 'q', ...(JSON.parse(row.request!) as object), remark: 'fromQuery', note: -5, vdnId: params.vdnId }));
      }
    }
    // Only the clean call (flat, valid UTF-8, no secret anywhere) is stored as received.
    assert.equal(deferred, 1);
  });
});
