/**
 * The 500,000-row file import, outside `npm test` (it takes about a minute on a small machine):
 * a real ssh2 SFTP server on loopback serves the vendor's Excel template with 500,000 call-data
 * rows (every tenth a duplicate, every tenth bad, every tenth blocklisted); `campaignd serve`
 * runs as a child process and imports it. The bench checks the counts and reports the time and
 * the child's resident memory (VmRSS sampled during the import, VmHWM = its peak), which must
 * stay bounded: the file is streamed, never held whole.
 *
 *   npm run bench:import            (BENCH_ROWS=100000 for a shorter run)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CampaigndClient } from '../src/client/index.js';
import { campaignBody, P, tempDir } from '../test/helpers.js';
import { startSftpServer } from '../test/sftp-server.js';
import { blockedNo, callDataRows, expectedCounts, writeCsv, writeXlsx } from '../test/import-files.js';

const N = Number(process.env.BENCH_ROWS ?? 500_000);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const AK = 'benchAK';
const SK = 'bench-secret-key-0001';
const root = tempDir();
const dir = tempDir();
fs.mkdirSync(path.join(root, 'isales'));

const t0 = Date.now();
await writeXlsx(path.join(root, 'isales', 'big.xlsx'), ['sessionId', 'called'], callDataRows(N));
const blocked: string[] = [];
for (let i = 7; i <= N; i += 10) blocked.push(blockedNo(i));
await writeCsv(
  path.join(root, 'isales', 'block.csv'),
  ['number'],
  blocked.map((n) => [n]),
);
const fileMb = fs.statSync(path.join(root, 'isales', 'big.xlsx')).size / 1e6;
console.log(`wrote ${N} rows (${fileMb.toFixed(1)} MB xlsx) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const port = await new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});
const env: NodeJS.ProcessEnv = {};
for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAMPAIGND_')) env[k] = v;
const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), 'serve'], {
  cwd: ROOT,
  env: {
    ...env,
    CAMPAIGND_DATA_DIR: dir,
    CAMPAIGND_PORT: String(port),
    CAMPAIGND_ACCESS_KEY: AK,
    CAMPAIGND_SECRET_KEY: SK,
    CAMPAIGND_ENGINE: 'off',
    CAMPAIGND_LOG_LEVEL: 'warn',
    CAMPAIGND_SECRETS_KEY: randomBytes(32).toString('base64'),
    CAMPAIGND_IMPORT_POLL_MS: '50',
    CAMPAIGND_MAX_UNCOMPLETED: '1000000',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const url = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${url}/healthz`)).ok) break;
  } catch {
    if (i > 600) throw new Error('campaignd did not start');
  }
  await new Promise((r) => setTimeout(r, 100));
}
const memKb = (field: 'VmRSS' | 'VmHWM') => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
const client = new CampaigndClient({ baseUrl: url, accessKey: AK, secretKey: SK });
const sftp = await startSftpServer(root, 'bench', 'bench-password');
type Task = { status: string; succNum: number; repeatNum: number; failNum: number; blackNum?: number; errMsg: string };
// biome-ignore lint/suspicious/noExplicitAny: the bench reads a few fields of several reply shapes
const call = async (p: string, body: unknown) => (await client.request<Record<string, unknown>>('POST', `${P(1)}${p}`, body)).body as Record<string, any>;
async function wait(query: string, id: string): Promise<Task> {
  for (;;) {
    const r = await call(query, { offset: 0, limit: 1, importTaskIds: [id] });
    const task = r.result[0] as Task;
    if (task.status === '2' || task.status === '3') return task;
    await new Promise((res) => setTimeout(res, 200));
  }
}
try {
  const serverId = (await call('/file/addServer', { serverInfo: { ip: sftp.host, port: sftp.port, filePath: '/isales' }, userName: 'bench', serverPwd: 'bench-password' }))
    .returnObject.serverId;
  const b = await call('/blackfile/uploadFileServer', { serverId, fileName: 'block.csv' });
  const tb = Date.now();
  const bt = await wait('/blackfile/queryDataImportTask', b.returnObject.importTaskId);
  console.log(`blocklist: ${bt.succNum} numbers in ${((Date.now() - tb) / 1000).toFixed(1)} s`);
  const cid = (await call('', campaignBody())).returnObject.id as number;
  const rssBefore = memKb('VmRSS');
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, memKb('VmRSS'))), 100);
  const ti = Date.now();
  const up = await call(`/calldatafile/uploadFileServer/${cid}`, { serverId, fileName: 'big.xlsx' });
  const task = await wait(`/calldatafile/queryDataImportTask/${cid}`, up.returnObject.importTaskId);
  clearInterval(sampler);
  const secs = (Date.now() - ti) / 1000;
  const want = expectedCounts(N);
  const got = { succ: task.succNum, repeat: task.repeatNum, fail: task.failNum, black: task.blackNum ?? -1 };
  console.log(`call data: ${N} rows in ${secs.toFixed(1)} s (${Math.round(N / secs)} rows/s), status ${task.status}`);
  console.log(
    `campaignd RSS: ${(rssBefore / 1024).toFixed(0)} MB before the import, ${(peak / 1024).toFixed(0)} MB at most during it (VmHWM ${(memKb('VmHWM') / 1024).toFixed(0)} MB)`,
  );
  console.log(`counts ${JSON.stringify(got)}; expected ${JSON.stringify(want)}`);
  if (task.status !== '2' || JSON.stringify(got) !== JSON.stringify(want)) {
    console.error('COUNTS WRONG', task.errMsg.slice(0, 300));
    process.exitCode = 1;
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await sftp.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}
