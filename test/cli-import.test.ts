/**
 * `campaignd import calldata`: a 50,000-row CSV through the signed add-call-data interface, in
 * chunks as large as the server accepts, with every bad row reported by row number; the server's
 * rate rules (1 s per campaign, the per-request maximum) read from its answers; the progress
 * bar; usage errors. The 1,000,000-row run is `npm run bench:cli-import` (bench/cli-import-1m.ts):
 * at the server's largest chunk (10,000) and 1 s between adds it takes well over the two minutes
 * a test may take on this machine.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportSummary } from '../src/cli/import.js';
import { campaignd } from './cli-run.js';
import { writeXlsx } from './import-files.js';
import { AK, SK, P, createBatch, createCampaign, envelopeOf, startTestServer, tempDir, type TestServer } from './helpers.js';

const scratch = tempDir();
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Rows of the generated file (row 1 is the header, so data row i is file row i + 1). */
const ROWS = 50_000;
const INVALID: Record<number, string> = { 101: 'abc', 2002: '', 30003: '12a45' };
const BAD_PRIORITY = 40004;
const DUPLICATE_OF: Record<number, number> = { 555: 554, 45000: 10 };
const BLOCKED = [777, 33333, 49999];
const numberOf = (i: number) => `1390${String(i).padStart(7, '0')}`;

function writeCsv(file: string): void {
  const lines = ['called,customField,priority'];
  for (let i = 1; i <= ROWS; i++) {
    const called = i in INVALID ? INVALID[i]! : i in DUPLICATE_OF ? numberOf(DUPLICATE_OF[i]!) : numberOf(i);
    lines.push(`${called},"row ${i}, quoted",${i === BAD_PRIORITY ? 'high' : ''}`);
    if (i === 20000) lines.push(',,'); // a blank row: skipped, not counted
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('import calldata', () => {
  let s: TestServer;
  let env: Record<string, string>;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLDATA_MAX: '10000', CAMPAIGND_MAX_UNCOMPLETED: '1000000' });
    env = { CAMPAIGND_URL: s.url, CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK };
  });
  after(() => s.stop());

  test('50,000 rows: loaded in chunks of 10,000; every invalid, duplicate and blocklisted row reported by row number', { timeout: 120_000 }, async () => {
    const cid = await createCampaign(s.client, 1);
    const batch = await createBatch(s.client, 1, cid, 'import');
    const block = await s.client.request('POST', `${P(1)}/blocklist/add`, { blocklist: BLOCKED.map(numberOf) });
    assert.equal(envelopeOf(block.body).resultCode, '0200000', block.raw);
    const file = path.join(scratch, 'numbers.csv');
    writeCsv(file);

    const t0 = Date.now();
    const r = await campaignd(['import', 'calldata', file, '--vdn', '1', '--campaign', String(cid), '--batch', batch, '--json'], env);
    assert.equal(r.code, 1, `some rows were not loaded: exit 1\n${r.stderr}`);
    const sum = JSON.parse(r.stdout) as ImportSummary;
    const bad = Object.keys(INVALID).length + 1;
    const dups = Object.keys(DUPLICATE_OF).length;
    assert.equal(sum.rows, ROWS);
    assert.equal(sum.invalid, bad);
    assert.equal(sum.duplicates, dups);
    assert.equal(sum.blocklisted, BLOCKED.length);
    assert.equal(sum.refused, 0);
    assert.equal(sum.notSent, 0);
    assert.equal(sum.loaded, ROWS - bad - dups - BLOCKED.length);
    assert.equal(sum.stopped, undefined);
    // 5 chunks of at most 10,000 (the server's maximum), at least 1 s apart.
    assert.equal(sum.requests, 5);
    assert.ok(Date.now() - t0 >= 4000, 'five adds on one campaign need at least 4 s');

    // File row = data row + 1, and + 1 more after the blank row at data row 20000.
    const fileRow = (i: number) => i + 1 + (i > 20000 ? 1 : 0);
    const byKind = (k: string) => sum.badRows.filter((b) => b.kind === k).map((b) => b.row);
    assert.deepEqual(
      byKind('invalid').sort((a, b) => a - b),
      [...Object.keys(INVALID).map(Number), BAD_PRIORITY].sort((a, b) => a - b).map(fileRow),
    );
    assert.match(sum.badRows.find((b) => b.row === fileRow(BAD_PRIORITY))!.reason, /priority/);
    assert.match(sum.badRows.find((b) => b.row === fileRow(2002))!.reason, /called is empty/);
    assert.deepEqual(
      byKind('blocklisted').sort((a, b) => a - b),
      BLOCKED.map(fileRow),
    );
    assert.deepEqual(
      sum.duplicateRows.map((d) => [d.row, d.calledNo]),
      Object.entries(DUPLICATE_OF).map(([i, of]) => [fileRow(Number(i)), numberOf(of)]),
    );

    // The server holds exactly the acknowledged records, in the batch.
    const held = await s.store.db
      .selectFrom('call_data')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', cid)
      .where('batch_id', '=', batch)
      .executeTakeFirstOrThrow();
    assert.equal(Number(held.n), sum.loaded);

    // An unreachable server is a transport error (exit 3), and the summary says where it stopped.
    const human = await campaignd(['import', 'calldata', file, '--vdn', '1', '--campaign', String(cid), '--chunk', '1'], { ...env, CAMPAIGND_URL: 'http://127.0.0.1:1' });
    assert.equal(human.code, 3, 'an unreachable server is a transport error');
    assert.match(human.stdout, /stopped: request failed/);
  });

  test("the server's per-request maximum and its 1 s rule are read from its answers; --progress draws the bar on stderr", { timeout: 120_000 }, async () => {
    const small = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_CALLDATA_MAX: '7' });
    try {
      const cid = await createCampaign(small.client, 1);
      const file = path.join(scratch, 'small.csv');
      fs.writeFileSync(file, ['called', ...Array.from({ length: 20 }, (_, i) => numberOf(i)), 'x1'].join('\r\n'));
      // Another add on the same campaign just before: the import's first add meets 0200022 or waits.
      const other = await small.client.request('POST', `/rest/isales/v2/openapi/campaigns/1/calldata/${cid}`, { callDataList: [{ called: [{ calledNo: '18800000000' }] }] });
      assert.equal(envelopeOf(other.body).resultCode, '0200000', other.raw);
      const r = await campaignd(['import', 'calldata', file, '--vdn', '1', '--campaign', String(cid), '--progress'], {
        CAMPAIGND_URL: small.url,
        CAMPAIGND_ACCESS_KEY: AK,
        CAMPAIGND_SECRET_KEY: SK,
      });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /: 21 rows in [0-9.]+ s — loaded 20, duplicates 0, blocklisted 0, invalid 1, refused 0, not sent 0 \(3 requests\)/);
      assert.match(r.stdout, /^row 22: invalid: called is neither a number/m);
      assert.match(r.stderr, /\[#{20}\] 100% rows 21 · loaded 20/);
      const n = await small.store.db
        .selectFrom('call_data')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('campaign_id', '=', cid)
        .executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 21);
    } finally {
      await small.stop();
    }
  });

  test('an .xlsx file (the vendor template layout, columns by position, the JSON list in called) loads the same way', { timeout: 120_000 }, async () => {
    const cid = await createCampaign(s.client, 1);
    const file = path.join(scratch, 'template.xlsx');
    const rows = Array.from({ length: 30 }, (_, i) => [`s${i}`, i === 7 ? '[{calledNo: oops}]' : `[{'calledNo':${numberOf(60000 + i)}}]`]);
    await writeXlsx(file, ['Session ID', 'Called number'], rows);
    const r = await campaignd(['import', 'calldata', file, '--vdn', '1', '--campaign', String(cid), '--json'], env);
    assert.equal(r.code, 1, r.stderr);
    const sum = JSON.parse(r.stdout) as ImportSummary;
    assert.deepEqual([sum.rows, sum.loaded, sum.invalid], [30, 29, 1]);
    assert.deepEqual(
      sum.badRows.map((b) => [b.row, b.kind]),
      [[9, 'invalid']],
    );
  });

  test('a campaign that does not exist stops the import; usage errors exit 2', async () => {
    const file = path.join(scratch, 'few.csv');
    fs.writeFileSync(file, 'called\n13900000001\n13900000002\n');
    const r = await campaignd(['import', 'calldata', file, '--vdn', '1', '--campaign', '999999', '--json'], env);
    assert.equal(r.code, 1);
    const sum = JSON.parse(r.stdout) as ImportSummary;
    assert.match(sum.stopped ?? '', /^0200007 /);
    assert.equal(sum.notSent, 2);
    assert.deepEqual(
      sum.badRows.map((b) => [b.row, b.kind]),
      [
        [2, 'notSent'],
        [3, 'notSent'],
      ],
    );
    for (const args of [
      ['import', 'calldata', path.join(scratch, 'x.txt'), '--vdn', '1', '--campaign', '1'],
      ['import', 'calldata', path.join(scratch, 'missing.csv'), '--vdn', '1', '--campaign', '1'],
      ['import', 'calldata', file, '--vdn', '0', '--campaign', '1'],
      ['import', 'calldata', file, '--vdn', '1', '--campaign', '1', '--chunk', '10001'],
      ['import', 'calldata', file, '--campaign', '1'],
    ]) {
      const u = await campaignd(args, env);
      assert.equal(u.code, 2, `${args.join(' ')}: ${u.stderr}`);
    }
  });
});
