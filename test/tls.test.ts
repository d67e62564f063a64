/**
 * HTTPS when CAMPAIGND_TLS_CERT/CAMPAIGND_TLS_KEY are given: the signature still covers the
 * raw body, and `host` is what the client sent. The fixture is a self-signed certificate for
 * localhost/127.0.0.1 made for these tests only.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sign, formatTimestamp } from '../src/auth/c2.js';
import { AK, campaignBody, P, SK, startTestServer, type TestServer } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cert = path.join(here, 'fixtures', 'tls-cert.pem');
const key = path.join(here, 'fixtures', 'tls-key.pem');

let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_TLS_CERT: cert, CAMPAIGND_TLS_KEY: key });
});
after(async () => s.stop());

function httpsRequest(method: string, url: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = https.request(url, { method, headers, ca: undefined, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

test('the server speaks HTTPS and verifies signed requests over it', async () => {
  assert.match(s.url, /^https:\/\//);
  const health = await httpsRequest('GET', `${s.url}/healthz`, {});
  assert.equal(health.status, 200);

  const url = new URL(`${s.url}${P(1)}`);
  const body = JSON.stringify(campaignBody());
  const headers = { host: url.host, 'content-type': 'application/json;charset=UTF-8', 'content-length': String(Buffer.byteLength(body)) };
  const signed = sign({ accessKey: AK, secretKey: SK, timestamp: formatTimestamp(Date.now(), 'seconds'), method: 'POST', path: url.pathname, headers, body });
  const res = await httpsRequest('POST', url.href, { ...headers, authorization: signed.authorization }, body);
  assert.equal(res.status, 200, res.text);
  assert.equal(JSON.parse(res.text).resultCode, '0200000');

  const unsigned = await httpsRequest('POST', url.href, headers, body);
  assert.equal(unsigned.status, 401);
});
