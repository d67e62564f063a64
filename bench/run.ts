/**
 * Throughput of the hot write path: a signed, persisted `appoint/create` against a bare Fastify
 * route that only parses JSON (target: campaignd ≥ 0.5 × bare). Both servers run as separate
 * processes; one load generator (keep-alive, fixed concurrency) drives each in turn.
 *
 *   npm run bench            (BENCH_SECONDS=10 BENCH_CONCURRENCY=32 to change the load)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { sign, formatTimestamp } from '../src/auth/c2.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const AK = 'benchAK';
const SK = 'bench-secret-key-0001';

function start(cmd: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cmd, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\S+)/.exec(out) ?? /"url":"(http[^"]+)"/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(url: URL, method: string, body: string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/json;charset=UTF-8',
    'content-length': String(Buffer.byteLength(body)),
  };
  const { authorization } = sign({ accessKey: AK, secretKey: SK, timestamp: formatTimestamp(Date.now(), 'seconds'), method, path: url.pathname, headers, body });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { ...headers, authorization } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function load(base: string, taskId: string): Promise<{ rps: number; errors: number }> {
  const url = new URL(`${base}/rest/isales/v1/openapi/campaigns/1/appoint/create`);
  const deadline = Date.now() + SECONDS * 1000;
  let done = 0;
  let errors = 0;
  let n = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const body = JSON.stringify({ callType: 2, calledNo: String(13800000000 + n++), taskId, appointTime: Date.now() + 86400_000, remark: 'bench' });
      const r = await send(url, 'POST', body);
      if (r.status === 200 && r.text.includes('"0200000"')) done++;
      else errors++;
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { rps: done / ((Date.now() - t0) / 1000), errors };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-bench-'));
const bare = await start(['--import', 'tsx', 'bench/bare-server.ts'], {});
const cd = await start(['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
  CAMPAIGND_DATA_DIR: dir,
  CAMPAIGND_PORT: '0',
  CAMPAIGND_ACCESS_KEY: AK,
  CAMPAIGND_SECRET_KEY: SK,
  CAMPAIGND_LOG_LEVEL: 'info',
});
try {
  const today = new Date().toISOString().slice(0, 10);
  const create = await send(
    new URL(`${cd.url}/rest/isales/v1/openapi/campaigns/1`),
    'POST',
    JSON.stringify({
      name: 'bench',
      strBeginTime: `${today} 00:00:00`,
      strEndTime: '2099-01-01 00:00:00',
      deviceType: 3,
      callerNo: '4001',
      maxAlertingTime: 30,
      scheduleParam: {},
      ivrParam: { deviceSign: '1' },
    }),
  );
  const taskId = String(JSON.parse(create.text).returnObject.id);
  // Warm both up (JIT, SQLite page cache) before measuring.
  await load(bare.url, taskId);
  const b = await load(bare.url, taskId);
  await load(cd.url, taskId);
  const c = await load(cd.url, taskId);
  const ratio = c.rps / b.rps;
  console.log(`bare Fastify route:           ${b.rps.toFixed(0)} req/s (${b.errors} errors)`);
  console.log(`campaignd appoint/create:     ${c.rps.toFixed(0)} req/s (${c.errors} errors), signed + validated + persisted`);
  console.log(`ratio campaignd / bare:       ${ratio.toFixed(2)} (target ≥ 0.50) ${ratio >= 0.5 ? 'OK' : 'BELOW TARGET'}`);
  console.log(`(${SECONDS} s per run, concurrency ${CONCURRENCY}, ${os.cpus().length} cores, generator in the same machine)`);
} finally {
  bare.child.kill();
  cd.child.kill();
  agent.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}
