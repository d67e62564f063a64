/**
 * Durability through the real CLI: `campaignd serve` as a child process on a data directory,
 * killed with SIGKILL right after the last acknowledged write (or stopped with SIGTERM), then
 * restarted on the same directory. Everything that was acknowledged must still be there.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CampaigndClient, type Envelope } from '../src/client/index.js';
import { AK, SK, P, campaignBody, createBatch, createCampaign, envelopeOf, tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

/** A port that was free a moment ago: bind port 0, read it, close. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The parent's environment without any CAMPAIGND_* variable, so the tests are hermetic. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAMPAIGND_')) env[k] = v;
  return env;
}

interface Child {
  proc: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

/** Starts `campaignd serve` and waits until /healthz answers. */
async function serve(dir: string, env: Record<string, string> = { CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK }): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
    cwd: ROOT,
    env: { ...baseEnv(), CAMPAIGND_DATA_DIR: dir, CAMPAIGND_PORT: String(port), CAMPAIGND_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  proc.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (gone) throw new Error(`campaignd exited before it was ready\nstdout: ${out}\nstderr: ${err}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`campaignd did not answer /healthz within 20 s\nstdout: ${out}\nstderr: ${err}`);
    }
    try {
      const res = await fetch(url + '/healthz');
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, url, stdout: () => out, stderr: () => err, exited };
}

async function stop(child: Child, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  child.proc.kill(signal);
  const timeout = setTimeout(() => child.proc.kill('SIGKILL'), 10_000);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timeout);
  }
}

function newDir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

after(() => {
  for (const p of children) p.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

interface Acknowledged {
  campaignId: number;
  batchId: string;
  appointIds: string[];
  callerNos: Array<{ accessCode: string; priority: number }>;
  obsCodes: string[];
  defId: string;
}

/** Creates one of everything; every call must be acknowledged with 0200000. */
async function createEverything(client: CampaigndClient, tag: string): Promise<Acknowledged> {
  const campaignId = await createCampaign(client, 1, { name: `persist-${tag}` });
  const batchId = await createBatch(client, 1, campaignId, `batch-${tag}`, 1);
  const appointIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await client.createAppointment(1, {
      callType: 1,
      calledNo: `1380000000${i}`,
      userAccount: `agent${i}`,
      taskId: String(campaignId),
      appointTime: Date.now() + 3_600_000,
    });
    assert.equal(res.body?.resultCode, '0200000', res.raw);
    appointIds.push(res.body!.returnObject!.id);
  }
  const callerNos = [
    { accessCode: '5002001', priority: 1 },
    { accessCode: '5002002', priority: 2 },
    { accessCode: '5002003', priority: 5 },
  ];
  const cn = await client.addCallerNumbers(1, campaignId, { callerNo: callerNos });
  assert.equal(cn.body?.resultCode, '0200000', cn.raw);
  const obsCodes = ['00602', '00603'];
  const ob = await client.createObResult(1, { displayResult: `No answer ${tag}`, obsCodes });
  assert.equal(ob.body?.resultCode, '0200000', ob.raw);
  return { campaignId, batchId, appointIds, callerNos, obsCodes, defId: String(ob.body!.defId) };
}

/** Everything acknowledged before the stop is visible after the restart. */
async function assertAllThere(client: CampaigndClient, ack: Acknowledged, tag: string): Promise<void> {
  const details = await client.getCampaign(1, ack.campaignId);
  assert.equal(details.body?.resultCode, '0200000', details.raw);
  const obj = details.body!.returnObject!;
  assert.equal(obj.name, `persist-${tag}`);
  const pool = (obj.callerNo as Array<{ accessCode: string; priority: number }>).map((c) => ({ accessCode: c.accessCode, priority: Number(c.priority) }));
  for (const n of ack.callerNos) {
    assert.ok(
      pool.some((p) => p.accessCode === n.accessCode && p.priority === n.priority),
      `calling number ${n.accessCode} (priority ${n.priority}) is in the pool after restart: ${JSON.stringify(pool)}`,
    );
  }

  const pause = await client.pauseBatch(1, ack.campaignId, { id: ack.batchId });
  assert.equal(envelopeOf(pause.body).resultCode, '0200000', `pausing the batch after restart: ${pause.raw}`);

  for (const [i, appointId] of ack.appointIds.entries()) {
    const res = await client.updateAppointmentResult(1, { appointId, userAccount: `agent${i}`, failCode: '00000' });
    assert.equal(envelopeOf(res.body).resultCode, '0200000', `updateResult on reservation ${appointId}: ${res.raw}`);
  }

  const again = await client.createObResult(1, { displayResult: `again ${tag}`, obsCodes: ack.obsCodes });
  const env = envelopeOf(again.body);
  assert.equal(env.resultCode, '0200001', `the OBS codes are already mapped: ${again.raw}`);
  assert.match(env.resultDesc, /already/i);
  assert.ok(ack.obsCodes.some((c) => env.resultDesc.includes(c)) || env.resultDesc.includes(ack.defId), env.resultDesc);
}

describe('persistence across restarts of `campaignd serve`', () => {
  test('SIGKILL right after the last acknowledged write loses nothing', async () => {
    const dir = newDir();
    const first = await serve(dir);
    const client = new CampaigndClient({ baseUrl: first.url, accessKey: AK, secretKey: SK });
    const ack = await createEverything(client, 'kill9');
    // No pause: the kill follows the last 0200000 at once.
    first.proc.kill('SIGKILL');
    const ended = await first.exited;
    assert.equal(ended.signal, 'SIGKILL');

    const second = await serve(dir);
    try {
      const client2 = new CampaigndClient({ baseUrl: second.url, accessKey: AK, secretKey: SK });
      await assertAllThere(client2, ack, 'kill9');
    } finally {
      await stop(second, 'SIGTERM');
    }
  });

  test('SIGTERM shuts down gracefully (exit 0) and the state survives', async () => {
    const dir = newDir();
    const first = await serve(dir);
    const client = new CampaigndClient({ baseUrl: first.url, accessKey: AK, secretKey: SK });
    const ack = await createEverything(client, 'term');
    const ended = await stop(first, 'SIGTERM');
    assert.deepEqual(ended, { code: 0, signal: null }, `stderr: ${first.stderr()}`);

    const second = await serve(dir);
    try {
      const client2 = new CampaigndClient({ baseUrl: second.url, accessKey: AK, secretKey: SK });
      await assertAllThere(client2, ack, 'term');
      // new objects get fresh ids after the restart
      const dup = await createCampaign(client2, 1, { name: 'after-restart' });
      assert.ok(dup > ack.campaignId, 'campaign ids keep increasing across restarts');
    } finally {
      const e2 = await stop(second, 'SIGTERM');
      assert.equal(e2.code, 0);
    }
  });

  test('a generated key is printed once on first start, not again, and it works', async () => {
    const dir = newDir();
    const first = await serve(dir, {});
    // The key is printed before the server listens, but a pipe may deliver it a moment later.
    const deadline = Date.now() + 5_000;
    while (!/CAMPAIGND_SECRET_KEY=\S+/.test(first.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const out1 = first.stdout();
    const ak = /^\s*CAMPAIGND_ACCESS_KEY=(\S+)\s*$/m.exec(out1)?.[1];
    const sk = /^\s*CAMPAIGND_SECRET_KEY=(\S+)\s*$/m.exec(out1)?.[1];
    assert.ok(ak && sk, `no generated key in stdout:\n${out1}`);
    assert.equal(out1.split('CAMPAIGND_SECRET_KEY=').length - 1, 1, 'printed exactly once');
    // The log lines (JSON) never carry the secret; only the one-off notice does.
    for (const line of out1.split('\n').filter((l) => l.startsWith('{'))) assert.ok(!line.includes(sk), `secret in a log line: ${line}`);
    assert.ok(!first.stderr().includes(sk));

    const c1 = new CampaigndClient({ baseUrl: first.url, accessKey: ak, secretKey: sk });
    const r1 = await c1.request<Envelope & { returnObject?: { id: number } }>('POST', P(1), campaignBody({ name: 'gen-1' }));
    assert.equal(r1.status, 200, r1.raw);
    assert.equal(r1.body?.resultCode, '0200000', r1.raw);
    // a wrong secret with that AK is refused
    const bad = await new CampaigndClient({ baseUrl: first.url, accessKey: ak, secretKey: sk + 'x' }).request('POST', P(1), campaignBody({ name: 'gen-x' }));
    assert.equal(bad.status, 401);
    assert.equal((await stop(first, 'SIGTERM')).code, 0);

    const dbFile = path.join(dir, 'campaignd.db');
    assert.equal(fs.statSync(dbFile).mode & 0o077, 0, 'the database holds secrets: owner-only permissions');

    const second = await serve(dir, {});
    try {
      const c2 = new CampaigndClient({ baseUrl: second.url, accessKey: ak, secretKey: sk });
      const r2 = await c2.getCampaign(1, r1.body!.returnObject!.id);
      assert.equal(r2.body?.resultCode, '0200000', `the generated key still works after a restart: ${r2.raw}`);
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(!second.stdout().includes('CAMPAIGND_SECRET_KEY='), `a key was printed again:\n${second.stdout()}`);
      assert.ok(!second.stdout().includes(sk) && !second.stderr().includes(sk));
    } finally {
      await stop(second, 'SIGTERM');
    }
  });
});
