/**
 * The command line's conventions: --version, exit codes (0 / 1 / 2 usage / 3 transport),
 * `serve` options and help, `keys create --json`, `call` bodies from a file or stdin and -v.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CampaigndClient } from '../src/client/index.js';
import { formatDateTime } from '../src/domain/time.js';
import { ManualClock } from '../src/engine/clock.js';
import { MAIN, ROOT, baseEnv, campaignd } from './cli-run.js';
import { freePort } from './child.js';
import { AK, SK, P, campaignBody, envelopeOf, startTestServer, tempDir, type TestServer } from './helpers.js';

const scratch = tempDir();
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('usage', () => {
  test('--version and -V print the package version and exit 0', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await campaignd([flag], {});
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), pkg.version);
    }
  });

  test('usage errors exit 2: unknown command, unknown option, missing argument, bad VDN', async () => {
    const cases: string[][] = [['frobnicate'], ['call', 'GET'], ['call', '--nope', 'GET', '/x'], ['keys', 'create', '--vdn', '0'], ['keys', 'add', 'ak', 'short']];
    const runs = await Promise.all(cases.map((a) => campaignd(a, { CAMPAIGND_DATA_DIR: path.join(scratch, 'usage') })));
    for (const [i, r] of runs.entries()) assert.equal(r.code, 2, `${cases[i]!.join(' ')}: ${r.stdout} ${r.stderr}`);
  });

  test('serve --help lists every CAMPAIGND_* variable a README table documents', async () => {
    const r = await campaignd(['serve', '--help'], {});
    assert.equal(r.code, 0, r.stderr);
    for (const opt of ['--port', '--host', '--data-dir']) assert.ok(r.stdout.includes(opt), opt);
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    // every variable that a README table documents (a row starting with it), in any section
    const names = new Set([...readme.matchAll(/^\| `(CAMPAIGND_[A-Z0-9_]+)`(?:, `(CAMPAIGND_[A-Z0-9_]+)`)?/gm)].flatMap((m) => [m[1]!, m[2]].filter((x): x is string => !!x)));
    assert.ok(names.size > 30, `only ${names.size} variables found in the README`);
    const missing = [...names].filter((n) => !new RegExp(`^  ${n}\\s`, 'm').test(r.stdout));
    assert.deepEqual(missing, []);
  });
});

describe('serve', () => {
  test('--port, --host and --data-dir override the environment; SIGTERM exits 0', async () => {
    const port = await freePort();
    const dataDir = path.join(scratch, 'serve-data');
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir], {
      cwd: ROOT,
      // the environment names another port and directory: the options must win
      env: {
        ...baseEnv(),
        CAMPAIGND_PORT: '1',
        CAMPAIGND_DATA_DIR: path.join(scratch, 'not-this'),
        CAMPAIGND_ACCESS_KEY: AK,
        CAMPAIGND_SECRET_KEY: SK,
        CAMPAIGND_LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      let up = false;
      for (let i = 0; i < 600 && !up; i++) {
        up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(up, 'the server never answered /healthz on the --port');
      const c = new CampaigndClient({ baseUrl: `http://127.0.0.1:${port}`, accessKey: AK, secretKey: SK });
      assert.equal(envelopeOf((await c.request('POST', P(1), campaignBody())).body).resultCode, '0200000');
      assert.ok(fs.existsSync(path.join(dataDir, 'campaignd.db')), 'no database in --data-dir');
      assert.ok(!fs.existsSync(path.join(scratch, 'not-this')), 'the environment data directory was used');
    } finally {
      proc.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});

describe('keys create', () => {
  test('--vdn 2 --json prints a usable pair bound to VDN 2, and stores it', async () => {
    const dataDir = path.join(scratch, 'keys-create');
    const r = await campaignd(['keys', 'create', '--vdn', '2', '--json'], { CAMPAIGND_DATA_DIR: dataDir });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, r.stdout);
    const k = JSON.parse(lines[0]!) as { accessKey: string; secretKey: string; vdns: unknown };
    assert.deepEqual(Object.keys(k).sort(), ['accessKey', 'secretKey', 'vdns']);
    assert.deepEqual(k.vdns, [2]);
    assert.ok(k.secretKey.length >= 32);

    const list = await campaignd(['keys', 'list'], { CAMPAIGND_DATA_DIR: dataDir });
    assert.ok(list.stdout.split('\n').includes(`${k.accessKey}\t2`), list.stdout);
    assert.ok(!list.stdout.includes(k.secretKey));

    const srv = await startTestServer({}, { dir: dataDir });
    try {
      const c = new CampaigndClient({ baseUrl: srv.url, accessKey: k.accessKey, secretKey: k.secretKey });
      assert.equal(envelopeOf((await c.request('POST', P(2), campaignBody())).body).resultCode, '0200000');
      assert.equal((await c.request('POST', P(3), campaignBody())).status, 403);
    } finally {
      await srv.stop();
    }
  });

  test('without --vdn the key reaches every VDN', async () => {
    const dataDir = path.join(scratch, 'keys-create-all');
    const r = await campaignd(['keys', 'create', '--json'], { CAMPAIGND_DATA_DIR: dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { vdns: unknown }).vdns, '*');
  });
});

describe('call', () => {
  let srv: TestServer;
  let env: Record<string, string>;
  before(async () => {
    srv = await startTestServer();
    env = { CAMPAIGND_URL: srv.url, CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK };
  });
  after(async () => {
    await srv.stop();
  });

  test('@FILE sends the file byte for byte; a missing file is a usage error (2)', async () => {
    const file = path.join(scratch, 'body.json');
    fs.writeFileSync(file, JSON.stringify(campaignBody({ name: 'from-file-名' }), null, 3));
    const r = await campaignd(['call', 'POST', P(1), `@${file}`], env);
    assert.equal(r.code, 0, r.stderr);
    const id = (JSON.parse(r.stdout) as { returnObject: { id: number } }).returnObject.id;
    assert.equal((await srv.client.getCampaign(1, id)).body?.returnObject?.name, 'from-file-名');

    const missing = await campaignd(['call', 'POST', P(1), `@${file}.nope`], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read/);
  });

  test('- reads the body from standard input', async () => {
    const r = await campaignd(['call', 'POST', P(1), '-'], env, JSON.stringify(campaignBody({ name: 'from-stdin' })));
    assert.equal(r.code, 0, r.stderr);
    const id = (JSON.parse(r.stdout) as { returnObject: { id: number } }).returnObject.id;
    assert.equal((await srv.client.getCampaign(1, id)).body?.returnObject?.name, 'from-stdin');
    const bad = await campaignd(['call', 'POST', P(1), '-'], env, '{"name":');
    assert.equal(bad.code, 2);
  });

  test('-v prints the canonical request and the status to stderr, never the secret', async () => {
    const r = await campaignd(['call', '-v', 'GET', `${P(1)}/2000000000`], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`> GET ${srv.url}${P(1)}/2000000000`));
    assert.match(r.stderr, /canonical request:\n> {3}GET\n/);
    assert.match(r.stderr, new RegExp(`Authorization: auth-v2/${AK}/`));
    assert.match(r.stderr, /< HTTP 200/);
    assert.ok(!r.stderr.includes(SK) && !r.stdout.includes(SK));
    assert.equal(envelopeOf(JSON.parse(r.stdout)).resultCode, '0200007');
  });
});

describe('status', () => {
  const HOUR = 3600_000;
  const start = Date.UTC(2030, 0, 7, 8); // Monday 08:00 UTC
  let srv: TestServer;
  let env: Record<string, string>;
  let cid: number;
  before(async () => {
    srv = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1' }, { clock: new ManualClock(start) });
    env = { CAMPAIGND_URL: srv.url, CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK };
    const body = campaignBody({ strBeginTime: formatDateTime(start - HOUR), strEndTime: formatDateTime(start + 30 * 24 * HOUR), scheduleParam: {} }, start);
    cid = (await srv.client.request<{ returnObject: { id: number } }>('POST', P(1), body)).body!.returnObject.id;
    const list = Array.from({ length: 4 }, (_, i) => ({ sessionId: `st-${i}`, called: [{ calledNo: `1390000000${i}` }] }));
    const add = await srv.client.request('POST', `/rest/isales/v2/openapi/campaigns/1/calldata/${cid}`, { callDataList: list });
    assert.equal(envelopeOf(add.body).resultCode, '0200000', add.raw);
  });
  after(async () => srv.stop());

  test('prints state, counts and a bar; unknown campaign exits 1; bad ids exit 2; no server exits 3', async () => {
    const r = await campaignd(['status', '1', String(cid)], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `campaign ${cid} executing (status 2) [--------------------] 0% done 0/4 · succeeded 0 · waiting 4 · dialling 0 · reservations 0\n`);
    const unknown = await campaignd(['status', '1', '999999'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /0200007/);
    assert.equal((await campaignd(['status', '1', 'x'], env)).code, 2);
    assert.equal((await campaignd(['status', '1', String(cid)], { ...env, CAMPAIGND_URL: 'http://127.0.0.1:1' })).code, 3);
  });

  test('--watch follows the campaign until it is call-completed, then exits 0 by itself', async () => {
    let firstLine: () => void = () => {};
    const printed = new Promise<void>((resolve) => (firstLine = resolve));
    const watching = campaignd(['status', '1', String(cid), '--watch', '--interval', '0.2'], env, undefined, (s) => s.includes('\n') && firstLine());
    // the clock moves only once the watcher has shown the campaign before any call
    await printed;
    const moved = await srv.client.request('POST', '/campaignd/v1/clock', { advanceMs: 10 * 60_000 });
    assert.equal(envelopeOf(moved.body).resultCode, '0200000', moved.raw);
    const r = await watching;
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.length >= 2, r.stdout);
    assert.match(lines[0]!, / executing .* 0% done 0\/4 /);
    assert.match(lines.at(-1)!, new RegExp(`^campaign ${cid} call-completed \\(status 2\\) \\[#{20}\\] 100% done 4/4 · succeeded 4 `));
  });
});

describe('call --field', () => {
  let srv: TestServer;
  let env: Record<string, string>;
  before(async () => {
    srv = await startTestServer();
    env = { CAMPAIGND_URL: srv.url, CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK };
  });
  after(async () => srv.stop());

  test('prints only the field on success; on a business error the envelope goes to stderr and stdout stays empty', async () => {
    const r = await campaignd(['call', '-f', 'returnObject.id', 'POST', P(1), JSON.stringify(campaignBody({ name: 'field-1' }))], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d+\n$/);
    assert.equal((await srv.client.getCampaign(1, Number(r.stdout))).body?.returnObject?.name, 'field-1');

    const dup = await campaignd(['call', '-f', 'returnObject.id', 'POST', P(1), JSON.stringify(campaignBody({ name: 'field-1' }))], env);
    assert.equal(dup.code, 1);
    assert.equal(dup.stdout, '');
    assert.match(dup.stderr, /0200005/);

    const missing = await campaignd(['call', '-f', 'returnObject.nope', 'GET', `${P(1)}/${r.stdout.trim()}`], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /no field returnObject\.nope/);
  });
});
