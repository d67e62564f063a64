/**
 * The acceptance run of `campaignd import calldata`: a 1,000,000-row CSV loaded through the
 * signed add-call-data interface, outside `npm test` (at the server's largest chunk, 10,000
 * records, and 1 s between adds on a campaign, it needs 100 adds and takes minutes;
 * test/cli-import.test.ts runs the same path on 50,000 rows). The server runs in this process
 * (engine off, `CAMPAIGND_CALLDATA_MAX=10000`), the CLI as a child process with `--progress
 * --json`. Every 1,000th row is invalid, every 1,000th (offset 500) repeats the row before it,
 * ten numbers are blocklisted; the bench checks every count, every reported row number and the
 * records held by the server, then prints the time.
 *
 *   npm run bench:cli-import          (BENCH_ROWS=200000 for a shorter run)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportSummary } from '../src/cli/import.js';
import { MAIN, ROOT, baseEnv } from '../test/cli-run.js';
import { AK, SK, P, createCampaign, startTestServer, tempDir } from '../test/helpers.js';

const N = Number(process.env.BENCH_ROWS ?? 1_000_000);
const numberOf = (i: number) => `1390${String(i).padStart(7, '0')}`;
const isInvalid = (i: number) => i % 1000 === 0;
const isDuplicate = (i: number) => i % 1000 === 500;
const BLOCKED = Array.from({ length: 10 }, (_, k) => 1 + Math.floor((k * N) / 10) + 7);

const dir = tempDir();
const file = path.join(dir, 'million.csv');
const t0 = Date.now();
const out = fs.createWriteStream(file);
out.write('called,customField\n');
for (let i = 1; i <= N; i++) {
  const called = isInvalid(i) ? `bad${i}` : isDuplicate(i) ? numberOf(i - 1) : numberOf(i);
  if (!out.write(`${called},row ${i}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
}
await new Promise<void>((r) => out.end(() => r()));
console.log(`wrote ${N} rows (${(fs.statSync(file).size / 1e6).toFixed(1)} MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const s = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLDATA_MAX: '10000', CAMPAIGND_MAX_UNCOMPLETED: String(N + 10) });
try {
  const cid = await createCampaign(s.client, 1);
  const block = await s.client.request('POST', `${P(1)}/blocklist/add`, { blocklist: BLOCKED.map(numberOf) });
  if (block.body?.resultCode !== '0200000') throw new Error(`blocklist add failed: ${block.raw}`);

  const t1 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'import', 'calldata', file, '--vdn', '1', '--campaign', String(cid), '--json', '--progress'], {
    cwd: ROOT,
    env: { ...baseEnv(), CAMPAIGND_URL: s.url, CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  const seconds = (Date.now() - t1) / 1000;
  const sum = JSON.parse(stdout) as ImportSummary;

  const invalid = Math.floor(N / 1000);
  const duplicates = Math.floor((N + 500) / 1000);
  const expect = { rows: N, invalid, duplicates, blocklisted: BLOCKED.length, refused: 0, notSent: 0, loaded: N - invalid - duplicates - BLOCKED.length };
  const got = { rows: sum.rows, invalid: sum.invalid, duplicates: sum.duplicates, blocklisted: sum.blocklisted, refused: sum.refused, notSent: sum.notSent, loaded: sum.loaded };
  if (JSON.stringify(got) !== JSON.stringify(expect)) throw new Error(`counts ${JSON.stringify(got)} != ${JSON.stringify(expect)}`);
  const invalidRows = sum.badRows.filter((b) => b.kind === 'invalid').map((b) => b.row - 1);
  if (invalidRows.length !== invalid || invalidRows.some((i) => !isInvalid(i))) throw new Error('an invalid row is missing or misnumbered');
  if (sum.duplicateRows.some((d) => !isDuplicate(d.row - 1))) throw new Error('a duplicate row is misnumbered');
  const blockedRows = sum.badRows.filter((b) => b.kind === 'blocklisted').map((b) => b.row - 1);
  if (JSON.stringify(blockedRows.sort((a, b) => a - b)) !== JSON.stringify([...BLOCKED].sort((a, b) => a - b))) throw new Error('a blocklisted row is missing');
  const held = await s.store.db
    .selectFrom('call_data')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', cid)
    .executeTakeFirstOrThrow();
  if (Number(held.n) !== sum.loaded) throw new Error(`server holds ${held.n} records, the import reported ${sum.loaded}`);
  console.log(`imported ${N} rows in ${seconds.toFixed(1)} s (${sum.requests} adds, exit ${code}): ${JSON.stringify(got)}; every bad row reported; server holds ${held.n}`);
} finally {
  await s.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
