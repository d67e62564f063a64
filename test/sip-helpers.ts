/**
 * Harness of the SIP tests: real SIPp (Debian `sip-tester`) and Kamailio processes on loopback
 * addresses and free ports. A missing tool fails the test with the command that installs it
 * (`.ci/run` installs both); it is never skipped.
 *
 * Addresses: SIPp listens on 127.0.0.1, Kamailio on 127.0.0.2, campaignd's SIP stack on
 * 127.0.0.3 (the `sip` package needs its own host to differ from its peers', see config/sip.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIPP_HOST = '127.0.0.1';
export const PROXY_HOST = '127.0.0.2';
export const CAMPAIGND_SIP_HOST = '127.0.0.3';
export const SCENARIOS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'sipp');

/** The path of a tool, or an error saying how to get it. */
export function requireTool(cmd: string, pkg: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${cmd} || ls /usr/sbin/${cmd} /usr/bin/${cmd} 2>/dev/null | head -n1`], { encoding: 'utf8' });
  const found = r.stdout.trim().split('\n')[0];
  if (!found) throw new Error(`${cmd} is not installed: the SIP tests need the Debian package ${pkg} (apt-get install -y --no-install-recommends ${pkg}; .ci/run installs it)`);
  return found;
}

/** A port free for both UDP and TCP on `host`. */
export async function freePort(host: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, host, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = dgram.createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, host, () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port');
}

/** Resolves once something listens on host:port (UDP or TCP). */
async function listening(host: string, port: number, transport: 'udp' | 'tcp', proc: ChildProcess, out: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`process exited with ${proc.exitCode} before listening: ${out()}`);
    const taken = await new Promise<boolean>((resolve) => {
      if (transport === 'udp') {
        const u = dgram.createSocket('udp4');
        u.once('error', () => resolve(true));
        u.bind(port, host, () => u.close(() => resolve(false)));
      } else {
        const c = net.connect(port, host);
        c.once('connect', () => {
          c.destroy();
          resolve(true);
        });
        c.once('error', () => resolve(false));
      }
    });
    if (taken) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${host}:${port}/${transport}: ${out()}`);
}

export interface Peer {
  host: string;
  port: number;
  /** Resolves when the process exits: its exit code and output. */
  exited: Promise<{ code: number | null; output: string }>;
  output(): string;
  stop(): Promise<void>;
}

function track(proc: ChildProcess): { output: () => string; exited: Promise<{ code: number | null; output: string }> } {
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => (buf = (buf + d.toString()).slice(-20000)));
  proc.stderr?.on('data', (d: Buffer) => (buf = (buf + d.toString()).slice(-20000)));
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => proc.once('exit', (code) => resolve({ code, output: buf })));
  return { output: () => buf, exited };
}

async function stopProc(proc: ChildProcess, exited: Promise<unknown>, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
  const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

/**
 * SIPp as the far end, running `scenario` (a file in fixtures/sipp) for `calls` calls.
 * `keys` fill the scenario's `[name]` placeholders (`-key name value`), `vars` its `{{name}}` ones.
 */
export async function startSipp(opts: SippOptions): Promise<Peer & { messages(): string }> {
  // The port is probed free, then SIPp binds it: another process of a parallel test file can take
  // it in between (SIPp: "Unable to bind main socket, errno = 98"). Such a start is tried again
  // on a new port; every other failure is reported as it is.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSippOnce(opts);
    } catch (e) {
      if (attempt >= 5 || !/errno = 98|Address already in use/.test((e as Error).message)) throw e;
    }
  }
}

interface SippOptions {
  scenario: string;
  calls: number;
  transport?: 'udp' | 'tcp';
  keys?: Record<string, string>;
  vars?: Record<string, string>;
  maxConcurrent?: number;
  traceMessages?: boolean;
}

async function startSippOnce(opts: SippOptions): Promise<Peer & { messages(): string }> {
  const sipp = requireTool('sipp', 'sip-tester');
  const port = await freePort(SIPP_HOST);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-sipp-'));
  const transport = opts.transport ?? 'udp';
  // SIPp reads status lines when it loads a scenario, so those are filled in here ({{name}}).
  let xml = fs.readFileSync(path.join(SCENARIOS, opts.scenario), 'utf8');
  for (const [k, v] of Object.entries(opts.vars ?? {})) xml = xml.replaceAll(`{{${k}}}`, v);
  const unfilled = /\{\{(\w+)\}\}/.exec(xml);
  if (unfilled) throw new Error(`scenario ${opts.scenario} needs a value for {{${unfilled[1]}}}`);
  const scenarioFile = path.join(dir, opts.scenario);
  fs.writeFileSync(scenarioFile, xml);
  const args = [
    '-sf',
    scenarioFile,
    '-i',
    SIPP_HOST,
    '-p',
    String(port),
    '-m',
    String(opts.calls),
    '-t',
    transport === 'tcp' ? 't1' : 'u1',
    '-nostdin',
    '-trace_err',
    '-timeout',
    '60s',
    '-timeout_error',
    '-max_recv_loops',
    '10000',
    ...(opts.traceMessages || process.env.SIPP_TRACE ? ['-trace_msg'] : []),
  ];
  if (opts.maxConcurrent) args.push('-l', String(opts.maxConcurrent));
  for (const [k, v] of Object.entries(opts.keys ?? {})) args.push('-key', k, v);
  const proc = spawn(sipp, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const t = track(proc);
  const errFile = () => {
    try {
      const f = fs.readdirSync(dir).find((n) => n.endsWith('_errors.log'));
      return f ? fs.readFileSync(path.join(dir, f), 'utf8').slice(-4000) : '';
    } catch {
      return '';
    }
  };
  const output = () => `${t.output().slice(-3000)}\n${errFile()}`;
  const messages = () => {
    try {
      const f = fs.readdirSync(dir).find((n) => n.endsWith('_messages.log'));
      return f ? fs.readFileSync(path.join(dir, f), 'utf8') : '';
    } catch {
      return '';
    }
  };
  await listening(SIPP_HOST, port, transport, proc, output);
  return {
    host: SIPP_HOST,
    port,
    exited: t.exited.then((r) => ({ code: r.code, output: output() })),
    output,
    messages,
    async stop() {
      // SIPp keeps no state worth a clean exit, and lingers on SIGTERM while calls are open.
      await stopProc(proc, t.exited, 'SIGKILL');
      if (process.env.SIPP_TRACE) console.error(messages());
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Kamailio as a stateful, record-routing proxy on 127.0.0.2 that relays every request to
 * `target` (SIPp) and keeps itself in the dialog (in-dialog requests follow the Route set).
 * With `auth`, an INVITE must carry Proxy-Authorization for that user and password (407 otherwise).
 */
export async function startKamailio(
  target: { host: string; port: number },
  auth?: { realm: string; user: string; password: string },
  tls?: { cert: string; key: string },
): Promise<Peer> {
  // As for SIPp: a probed port taken by another process before Kamailio binds it is tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startKamailioOnce(target, auth, tls);
    } catch (e) {
      if (attempt >= 5 || !/Address already in use|errno = 98|bind\(.*\) failed|cannot bind/i.test((e as Error).message)) throw e;
    }
  }
}

async function startKamailioOnce(
  target: { host: string; port: number },
  auth?: { realm: string; user: string; password: string },
  tls?: { cert: string; key: string },
): Promise<Peer> {
  const kamailio = requireTool('kamailio', 'kamailio');
  const port = await freePort(PROXY_HOST);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-kamailio-'));
  const mods = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules', '/usr/lib64/kamailio/modules'].find((d) => fs.existsSync(path.join(d, 'tm.so')));
  if (!mods) throw new Error('kamailio is installed but its modules (tm.so) were not found');
  if (tls && !fs.existsSync(path.join(mods, 'tls.so')))
    throw new Error("Kamailio's TLS module is missing: the TLS test needs the Debian package kamailio-tls-modules (.ci/run installs it)");
  // With TLS, campaignd talks TLS to Kamailio's `port`, and Kamailio UDP to SIPp from `udpPort`.
  const udpPort = tls ? await freePort(PROXY_HOST) : port;
  if (tls) {
    fs.writeFileSync(
      path.join(dir, 'tls.cfg'),
      `[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\nprivate_key = ${tls.key}\ncertificate = ${tls.cert}\n\n[client:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n`,
    );
  }
  const cfg = `#!KAMAILIO
debug=2
log_stderror=yes
fork=yes
children=1
tcp_children=1
${tls ? `enable_tls=yes\nlisten=tls:${PROXY_HOST}:${port}\nlisten=udp:${PROXY_HOST}:${udpPort}` : `disable_tcp=yes\nlisten=udp:${PROXY_HOST}:${port}`}
mpath="${mods}/"
${tls ? `loadmodule "tls.so"\nmodparam("tls", "config", "${path.join(dir, 'tls.cfg')}")` : ''}
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "pv.so"
loadmodule "auth.so"
loadmodule "siputils.so"
loadmodule "textops.so"
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
    sl_send_reply("404", "Not here");
    exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
  ${
    auth
      ? `if (is_method("INVITE")) {
    if (!pv_proxy_authorize("${auth.realm}", "${auth.password}", "0") || $au != "${auth.user}") { proxy_challenge("${auth.realm}", "0"); exit; }
    consume_credentials();
  }`
      : ''
  }
  record_route();
  $du = "sip:${target.host}:${target.port}";
  t_relay();
}
`;
  const file = path.join(dir, 'kamailio.cfg');
  fs.writeFileSync(file, cfg);
  const check = spawnSync(kamailio, ['-c', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`kamailio rejects its test configuration: ${check.stderr}`);
  const proc = spawn(kamailio, ['-f', file, '-DD', '-E', '-m', '64', '-M', '8', '-Y', dir, '-P', path.join(dir, 'kamailio.pid'), '-w', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const t = track(proc);
  await listening(PROXY_HOST, port, tls ? 'tcp' : 'udp', proc, t.output);
  return {
    host: PROXY_HOST,
    port,
    exited: t.exited,
    output: t.output,
    async stop() {
      await stopProc(proc, t.exited);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
