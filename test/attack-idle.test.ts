/**
 * Attack on issue #12's idle timeout without a socket.setTimeout per request (http/server.ts:
 * the 'timeout' handler lets a socket pass while its request is complete and its answer not
 * started). With a 1 s idle timeout: a signed request whose body stops half-way is answered 408
 * and closed; a keep-alive request sent a byte at a time over longer than the timeout is
 * answered; behind a slow handler, a pipelined request whose body never comes is answered 408
 * once the slow answer went out (and the slow one is answered first); pipelined requests are
 * answered in order.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { buildServer } from '../src/http/server.js';
import { loadConfig } from '../src/config/index.js';
import { KeyStore } from '../src/auth/keys.js';
import { systemClock } from '../src/engine/clock.js';
import { signRequest } from '../src/auth/c2-sign.js';
import type { Store } from '../src/store/connect.js';
import { dropDatabaseFor, openTestStore } from './pg-target.js';
import { AK, P, SK, tempDir } from './helpers.js';

let dir: string;
let store: Store;
let app: ReturnType<typeof buildServer>;
let port: number;
let base: string;

before(async () => {
  dir = tempDir();
  store = await openTestStore(dir);
  const config = loadConfig({
    CAMPAIGND_DATA_DIR: dir,
    CAMPAIGND_ACCESS_KEY: AK,
    CAMPAIGND_SECRET_KEY: SK,
    CAMPAIGND_ENGINE: 'off',
    CAMPAIGND_IDLE_TIMEOUT_SECONDS: '1',
    CAMPAIGND_KEEPALIVE_TIMEOUT_SECONDS: '5',
  });
  const keys = await KeyStore.open(store.db);
  await keys.put(AK, SK, '*', Date.now());
  app = buildServer({ db: store.db, clock: systemClock, config, keys });
  app.get('/slow', async () => {
    await new Promise((r) => setTimeout(r, 1500));
    return { slow: true };
  });
  app.get('/fast', async () => ({ fast: true }));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(base).port);
});
after(async () => {
  await app.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  await dropDatabaseFor(dir);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection: what it received, and when it closed (ms after it was opened, 0 = open). */
async function connect() {
  const sock = net.connect(port, '127.0.0.1');
  const st = { data: '', closedAfter: 0, t0: Date.now() };
  sock.setEncoding('utf8').on('data', (d: string) => (st.data += d));
  sock.on('error', () => {});
  sock.on('close', () => (st.closedAfter = Date.now() - st.t0));
  await new Promise((r) => sock.once('connect', r));
  const statuses = () => [...st.data.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  const until = async (ok: () => boolean, ms: number) => {
    const end = Date.now() + ms;
    while (!ok() && Date.now() < end) await sleep(20);
  };
  return { sock, st, statuses, until };
}

describe('attack: idle timeout', () => {
  test('a signed request whose body stops half-way is answered 408 in the envelope and closed', async () => {
    const body = '{"name":"idle"}';
    const r = await signRequest({ method: 'POST', url: base + P(1), body, accessKey: AK, secretKey: SK });
    const c = await connect();
    c.sock.write(
      `POST ${P(1)} HTTP/1.1\r\nHost: ${new URL(base).host}\r\nContent-Type: ${r.headers['content-type']}\r\nAuthorization: ${r.headers.authorization}\r\nContent-Length: ${body.length}\r\n\r\n{"na`,
    );
    await c.until(() => c.st.closedAfter > 0, 5000);
    assert.deepEqual(c.statuses(), [408]);
    assert.match(c.st.data, /"resultCode":"0200001"/);
    assert.ok(c.st.closedAfter >= 900 && c.st.closedAfter < 4000, `${c.st.closedAfter} ms`);
  });

  test('a keep-alive request sent a byte at a time over longer than the idle timeout is answered; pipelined ones in order', async () => {
    const c = await connect();
    c.sock.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.until(() => c.statuses().length === 1, 3000);
    const slowly = 'GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n';
    for (const ch of slowly) {
      c.sock.write(ch);
      await sleep(50);
    }
    await c.until(() => c.statuses().length === 2, 3000);
    c.sock.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /nothing HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    await c.until(() => c.statuses().length === 5, 3000);
    assert.deepEqual(c.statuses(), [200, 404, 200, 404, 200]);
    assert.equal(c.st.closedAfter, 0, 'still open');
    c.sock.destroy();
  });

  test('behind a slow handler, a pipelined signed request whose body never comes gets 408 after the slow answer', async () => {
    const body = '{"name":"idle-2"}';
    const r = await signRequest({ method: 'POST', url: base + P(1), body, accessKey: AK, secretKey: SK });
    const c = await connect();
    c.sock.write(
      `GET /slow HTTP/1.1\r\nHost: x\r\n\r\nPOST ${P(1)} HTTP/1.1\r\nHost: ${new URL(base).host}\r\nContent-Type: ${r.headers['content-type']}\r\n` +
        `Authorization: ${r.headers.authorization}\r\nContent-Length: ${body.length}\r\n\r\n{"na`,
    );
    await c.until(() => c.st.closedAfter > 0, 8000);
    assert.deepEqual(c.statuses(), [200, 408], c.st.data);
    assert.ok(c.st.data.includes('{"slow":true}'), c.st.data);
    // The slow answer (1.5 s) re-armed the idle timer: 408 about 1 s after it.
    assert.ok(c.st.closedAfter >= 2000 && c.st.closedAfter < 6000, `${c.st.closedAfter} ms`);
  });
});
