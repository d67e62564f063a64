/**
 * File servers are outbound destinations: loopback, private and link-local addresses are refused
 * (02000002 naming serverInfo.ip) unless CAMPAIGND_OUTBOUND_ALLOW lists them, at add and at
 * update, like a campaign's callBackUrl. Found by a hostile-client review: any tenant could make
 * campaignd connect to 169.254.169.254 or probe loopback ports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { envelopeOf, P, startTestServer } from './helpers.js';

const KEY = randomBytes(32).toString('base64');
const body = (ip: string, port = 22) => ({ serverInfo: { ip, port, filePath: '/isales' }, userName: 'importer', serverPwd: 'sftp-secret-123' });

test('metadata, private and loopback addresses are refused unless allowed; public ones and names pass', async () => {
  const s = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_SECRETS_KEY: KEY, CAMPAIGND_OUTBOUND_ALLOW: '10.9.0.0/16' });
  try {
    for (const ip of ['169.254.169.254', '127.0.0.1', 'localhost', '10.1.2.3', '::1', '[fe80::1]']) {
      const r = await s.client.request('POST', `${P(1)}/file/addServer`, body(ip));
      const env = envelopeOf(r.body);
      assert.equal(env.resultCode, '02000002', `${ip}: ${r.raw}`);
      assert.match(env.resultDesc, /serverInfo\.ip/);
    }
    const allowed = await s.client.request<{ resultCode: string; returnObject: { serverId: string } }>('POST', `${P(1)}/file/addServer`, body('10.9.1.1'));
    assert.equal(allowed.body?.resultCode, '0200000', allowed.raw);
    assert.equal(envelopeOf((await s.client.request('POST', `${P(1)}/file/addServer`, body('8.8.8.8'))).body).resultCode, '0200000');
    assert.equal(envelopeOf((await s.client.request('POST', `${P(1)}/file/addServer`, body('sftp.example.com'))).body).resultCode, '0200000');
    // moving an allowed server to a refused address is refused too, and nothing changes
    const id = allowed.body!.returnObject.serverId;
    const moved = await s.client.request('POST', `${P(1)}/file/${id}/updateServer`, body('169.254.169.254'));
    assert.equal(envelopeOf(moved.body).resultCode, '02000002', moved.raw);
    const list = await s.client.request<{ returnObject: unknown }>('POST', `${P(1)}/file/queryServer`, { offset: 0, limit: 100 });
    assert.match(list.raw, /10\.9\.1\.1/);
    assert.doesNotMatch(list.raw, /169\.254/);
  } finally {
    await s.stop();
  }
});
