/**
 * Call records (`P/callRecord`, `P2/callRecord`): the dialogue of automatic calls, carried by
 * the simulated dialer for IVR campaigns and by a webhook CTI's result (`turns[]`).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../src/engine/clock.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import { simulatedTurns } from '../src/engine/simulated-dialer.js';
import { campaignBody, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

const HOUR = 3600_000;
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;
type Env = { resultCode: string; resultDesc: string; recordList?: Array<Record<string, unknown>>; total?: number; returnObject?: { id: number } };

async function call(s: TestServer, path: string, body?: unknown): Promise<Env> {
  const res = await s.client.request('POST', path, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}

async function campaignWithData(s: TestServer, begin: number, numbers: string[], extra: Record<string, unknown> = {}): Promise<number> {
  const c = await call(s, P(1), campaignBody({ strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 30 * 24 * HOUR), scheduleParam: {}, ...extra }, begin));
  assert.equal(c.resultCode, '0200000', c.resultDesc);
  const cid = c.returnObject!.id;
  const add = await call(s, `${P2(1)}/calldata/${cid}`, { callDataList: numbers.map((n) => ({ sessionId: n, called: [{ calledNo: n }] })) });
  assert.equal(add.resultCode, '0200000', add.resultDesc);
  return cid;
}

describe('simulated dialer', () => {
  const start = startOfUtcDay(Date.UTC(2030, 0, 7)) + 8 * HOUR;
  let s: TestServer;
  after(async () => s?.stop());

  test('a connected IVR call has three turns; v1 answers all, v2 pages them; a failed call none', async () => {
    s = await startTestServer({ CAMPAIGND_SIM_SCRIPTS: '13800000001=00000;13800000002=00603' }, { clock: new ManualClock(start) });
    const cid = await campaignWithData(s, startOfUtcDay(start), ['13800000001', '13800000002']);
    await call(s, '/campaignd/v1/clock', { advanceMs: 60_000 });
    const rows = await s.store.db.selectFrom('call_results').selectAll().where('campaign_id', '=', cid).orderBy('id').execute();
    const ok = rows.find((r) => r.called_no === '13800000001')!;
    const failed = rows.find((r) => r.called_no === '13800000002')!;
    assert.ok(ok && failed, JSON.stringify(rows));
    const v1 = await call(s, `${P(1)}/callRecord`, { callId: ok.call_id });
    assert.equal(v1.resultCode, '0200000', v1.resultDesc);
    const expected = simulatedTurns('campaignd', '13800000001', 1, Number(ok.call_begin_time), Number(ok.call_end_time)).map((t) => ({
      interNo: t.interNo,
      systemReply: t.systemReply ?? '',
      userSaying: t.userSaying ?? '',
      intention: t.intention ?? '',
      systemReplyTime: formatDateTime(t.systemReplyTime!),
      requestTime: formatDateTime(t.requestTime!),
      responseSource: 'simulated',
    }));
    assert.deepEqual(v1.recordList, expected);
    assert.ok(String(expected[1]!.userSaying).length > 0 && String(expected[1]!.intention).length > 0);
    const v2 = await call(s, `${P2(1)}/callRecord`, { callId: ok.call_id, page: 2, limit: 2 });
    assert.deepEqual([v2.total, v2.recordList], [3, expected.slice(2)]);
    assert.deepEqual((await call(s, `${P(1)}/callRecord`, { callId: failed.call_id })).recordList, []);
    // Errors: unknown call 0200001 (also from another VDN), validation codes.
    assert.equal((await call(s, `${P(1)}/callRecord`, { callId: 'nope' })).resultCode, '0200001');
    assert.equal((await call(s, `${P(2)}/callRecord`, { callId: ok.call_id })).resultCode, '0200001');
    assert.equal((await call(s, `${P(1)}/callRecord`, {})).resultCode, '02000001');
    assert.equal((await call(s, `${P2(1)}/callRecord`, { callId: ok.call_id, page: 0, limit: 10 })).resultCode, '02000007');
    assert.equal((await call(s, `${P2(1)}/callRecord`, { callId: ok.call_id, page: 1001, limit: 10 })).resultCode, '02000007');
    assert.equal((await call(s, `${P2(1)}/callRecord`, { callId: ok.call_id, page: 1, limit: 101 })).resultCode, '02000007');
    assert.equal((await call(s, `${P2(1)}/callRecord`, { callId: ok.call_id, limit: 10 })).resultCode, '02000001');
  });

  test('the simulated dialogue is deterministic and fits the talk time', () => {
    const a = simulatedTurns('seed', '138', 1, 1000_000, 1060_000);
    assert.deepEqual(a, simulatedTurns('seed', '138', 1, 1000_000, 1060_000));
    for (const t of a) assert.ok(t.requestTime! >= 1000_000 && t.systemReplyTime! <= 1060_000);
  });
});

describe('webhook dialer', () => {
  const cti = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      calls.push(JSON.parse(body) as { callId: string; resultPath: string });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const calls: Array<{ callId: string; resultPath: string }> = [];
  let s: TestServer;
  after(async () => {
    await s?.stop();
    cti.close();
  });

  test('the CTI reports the turns with the result; they come back in order', async () => {
    await new Promise<void>((r) => cti.listen(0, '127.0.0.1', r));
    const start = startOfUtcDay(Date.UTC(2030, 0, 7)) + 8 * HOUR;
    s = await startTestServer(
      { CAMPAIGND_DIALER: 'webhook', CAMPAIGND_WEBHOOK_URL: `http://127.0.0.1:${(cti.address() as AddressInfo).port}/dial` },
      { clock: new ManualClock(start) },
    );
    await campaignWithData(s, startOfUtcDay(start), ['13900000001']);
    await call(s, '/campaignd/v1/clock', { advanceMs: 1000 });
    assert.equal(calls.length, 1);
    const t = start + 2000;
    const bad = await call(s, calls[0]!.resultPath, { failCode: '00000', turns: [{ interNo: 0 }] });
    assert.equal(bad.resultCode, '02000007', 'turns are validated before the result is taken');
    assert.equal((await call(s, calls[0]!.resultPath, { failCode: '00000', turns: [{ userSaying: 'a\u0000b' }] })).resultCode, '02000002');
    const r = await call(s, calls[0]!.resultPath, {
      failCode: '00000',
      callBeginTime: t,
      callEndTime: t + 30_000,
      turns: [
        { interNo: 2, userSaying: 'yes', intention: 'agree', requestTime: t + 5000, responseSource: 'asr' },
        { interNo: 1, systemReply: 'Hi', systemReplyTime: t + 1000 },
      ],
    });
    assert.equal(r.resultCode, '0200000', r.resultDesc);
    const v1 = await call(s, `${P(1)}/callRecord`, { callId: calls[0]!.callId });
    assert.deepEqual(v1.recordList, [
      { interNo: 1, systemReply: 'Hi', userSaying: '', intention: '', systemReplyTime: formatDateTime(t + 1000), requestTime: '', responseSource: '' },
      { interNo: 2, systemReply: '', userSaying: 'yes', intention: 'agree', systemReplyTime: '', requestTime: formatDateTime(t + 5000), responseSource: 'asr' },
    ]);
  });
});
