/**
 * Outbound HTTP (issue #9 item 1): result callbacks and the webhook dialer read a bounded reply,
 * time out, queue per destination and never reach private, loopback or link-local addresses
 * unless CAMPAIGND_OUTBOUND_ALLOW lists them. Real HTTP servers on 127.0.0.1, real SQLite.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { pino } from 'pino';
import { addressRefusal, parseAllowEntry, urlRefusal } from '../src/domain/outbound-policy.js';
import { OutboundHttp, REFUSED } from '../src/engine/outbound-http.js';
import { CallbackSender } from '../src/engine/callback.js';
import { EngineEvents } from '../src/engine/events.js';
import { ManualClock } from '../src/engine/clock.js';
import { loadEngineConfig } from '../src/config/engine.js';
import { loadOutboundConfig, type OutboundConfig } from '../src/config/outbound.js';
import { ConfigError } from '../src/config/error.js';
import { enqueueCallback } from '../src/store/engine.repository.js';
import type { Store } from '../src/store/connect.js';
import { openTestStore } from './pg-target.js';
import { campaignBody, envelopeOf, P, startTestServer, tempDir } from './helpers.js';

const LOOPBACK_OK = loadOutboundConfig({ CAMPAIGND_OUTBOUND_ALLOW: '127.0.0.0/8' });
const NOTHING_ALLOWED = loadOutboundConfig({});

function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('destination policy', () => {
  const none = { allow: [] };
  test('private, loopback, link-local and other special ranges are refused; global unicast is not', () => {
    for (const [addr, why] of [
      ['127.0.0.1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.169.254', 'linkLocal'],
      ['0.0.0.0', 'unspecified'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['224.0.0.1', 'multicast'],
      ['::1', 'loopback'],
      ['[::1]', 'loopback'],
      ['fe80::1', 'linkLocal'],
      ['fd00::1', 'uniqueLocal'],
      ['::', 'unspecified'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:10.0.0.1', 'private'],
      ['fe80::1%eth0', 'linkLocal'],
    ] as const) {
      assert.equal(addressRefusal(addr, none), why, addr);
    }
    for (const addr of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(addressRefusal(addr, none), null, addr);
  });

  test('property: every address of a private, loopback or link-local range is refused, in IPv4 and IPv4-mapped IPv6 form, unless allowed', () => {
    const ranges: Array<[number, number, number]> = [
      [10, 0, 8],
      [127, 0, 8],
      [169, 254, 16],
      [172, 16, 12],
      [192, 168, 16],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...ranges), fc.integer({ min: 0, max: 2 ** 32 - 1 }), ([a, b, bits], rnd) => {
        const base = ((a << 24) | (b << 16)) >>> 0;
        const mask = bits === 32 ? 0 : 2 ** (32 - bits) - 1;
        const n = (base + (rnd & mask)) >>> 0;
        const ip = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
        assert.notEqual(addressRefusal(ip, none), null, ip);
        assert.notEqual(addressRefusal(`::ffff:${ip}`, none), null, ip);
        const allow = { allow: [parseAllowEntry(`${a}.${b}.0.0/${bits}`)] };
        assert.equal(addressRefusal(ip, allow), null, ip);
        assert.equal(addressRefusal(`::ffff:${ip}`, allow), null, ip);
        // Allowing one range does not open the others.
        assert.notEqual(addressRefusal('127.0.0.1', { allow: [parseAllowEntry('10.0.0.0/8')] }), null);
      }),
      { numRuns: 500 },
    );
  });

  test('URLs: literal addresses and localhost names are judged without DNS; other names pass to connection time', () => {
    assert.match(urlRefusal('http://127.0.0.1:9/cb', none)!, /127\.0\.0\.1 is a loopback address/);
    assert.match(urlRefusal('http://[::1]/cb', none)!, /::1 is a loopback/);
    assert.match(urlRefusal('http://2130706433/cb', none)!, /127\.0\.0\.1 is a loopback/, 'the URL parser normalises numeric hosts');
    assert.match(urlRefusal('http://LOCALHOST./cb', none)!, /loopback/);
    assert.match(urlRefusal('http://api.localhost/cb', none)!, /loopback/);
    assert.match(urlRefusal('http://169.254.169.254/latest/meta-data', none)!, /linkLocal/);
    assert.match(urlRefusal('ftp://example.com/', none)!, /http or https/);
    assert.match(urlRefusal('http://user:pw@example.com/', none)!, /user name or password/);
    assert.equal(urlRefusal('https://crm.example.com/cb', none), null);
    assert.equal(urlRefusal('http://127.0.0.1:9/cb', { allow: [parseAllowEntry('127.0.0.1')] }), null);
  });

  test('configuration: a bad allow entry or a refused webhook URL stops the start, naming the variable', () => {
    assert.throws(
      () => loadOutboundConfig({ CAMPAIGND_OUTBOUND_ALLOW: '10.0.0.0/8,not-an-ip' }),
      (e: unknown) => e instanceof ConfigError && /CAMPAIGND_OUTBOUND_ALLOW: "not-an-ip"/.test(e.message),
    );
    assert.throws(
      () => loadOutboundConfig({ CAMPAIGND_WEBHOOK_URL: 'http://127.0.0.1:9/dial' }),
      (e: unknown) => e instanceof ConfigError && /CAMPAIGND_WEBHOOK_URL destination 127\.0\.0\.1 is a loopback/.test(e.message),
    );
    assert.equal(loadOutboundConfig({ CAMPAIGND_WEBHOOK_URL: 'http://127.0.0.1:9/dial', CAMPAIGND_OUTBOUND_ALLOW: '127.0.0.1' }).policy.allow.length, 1);
    assert.throws(() => loadOutboundConfig({ CAMPAIGND_OUTBOUND_MAX_REPLY_BYTES: '10' }), /CAMPAIGND_OUTBOUND_MAX_REPLY_BYTES/);
  });
});

describe('the outbound client', () => {
  test('a loopback destination is refused before connecting, by address and by name (after DNS)', async () => {
    let connections = 0;
    const { server, url } = await listen((_req, res) => res.end('{"retCode":"0"}'));
    server.on('connection', () => connections++);
    const client = new OutboundHttp(NOTHING_ALLOWED);
    try {
      await assert.rejects(
        client.postJson(`${url}/cb`, '[]', { timeoutMs: 2000 }),
        (e: NodeJS.ErrnoException) => e.code === REFUSED && /127\.0\.0\.1 is a loopback address/.test(e.message),
      );
      const port = (server.address() as AddressInfo).port;
      await assert.rejects(
        client.postJson(`http://localhost:${port}/cb`, '[]', { timeoutMs: 2000 }),
        (e: NodeJS.ErrnoException) => e.code === REFUSED && /localhost resolves to/.test(e.message),
      );
      assert.equal(connections, 0, 'nothing reached the server');
      const allowed = new OutboundHttp(LOOPBACK_OK);
      assert.deepEqual(await allowed.postJson(`${url}/cb`, '[]', { timeoutMs: 2000 }), { status: 200, text: '{"retCode":"0"}' });
      await allowed.close();
    } finally {
      await client.close();
      server.close();
    }
  });

  test('a reply that stops half-way is given up at the timeout', async () => {
    const { server, url } = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"retCode":');
    });
    const client = new OutboundHttp(LOOPBACK_OK);
    try {
      const t0 = Date.now();
      await assert.rejects(client.postJson(`${url}/cb`, '[]', { timeoutMs: 300 }));
      assert.ok(Date.now() - t0 < 3000, `gave up after ${Date.now() - t0} ms`);
    } finally {
      await client.close();
      server.closeAllConnections();
      server.close();
    }
  });

  test('at most CAMPAIGND_OUTBOUND_CONNECTIONS requests at once to one destination; the rest wait their turn', async () => {
    let inFlight = 0;
    let most = 0;
    const { server, url } = await listen((_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('{"retCode":"0"}');
      }, 20);
    });
    const client = new OutboundHttp({ ...LOOPBACK_OK, connectionsPerOrigin: 2 });
    try {
      const replies = await Promise.all(Array.from({ length: 10 }, () => client.postJson(`${url}/cb`, '[]', { timeoutMs: 5000 })));
      assert.ok(replies.every((r) => r.status === 200));
      assert.equal(most, 2);
    } finally {
      await client.close();
      server.close();
    }
  });
});

describe('a callBackUrl answering 300 MB', () => {
  const TOTAL = 300 * 1024 * 1024;
  let sent = 0;
  const perReply: number[] = [];
  let server: http.Server;
  let url: string;
  let store: Store;
  let dir: string;
  before(async () => {
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    ({ server, url } = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(TOTAL) });
      let left = TOTAL;
      let mine = 0;
      const pump = (): void => {
        while (left > 0) {
          left -= chunk.length;
          sent += chunk.length;
          mine += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => {
        left = 0;
        perReply.push(mine);
      });
      pump();
    }));
    dir = tempDir();
    store = await openTestStore(dir);
  });
  after(async () => {
    server.closeAllConnections();
    server.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('20 deliveries at once: each read stops at the cap, memory stays bounded, the delivery is retried later', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const cfg: OutboundConfig = { ...LOOPBACK_OK, maxReplyBytes: 64 * 1024 };
    const engineCfg = { ...loadEngineConfig({}), callbackAttempts: 3, callbackTimeoutMs: 10_000 };
    for (let i = 0; i < 20; i++) {
      await enqueueCallback(store.db, { vdn_id: 1, campaign_id: 1, url: `${url}/cb`, payload: '[]', next_at: clock.now(), created_at: clock.now() });
    }
    const sender = new CallbackSender(store.db, clock, engineCfg, new EngineEvents(() => {}), pino({ level: 'silent' }), new OutboundHttp(cfg));
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const probe = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    await sender.deliverDue(); // the immediate retry runs in the same pass
    clearInterval(probe);
    peak = Math.max(peak, process.memoryUsage().rss);
    const rows = await store.db.selectFrom('callback_outbox').selectAll().execute();
    assert.equal(rows.length, 20);
    for (const r of rows) {
      assert.equal(r.state, 'pending', 'retried later with back-off');
      assert.equal(r.attempts, 2);
      assert.match(r.last_error ?? '', /exceeds 65536 bytes/);
    }
    // 40 reads of a 300 MB reply: what the server managed to push before each connection was
    // dropped is socket buffers, not 300 MB each (12 GB in all).
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(perReply.length, 40);
    assert.ok(Math.max(...perReply) < 32 * 1024 * 1024, `largest push ${Math.max(...perReply)} bytes`);
    assert.ok(sent < 40 * 8 * 1024 * 1024, `server pushed ${sent} bytes in all`);
    assert.ok(peak - rss0 < 150 * 1024 * 1024, `rss grew by ${Math.round((peak - rss0) / 1048576)} MB`);
  });
});

describe('campaign add with a refused callBackUrl', () => {
  test('loopback, private and link-local callBackUrls → 02000002 naming the field; allowed ones are kept', async () => {
    const s = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_OUTBOUND_ALLOW: '' });
    try {
      for (const cb of ['http://127.0.0.1:9/cb', 'http://localhost/cb', 'http://10.0.0.7/cb', 'https://[fe80::1]/cb', 'http://169.254.169.254/latest']) {
        const res = envelopeOf((await s.client.request('POST', P(1), campaignBody({ callBackUrl: cb }))).body);
        assert.equal(res.resultCode, '02000002', `${cb}: ${res.resultDesc}`);
        assert.match(res.resultDesc, /^parameter callBackUrl destination .* refused unless CAMPAIGND_OUTBOUND_ALLOW lists it$/);
      }
      const okRes = envelopeOf((await s.client.request('POST', P(1), campaignBody({ callBackUrl: 'https://crm.example.com/cb' }))).body);
      assert.equal(okRes.resultCode, '0200000', okRes.resultDesc);
      const id = (okRes as unknown as { returnObject: { id: number } }).returnObject.id;
      const mod = envelopeOf((await s.client.request('PUT', `${P(1)}/${id}`, { ...campaignBody({ callBackUrl: 'http://192.168.0.1/cb' }), strBeginTime: undefined })).body);
      assert.equal(mod.resultCode, '02000002', mod.resultDesc);
      assert.match(mod.resultDesc, /callBackUrl destination 192\.168\.0\.1 is a private address/);
    } finally {
      await s.stop();
    }
  });
});
