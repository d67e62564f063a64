/**
 * What the engine sends out, against real HTTP servers on 127.0.0.1 (README §"The engine", 8,
 * and §"Dialers"): result callbacks retried at once and then with doubling back-off up to
 * `CAMPAIGND_CALLBACK_ATTEMPTS`, a `retCode` other than "0" counted as a failure; the webhook
 * dialer's non-2xx answer, timeout and refused connection each settling the attempt as `34606`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../src/engine/clock.js';
import { freePort } from './child.js';
import { startTestServer, type TestServer } from './helpers.js';
import { addData, advance, campaign, MIN, ok, results, SEC } from './engine-helpers.js';

const start = Date.UTC(2030, 5, 3, 9);

/** A local HTTP server answering each request with `answer(path, body)`; keeps what it received. */
async function receiver(answer: (path: string, body: string, res: http.ServerResponse) => void) {
  const got: Array<{ path: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ path: req.url ?? '', body });
      answer(req.url ?? '', body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    got,
    count: (path: string) => got.filter((g) => g.path === path).length,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('result callbacks: back-off, attempt cap, retCode', () => {
  let s: TestServer;
  let rx: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    rx = await receiver((path, _body, res) => {
      if (path === '/down') res.writeHead(500).end('busy');
      else if (path === '/ret1') res.writeHead(200, { 'content-type': 'application/json' }).end('{"retCode":"1","retMsg":"rejected"}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"retCode":"0"}');
    });
    s = await startTestServer(
      { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1', CAMPAIGND_CALLBACK_ATTEMPTS: '4', CAMPAIGND_CALLBACK_BACKOFF_SECONDS: '60' },
      { clock: new ManualClock(start) },
    );
  });
  after(async () => {
    await s.stop();
    await rx.close();
  });
  const outbox = (cid: number) => s.store.db.selectFrom('callback_outbox').selectAll().where('campaign_id', '=', cid).executeTakeFirstOrThrow();

  test('HTTP 500: delivered at t0 and again at once, then t0+60 s, t0+180 s; after 4 attempts failed for good', async () => {
    const cid = await campaign(s, { callBackUrl: `${rx.url}/down` });
    const t0 = s.clock.now();
    const failed = s.engine!.events.waitFor('callback:failed');
    await addData(s, cid, ['5890001']);
    await advance(s, 59 * SEC);
    assert.equal(rx.count('/down'), 2, 'the first retry is immediate');
    assert.deepEqual([(await outbox(cid)).state, Number((await outbox(cid)).next_at)], ['pending', t0 + 60 * SEC]);
    await advance(s, SEC);
    assert.equal(rx.count('/down'), 3, 'second retry after the back-off (60 s)');
    assert.equal(Number((await outbox(cid)).next_at), t0 + 180 * SEC, 'then the back-off doubles (120 s)');
    await advance(s, 119 * SEC);
    assert.equal(rx.count('/down'), 3);
    await advance(s, SEC);
    assert.equal(rx.count('/down'), 4);
    const ev = await failed;
    assert.deepEqual([ev.attempts, ev.error], [4, 'HTTP 500']);
    await advance(s, 60 * MIN);
    assert.equal(rx.count('/down'), 4, 'CAMPAIGND_CALLBACK_ATTEMPTS in all');
    const row = await outbox(cid);
    assert.deepEqual([row.state, row.attempts, row.last_error], ['failed', 4, 'HTTP 500']);
    const item = (JSON.parse(rx.got.find((g) => g.path === '/down')!.body) as Array<Record<string, unknown>>)[0]!;
    assert.deepEqual([item.campaignId, item.called, item.failCode, item.callStatus], [cid, '5890001', '00000', 6]);
  });

  test('HTTP 200 with retCode "1" is a failed delivery, retried like any other', async () => {
    const cid = await campaign(s, { callBackUrl: `${rx.url}/ret1` });
    await addData(s, cid, ['5890002']);
    await advance(s, 10 * MIN);
    assert.equal(rx.count('/ret1'), 4);
    const row = await outbox(cid);
    assert.deepEqual([row.state, row.attempts, row.last_error], ['failed', 4, 'retCode "1" instead of "0"']);
  });

  test('retCode "0" is delivered on the first attempt and never sent again', async () => {
    const cid = await campaign(s, { callBackUrl: `${rx.url}/fine` });
    await addData(s, cid, ['5890003']);
    await advance(s, 10 * MIN);
    assert.equal(rx.count('/fine'), 1);
    const row = await outbox(cid);
    assert.deepEqual([row.state, row.attempts, row.last_error], ['delivered', 1, null]);
  });
});

describe('the webhook dialer: a hand-off that fails is an attempt failed with 34606', () => {
  let s: TestServer;
  let cti: Awaited<ReturnType<typeof receiver>>;
  before(async () => {
    cti = await receiver((_path, body, res) => {
      const { calledNo } = JSON.parse(body) as { calledNo: string };
      if (calledNo === '5880001') res.writeHead(503).end('overloaded');
      else if (calledNo === '5880002')
        return; // never answers: the hand-off times out
      else res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    });
    s = await startTestServer(
      { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_DIALER: 'webhook', CAMPAIGND_WEBHOOK_URL: `${cti.url}/dial`, CAMPAIGND_CALLBACK_TIMEOUT_SECONDS: '3' },
      { clock: new ManualClock(start) },
    );
  });
  after(async () => {
    await s.stop();
    await cti.close();
  });

  test("HTTP 503 and a timeout → 34606 at once; a 2xx is accepted and waits for the CTI's result", async () => {
    const cid = await campaign(s);
    const t0 = s.clock.now();
    await addData(s, cid, ['5880001', '5880002', '5880003']);
    const started = Date.now();
    await advance(s, SEC);
    assert.ok(Date.now() - started >= 2900, 'the hand-off to the silent CTI was waited for (3 s timeout)');
    assert.equal(cti.got.length, 3);
    const byNumber = new Map((await results(s, { campaignId: cid })).map((r) => [r.called_no, r]));
    assert.deepEqual([byNumber.get('5880001')?.fail_code, Number(byNumber.get('5880001')?.created_at)], ['34606', t0]);
    assert.deepEqual([byNumber.get('5880002')?.fail_code, Number(byNumber.get('5880002')?.created_at)], ['34606', t0]);
    assert.equal(byNumber.has('5880003'), false, 'accepted: no result until the CTI reports one');
    const accepted = JSON.parse(cti.got.find((g) => g.body.includes('5880003'))!.body) as { resultPath: string };
    await ok(s, 'POST', accepted.resultPath, { failCode: '00000', ackBeginTime: t0, callBeginTime: t0 + 5000, callEndTime: t0 + 60_000 });
    assert.equal((await results(s, { calledNo: '5880003' }))[0]?.fail_code, '00000');
  });
});

describe('the webhook dialer: connection refused', () => {
  let s: TestServer;
  before(async () => {
    const port = await freePort(); // nothing listens there
    s = await startTestServer(
      { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_DIALER: 'webhook', CAMPAIGND_WEBHOOK_URL: `http://127.0.0.1:${port}/dial` },
      { clock: new ManualClock(start) },
    );
  });
  after(async () => s.stop());

  test('a refused connection → 34606, recorded like any failed attempt', async () => {
    const cid = await campaign(s);
    const t0 = s.clock.now();
    const [id] = await addData(s, cid, ['5880009']);
    await advance(s, SEC);
    const rows = await results(s, { calledNo: '5880009' });
    assert.deepEqual(
      rows.map((r) => [r.fail_code, r.call_status, Number(r.created_at)]),
      [['34606', 5, t0]],
    );
    const rec = await s.store.db.selectFrom('call_data').select(['state', 'last_fail_code']).where('id', '=', Number(id)).executeTakeFirstOrThrow();
    assert.deepEqual([rec.state, rec.last_fail_code], ['done', '34606'], 'no policy: the number is not tried again');
  });
});

describe('callbacks beside dialling (system clock)', () => {
  let s: TestServer;
  let rx: Awaited<ReturnType<typeof receiver>>;
  const held: http.ServerResponse[] = [];
  let releasing = false;
  const answer = (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"retCode":"0"}');
  before(async () => {
    rx = await receiver((_path, _body, res) => {
      if (releasing) answer(res);
      else held.push(res); // answered only when the test says so
    });
    s = await startTestServer({ CAMPAIGND_ENGINE_POLL_MS: '50', CAMPAIGND_SIM_MIX: '00000:1', CAMPAIGND_CALLBACK_TIMEOUT_SECONDS: '30' });
  });
  after(async () => {
    releasing = true;
    for (const r of held) if (!r.writableEnded) answer(r);
    await s.stop();
    await rx.close();
  });

  test('a callback receiver that does not answer does not hold up the next calls', async () => {
    const a = await campaign(s, { callBackUrl: `${rx.url}/slow` });
    const b = await campaign(s, { callBackUrl: `${rx.url}/slow` });
    await addData(s, a, ['5890101']);
    // The first result's callback reaches the receiver, which keeps it waiting (timeout 30 s).
    const until = Date.now() + 10_000;
    while (held.length === 0) {
      assert.ok(Date.now() < until, 'the first callback arrived within 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const settled = s.engine!.events.waitFor('attempt:settled', (e) => e.campaignId === b, 10_000);
    await addData(s, b, ['5890102']);
    await settled;
    assert.equal(held[0]!.writableEnded, false, 'the next call was dialled and settled while the first callback still waited for its answer');
    assert.deepEqual(
      (await results(s, { campaignId: b })).map((r) => r.called_no),
      ['5890102'],
    );
    answer(held[0]!);
    const delivered = await s.engine!.events.waitFor('callback:delivered', () => true, 10_000);
    assert.equal(delivered.attempts, 1);
  });
});
