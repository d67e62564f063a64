/**
 * The C2 signature, the VDN binding and log hygiene through the real server: hand-built
 * Authorization headers (via `sign`) sent with raw fetch, plus the typed client.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { pino } from 'pino';
import { startApp, type RunningApp } from '../src/app.js';
import { formatTimestamp, sign } from '../src/auth/c2.js';
import { CampaigndClient } from '../src/client/index.js';
import { loadConfig } from '../src/config/index.js';
import { AK, SK, P, campaignBody, envelopeOf, startTestServer, tempDir, type TestServer } from './helpers.js';

const CT = 'application/json;charset=UTF-8';

interface RawOpts {
  method?: string;
  path: string;
  /** Body bytes that are signed. */
  body?: string;
  /** Body bytes that are sent (default: the signed ones). */
  sentBody?: string;
  ak?: string;
  sk?: string;
  /** Epoch ms the timestamp is made from (default now). */
  at?: number;
  tsFormat?: 'seconds' | 'millis';
  /** Which headers to sign. */
  signed?: 'host' | 'content' | 'no-host';
  /** Replaces the computed Authorization header (null = send none). */
  authorization?: string | null;
}

interface RawReply {
  status: number;
  raw: string;
  body: Record<string, unknown> | null;
}

/** Signs with `sign` from src/auth/c2.ts and sends with plain fetch. */
async function raw(baseUrl: string, o: RawOpts): Promise<RawReply> {
  const url = new URL(baseUrl + o.path);
  const method = o.method ?? (o.body === undefined ? 'GET' : 'POST');
  const body = o.body;
  const sent = o.sentBody ?? body;
  const signedHeaders: Record<string, string> = {};
  const mode = o.signed ?? 'content';
  if (mode !== 'no-host') signedHeaders.host = url.host;
  if (body !== undefined && mode !== 'host') {
    signedHeaders['content-type'] = CT;
    signedHeaders['content-length'] = String(Buffer.byteLength(body, 'utf8'));
  }
  if (mode === 'no-host' && body === undefined) signedHeaders['user-agent'] = 'x';
  const { authorization } = sign({
    accessKey: o.ak ?? AK,
    secretKey: o.sk ?? SK,
    timestamp: formatTimestamp(o.at ?? Date.now(), o.tsFormat ?? 'seconds'),
    method,
    path: url.pathname,
    headers: signedHeaders,
    ...(body === undefined ? {} : { body }),
  });
  const headers: Record<string, string> = {};
  if (sent !== undefined) headers['content-type'] = CT;
  if (mode === 'no-host' && body === undefined) headers['user-agent'] = 'x';
  if (o.authorization !== null) headers.authorization = o.authorization ?? authorization;
  const res = await fetch(url, { method, headers, ...(sent === undefined ? {} : { body: Buffer.from(sent, 'utf8') }) });
  const text = await res.text();
  let parsed: Record<string, unknown> | null = null;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = null;
  }
  return { status: res.status, raw: text, body: parsed };
}

/** A 401 with the full envelope, a reason, and no secret anywhere in the body. */
function assert401(r: RawReply, reasonPattern: RegExp, secrets: string[] = [SK]): void {
  assert.equal(r.status, 401, r.raw);
  const env = envelopeOf(r.body);
  assert.notEqual(env.resultCode, '0200000');
  assert.match(env.resultDesc, reasonPattern);
  for (const s of secrets) assert.ok(!r.raw.includes(s), `401 body leaks a secret: ${r.raw}`);
}

describe('C2 signature over HTTP', () => {
  let srv: TestServer;

  before(async () => {
    srv = await startTestServer({ CAMPAIGND_CLOCK_SKEW_SECONDS: '60' });
  });
  after(async () => {
    await srv.stop();
  });

  test('GET /healthz answers 200 without a signature', async () => {
    const res = await fetch(srv.url + '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'UP' });
  });

  for (const signed of ['host', 'content'] as const) {
    for (const tsFormat of ['seconds', 'millis'] as const) {
      test(`a correct signature succeeds (signed headers: ${signed === 'host' ? 'host' : 'content-length;content-type;host'}, timestamp ${tsFormat})`, async () => {
        const body = JSON.stringify(campaignBody({ name: `sig-${signed}-${tsFormat}-${Math.random().toString(36).slice(2, 8)}` }));
        const r = await raw(srv.url, { path: P(1), body, signed, tsFormat });
        assert.equal(r.status, 200, r.raw);
        assert.equal(envelopeOf(r.body).resultCode, '0200000', r.raw);
        const id = (r.body!.returnObject as { id: number }).id;
        const g = await raw(srv.url, { path: `${P(1)}/${id}`, signed, tsFormat });
        assert.equal(g.status, 200, g.raw);
        assert.equal(envelopeOf(g.body).resultCode, '0200000', g.raw);
      });
    }
  }

  test('the typed client succeeds with both header sets and timestamp forms', async () => {
    for (const signedHeaders of ['host', 'content'] as const) {
      for (const timestampFormat of ['seconds', 'millis'] as const) {
        const c = new CampaigndClient({ baseUrl: srv.url, accessKey: AK, secretKey: SK, signedHeaders, timestampFormat });
        const r = await c.createCampaign(1, campaignBody() as never);
        assert.equal(r.status, 200, r.raw);
        assert.equal(envelopeOf(r.body).resultCode, '0200000', r.raw);
      }
    }
  });

  test('401: one body byte changed after signing', async () => {
    const body = JSON.stringify(campaignBody({ name: 'tamperA' }));
    const sentBody = body.replace('tamperA', 'tamperB');
    assert.equal(sentBody.length, body.length);
    const r = await raw(srv.url, { path: P(1), body, sentBody });
    assert401(r, /signature/i);
    // nothing was created
    const list = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody({ name: 'tamperB' })) });
    assert.equal(envelopeOf(list.body).resultCode, '0200000', 'the tampered request must not have created the campaign');
  });

  test('401: a whitespace-only change of the body after signing', async () => {
    const body = JSON.stringify(campaignBody());
    const r = await raw(srv.url, { path: P(1), body, sentBody: body + ' ' });
    assert401(r, /signature/i);
  });

  test('401: wrong secret key', async () => {
    const wrong = 'not-the-right-secret-key';
    const r = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody()), sk: wrong });
    assert401(r, /signature/i, [SK, wrong]);
  });

  test('401: unknown access key', async () => {
    const r = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody()), ak: 'noSuchAK', sk: 'whatever-secret' });
    assert401(r, /access key|unknown/i, [SK, 'whatever-secret']);
  });

  test('401: timestamp older than the allowed skew (60 s), both forms', async () => {
    for (const tsFormat of ['seconds', 'millis'] as const) {
      const r = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody()), at: Date.now() - 120_000, tsFormat });
      assert401(r, /timestamp|skew/i);
    }
  });

  test('401: timestamp in the future beyond the skew', async () => {
    const r = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody()), at: Date.now() + 120_000 });
    assert401(r, /timestamp|skew/i);
  });

  test('a timestamp inside the skew (30 s old) is accepted', async () => {
    const r = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody()), at: Date.now() - 30_000 });
    assert.equal(r.status, 200, r.raw);
    assert.equal(envelopeOf(r.body).resultCode, '0200000');
  });

  test('401: missing Authorization header', async () => {
    const r = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody()), authorization: null });
    assert401(r, /missing|authorization/i);
    const g = await raw(srv.url, { path: `${P(1)}/1`, authorization: null });
    assert401(g, /missing|authorization/i);
  });

  test('401: malformed Authorization headers', async () => {
    const ts = formatTimestamp(Date.now(), 'seconds');
    const sig = 'a'.repeat(64);
    const bad = [
      'garbage',
      `Bearer ${AK}`,
      `auth-v1/${AK}/${ts}/host/${sig}`,
      `auth-v2/${AK}/${ts}/host`,
      `auth-v2/${AK}/${ts}/host/${sig}/extra`,
      `auth-v2//${ts}/host/${sig}`,
      `auth-v2/${AK}/not-a-time/host/${sig}`,
      `auth-v2/${AK}/2024-02-30T00:00:00Z/host/${sig}`,
      `auth-v2/${AK}/${ts}/host/${'A'.repeat(64)}`,
      `auth-v2/${AK}/${ts}/host/${'a'.repeat(63)}`,
      `auth-v2/${AK}/${ts}/Host/${sig}`,
      `auth-v2/${AK}/${ts}//${sig}`,
    ];
    for (const authorization of bad) {
      const r = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody()), authorization });
      assert401(r, /./);
    }
  });

  test('401: host not among the signed headers', async () => {
    const r = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody()), signed: 'no-host' });
    assert401(r, /host/i);
    const g = await raw(srv.url, { path: `${P(1)}/1`, signed: 'no-host' });
    assert401(g, /host/i);
  });

  test('401: signature made for another path', async () => {
    const body = JSON.stringify({ displayResult: 'x', obsCodes: ['00602'] });
    const good = await raw(srv.url, { path: `${P(1)}/createObResult`, body });
    // Re-send the same header to another VDN's path.
    const header = sign({
      accessKey: AK,
      secretKey: SK,
      timestamp: formatTimestamp(Date.now(), 'seconds'),
      method: 'POST',
      path: `${P(1)}/createObResult`,
      headers: { host: new URL(srv.url).host },
      body,
    }).authorization;
    const r = await raw(srv.url, { path: `${P(2)}/createObResult`, body, authorization: header });
    assert401(r, /signature/i);
    assert.equal(good.status, 200);
  });

  describe('VDN binding', () => {
    const AK2 = 'vdn2AK';
    const SK2 = 'vdn2-secret-key';
    before(async () => {
      await srv.keys.put(AK2, SK2, [2], Date.now());
    });

    test('403 with the envelope when a key bound to VDN 2 calls VDN 1', async () => {
      const r = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody()), ak: AK2, sk: SK2 });
      assert.equal(r.status, 403, r.raw);
      const env = envelopeOf(r.body);
      assert.notEqual(env.resultCode, '0200000');
      assert.ok(env.resultDesc.length > 0);
      assert.ok(!r.raw.includes(SK2) && !r.raw.includes(SK));
      const g = await raw(srv.url, { path: `${P(1)}/1`, ak: AK2, sk: SK2 });
      assert.equal(g.status, 403, g.raw);
      envelopeOf(g.body);
    });

    test('the same key succeeds on VDN 2', async () => {
      const r = await raw(srv.url, { path: P(2), body: JSON.stringify(campaignBody()), ak: AK2, sk: SK2 });
      assert.equal(r.status, 200, r.raw);
      assert.equal(envelopeOf(r.body).resultCode, '0200000', r.raw);
      const c = new CampaigndClient({ baseUrl: srv.url, accessKey: AK2, secretKey: SK2 });
      const id = (r.body!.returnObject as { id: number }).id;
      const g = await c.getCampaign(2, id);
      assert.equal(g.status, 200, g.raw);
      assert.equal(envelopeOf(g.body).resultCode, '0200000');
    });

    test('a bad signature with the VDN-2 key on VDN 1 is 401, not 403 (signature first)', async () => {
      const r = await raw(srv.url, { path: P(1), body: JSON.stringify(campaignBody()), ak: AK2, sk: 'wrong-secret-key' });
      assert401(r, /signature/i, [SK2]);
    });
  });
});

describe('secrets never reach the log', () => {
  let running: RunningApp;
  let dir: string;
  const chunks: string[] = [];
  const LOG_SK = 'log-test-SECRET-value-123456';
  const LOG_AK = 'logTestAK';
  const OTHER_SK = 'other-key-SECRET-987654';

  before(async () => {
    dir = tempDir();
    const config = loadConfig({
      CAMPAIGND_DATA_DIR: dir,
      CAMPAIGND_PORT: '0',
      CAMPAIGND_ACCESS_KEY: LOG_AK,
      CAMPAIGND_SECRET_KEY: LOG_SK,
      CAMPAIGND_LOG_LEVEL: 'debug',
      CAMPAIGND_CLOCK_SKEW_SECONDS: '60',
    });
    const logger = pino({ level: 'debug' }, { write: (s: string) => void chunks.push(s) });
    running = await startApp(config, { logger });
    await running.keys.put('otherAK', OTHER_SK, [2], Date.now());
  });
  after(async () => {
    await running.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('good and bad requests at level debug leave no secret in the log', async () => {
    const base = running.url;
    const body = JSON.stringify(campaignBody());
    const replies: RawReply[] = [];
    replies.push(await raw(base, { path: P(1), body, ak: LOG_AK, sk: LOG_SK }));
    replies.push(await raw(base, { path: P(1), body, ak: LOG_AK, sk: LOG_SK, signed: 'host', tsFormat: 'millis' }));
    replies.push(await raw(base, { path: `${P(1)}/999999`, ak: LOG_AK, sk: LOG_SK }));
    replies.push(await raw(base, { path: P(1), body, ak: LOG_AK, sk: 'wrong-secret-key' }));
    replies.push(await raw(base, { path: P(1), body, sentBody: body + ' ', ak: LOG_AK, sk: LOG_SK }));
    replies.push(await raw(base, { path: P(1), body, ak: LOG_AK, sk: LOG_SK, at: Date.now() - 120_000 }));
    replies.push(await raw(base, { path: P(1), body, ak: 'unknownAK', sk: LOG_SK }));
    replies.push(await raw(base, { path: P(1), body, ak: LOG_AK, sk: LOG_SK, signed: 'no-host' }));
    replies.push(await raw(base, { path: P(1), body, authorization: null }));
    replies.push(await raw(base, { path: P(1), body, authorization: `auth-v2/${LOG_AK}/${LOG_SK}/host/${'0'.repeat(64)}` }));
    replies.push(await raw(base, { path: P(1), body: '{"name": ', ak: LOG_AK, sk: LOG_SK }));
    replies.push(await raw(base, { path: P(1), body, ak: 'otherAK', sk: OTHER_SK }));
    replies.push(await raw(base, { path: P(2), body, ak: 'otherAK', sk: OTHER_SK }));
    replies.push(await raw(base, { path: '/rest/isales/v1/openapi/nothing-here', ak: LOG_AK, sk: LOG_SK }));
    assert.equal(replies[0]!.status, 200, replies[0]!.raw);
    assert.equal(replies[3]!.status, 401);
    assert.equal(replies[11]!.status, 403);
    assert.equal(replies[12]!.status, 200, replies[12]!.raw);
    // The hand-made header above carries the SK in its timestamp slot: the reply must not echo it.
    assert.ok(!replies[9]!.raw.includes(LOG_SK), replies[9]!.raw);
    for (const r of replies) assert.ok(r.status < 500, r.raw);

    const log = chunks.join('');
    assert.ok(log.length > 0, 'the logger received nothing');
    const rejected = log.split('\n').filter((l) => l.includes('"msg":"signature rejected"'));
    // Replies 2–8 are refused signatures (wrong secret, altered body, stale time, unknown AK, host
    // not signed, no header, malformed header): one line each.
    assert.equal(rejected.length, 7, `one "signature rejected" line per refused signature:\n${rejected.join('\n')}`);
    for (const secret of [LOG_SK, OTHER_SK, SK]) {
      assert.ok(!log.includes(secret), `secret ${secret} found in the log:\n${log}`);
    }
  });
});
