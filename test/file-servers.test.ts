/**
 * File servers (`file/addServer`, `file/{serverId}/deleteServer`, `…/updateServer`,
 * `file/queryServer`): passwords sealed with CAMPAIGND_SECRETS_KEY, never returned, masked in
 * the journal; a changed address needs the password again; no start without the key once
 * servers exist.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { envelopeOf, P, startTestServer, tempDir, type TestServer } from './helpers.js';
import { seal, unseal } from '../src/auth/secrets.js';
import { parseSecretsKey } from '../src/config/file-import.js';
import { ConfigError } from '../src/config/error.js';

const KEY = randomBytes(32).toString('base64');
/** The example servers live on a private network, which the operator allows (file-server-destinations.test.ts). */
const PRIVATE_SERVERS = { CAMPAIGND_OUTBOUND_ALLOW: '127.0.0.0/8,10.0.0.0/8' };
const PWD = 'S3cret-pass!word';
type Env = { resultCode: string; resultDesc: string; returnObject?: { serverId: string; id: string }; count?: number; server?: Array<Record<string, unknown>> };

let s: TestServer;
before(async () => {
  s = await startTestServer({ ...PRIVATE_SERVERS, CAMPAIGND_ENGINE: 'off', CAMPAIGND_SECRETS_KEY: KEY });
});
after(async () => {
  await s.stop();
});

async function call(path: string, body?: unknown, srv = s): Promise<Env> {
  const res = await srv.client.request('POST', `${P(1)}${path}`, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}

const server = (over: Record<string, unknown> = {}) => ({
  serverInfo: { ip: '10.1.2.3', port: 22, filePath: '/isales' },
  userName: 'sftpuser',
  serverPwd: PWD,
  ...over,
});

describe('sealing', () => {
  test('AES-256-GCM: every password opens with its key, never with another, never twice the same text', () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 80, unit: 'grapheme' }), (pwd) => {
        const a = seal(k1, pwd);
        assert.equal(unseal(k1, a), pwd);
        assert.notEqual(seal(k1, pwd), a);
        assert.ok(!a.includes(pwd));
        assert.throws(() => unseal(k2, a));
      }),
      { numRuns: 200 },
    );
    const tampered = seal(k1, PWD).slice(0, -4) + 'AAAA';
    assert.throws(() => unseal(k1, tampered));
  });

  test('CAMPAIGND_SECRETS_KEY: 32 bytes as base64 or hex, anything else named', () => {
    assert.equal(parseSecretsKey(KEY).length, 32);
    assert.equal(parseSecretsKey('ab'.repeat(32)).length, 32);
    assert.throws(
      () => parseSecretsKey('too-short'),
      (e) => e instanceof ConfigError && /CAMPAIGND_SECRETS_KEY/.test(e.message),
    );
    assert.throws(() => parseSecretsKey(randomBytes(16).toString('base64')), ConfigError);
  });
});

describe('file servers', () => {
  test('add → 30-digit id; query never shows the password; the stored value is sealed', async () => {
    const r = await call('/file/addServer', server());
    assert.equal(r.resultCode, '0200000', r.resultDesc);
    const id = r.returnObject!.serverId;
    assert.match(id, /^[0-9]{30}$/);
    assert.equal(r.returnObject!.id, id);
    const q = await call('/file/queryServer', { offset: 0, limit: 10, serverIds: [id] });
    assert.equal(q.resultCode, '0200000');
    assert.equal(q.count, 1);
    const item = q.server![0]!;
    assert.deepEqual(
      { ...item, createTime: '', updateTime: '' },
      {
        serverId: id,
        serverInfo: { ip: '10.1.2.3', port: 22, filePath: '/isales' },
        userName: 'sftpuser',
        createTime: '',
        updateTime: '',
      },
    );
    assert.ok(!JSON.stringify(q).includes(PWD));
    const row = await s.store.db.selectFrom('file_servers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.ok(!row.password.includes(PWD));
    assert.equal(unseal(parseSecretsKey(KEY), row.password), PWD);
    // The journal masks serverPwd.
    await new Promise((res) => setTimeout(res, 300));
    const logs = await s.store.db.selectFrom('call_logs').selectAll().execute();
    assert.ok(
      logs.some((l) => JSON.stringify(l).includes('serverPwd')),
      'the add is journaled',
    );
    assert.ok(!JSON.stringify(logs).includes(PWD), 'the password must never reach the journal');
  });

  test('one server per address per VDN (0200001); validation codes', async () => {
    const a = server({ serverInfo: { ip: '10.9.9.9', port: 2222, filePath: '/' } });
    assert.equal((await call('/file/addServer', a)).resultCode, '0200000');
    const dup = await call('/file/addServer', a);
    assert.equal(dup.resultCode, '0200001');
    assert.match(dup.resultDesc, /10\.9\.9\.9:2222/);
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [server({ serverPwd: 'short' }), '02000004', /serverPwd/],
      [server({ serverPwd: 'x'.repeat(81) }), '02000003', /serverPwd/],
      [server({ userName: 'bad user!' }), '02000002', /userName/],
      [server({ userName: 'u'.repeat(31) }), '02000003', /userName/],
      [server({ serverPwd: undefined }), '02000001', /serverPwd/],
      [server({ serverInfo: { ip: '10.0.0.1', port: 70000, filePath: '/' } }), '02000007', /port/],
      [server({ serverInfo: { ip: '10.0.0.1', port: 22, filePath: 'relative' } }), '02000002', /filePath/],
      [server({ serverInfo: { ip: '10.0.0.1', port: 22 } }), '02000001', /filePath/],
      [server({ serverInfo: { ip: 'a b', port: 22, filePath: '/' } }), '02000002', /ip/],
    ];
    for (const [body, code, desc] of cases) {
      const r = await call('/file/addServer', body);
      assert.equal(r.resultCode, code, `${JSON.stringify(body)}: ${r.resultDesc}`);
      assert.match(r.resultDesc, desc);
    }
  });

  test('update: same address keeps the password; a changed address needs it (02000001); unknown id 0200001', async () => {
    const id = (await call('/file/addServer', server({ serverInfo: { ip: '10.5.5.5', port: 22, filePath: '/a' } }))).returnObject!.serverId;
    const before = await s.store.db.selectFrom('file_servers').select('password').where('id', '=', id).executeTakeFirstOrThrow();
    const same = await call(`/file/${id}/updateServer`, { serverInfo: { ip: '10.5.5.5', port: 22, filePath: '/b' }, userName: 'other' });
    assert.equal(same.resultCode, '0200000', same.resultDesc);
    const after1 = await s.store.db.selectFrom('file_servers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(after1.password, before.password);
    assert.equal(after1.file_path, '/b');
    assert.equal(after1.user_name, 'other');
    const moved = await call(`/file/${id}/updateServer`, { serverInfo: { ip: '10.5.5.6', port: 22, filePath: '/b' }, userName: 'other' });
    assert.equal(moved.resultCode, '02000001');
    assert.match(moved.resultDesc, /serverPwd/);
    const ok = await call(`/file/${id}/updateServer`, { serverInfo: { ip: '10.5.5.6', port: 22, filePath: '/b' }, userName: 'other', serverPwd: 'new-password-1' });
    assert.equal(ok.resultCode, '0200000');
    const row = await s.store.db.selectFrom('file_servers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(unseal(parseSecretsKey(KEY), row.password), 'new-password-1');
    assert.equal(row.ip, '10.5.5.6');
    assert.equal((await call(`/file/999999999999999999999999999999/updateServer`, server())).resultCode, '0200001');
    assert.equal((await call(`/file/abc/updateServer`, server())).resultCode, '02000002');
  });

  test('delete: gone from the query; unknown id 0200001; another VDN cannot see it', async () => {
    const id = (await call('/file/addServer', server({ serverInfo: { ip: '10.7.7.7', port: 22, filePath: '/' } }))).returnObject!.serverId;
    const other = await s.client.request('POST', `${P(2)}/file/${id}/deleteServer`);
    assert.equal((other.body as Env).resultCode, '0200001');
    assert.equal((await call(`/file/${id}/deleteServer`)).resultCode, '0200000');
    assert.equal((await call('/file/queryServer', { offset: 0, limit: 10, serverIds: [id] })).count, 0);
    assert.equal((await call(`/file/${id}/deleteServer`)).resultCode, '0200001');
  });

  test('query pages with offset/limit (1–100)', async () => {
    const all = await call('/file/queryServer', { offset: 0, limit: 100 });
    assert.ok(all.count! >= 3);
    const page = await call('/file/queryServer', { offset: 1, limit: 1 });
    assert.equal(page.server!.length, 1);
    assert.equal(page.server![0]!.serverId, all.server![1]!.serverId);
    assert.equal((await call('/file/queryServer', { offset: 0, limit: 101 })).resultCode, '02000007');
    assert.equal((await call('/file/queryServer', { limit: 10 })).resultCode, '02000001');
  });
});

describe('CAMPAIGND_SECRETS_KEY at start', () => {
  test('without the key a server cannot be added (0200001)', async () => {
    const t = await startTestServer({ ...PRIVATE_SERVERS, CAMPAIGND_ENGINE: 'off' });
    try {
      const r = await call('/file/addServer', server(), t);
      assert.equal(r.resultCode, '0200001');
      assert.match(r.resultDesc, /CAMPAIGND_SECRETS_KEY/);
    } finally {
      await t.stop();
    }
  });

  test('servers stored: no start without the key, nor with another key; with it, it starts', async () => {
    const dir = tempDir();
    const t = await startTestServer({ ...PRIVATE_SERVERS, CAMPAIGND_ENGINE: 'off', CAMPAIGND_SECRETS_KEY: KEY }, { dir });
    assert.equal((await call('/file/addServer', server(), t)).resultCode, '0200000');
    await t.stop();
    await assert.rejects(startTestServer({ ...PRIVATE_SERVERS, CAMPAIGND_ENGINE: 'off' }, { dir }), /CAMPAIGND_SECRETS_KEY is not set/);
    await assert.rejects(startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_SECRETS_KEY: randomBytes(32).toString('base64') }, { dir }), /does not open/);
    const again = await startTestServer({ ...PRIVATE_SERVERS, CAMPAIGND_ENGINE: 'off', CAMPAIGND_SECRETS_KEY: KEY }, { dir });
    assert.equal((await call('/file/queryServer', { offset: 0, limit: 10 }, again)).count, 1);
    await again.stop();
  });
});
