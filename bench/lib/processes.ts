/**
 * Process helpers of the benchmark suite: every server under test (campaignd, the bare Fastify
 * baseline, the Prism mock) runs in its own process, started here and stopped by the caller.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

/** A started server: its base URL and its process. */
export interface Server {
  url: string;
  child: ChildProcess;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s) and waits for its exit. */
  stop(): Promise<void>;
}

/**
 * User + system CPU time of process `pid` so far, ms (Linux /proc, in clock ticks of 10 ms): of
 * all its threads, or of its thread `tid` alone (the main thread's id is the pid). NaN where /proc
 * cannot be read. Steadier than a rate on a shared machine: time spent descheduled is not counted.
 */
export function cpuMs(pid: number, tid?: number): number {
  try {
    const stat = fs.readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** The project root (bench/ lives under it). */
export const ROOT = new URL('../..', import.meta.url).pathname;

/** A free TCP port on 127.0.0.1 (the OS picks it; released before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      // Each server leads its own process group (npx starts Prism as a grandchild): signal the group.
      const kill = (sig: NodeJS.Signals) => {
        try {
          process.kill(-(child.pid as number), sig);
        } catch {
          child.kill(sig);
        }
      };
      const timer = setTimeout(() => kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        kill('SIGKILL');
        resolve();
      });
      kill('SIGTERM');
    });
}

/**
 * Spawns `cmd args` and resolves once `ready` matches its stdout (or stderr), or at once when
 * `ready` is null; rejects when it exits first or after `timeoutMs`. The match's first group is
 * the URL unless `url` is given.
 */
export function startProcess(
  cmd: string,
  args: string[],
  opts: { env?: Record<string, string>; ready: RegExp | null; url?: string; timeoutMs?: number; cwd?: string },
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${cmd} did not start within ${opts.timeoutMs ?? 120_000} ms: ${out.slice(-2000)}`)), opts.timeoutMs ?? 120_000);
    const finish = (err: Error | null, url?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else resolve({ url: url as string, child, stop: stopper(child) });
    };
    const onData = (d: Buffer) => {
      if (out.length < 1_000_000) out += d.toString();
      const m = opts.ready?.exec(out);
      if (m) finish(null, opts.url ?? m[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => finish(new Error(`${cmd} exited (${code ?? signal}) before it was ready: ${out.slice(-2000)}`)));
    if (opts.ready === null) child.once('spawn', () => finish(null, opts.url));
  });
}

/** The bare Fastify baseline (bench/bare-server.ts) in its own process. */
export function startBare(): Promise<Server> {
  return startProcess(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], { ready: /LISTENING (\S+)/ });
}

/**
 * How campaignd is started: the built `dist/cli/main.js` (what `npm start` runs; `npm run bench`
 * builds it first) when it exists, else the TypeScript sources through tsx (which costs memory
 * and start-up time that a deployment does not pay).
 */
export function campaigndEntry(): string[] {
  return fs.existsSync(`${ROOT}dist/cli/main.js`) ? [`${ROOT}dist/cli/main.js`] : ['--import', 'tsx', 'src/cli/main.ts'];
}

/**
 * campaignd `serve` in its own process on a free port, with `env` on top and `nodeArgs` given to
 * node (e.g. `--cpu-prof`); ready when `/healthz` answers (so any log level works).
 */
export async function startCampaignd(env: Record<string, string>, nodeArgs: string[] = []): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startProcess(process.execPath, [...nodeArgs, ...campaigndEntry(), 'serve'], {
    env: { CAMPAIGND_HOST: '127.0.0.1', ...env, CAMPAIGND_PORT: String(port) },
    ready: null,
    url,
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return server;
    } catch {
      /* not listening yet */
    }
    if (server.child.exitCode !== null || Date.now() > deadline) {
      await server.stop();
      throw new Error(`campaignd did not answer /healthz on ${url}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resident set size of a process in bytes (`VmRSS`), and its peak (`VmHWM`), from /proc. */
export function rssOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}
