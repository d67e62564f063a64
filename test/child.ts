/**
 * `campaignd serve` as a child process, for tests that kill and restart it.
 */
import { after } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { MAIN, ROOT } from './cli-run.js';
import { AK, SK, tempDir } from './helpers.js';
import { databaseEnv } from './pg-target.js';

/** A port that was free a moment ago: bind port 0, read it, close. */
export async function freePort(): Promise<number> {
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
export function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAMPAIGND_')) env[k] = v;
  return env;
}

export interface Child {
  proc: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
const dirs: string[] = [];

/** Starts `campaignd serve` and waits until /healthz answers. */
export async function serve(dir: string, env: Record<string, string> = { CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK }): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
    cwd: ROOT,
    // Tests run their webhook CTIs and callback receivers on loopback (refused by default).
    env: { ...baseEnv(), CAMPAIGND_DATA_DIR: dir, CAMPAIGND_PORT: String(port), CAMPAIGND_LOG_LEVEL: 'info', CAMPAIGND_OUTBOUND_ALLOW: '127.0.0.0/8', ...databaseEnv(dir), ...env },
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
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (gone) throw new Error(`campaignd exited before it was ready\nstdout: ${out}\nstderr: ${err}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`campaignd did not answer /healthz within 90 s\nstdout: ${out}\nstderr: ${err}`);
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

export async function stop(child: Child, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  child.proc.kill(signal);
  const timeout = setTimeout(() => child.proc.kill('SIGKILL'), 10_000);
  try {
    return await child.exited;
  } finally {
    clearTimeout(timeout);
  }
}

export function newDir(): string {
  const d = tempDir();
  dirs.push(d);
  return d;
}

after(() => {
  for (const p of children) p.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
