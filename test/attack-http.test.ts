/**
 * Attack on issue #12's HTTP hot path (one hook per phase in http/server.ts, request metrics
 * kept outside prom-client in ops/metrics.ts, the journal fed from the root onResponse hook):
 * two servers in one process each get a concurrent mix of answered, refused and unmatched
 * requests while /metrics is scraped. Every answer carries the envelope, its code and
 * x-request-id; each server's request counter equals the requests it was sent, label set by
 * label set; its latency histogram is cumulative and agrees with the counter; the journal holds
 * exactly the requests whose signature verified.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { signRequest } from '../src/auth/c2-sign.js';
import { AK, createCampaign, P, SK, startTestServer, type TestServer } from './helpers.js';

let a: TestServer;
let b: TestServer;
before(async () => {
  a = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  b = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  await a.keys.put('atkLimited', 'atk-limited-secret-0001', [7], Date.now());
});
after(async () => {
  await a.stop();
  await b.stop();
});

const ROUTE_VDN = '/rest/isales/v1/openapi/campaigns/:vdnId';
const ROUTE_APPOINT = '/rest/isales/v1/openapi/campaigns/:vdnId/appoint/create';

interface Answer {
  status: number;
  body: string;
  requestId: string | null;
}

async function signed(s: TestServer, method: string, path: string, body?: string, o: { ak?: string; sk?: string; contentType?: string; tamper?: boolean } = {}): Promise<Answer> {
  const r = await signRequest({ method, url: s.url + path, body, accessKey: o.ak ?? AK, secretKey: o.sk ?? SK, contentType: o.contentType });
  const headers = { ...r.headers };
  if (o.tamper) headers.authorization = headers.authorization!.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
  const res = await fetch(r.url, { method, headers, body: r.body });
  return { status: res.status, body: await res.text(), requestId: res.headers.get('x-request-id') };
}

async function plain(s: TestServer, method: string, path: string, body?: string): Promise<Answer> {
  const res = await fetch(s.url + path, { method, body, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
  return { status: res.status, body: await res.text(), requestId: res.headers.get('x-request-id') };
}

/** A raw request with two Host headers; the answer as text. */
function duplicateHost(s: TestServer): Promise<Answer> {
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port), u.hostname);
    let data = '';
    sock.setEncoding('utf8').on('data', (d: string) => (data += d));
    sock.on('error', reject);
    sock.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      const requestId = /\r\nx-request-id: ([^\r]*)/i.exec(data)?.[1] ?? null;
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4), requestId });
    });
    sock.write(`GET ${P(1)}/1 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n`);
  });
}

function resultOf(body: string): string {
  try {
    const e = JSON.parse(body) as { resultCode?: unknown; returnCode?: unknown };
    assert.equal(e.returnCode, e.resultCode, body);
    return typeof e.resultCode === 'string' ? e.resultCode : '';
  } catch {
    return '';
  }
}

/** The request counter and latency series of one scrape. */
function parse(text: string) {
  const counts = new Map<string, number>();
  const hist = new Map<string, { buckets: Array<[string, number]>; count: number; sum: number }>();
  for (const line of text.split('\n')) {
    let m = /^campaignd_http_requests_total\{method="([^"]*)",route="([^"]*)",status="(\d+)",result="([^"]*)"\} (\d+)$/.exec(line);
    if (m) {
      counts.set(`${m[1]} ${m[2]} ${m[3]} ${m[4]}`, Number(m[5]));
      continue;
    }
    m = /^campaignd_http_request_duration_seconds_(bucket|sum|count)\{(?:le="([^"]*)",)?method="([^"]*)",route="([^"]*)"(?:,le="([^"]*)")?\} (\S+)$/.exec(line);
    if (m) {
      const key = `${m[3]} ${m[4]}`;
      const h = hist.get(key) ?? { buckets: [], count: NaN, sum: NaN };
      hist.set(key, h);
      if (m[1] === 'bucket') h.buckets.push([m[2] ?? m[5]!, Number(m[6])]);
      else if (m[1] === 'sum') h.sum = Number(m[6]);
      else h.count = Number(m[6]);
    }
  }
  return { counts, hist };
}

function checkConsistent(text: string): void {
  const { counts, hist } = parse(text);
  for (const [key, h] of hist) {
    assert.equal(h.buckets.at(-1)?.[0], '+Inf', key);
    for (let i = 1; i < h.buckets.length; i++) assert.ok(h.buckets[i]![1] >= h.buckets[i - 1]![1], `${key}: buckets cumulative`);
    assert.equal(h.buckets.at(-1)![1], h.count, `${key}: +Inf = count`);
    assert.ok(h.sum >= 0 && Number.isFinite(h.sum), key);
    let counted = 0;
    for (const [c, n] of counts) if (c.startsWith(`${key} `)) counted += n;
    assert.equal(counted, h.count, `${key}: counter = histogram count`);
  }
}

describe('attack: refusals, metrics and journal under a concurrent mix', () => {
  test('two servers in one process: answers, per-server counts, histogram, journal', async () => {
    const campaign = await createCampaign(a.client, 1, { name: 'atk-http' });
    const appoint = (calledNo: string, taskId = campaign) => JSON.stringify({ callType: 2, calledNo, taskId: String(taskId), appointTime: Date.now() + 86_400_000 });
    // Each: how to send it, what it must answer, how it is counted and journaled.
    type Case = [send: (s: TestServer) => Promise<Answer>, status: number, result: string, series: string, journaled: boolean];
    const cases: Case[] = [
      [(s) => signed(s, 'POST', `${P(1)}/appoint/create`, appoint('13788800001')), 200, '0200000', `POST ${ROUTE_APPOINT}`, true],
      [(s) => signed(s, 'POST', `${P(1)}/appoint/create`, appoint('13788800002', 99_999)), 200, '0200007', `POST ${ROUTE_APPOINT}`, true],
      [(s) => signed(s, 'POST', `${P(1)}/appoint/create`, '{"callType":'), 200, '0200001', `POST ${ROUTE_APPOINT}`, true],
      [(s) => signed(s, 'POST', `${P(1)}/appoint/create`, appoint('13788800003'), { tamper: true }), 401, '0200001', `POST ${ROUTE_APPOINT}`, false],
      [(s) => signed(s, 'POST', `${P(1)}/appoint/create`, appoint('13788800004'), { contentType: 'text/plain' }), 415, '0200001', `POST ${ROUTE_APPOINT}`, false],
      [(s) => plain(s, 'POST', `${P(1)}/appoint/create`, appoint('13788800005')), 401, '0200001', `POST ${ROUTE_APPOINT}`, false],
      [(s) => signed(s, 'POST', P(1), '{}'), 200, '02000001', `POST ${ROUTE_VDN}`, true],
      [(s) => signed(s, 'POST', P(1), '{}', { ak: 'atkLimited', sk: 'atk-limited-secret-0001' }), 403, '0200001', `POST ${ROUTE_VDN}`, true],
      [(s) => signed(s, 'POST', P(1), 'x'.repeat(1024 * 1024 + 1)), 413, '0200001', `POST ${ROUTE_VDN}`, false],
      [(s) => signed(s, 'GET', `${P(1)}/nope`), 200, '02000006', 'GET /rest/isales/v1/openapi/campaigns/:vdnId/:campaignId', true],
      [(s) => signed(s, 'GET', '/rest/isales/v1/openapi/nothing?x=1'), 404, '0200001', 'GET unmatched', false],
      [(s) => plain(s, 'GET', '/nothing'), 404, '0200001', 'GET unmatched', false],
      [(s) => duplicateHost(s), 400, '0200001', 'GET /rest/isales/v1/openapi/campaigns/:vdnId/:campaignId', false],
      [(s) => plain(s, 'GET', '/readyz'), 200, '', 'GET /readyz', false],
    ];
    // Server a: every case 3 times (the limited key exists only there); b: a subset once.
    const onA: Case[] = [...cases, ...cases, ...cases];
    const onB: Case[] = cases.filter((c) => c[4] === false && c[1] !== 401).concat(cases.slice(1, 3));
    const expect = (list: Case[], setup: boolean) => {
      // Server a also answered the campaign create above.
      const counts = new Map<string, number>(setup ? [[`POST ${ROUTE_VDN} 200 0200000`, 1]] : []);
      const journal = new Map<string, number>(setup ? [['200 0200000', 1]] : []);
      for (const [, status, result, series, journaled] of list) {
        const key = `${series} ${status} ${result}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (journaled) journal.set(`${status} ${result}`, (journal.get(`${status} ${result}`) ?? 0) + 1);
      }
      return { counts, journal };
    };
    const scrapes: Promise<string>[] = [];
    const answers = await Promise.all([
      ...onA.map(async (c, i) => {
        if (i % 10 === 0) scrapes.push(fetch(`${a.url}/metrics`).then((r) => r.text()));
        return [c, await c[0](a)] as const;
      }),
      ...onB.map(async (c) => [c, await c[0](b)] as const),
    ]);
    for (const [[, status, result], answer] of answers) {
      assert.equal(answer.status, status, answer.body);
      assert.equal(resultOf(answer.body), result, answer.body);
      assert.ok(answer.requestId !== null && answer.requestId.length > 0, `x-request-id on ${answer.body}`);
    }
    // Scrapes made under load are consistent in themselves.
    for (const text of await Promise.all(scrapes)) checkConsistent(text);

    for (const [s, list] of [
      [a, onA],
      [b, onB],
    ] as const) {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      checkConsistent(text);
      const { counts } = parse(text);
      const expected = expect(list, s === a);
      assert.deepEqual(new Map([...counts].sort()), new Map([...expected.counts].sort()));
      // The journal: exactly the requests whose signature verified (flushed within ~100 ms).
      const want = expected.journal;
      const total = [...want.values()].reduce((x, y) => x + y, 0);
      let rows: Array<{ http_status: number; result_code: string | null }> = [];
      for (let t = 0; t < 100; t++) {
        rows = await s.store.db.selectFrom('call_logs').select(['http_status', 'result_code']).execute();
        if (rows.length >= total) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const got = new Map<string, number>();
      for (const r of rows) got.set(`${r.http_status} ${r.result_code}`, (got.get(`${r.http_status} ${r.result_code}`) ?? 0) + 1);
      assert.deepEqual(new Map([...got].sort()), new Map([...want].sort()));
    }
  });
});
