/**
 * Killing campaignd mid-dispatch and restarting it dials no record twice and loses none.
 *
 * campaignd runs as a child process with the webhook dialer and the manual clock. The fake CTI
 * accepts calls but holds its answer to the third one; while it holds it, campaignd is killed
 * with SIGKILL. At that moment two calls were handed over, a third is in flight (recorded as
 * dispatched before the hand-off) and the rest of the round is claimed but not dispatched.
 * After the restart and the lease time, the three handed-over calls are settled 34608 ("no
 * result received") without being dialled again, and the others are dialled once.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CampaigndClient, type Envelope } from '../src/client/index.js';
import { formatDateTime } from '../src/domain/time.js';
import { newDir, serve, stop } from './child.js';
import { AK, campaignBody, P, SK } from './helpers.js';
import { openTestStore } from './pg-target.js';

const received: Array<{ callId: string; dataId: number | null; calledNo: string; resultPath: string }> = [];
let holdThird: (() => void) | null = null;
let onThird: (() => void) | null = null;
const cti = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const call = JSON.parse(body) as { callId: string; dataId: number | null; calledNo: string; resultPath: string };
    received.push(call);
    if (received.length === 3 && onThird) {
      // Hold the answer: campaignd is killed while it waits for it.
      holdThird = () => res.writeHead(200).end('{}');
      onThird();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":true}');
  });
});

after(() => {
  holdThird?.();
  cti.close();
});

test('kill -9 mid-dispatch, restart: no record dialled twice, none lost', async () => {
  await new Promise<void>((r) => cti.listen(0, '127.0.0.1', r));
  const ctiUrl = `http://127.0.0.1:${(cti.address() as AddressInfo).port}/dial`;
  const dir = newDir();
  const env = {
    CAMPAIGND_ACCESS_KEY: AK,
    CAMPAIGND_SECRET_KEY: SK,
    CAMPAIGND_CLOCK: 'manual',
    CAMPAIGND_DIALER: 'webhook',
    CAMPAIGND_WEBHOOK_URL: ctiUrl,
    CAMPAIGND_OUTBOUND_ALLOW: '127.0.0.0/8',
    CAMPAIGND_ATTEMPT_LEASE_SECONDS: '60',
  };
  let child = await serve(dir, env);
  let client = new CampaigndClient({ baseUrl: child.url, accessKey: AK, secretKey: SK });
  const clockNow = async () => (await client.request<Envelope & { returnObject: { now: number } }>('GET', '/campaignd/v1/clock')).body!.returnObject.now;
  const now = await clockNow();
  const begin = now - (now % 86400_000);
  const c = await client.request<Envelope & { returnObject: { id: number } }>(
    'POST',
    P(1),
    campaignBody({ strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 30 * 86400_000), scheduleParam: {} }, now),
  );
  const cid = c.body!.returnObject.id;
  const numbers = Array.from({ length: 8 }, (_, i) => `55590${i}`);
  const add = await client.request<Envelope>('POST', `/rest/isales/v2/openapi/campaigns/1/calldata/${cid}`, {
    callDataList: numbers.map((n) => ({ sessionId: n, called: [{ calledNo: n }] })),
  });
  assert.equal(add.body?.resultCode, '0200000', add.raw);

  // Move the clock: the engine claims the round and starts handing calls to the CTI.
  const third = new Promise<void>((r) => (onThird = r));
  const advancing = client.request('POST', '/campaignd/v1/clock', { advanceMs: 1000 }).catch(() => null);
  await third;
  await stop(child, 'SIGKILL');
  await advancing;
  assert.equal(received.length, 3);

  // The state at the moment of the kill, read straight from the database file: the whole round
  // is claimed, exactly the three calls the CTI saw are recorded as dispatched (the third one
  // before its hand-off was answered), nothing is settled yet.
  const store = await openTestStore(dir);
  try {
    const rows = await store.db.selectFrom('call_data').select(['state', 'call_id', 'dispatched_at']).where('campaign_id', '=', cid).orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => r.state),
      Array(numbers.length).fill('dialing'),
      'the round of 8 is claimed',
    );
    const dispatched = rows.filter((r) => r.dispatched_at !== null).map((r) => r.call_id);
    assert.deepEqual(dispatched.sort(), received.map((r) => r.callId).sort(), 'dispatched = handed to the CTI');
    const settled = await store.db
      .selectFrom('call_results')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', cid)
      .executeTakeFirstOrThrow();
    assert.equal(Number(settled.n), 0);
  } finally {
    await store.close();
  }

  child = await serve(dir, env);
  const restored = await (async () => {
    const c0 = new CampaigndClient({ baseUrl: child.url, accessKey: AK, secretKey: SK });
    return (await c0.request<Envelope & { returnObject: { now: number } }>('GET', '/campaignd/v1/clock')).body!.returnObject.now;
  })();
  assert.equal(restored, now, 'the manual clock resumes where it stood (the calls went out before it moved)');
  let t = restored;
  client = new CampaigndClient({ baseUrl: child.url, accessKey: AK, secretKey: SK });
  const moved = await client.request<Envelope>('POST', '/campaignd/v1/clock', { advanceMs: 61_000 });
  assert.equal(moved.body?.resultCode, '0200000', moved.raw);
  t += 61_000;

  // Every record was handed to the CTI exactly once.
  const dataIds = received.map((r) => r.dataId);
  assert.equal(received.length, numbers.length, JSON.stringify(received));
  assert.equal(new Set(dataIds).size, numbers.length, 'no record dialled twice');
  assert.deepEqual([...new Set(received.map((r) => r.calledNo))].sort(), numbers);

  // The CTI reports the calls of the second run, at the path each hand-off named; the three lost
  // ones were settled 34608.
  for (const call of received.slice(3)) {
    assert.equal(call.resultPath, `/campaignd/v1/campaigns/1/calls/${call.callId}/result`);
    const r = await client.request<Envelope>('POST', call.resultPath, { failCode: '00000', ackBeginTime: t, callBeginTime: t + 2000, callEndTime: t + 60_000 });
    assert.equal(r.body?.resultCode, '0200000', r.raw);
  }
  const again = await client.request<Envelope>('POST', `/campaignd/v1/campaigns/1/calls/${received[4]!.callId}/result`, { failCode: '00000' });
  assert.equal(again.body?.resultCode, '0200001', 'a result is taken once');
  const list = await client.request<Envelope & { data: Array<{ called: string; failCode: string }> }>('POST', `${P(1)}/callresult/${cid}`, {});
  const byNumber = new Map(list.body!.data.map((d) => [d.called, d.failCode]));
  assert.equal(byNumber.size, numbers.length, 'no record lost');
  for (const call of received.slice(0, 3)) assert.equal(byNumber.get(call.calledNo), '34608');
  for (const call of received.slice(3)) assert.equal(byNumber.get(call.calledNo), '00000');
  await stop(child, 'SIGTERM');
});
