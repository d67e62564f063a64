import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../src/auth/c2.js';
import { CampaigndClient } from '../src/client/index.js';
import type { CampaigndClientOptions } from '../src/client/index.js';

const AK = 'client-test-ak';
const SK = 'client-test-sk-Geheim';

/** What the test server saw of the last request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  verdict: ReturnType<typeof verify>;
}

/**
 * A bare node:http server (not campaignd): it checks the C2 signature against the raw bytes it
 * received, then answers an envelope, plain text on /text, or hangs up on /hangup.
 */
describe('CampaigndClient against a real HTTP server', () => {
  let server: Server;
  let baseUrl: string;
  const seen: Seen[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const verdict = verify({
          authorization: req.headers.authorization,
          method: req.method ?? '',
          rawUrl: req.url ?? '',
          headers: req.headers,
          body,
          nowMs: Date.now(),
          maxSkewMs: 15 * 60_000,
          lookupSecret: (ak) => (ak === AK ? SK : undefined),
        });
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, verdict });
        if (req.url === '/hangup') {
          req.socket.destroy();
          return;
        }
        if (req.url?.startsWith('/text')) {
          res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway (not JSON)');
          return;
        }
        const code = verdict.ok ? '0200000' : '0200401';
        const desc = verdict.ok ? 'success' : verdict.reason;
        res.writeHead(verdict.ok ? 200 : 401, { 'content-type': 'application/json;charset=UTF-8' });
        res.end(
          JSON.stringify({
            resultCode: code,
            resultDesc: desc,
            returnCode: code,
            returnDesc: desc,
            returnObject: { id: 46, appointId: 'a1' },
            defId: '1645244637',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  });

  const client = (over: Partial<CampaigndClientOptions> = {}) => new CampaigndClient({ baseUrl, accessKey: AK, secretKey: SK, ...over });
  const last = (): Seen => {
    const s = seen.at(-1);
    assert.ok(s, 'the server saw no request');
    return s;
  };

  for (const signedHeaders of ['content', 'host'] as const) {
    for (const timestampFormat of ['seconds', 'millis'] as const) {
      test(`POST verifies with signedHeaders=${signedHeaders}, timestamp=${timestampFormat}`, async () => {
        const res = await client({ signedHeaders, timestampFormat }).createObResult(7, { displayResult: 'No answer', obsCodes: ['00602'] });
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.body?.resultCode, '0200000');
        assert.equal(res.body?.defId, '1645244637');
        const s = last();
        assert.equal(s.url, '/rest/isales/v1/openapi/campaigns/7/createObResult');
        assert.equal(s.headers['content-type'], 'application/json;charset=UTF-8');
        assert.equal(s.body.toString('utf8'), '{"displayResult":"No answer","obsCodes":["00602"]}');
        const auth = s.headers.authorization ?? '';
        const expectedNames = signedHeaders === 'content' ? 'content-length;content-type;host' : 'host';
        assert.match(auth, new RegExp(`^auth-v2/${AK}/[^/]+/${expectedNames}/[0-9a-f]{64}$`));
        assert.match(auth.split('/')[2] ?? '', timestampFormat === 'millis' ? /\.\d{3}Z$/ : /:\d{2}Z$/);
      });

      test(`GET verifies with signedHeaders=${signedHeaders}, timestamp=${timestampFormat}`, async () => {
        const res = await client({ signedHeaders, timestampFormat }).getCampaign(1, 46);
        assert.equal(res.status, 200, res.raw);
        assert.equal(res.body?.returnObject?.id, 46);
        const s = last();
        assert.equal(s.method, 'GET');
        assert.equal(s.body.length, 0);
        assert.equal(s.headers['content-type'], undefined);
        assert.match(s.headers.authorization ?? '', /\/host\/[0-9a-f]{64}$/);
      });
    }
  }

  test('a string body is sent byte for byte (whitespace, CRLF, non-ASCII)', async () => {
    const body = '{ "name" :  "Früh\u00e9 中文 😀",\r\n\t"status": 1 }  ';
    const res = await client().request('POST', '/rest/isales/v1/openapi/campaigns/1/callbatch/46/create', body);
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body?.resultCode, '0200000');
    const s = last();
    assert.deepEqual(s.body, Buffer.from(body, 'utf8'));
    assert.equal(s.headers['content-length'], String(Buffer.byteLength(body)));
  });

  test('query parameters with spaces, "/", "+" and non-ASCII verify', async () => {
    const res = await client().request('GET', '/rest/isales/v1/openapi/campaigns/1', undefined, {
      name: 'a b/c',
      phone: '+86 138',
      city: 'Zürich',
      status: 0,
      skipped: undefined,
    });
    assert.equal(res.status, 200, res.raw);
    assert.equal(last().url, '/rest/isales/v1/openapi/campaigns/1?name=a%20b%2Fc&phone=%2B86%20138&city=Z%C3%BCrich&status=0');
  });

  test('a query written into the path is merged and verifies', async () => {
    const res = await client().request('GET', '/rest/isales/v1/openapi/campaigns/1?curPage=1&name=x%20y', undefined, { rowsPerPage: 10 });
    assert.equal(res.status, 200, res.raw);
    assert.equal(last().url, '/rest/isales/v1/openapi/campaigns/1?curPage=1&name=x%20y&rowsPerPage=10');
  });

  test('typed methods hit the documented paths', async () => {
    const c = client();
    // Sent one after the other: the signer is asynchronous (WebCrypto), so concurrent calls may arrive in any order.
    const calls: Array<[() => Promise<{ status: number }>, string]> = [
      [
        () =>
          c.createCampaign(1, {
            name: 'n',
            strBeginTime: '2030-01-01 00:00:00',
            strEndTime: '2030-02-01 00:00:00',
            deviceType: 3,
            callerNo: '4001',
            maxAlertingTime: 30,
            scheduleParam: {},
          }),
        '/rest/isales/v1/openapi/campaigns/1',
      ],
      [() => c.createBatch(1, 46, { name: 'b' }), '/rest/isales/v1/openapi/campaigns/1/callbatch/46/create'],
      [() => c.pauseBatch(1, 46, { id: 'x' }), '/rest/isales/v1/openapi/campaigns/1/callbatch/46/pause'],
      [() => c.resumeBatch(1, 46, { id: 'x' }), '/rest/isales/v1/openapi/campaigns/1/callbatch/46/resume'],
      [() => c.createAppointment(1, { callType: 2, calledNo: '138', taskId: '46', appointTime: 1 }), '/rest/isales/v1/openapi/campaigns/1/appoint/create'],
      [() => c.updateAppointmentResult(1, { appointId: 'a1' }), '/rest/isales/v1/openapi/campaigns/1/appoint/updateResult'],
      [() => c.addCallerNumbers(1, 46, { callerNo: [{ accessCode: '4001', priority: 1 }] }), '/rest/isales/v1/openapi/campaigns/1/callerNo/46'],
    ];
    for (const [p, path] of calls) {
      const res = await p();
      assert.equal(res.status, 200);
      const s = last();
      assert.equal(s.method, 'POST');
      assert.equal(s.url, path);
      assert.ok(s.verdict.ok);
    }
  });

  test('a non-JSON reply yields body null and the raw text', async () => {
    const res = await client().request('GET', '/text');
    assert.equal(res.status, 502);
    assert.equal(res.body, null);
    assert.equal(res.raw, 'Bad Gateway (not JSON)');
  });

  test('a wrong secret key gets 401 and the reason does not contain the secret', async () => {
    const res = await client({ secretKey: 'wrong' }).getCampaign(1, 46);
    assert.equal(res.status, 401);
    assert.match(res.body?.resultDesc ?? '', /signature does not match/);
    assert.ok(!res.raw.includes(SK));
  });

  test('a clock far off is refused (the timestamp comes from the now option)', async () => {
    const res = await client({ now: () => Date.now() - 3_600_000 }).getCampaign(1, 46);
    assert.equal(res.status, 401);
    assert.match(res.body?.resultDesc ?? '', /skew/);
  });

  test('a POST is never retried', async () => {
    const before = seen.length;
    await assert.rejects(client().request('POST', '/hangup', { a: 1 }));
    assert.equal(seen.length - before, 1);
  });

  test('the constructor refuses headers it must compute, and rejectUnauthorized without a fetch', () => {
    assert.throws(() => client({ headers: { Host: 'evil' } }), /computed by the client/);
    assert.throws(() => client({ headers: { authorization: 'x' } }), /computed by the client/);
    assert.throws(() => new CampaigndClient({ baseUrl: 'https://127.0.0.1:1', accessKey: AK, secretKey: SK, rejectUnauthorized: false }), /NODE_EXTRA_CA_CERTS/);
    assert.throws(() => new CampaigndClient({ baseUrl: 'ftp://x', accessKey: AK, secretKey: SK }), /http/);
  });

  test('extra headers are sent unsigned; a content-type override is signed', async () => {
    const res = await client({ headers: { locale: 'en_US', 'Content-Type': 'application/json; charset=UTF-8' } }).pauseBatch(1, 46, { id: 'x' });
    assert.equal(res.status, 200, res.raw);
    const s = last();
    assert.equal(s.headers.locale, 'en_US');
    assert.equal(s.headers['content-type'], 'application/json; charset=UTF-8');
  });

  test('a base URL with a path prefix and a custom fetch are honoured', async () => {
    let calls = 0;
    const c = new CampaigndClient({
      baseUrl: baseUrl + '/prefix/',
      accessKey: AK,
      secretKey: SK,
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    const res = await c.getCampaign('1', '46');
    assert.equal(res.status, 200, res.raw);
    assert.equal(calls, 1);
    assert.equal(last().url, '/prefix/rest/isales/v1/openapi/campaigns/1/46');
  });
});
