/**
 * The 500,000-row file import, outside `npm test` (it takes minutes on a small machine):
 * a real ssh2 SFTP server on loopback serves the vendor's Excel template with 500,000 call-data
 * rows (every tenth a duplicate, every tenth bad, every tenth blocklisted); campaignd imports it
 * and the bench checks the counts and reports the time and the peak RSS of the process during
 * the import (the file is streamed, so the RSS must stay bounded, far below the file's size
 * once parsed).
 *
 *   npm run bench:import            (BENCH_ROWS=100000 for a shorter run)
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createCampaign, P, startTestServer, tempDir } from '../test/helpers.js';
import { startSftpServer } from '../test/sftp-server.js';
import { blockedNo, callDataRows, expectedCounts, writeCsv, writeXlsx } from '../test/import-files.js';

const N = Number(process.env.BENCH_ROWS ?? 500_000);
const root = tempDir();
const dir = tempDir();
fs.mkdirSync(path.join(root, 'isales'));

const t0 = Date.now();
await writeXlsx(path.join(root, 'isales', 'big.xlsx'), ['sessionId', 'called'], callDataRows(N));
const blocked: string[] = [];
for (let i = 7; i <= N; i += 10) blocked.push(blockedNo(i));
await writeCsv(path.join(root, 'isales', 'block.csv'), ['number'], blocked.map((n) => [n]));
const fileMb = fs.statSync(path.join(root, 'isales', 'big.xlsx')).size / 1e6;
console.log(`wrote ${N} rows (${fileMb.toFixed(1)} MB xlsx) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const sftp = await startSftpServer(root, 'bench', 'bench-password');
const s = await startTestServer(
  { CAMPAIGND_ENGINE: 'off', CAMPAIGND_SECRETS_KEY: randomBytes(32).toString('base64'), CAMPAIGND_IMPORT_POLL_MS: '50', CAMPAIGND_MAX_UNCOMPLETED: '1000000' },
  { dir },
);
type Task = { status: string; succNum: number; repeatNum: number; failNum: number; blackNum?: number; errMsg: string };
const call = async (p: string, body: unknown) => (await s.client.request<Record<string, unknown>>('POST', `${P(1)}${p}`, body)).body as Record<string, any>;
async function wait(query: string, id: string): Promise<Task> {
  for (;;) {
    const r = await call(query, { offset: 0, limit: 1, importTaskIds: [id] });
    const task = r.result[0] as Task;
    if (task.status === '2' || task.status === '3') return task;
    await new Promise((res) => setTimeout(res, 200));
  }
}
try {
  const serverId = (await call('/file/addServer', { serverInfo: { ip: sftp.host, port: sftp.port, filePath: '/isales' }, userName: 'bench', serverPwd: 'bench-password' })).returnObject.serverId;
  const b = await call('/blackfile/uploadFileServer', { serverId, fileName: 'block.csv' });
  const tb = Date.now();
  const bt = await wait('/blackfile/queryDataImportTask', b.returnObject.importTaskId);
  console.log(`blocklist: ${bt.succNum} numbers in ${((Date.now() - tb) / 1000).toFixed(1)} s`);
  const cid = await createCampaign(s.client);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const ti = Date.now();
  const up = await call(`/calldatafile/uploadFileServer/${cid}`, { serverId, fileName: 'big.xlsx' });
  const task = await wait(`/calldatafile/queryDataImportTask/${cid}`, up.returnObject.importTaskId);
  clearInterval(sampler);
  const secs = (Date.now() - ti) / 1000;
  const want = expectedCounts(N);
  const got = { succ: task.succNum, repeat: task.repeatNum, fail: task.failNum, black: task.blackNum ?? -1 };
  console.log(`call data: ${N} rows in ${secs.toFixed(1)} s (${Math.round(N / secs)} rows/s), status ${task.status}`);
  console.log(`RSS before ${(rssBefore / 1e6).toFixed(0)} MB, peak during the import ${(peak / 1e6).toFixed(0)} MB`);
  console.log(`counts ${JSON.stringify(got)}; expected ${JSON.stringify(want)}`);
  if (task.status !== '2' || JSON.stringify(got) !== JSON.stringify(want)) {
    console.error('COUNTS WRONG', task.errMsg.slice(0, 300));
    process.exitCode = 1;
  }
} finally {
  await s.stop();
  await sftp.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}
