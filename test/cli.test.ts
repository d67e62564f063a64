/**
 * The `campaignd` command line, run as a child process: `call` against a server started in this
 * process, and `keys add/list/remove` on a data directory.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CampaigndClient } from '../src/client/index.js';
import { campaignd } from './cli-run.js';
import { AK, SK, P, campaignBody, envelopeOf, startTestServer, tempDir, type TestServer } from './helpers.js';

const scratch = tempDir();
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('campaignd call', () => {
  let srv: TestServer;
  let env: Record<string, string>;
  const call = (args: string[], e: Record<string, string> = env) => campaignd(['call', ...args], e);

  before(async () => {
    srv = await startTestServer();
    env = { CAMPAIGND_URL: srv.url, CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK };
  });
  after(async () => {
    await srv.stop();
  });

  test('success: prints the JSON reply and exits 0', async () => {
    const body = JSON.stringify(campaignBody({ name: 'cli-ok' }));
    const r = await call(['POST', P(1), body]);
    assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const env1 = envelopeOf(JSON.parse(r.stdout));
    assert.equal(env1.resultCode, '0200000');
    const id = (env1 as unknown as { returnObject: { id: number } }).returnObject.id;
    assert.ok(Number.isInteger(id) && id > 0);

    // the campaign really exists (checked with the typed client)
    const g = await srv.client.getCampaign(1, id);
    assert.equal(g.body?.returnObject?.name, 'cli-ok');

    // and GET through the CLI
    const r2 = await call(['GET', `${P(1)}/${id}`]);
    assert.equal(r2.code, 0, r2.stderr);
    const env2 = JSON.parse(r2.stdout) as { resultCode: string; returnObject: { name: string } };
    assert.equal(env2.resultCode, '0200000');
    assert.equal(env2.returnObject.name, 'cli-ok');
  });

  test('the body is sent byte for byte (spaces, non-ASCII) and the signature still verifies', async () => {
    const b = campaignBody({ name: 'cli-名前 ç' });
    const body =
      '{ \n  ' +
      Object.entries(b)
        .map(([k, v]) => `${JSON.stringify(k)} :  ${JSON.stringify(v)}`)
        .join(' ,\n  ') +
      '\n}';
    const r = await call(['POST', P(1), body]);
    assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.equal(envelopeOf(JSON.parse(r.stdout)).resultCode, '0200000');
  });

  test('business error: prints the envelope and exits 1', async () => {
    const r = await call(['GET', `${P(1)}/2000000000`]);
    assert.equal(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.equal(envelopeOf(JSON.parse(r.stdout)).resultCode, '0200007');

    // a duplicate name (0200005) and a validation error are business errors too
    const body = JSON.stringify(campaignBody({ name: 'cli-dup' }));
    assert.equal((await call(['POST', P(1), body])).code, 0);
    const dup = await call(['POST', P(1), body]);
    assert.equal(dup.code, 1);
    assert.equal(envelopeOf(JSON.parse(dup.stdout)).resultCode, '0200005');
    const bad = await call(['POST', P(1), JSON.stringify(campaignBody({ deviceType: 'x' }))]);
    assert.equal(bad.code, 1);
    assert.equal(envelopeOf(JSON.parse(bad.stdout)).resultCode, '02000006');
  });

  test('HTTP 401 (wrong secret): exit 1, the envelope on stdout, the secret printed nowhere', async () => {
    const wrong = 'wrong-secret-key-cli-42';
    const r = await call(['POST', P(1), JSON.stringify(campaignBody())], { ...env, CAMPAIGND_SECRET_KEY: wrong });
    assert.equal(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    envelopeOf(JSON.parse(r.stdout));
    assert.match(r.stderr, /401/);
    for (const s of [wrong, SK]) assert.ok(!r.stdout.includes(s) && !r.stderr.includes(s));
  });

  test('invalid JSON argument: exit 2 and nothing is sent', async () => {
    type Created = { resultCode: string; returnObject: { id: number } };
    const before = await srv.client.request<Created>('POST', P(1), campaignBody({ name: 'cli-probe-before' }));
    const beforeId = before.body!.returnObject.id;
    const bodies = ['{"name": ', '{name: 1}', "{'a':1}", 'not json'];
    const runs = await Promise.all(bodies.map((body) => call(['POST', P(1), body])));
    for (const [i, r] of runs.entries()) {
      assert.equal(r.code, 2, `${bodies[i]}: stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /JSON/i);
    }
    // no campaign was created in between: the next id follows directly
    const after = await srv.client.request<Created>('POST', P(1), campaignBody({ name: 'cli-probe-after' }));
    assert.equal(after.body!.returnObject.id, beforeId + 1);
  });

  test('missing keys: exit 2', async () => {
    const envs: Array<Record<string, string>> = [
      { CAMPAIGND_URL: srv.url },
      { CAMPAIGND_URL: srv.url, CAMPAIGND_ACCESS_KEY: AK },
      { CAMPAIGND_URL: srv.url, CAMPAIGND_SECRET_KEY: SK },
      { CAMPAIGND_URL: srv.url, CAMPAIGND_ACCESS_KEY: '', CAMPAIGND_SECRET_KEY: '' },
    ];
    const runs = await Promise.all(envs.map((e) => call(['POST', P(1), JSON.stringify(campaignBody())], e)));
    for (const [i, r] of runs.entries()) {
      const e = envs[i]!;
      assert.equal(r.code, 2, `${JSON.stringify(Object.keys(e))}: stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(r.stderr, /key/i);
      assert.ok(!r.stderr.includes(SK));
    }
  });

  test('server not reachable: transport error, exit 3 with the reason on stderr', async () => {
    const r = await call(['GET', `${P(1)}/1`], { ...env, CAMPAIGND_URL: 'http://127.0.0.1:1' });
    assert.equal(r.code, 3, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stderr, /failed/i);
  });
});

describe('campaignd keys', () => {
  const dataDir = path.join(scratch, 'keys-data');
  const env = { CAMPAIGND_DATA_DIR: dataDir };
  const keys = (args: string[]) => campaignd(['keys', ...args], env);
  const SECRET1 = 'cli-secret-one-123456';
  const SECRET2 = 'cli-secret-two-654321';

  test('add, list (never the secret), use, remove', async () => {
    const a1 = await keys(['add', 'cliAK1', SECRET1, '--vdns', '1,2']);
    assert.equal(a1.code, 0, a1.stderr);
    assert.ok(!a1.stdout.includes(SECRET1) && !a1.stderr.includes(SECRET1), `add echoes the secret: ${a1.stdout}`);
    const a2 = await keys(['add', 'cliAK2', SECRET2]);
    assert.equal(a2.code, 0, a2.stderr);

    const l = await keys(['list']);
    assert.equal(l.code, 0, l.stderr);
    const lines = l.stdout.trim().split('\n');
    assert.ok(lines.includes('cliAK1\t1,2'), l.stdout);
    assert.ok(lines.includes('cliAK2\t*'), l.stdout);
    for (const s of [SECRET1, SECRET2]) assert.ok(!l.stdout.includes(s) && !l.stderr.includes(s), `list shows a secret: ${l.stdout}`);

    // the keys work on a server started on that data directory, with their VDN binding
    const srv = await startTestServer({}, { dir: dataDir });
    try {
      const c1 = new CampaigndClient({ baseUrl: srv.url, accessKey: 'cliAK1', secretKey: SECRET1 });
      const ok = await c1.request('POST', P(2), campaignBody());
      assert.equal(ok.status, 200, ok.raw);
      assert.equal(envelopeOf(ok.body).resultCode, '0200000');
      const denied = await c1.request('POST', P(3), campaignBody());
      assert.equal(denied.status, 403, denied.raw);
      const c2 = new CampaigndClient({ baseUrl: srv.url, accessKey: 'cliAK2', secretKey: SECRET2 });
      const ok2 = await c2.request('POST', P(3), campaignBody());
      assert.equal(envelopeOf(ok2.body).resultCode, '0200000', ok2.raw);
    } finally {
      await srv.stop();
    }

    // replacing a key changes its secret and VDNs
    const a3 = await keys(['add', 'cliAK1', SECRET2, '--vdns', '5']);
    assert.equal(a3.code, 0, a3.stderr);
    const l2 = await keys(['list']);
    assert.ok(l2.stdout.trim().split('\n').includes('cliAK1\t5'), l2.stdout);

    const r = await keys(['remove', 'cliAK1']);
    assert.equal(r.code, 0, r.stderr);
    const l3 = await keys(['list']);
    assert.ok(!l3.stdout.includes('cliAK1'), l3.stdout);
    assert.ok(l3.stdout.includes('cliAK2'), l3.stdout);

    const again = await keys(['remove', 'cliAK1']);
    assert.equal(again.code, 1, `removing a missing key: ${again.stdout}`);
  });

  test('a key with a too-short secret or a bad VDN is refused (non-zero exit, nothing stored)', async () => {
    const short = await keys(['add', 'cliShort', 'short']);
    assert.notEqual(short.code, 0, short.stdout);
    const badVdn = await keys(['add', 'cliBadVdn', 'long-enough-secret', '--vdns', '0']);
    assert.notEqual(badVdn.code, 0, badVdn.stdout);
    const badAk = await keys(['add', 'bad/ak', 'long-enough-secret']);
    assert.notEqual(badAk.code, 0, badAk.stdout);
    const l = await keys(['list']);
    assert.ok(!/cliShort|cliBadVdn|bad\/ak/.test(l.stdout), l.stdout);
  });
});
