/**
 * File imports over SFTP: a real ssh2 SFTP server on loopback serves .xlsx and .csv files;
 * campaignd fetches, validates every row with the JSON interfaces' rules, and loads them in the
 * background, with the counters (succ/repeat/fail/black) right, scheduled starts, and a resume
 * after a restart that loads no row twice.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createCampaign, envelopeOf, P, startTestServer, tempDir, type TestServer } from './helpers.js';
import { startSftpServer, type TestSftpServer } from './sftp-server.js';
import { blockedNo, callDataRows, expectedCounts, writeCsv, writeXlsx } from './import-files.js';
import { ManualClock } from '../src/engine/clock.js';

const KEY = randomBytes(32).toString('base64');
const USER = 'loader';
const PWD = 'loader-password-1';

type Task = { id: string; status: string; beginTime: string; endTime: string; succNum: number; repeatNum: number; failNum: number; blackNum?: number; errMsg: string };
type Env = { resultCode: string; resultDesc: string; returnObject?: { importTaskId: string; serverId: string }; count?: number; result?: Task[] };

let sftp: TestSftpServer;
let root: string;
let s: TestServer;
let serverId: string;

async function call(p: string, body?: unknown, srv = s): Promise<Env> {
  const res = await srv.client.request('POST', `${P(1)}${p}`, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}

async function addServer(srv: TestServer): Promise<string> {
  const r = await call('/file/addServer', { serverInfo: { ip: sftp.host, port: sftp.port, filePath: '/isales' }, userName: USER, serverPwd: PWD }, srv);
  assert.equal(r.resultCode, '0200000', r.resultDesc);
  return r.returnObject!.serverId;
}

/** A second registration of the loopback server, under another address (localhost). */
async function addServer2(): Promise<string> {
  const r = await call('/file/addServer', { serverInfo: { ip: 'localhost', port: sftp.port, filePath: '/isales' }, userName: USER, serverPwd: PWD });
  assert.equal(r.resultCode, '0200000', r.resultDesc);
  return r.returnObject!.serverId;
}

/** Polls the task until it is done or failed. */
async function waitTask(query: string, id: string, srv = s, timeoutMs = 60_000): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(query, { offset: 0, limit: 10, importTaskIds: [id] }, srv);
    assert.equal(r.resultCode, '0200000', r.resultDesc);
    const t = r.result![0]!;
    if (t.status === '2' || t.status === '3') return t;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${t.status}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const folder = (sub = '') => {
  const d = path.join(root, 'isales', sub);
  fs.mkdirSync(d, { recursive: true });
  return d;
};

const env = { CAMPAIGND_ENGINE: 'off', CAMPAIGND_SECRETS_KEY: KEY, CAMPAIGND_IMPORT_POLL_MS: '50' };

before(async () => {
  root = tempDir();
  sftp = await startSftpServer(root, USER, PWD);
  s = await startTestServer(env);
  serverId = await addServer(s);
});
after(async () => {
  await s.stop();
  await sftp.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function countData(campaignId: number, srv = s): Promise<number> {
  const r = await srv.store.db
    .selectFrom('call_data')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function blockNumbers(srv: TestServer, file: string, numbers: string[]): Promise<void> {
  await writeCsv(
    path.join(folder(), file),
    ['number'],
    numbers.map((n) => [n]),
  );
  const up = await call('/blackfile/uploadFileServer', { serverId, fileName: file }, srv);
  assert.equal(up.resultCode, '0200000', up.resultDesc);
  const t = await waitTask('/blackfile/queryDataImportTask', up.returnObject!.importTaskId, srv);
  assert.equal(t.status, '2', t.errMsg);
}

describe('call-data import', () => {
  test('10 rows of the Excel template: good, duplicate, bad and blocklisted rows counted; the good ones loaded', async () => {
    const cid = await createCampaign(s.client);
    await blockNumbers(s, 'block10.csv', [blockedNo(7)]);
    await writeXlsx(path.join(folder('20260301'), 'ten.xlsx'), ['sessionId', 'called'], callDataRows(10));
    const up = await call(`/calldatafile/uploadFileServer/${cid}`, { serverId, filePath: '/20260301', fileName: 'ten.xlsx' });
    assert.equal(up.resultCode, '0200000', up.resultDesc);
    assert.match(up.returnObject!.importTaskId, /^[0-9]{30}$/);
    const t = await waitTask(`/calldatafile/queryDataImportTask/${cid}`, up.returnObject!.importTaskId);
    const want = expectedCounts(10);
    assert.deepEqual(
      { status: t.status, succ: t.succNum, repeat: t.repeatNum, fail: t.failNum, black: t.blackNum },
      { status: '2', succ: want.succ, repeat: want.repeat, fail: want.fail, black: want.black },
    );
    assert.match(t.errMsg, /row 5: called/);
    assert.match(t.beginTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    assert.match(t.endTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    assert.equal(await countData(cid), want.succ);
    const numbers = await s.store.db
      .selectFrom('call_data_numbers')
      .innerJoin('call_data', 'call_data.id', 'call_data_numbers.data_id')
      .select('called_no')
      .where('campaign_id', '=', cid)
      .execute();
    assert.ok(!numbers.some((n) => n.called_no === blockedNo(7)), 'a blocklisted number is not loaded');
    // The list answers newest first, with a page size of 1..100.
    const page = await call(`/calldatafile/queryDataImportTask/${cid}`, { offset: 0, limit: 100 });
    assert.equal(page.count, 1);
    assert.equal((await call(`/calldatafile/queryDataImportTask/${cid}`, { offset: 0, limit: 0 })).resultCode, '02000007');
  });

  test("a CSV with named columns in another order, the template's single-quoted JSON and several numbers per record", async () => {
    const cid = await createCampaign(s.client);
    await writeCsv(
      path.join(folder(), 'named.csv'),
      ['called', 'customField', 'sessionId', 'priority'],
      [
        ["[{'calledNo':13512345678}]", 'vip', 'a1', 3],
        ['[{"calledNo":"13512345679","delayTime":0},{"calledNo":"13512345680","delayTime":60}]', '', 'a2', ''],
        ['13512345681', '', 'a3', 'x'],
        ['', '', 'a4', ''],
      ],
    );
    const up = await call(`/calldatafile/uploadFileServer/${cid}`, { serverId, fileName: 'named.csv' });
    const t = await waitTask(`/calldatafile/queryDataImportTask/${cid}`, up.returnObject!.importTaskId);
    assert.deepEqual([t.status, t.succNum, t.failNum, t.repeatNum, t.blackNum], ['2', 2, 2, 0, 0]);
    assert.match(t.errMsg, /row 3: priority/);
    assert.match(t.errMsg, /row 4: called is empty/);
    const rows = await s.store.db.selectFrom('call_data').selectAll().where('campaign_id', '=', cid).orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => [r.session_id, r.custom_field, r.priority]),
      [
        ['a1', 'vip', 3],
        ['a2', null, null],
      ],
    );
    const nums = await s.store.db.selectFrom('call_data_numbers').select(['called_no', 'delay_time']).where('data_id', '=', rows[1]!.id).orderBy('idx').execute();
    assert.deepEqual(
      nums.map((n) => [n.called_no, Number(n.delay_time)]),
      [
        ['13512345679', 0],
        ['13512345680', 60],
      ],
    );
  });

  test('upload errors: 0200007 unknown campaign first, 02000010 hour without minute, 0200001 unknown server or file type, 03000004 unknown batch', async () => {
    const cid = await createCampaign(s.client);
    // Existence first: an unknown campaign wins over a bad body.
    assert.equal((await call('/calldatafile/uploadFileServer/999999', { serverId, fileName: 'x.xlsx', hour: 3 })).resultCode, '0200007');
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ serverId, fileName: 'x.xlsx', hour: 3 }, '02000010', /hour and minute/],
      [{ serverId, fileName: 'x.xlsx', minute: 3 }, '02000010', /hour and minute/],
      [{ serverId, fileName: 'x.xlsx', hour: 24, minute: 0 }, '02000007', /hour/],
      [{ serverId, fileName: 'x.xlsx', hour: 1, minute: 60 }, '02000007', /minute/],
      [{ serverId: '123456789012345678901234567890', fileName: 'x.xlsx' }, '0200001', /file server/],
      [{ serverId, fileName: 'x.txt' }, '0200001', /xlsx/],
      [{ serverId, fileName: 'a/b.xlsx' }, '02000002', /fileName/],
      [{ serverId, filePath: '/../etc', fileName: 'b.xlsx' }, '02000002', /filePath/],
      [{ serverId, fileName: 'x.xlsx', batchId: 'nope' }, '03000004', /nope/],
      [{ fileName: 'x.xlsx' }, '02000001', /serverId/],
    ];
    for (const [body, code, desc] of cases) {
      const r = await call(`/calldatafile/uploadFileServer/${cid}`, body);
      assert.equal(r.resultCode, code, `${JSON.stringify(body)}: ${r.resultDesc}`);
      assert.match(r.resultDesc, desc);
    }
    assert.equal((await call('/calldatafile/queryDataImportTask/999999', { offset: 0, limit: 10 })).resultCode, '0200007');
  });

  test("the campaign's uncompleted-records cap still applies: rows beyond it fail", async () => {
    const t = await startTestServer({ ...env, CAMPAIGND_MAX_UNCOMPLETED: '3' });
    try {
      const sid = await addServer(t);
      const cid = await createCampaign(t.client);
      await writeCsv(
        path.join(folder(), 'cap.csv'),
        ['sessionId', 'called'],
        [1, 2, 3, 4, 5].map((i) => [`c${i}`, `1370000000${i}`]),
      );
      const up = await call(`/calldatafile/uploadFileServer/${cid}`, { serverId: sid, fileName: 'cap.csv' }, t);
      const task = await waitTask(`/calldatafile/queryDataImportTask/${cid}`, up.returnObject!.importTaskId, t);
      assert.deepEqual([task.status, task.succNum, task.failNum], ['2', 3, 2]);
      assert.match(task.errMsg, /row 4: campaign \d+ has reached 3 uncompleted records/);
      assert.equal(await countData(cid, t), 3);
    } finally {
      await t.stop();
    }
  });

  test('a server with an import waiting cannot be deleted (0200001)', async () => {
    const cid = await createCampaign(s.client);
    const sid = await addServer2();
    const later = (new Date().getUTCHours() + 3) % 24;
    const up = await call(`/calldatafile/uploadFileServer/${cid}`, { serverId: sid, fileName: 'ten.xlsx', hour: later, minute: 0 });
    assert.equal(up.resultCode, '0200000', up.resultDesc);
    const del = await call(`/file/${sid}/deleteServer`);
    assert.equal(del.resultCode, '0200001');
    assert.match(del.resultDesc, /waiting or running/);
    const q = await call(`/calldatafile/queryDataImportTask/${cid}`, { offset: 0, limit: 10 });
    assert.deepEqual([q.result![0]!.status, q.result![0]!.beginTime], ['0', '']);
  });

  test('a missing file ends the task as failed (status "3") with the reason', async () => {
    const cid = await createCampaign(s.client);
    const up = await call(`/calldatafile/uploadFileServer/${cid}`, { serverId, fileName: 'absent.xlsx' });
    const t = await waitTask(`/calldatafile/queryDataImportTask/${cid}`, up.returnObject!.importTaskId);
    assert.equal(t.status, '3');
    assert.match(t.errMsg, /absent\.xlsx/);
    assert.equal(await countData(cid), 0);
  });
});

describe('blocklist import', () => {
  test('numbers with expiry, validity hours and frequency limits; duplicates and bad rows counted', async () => {
    const future = new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 19).replace('T', ' ');
    await writeXlsx(
      path.join(folder(), 'black.xlsx'),
      ['number', 'expiryTime', 'validityTime', 'restrictTimes', 'restrictPeriod'],
      [
        ['66660001', '', '', '', ''],
        ['66660002', future, '', '', ''],
        ['66660003', '', 24, '', ''],
        ['66660004', '', '', 3, '1'],
        ['66660001', '', '', '', ''],
        ['6666x', '', '', '', ''],
        ['66660005', '', 121, '', ''],
        ['66660006', '', '', 3, ''],
      ],
    );
    const up = await call('/blackfile/uploadFileServer', { serverId, fileName: 'black.xlsx' });
    assert.equal(up.resultCode, '0200000', up.resultDesc);
    const t = await waitTask('/blackfile/queryDataImportTask', up.returnObject!.importTaskId);
    assert.deepEqual([t.status, t.succNum, t.repeatNum, t.failNum, t.blackNum], ['2', 4, 1, 3, undefined]);
    const q = await call('/blocklist/query', { blocklist: ['66660001', '66660002', '66660003', '66660004', '66660005'] });
    const data = (q as unknown as { data: Array<{ blockNum: string; restrictTimes?: number; validityTime?: number; flag: boolean }> }).data;
    assert.deepEqual(
      data.map((d) => d.blockNum),
      ['66660001', '66660002', '66660003', '66660004'],
    );
    assert.equal(data[2]!.validityTime, 24);
    assert.equal(data[3]!.restrictTimes, 3);
    // A second import of the same numbers: all still listed → repeats.
    const again = await call('/blackfile/uploadFileServer', { serverId, fileName: 'black.xlsx' });
    const t2 = await waitTask('/blackfile/queryDataImportTask', again.returnObject!.importTaskId);
    assert.equal(t2.repeatNum, 5);
    assert.equal(t2.succNum, 0);
    assert.equal((await call('/blackfile/uploadFileServer', { serverId, fileName: 'b.xlsx', batchId: '1' })).resultCode, '0200001');
  });

  test('numbers join the group and type named by the upload; unknown ones are 02000013 / 02000015', async () => {
    const g = await call('/blackCategory/create', { name: 'imported' });
    const ty = await call('/blackType/create', { name: 'imported', actionType: '1' });
    const gid = (g.returnObject as unknown as { id: string }).id;
    const tid = (ty.returnObject as unknown as { id: string }).id;
    await writeCsv(path.join(folder(), 'grouped.csv'), ['number'], [['55550001'], ['55550002']]);
    assert.equal((await call('/blackfile/uploadFileServer', { serverId, fileName: 'grouped.csv', relCategoryId: '42' })).resultCode, '02000013');
    assert.equal((await call('/blackfile/uploadFileServer', { serverId, fileName: 'grouped.csv', typeId: '42' })).resultCode, '02000015');
    const cid = await createCampaign(s.client);
    assert.equal((await call(`/calldatafile/uploadFileServer/${cid}`, { serverId, fileName: 'grouped.csv', relCategoryId: gid })).resultCode, '0200001');
    const up = await call('/blackfile/uploadFileServer', { serverId, fileName: 'grouped.csv', relCategoryId: gid, typeId: tid });
    assert.equal((await waitTask('/blackfile/queryDataImportTask', up.returnObject!.importTaskId)).succNum, 2);
    const q = await call('/blocklist/query', { offset: 0, limit: 10, relCategoryId: gid, typeId: tid });
    assert.deepEqual(
      (q as unknown as { data: Array<{ blockNum: string }> }).data.map((d) => d.blockNum),
      ['55550001', '55550002'],
    );
  });

  test('a scheduled import waits for its hour and minute (CAMPAIGND_TIMEZONE) on the manual clock', async () => {
    const start = Date.UTC(2030, 0, 1, 10, 0, 0);
    const clock = new ManualClock(start);
    const t = await startTestServer({ ...env, CAMPAIGND_TIMEZONE: 'Asia/Shanghai' }, { clock });
    try {
      const sid = await addServer(t);
      await writeCsv(path.join(folder(), 'later.csv'), ['number'], [['88880001']]);
      // 20:30 Shanghai = 12:30 UTC, later the same day.
      const up = await call('/blackfile/uploadFileServer', { serverId: sid, fileName: 'later.csv', hour: '20', minute: '30' }, t);
      assert.equal(up.resultCode, '0200000', up.resultDesc);
      await t.imports.runDue();
      const waiting = (await call('/blackfile/queryDataImportTask', { offset: 0, limit: 10 }, t)).result![0]!;
      assert.deepEqual([waiting.status, waiting.beginTime], ['0', '']);
      clock.set(Date.UTC(2030, 0, 1, 12, 29, 59));
      await t.imports.runDue();
      assert.equal((await call('/blackfile/queryDataImportTask', { offset: 0, limit: 10 }, t)).result![0]!.status, '0');
      clock.set(Date.UTC(2030, 0, 1, 12, 30, 0));
      await t.imports.runDue();
      const done = (await call('/blackfile/queryDataImportTask', { offset: 0, limit: 10 }, t)).result![0]!;
      assert.deepEqual([done.status, done.succNum, done.beginTime], ['2', 1, '2030-01-01T12:30:00.000+00:00']);
    } finally {
      await t.stop();
    }
  });
});

describe('large files', () => {
  test('100,000 rows of the Excel template: counts right; a restart mid-way resumes without loading a row twice', async () => {
    const N = 100_000;
    const dir = tempDir();
    let t = await startTestServer({ ...env, CAMPAIGND_IMPORT_CHUNK_ROWS: '2000' }, { dir });
    try {
      const sid = await addServer(t);
      const cid = await createCampaign(t.client);
      const blocked: string[] = [];
      for (let i = 7; i <= N; i += 10) blocked.push(blockedNo(i));
      await writeCsv(
        path.join(folder(), 'block100k.csv'),
        ['number'],
        blocked.map((n) => [n]),
      );
      const b = await call('/blackfile/uploadFileServer', { serverId: sid, fileName: 'block100k.csv' }, t);
      assert.equal((await waitTask('/blackfile/queryDataImportTask', b.returnObject!.importTaskId, t)).succNum, blocked.length);

      await writeXlsx(path.join(folder(), 'big.xlsx'), ['sessionId', 'called'], callDataRows(N));
      const opensBefore = sftp.opens;
      const up = await call(`/calldatafile/uploadFileServer/${cid}`, { serverId: sid, fileName: 'big.xlsx' }, t);
      const id = up.returnObject!.importTaskId;
      // Stop the server once part of the file is loaded.
      for (;;) {
        const row = await t.store.db.selectFrom('import_tasks').select(['rows_done', 'status']).where('id', '=', id).executeTakeFirstOrThrow();
        if (Number(row.rows_done) > 0) break;
        assert.notEqual(row.status, 3);
        await new Promise((res) => setTimeout(res, 20));
      }
      await t.stop();
      const mid = await (async () => {
        const again = await startTestServer({ ...env, CAMPAIGND_ENGINE: 'off' }, { dir });
        t = again;
        return again;
      })();
      const task = await waitTask(`/calldatafile/queryDataImportTask/${cid}`, id, mid, 120_000);
      const want = expectedCounts(N);
      assert.deepEqual(
        { status: task.status, succ: task.succNum, repeat: task.repeatNum, fail: task.failNum, black: task.blackNum },
        { status: '2', succ: want.succ, repeat: want.repeat, fail: want.fail, black: want.black },
      );
      assert.equal(await countData(cid, mid), want.succ, 'every good row loaded exactly once');
      assert.ok(sftp.opens - opensBefore >= 2, 'the restarted import fetched the file again');
      const seen = await mid.store.db
        .selectFrom('import_seen')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('task_id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(Number(seen.n), 0, 'a finished import forgets its seen keys');
    } finally {
      await t.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
