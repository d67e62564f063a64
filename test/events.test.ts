/**
 * The signed event stream `/campaignd/v1/events` and `/campaignd/v1/session` (issue #14), read
 * from Node with a signed `fetch`, as the console reads it in the browser.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { formatTimestamp, sign } from '../src/auth/c2.js';
import { startOfUtcDay } from '../src/domain/time.js';
import { ManualClock } from '../src/engine/clock.js';
import { addData, advance, campaign, HOUR, ok } from './engine-helpers.js';
import { AK, SK, startTestServer, type TestServer } from './helpers.js';

interface SseEvent {
  event: string;
  data: unknown;
}

/** Opens the stream signed with the given key; returns the response and an event reader. */
async function openStream(s: TestServer, pathAndQuery: string, ak = AK, sk = SK) {
  const url = new URL(pathAndQuery, s.url);
  const { authorization } = sign({
    accessKey: ak,
    secretKey: sk,
    timestamp: formatTimestamp(Date.now(), 'seconds'),
    method: 'GET',
    path: url.pathname,
    query: [...url.searchParams],
    headers: { host: url.host },
  });
  const ctl = new AbortController();
  const res = await fetch(url, { headers: { authorization }, signal: ctl.signal });
  const seen: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  let ended: Promise<void> = Promise.resolve();
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    ended = (async () => {
      const decoder = new TextDecoder();
      let buf = '';
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (ev && data) seen.push({ event: ev, data: JSON.parse(data) });
            for (const w of waiters.splice(0)) w();
          }
        }
      } catch {
        // aborted by the test
      }
    })();
  }
  async function waitFor(pred: (e: SseEvent) => boolean, ms = 5000): Promise<SseEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = seen.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no such event; seen: ${JSON.stringify(seen.map((e) => e.event))}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
  return { res, seen, waitFor, ended, close: () => ctl.abort() };
}

describe('event stream', () => {
  let s: TestServer;
  before(async () => {
    const start = startOfUtcDay(Date.UTC(2030, 0, 7)) + 8 * HOUR;
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1' }, { clock: new ManualClock(start) });
    await s.keys.put('vdn2only', 'vdn2-secret-key', [2], Date.now());
  });
  after(async () => s.stop());

  test('unsigned → 401 in the envelope', async () => {
    const res = await fetch(new URL('/campaignd/v1/events', s.url));
    assert.equal(res.status, 401);
    const body = (await res.json()) as { resultCode: string; resultDesc: string };
    assert.equal(body.resultCode, '0200001');
    assert.match(body.resultDesc, /authentication failed/);
  });

  test('a VDN the key may not use → 403; an out-of-range VDN → 02000007', async () => {
    const denied = await openStream(s, '/campaignd/v1/events?vdnId=1', 'vdn2only', 'vdn2-secret-key');
    assert.equal(denied.res.status, 403);
    assert.match(((await denied.res.json()) as { resultDesc: string }).resultDesc, /not allowed on VDN 1/);
    const bad = await openStream(s, '/campaignd/v1/events?vdnId=10000');
    assert.equal(bad.res.status, 200);
    assert.equal(((await bad.res.json()) as { resultCode: string }).resultCode, '02000007');
  });

  test('session names the key and its VDNs', async () => {
    const r = await ok(s, 'GET', '/campaignd/v1/session');
    assert.deepEqual({ accessKey: r.returnObject!.accessKey, vdnIds: r.returnObject!.vdnIds }, { accessKey: AK, vdnIds: '*' });
    assert.equal((r.returnObject!.clock as { kind: string }).kind, 'manual');
  });

  test('engine events reach the keys of their VDN only, with the clock after each pass', async () => {
    const all = await openStream(s, '/campaignd/v1/events');
    const other = await openStream(s, '/campaignd/v1/events', 'vdn2only', 'vdn2-secret-key');
    try {
      assert.equal(all.res.status, 200);
      assert.match(all.res.headers.get('content-type') ?? '', /^text\/event-stream/);
      const hello = await all.waitFor((e) => e.event === 'hello');
      assert.deepEqual((hello.data as { vdnIds: unknown }).vdnIds, '*');
      await other.waitFor((e) => e.event === 'hello');
      const cid = await campaign(s);
      await addData(s, cid, ['5550101', '5550102']);
      const before = s.clock.now();
      await advance(s, 60_000);
      const dispatched = await all.waitFor((e) => e.event === 'attempt:dispatched');
      assert.equal((dispatched.data as { campaignId: number; vdnId: number }).campaignId, cid);
      assert.equal((dispatched.data as { vdnId: number }).vdnId, 1);
      await all.waitFor((e) => e.event === 'attempt:settled');
      const clock = await all.waitFor((e) => e.event === 'clock' && (e.data as { now: number }).now > before);
      assert.equal((clock.data as { kind: string }).kind, 'manual');
      // The VDN-2 key got the clock but none of VDN 1's campaign events.
      await other.waitFor((e) => e.event === 'clock');
      assert.deepEqual(
        other.seen.filter((e) => e.event !== 'hello' && e.event !== 'clock'),
        [],
      );
    } finally {
      all.close();
      other.close();
    }
  });

  test('records: searchable and paged; activity: attempts per hour of engine time; unknown campaign 0200007', async () => {
    const cid = await campaign(s);
    await addData(s, cid, ['5550201', '5550202', '5550303']);
    await advance(s, 60_000);
    const all = await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/records`);
    const page = all.returnObject as { total: number; records: Array<{ dataId: number; calledNos: string[]; attempts: number }> };
    assert.equal(page.total, 3);
    assert.deepEqual(
      page.records.map((r) => r.calledNos),
      [['5550201'], ['5550202'], ['5550303']],
    );
    assert.ok(page.records.every((r) => r.attempts === 1));
    const found = (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/records?q=5550&limit=1&offset=1`)).returnObject as typeof page;
    assert.equal(found.total, 3);
    assert.deepEqual(
      found.records.map((r) => r.calledNos[0]),
      ['5550202'],
    );
    const some = (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/records?q=0303`)).returnObject as typeof page;
    assert.deepEqual(
      some.records.map((r) => r.calledNos[0]),
      ['5550303'],
    );
    const act = (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/activity`)).returnObject as {
      bucketMs: number;
      buckets: Array<{ at: number; attempts: number; succeeded: number; failed: number }>;
    };
    assert.equal(act.bucketMs, 3_600_000);
    assert.equal(
      act.buckets.reduce((n, b) => n + b.attempts, 0),
      3,
    );
    assert.equal(
      act.buckets.reduce((n, b) => n + b.succeeded, 0),
      3,
    );
    assert.ok(act.buckets.every((b) => b.at % 3_600_000 === 0));
    const missing = await s.client.request('GET', '/campaignd/v1/campaigns/1/999999/records');
    assert.equal((missing.body as { resultCode: string }).resultCode, '0200007');
    const bad = await s.client.request('GET', `/campaignd/v1/campaigns/1/${cid}/activity?bucketMs=5`);
    assert.equal((bad.body as { resultCode: string }).resultCode, '02000007');
  });

  test('the stream of a key removed while it is open ends at the next event', async () => {
    await s.keys.put('shortlived', 'shortlived-secret', '*', Date.now());
    const st = await openStream(s, '/campaignd/v1/events', 'shortlived', 'shortlived-secret');
    try {
      await st.waitFor((e) => e.event === 'hello');
      await s.keys.remove('shortlived');
      await advance(s, 60_000);
      const outcome = await Promise.race([st.ended.then(() => 'ended'), new Promise((r) => setTimeout(() => r('still open'), 5000))]);
      assert.equal(outcome, 'ended');
      assert.deepEqual(
        st.seen.map((e) => e.event),
        ['hello'],
      );
    } finally {
      st.close();
    }
  });

  test('a reader that stops reading is disconnected once 4 MiB wait for it; the server stays up', async () => {
    const cid = await campaign(s);
    const url = new URL('/campaignd/v1/events', s.url);
    const { authorization } = sign({
      accessKey: AK,
      secretKey: SK,
      timestamp: formatTimestamp(Date.now(), 'seconds'),
      method: 'GET',
      path: url.pathname,
      headers: { host: url.host },
    });
    // A raw socket that reads the reply head and then nothing more.
    const sock = net.connect(Number(url.port), url.hostname);
    let head = '';
    const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
    await new Promise<void>((resolve) => {
      const onHead = (d: Buffer) => {
        head += d.toString();
        if (head.includes('event: hello')) {
          sock.pause();
          sock.off('data', onHead);
          resolve();
        }
      };
      sock.on('data', onHead);
      sock.write(`GET /campaignd/v1/events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: ${authorization}\r\n\r\n`);
    });
    assert.match(head, /^HTTP\/1\.1 200/);
    const events = s.engine!.events;
    const detail = 'x'.repeat(400);
    // 100,000 events of ~500 bytes: ~50 MB, far beyond the socket buffers and the 4 MiB bound.
    for (let i = 0; i < 200; i++) {
      for (let j = 0; j < 500; j++) events.emit('record:skipped', { campaignId: cid, dataId: i * 500 + j, gate: detail, until: null });
      await new Promise((r) => setTimeout(r, 2));
    }
    // Now read what the server sent: the stream must end, well short of everything emitted.
    let received = 0;
    sock.on('data', (d: Buffer) => (received += d.length));
    sock.resume();
    const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 10_000))]);
    sock.destroy();
    assert.equal(outcome, 'closed');
    assert.ok(received < 25 * 1024 * 1024, `received ${received} bytes`);
    const health = await fetch(`${s.url}/healthz`);
    assert.equal(health.status, 200);
  });

  test('HEAD is not a way to hold a stream open', async () => {
    const res = await fetch(`${s.url}/campaignd/v1/events`, { method: 'HEAD' });
    assert.notEqual(res.status, 200);
  });
});
