/**
 * What issue #12 restructured in the HTTP layer, checked on its own: the journal's chunked flush
 * (every entry written, oldest first, a chunk per event-loop turn; a refused chunk retried row
 * by row; a flush drains what is pushed while it runs), the request metrics kept outside
 * prom-client (the same /metrics text as prom-client's own counter and histogram), and the idle
 * timeout that lets a slow handler finish (no socket.setTimeout per request any more).
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { Registry } from 'prom-client';
import { CallLogJournal } from '../src/http/calllogs-journal.js';
import { loadCallLogConfig } from '../src/config/calllogs.js';
import { createRequestMetrics } from '../src/ops/metrics.js';
import { buildServer } from '../src/http/server.js';
import { loadConfig } from '../src/config/index.js';
import { KeyStore } from '../src/auth/keys.js';
import { systemClock } from '../src/engine/clock.js';
import type { Store } from '../src/store/connect.js';
import { dropDatabaseFor, openTestStore } from './pg-target.js';
import { AK, SK, tempDir } from './helpers.js';
import { journalEntry, promClientRequestMetrics } from './http-fixtures.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) {
    fs.rmSync(d, { recursive: true, force: true });
    await dropDatabaseFor(d);
  }
});

async function freshStore(): Promise<Store> {
  const dir = tempDir();
  dirs.push(dir);
  return openTestStore(dir);
}

const entry = journalEntry;

async function urls(store: Store): Promise<string[]> {
  const rows = await store.db.selectFrom('call_logs').select(['url', 'oper_time']).orderBy('oper_time').execute();
  return rows.map((r) => r.url);
}

const expected = (n: number, skip = -1) => Array.from({ length: n }, (_, i) => `/e/${i}`).filter((_, i) => i !== skip);

describe('journal flush in chunks', () => {
  test('a flush writes every entry, oldest first, one chunk per event-loop turn', async () => {
    const store = await freshStore();
    try {
      const journal = new CallLogJournal(store.db, { ...loadCallLogConfig({}), flushChunkRows: 32 });
      for (let i = 0; i < 150; i++) journal.push(entry(i));
      // Watch the table between turns while the flush runs: the rows written so far are always
      // the oldest ones, and some turn sees a partial write (the flush gave the loop back).
      let done = false;
      const seen: number[] = [];
      const flushed = journal.flush().then(() => {
        done = true;
      });
      while (!done) {
        await new Promise((r) => setImmediate(r));
        const now = await urls(store);
        assert.deepEqual(now, expected(now.length), 'a prefix of the entries, in order');
        seen.push(now.length);
      }
      await flushed;
      assert.deepEqual(await urls(store), expected(150));
      assert.ok(
        seen.some((n) => n > 0 && n < 150),
        `some turn saw a partial write: ${seen.join(',')}`,
      );
    } finally {
      await store.close();
    }
  });

  test('a chunk the database refuses is retried row by row: only the bad entry is lost', async () => {
    const store = await freshStore();
    try {
      const journal = new CallLogJournal(store.db, { ...loadCallLogConfig({}), flushChunkRows: 32 });
      // Entry 40 breaks a NOT NULL column: its chunk (32..63) is refused as a whole.
      for (let i = 0; i < 100; i++) journal.push(entry(i, i === 40 ? { method: null as unknown as string } : {}));
      await journal.flush();
      assert.deepEqual(await urls(store), expected(100, 40));
    } finally {
      await store.close();
    }
  });

  test('flush() also writes what is pushed while it runs, and entries past a flush are written by the next one', async () => {
    const store = await freshStore();
    try {
      const journal = new CallLogJournal(store.db, { ...loadCallLogConfig({}), flushChunkRows: 16, flushIntervalMs: 20 });
      for (let i = 0; i < 60; i++) journal.push(entry(i));
      let done = false;
      const flushed = journal.flush().then(() => {
        done = true;
      });
      // Pushed during the flush (between its chunks), at most 30 (a flush that keeps being fed
      // goes on until the feeding stops).
      let next = 60;
      while (next < 90) {
        await new Promise((r) => setImmediate(r));
        if (done) break;
        journal.push(entry(next++));
      }
      await flushed;
      assert.ok(next > 61, `entries were pushed during the flush: ${next - 60}`);
      assert.deepEqual(await urls(store), expected(next), 'flush() resolves with the buffer empty');
      // Without a flush() call: the size trigger (flushRows) and then the timer write the rest.
      const total = next + 260;
      for (let i = next; i < total; i++) journal.push(entry(i));
      const deadline = Date.now() + 10_000;
      while ((await urls(store)).length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await urls(store), expected(total));
      assert.equal(journal.dropped, 0);
    } finally {
      await store.close();
    }
  });
});

describe('journal flush sizes', () => {
  test('with the default sizes the size trigger writes whole chunks: 192 entries are three INSERT statements, no transaction (issue #12)', async () => {
    const store = await freshStore();
    try {
      const counts = { statements: 0, transactions: 0 };
      // The store's handle, counting what the journal issues outside a transaction and the transactions it opens.
      const db = new Proxy(store.db, {
        get(target, prop) {
          if (prop === 'executeQuery') return (q: Parameters<Store['db']['executeQuery']>[0]) => (counts.statements++, target.executeQuery(q));
          if (prop === 'transaction') return () => (counts.transactions++, target.transaction());
          const v = Reflect.get(target, prop, target) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const cfg = { ...loadCallLogConfig({}), flushIntervalMs: 60_000 };
      assert.equal(cfg.flushRows % cfg.flushChunkRows, 0);
      const journal = new CallLogJournal(db, cfg);
      // No flush() and no timer (60 s): only the size trigger can write them.
      for (let i = 0; i < cfg.flushRows; i++) journal.push(entry(i));
      for (let turn = 0; turn < 10_000 && (await urls(store)).length < cfg.flushRows; turn++) await new Promise((r) => setImmediate(r));
      assert.deepEqual(await urls(store), expected(cfg.flushRows));
      assert.deepEqual(counts, { statements: cfg.flushRows / cfg.flushChunkRows, transactions: 0 });
      assert.equal(cfg.flushRows, 192);
      await journal.flush();
    } finally {
      await store.close();
    }
  });
});

describe('request metrics', () => {
  test('the /metrics text is the one prom-client gives for the same requests', async () => {
    const ours = new Registry();
    const observe = createRequestMetrics(ours).observeRequest;
    const theirs = new Registry();
    const reference = promClientRequestMetrics(theirs);
    const routes = ['/a/:id', '/b', 'unmatched', '/q"uote\\d'];
    const results = ['0200000', '0200001', ''];
    let x = 7;
    const rnd = () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x / 2147483648;
    };
    const step = (n: number) => {
      for (let i = 0; i < n; i++) {
        const method = rnd() < 0.7 ? 'POST' : 'GET';
        const route = routes[Math.floor(rnd() * routes.length)]!;
        const status = rnd() < 0.8 ? 200 : 401;
        const result = results[Math.floor(rnd() * results.length)]!;
        // Bucket edges included.
        const seconds = rnd() < 0.1 ? 0.005 : rnd() < 0.05 ? 3 : rnd() * 0.2;
        observe(method, route, status, result, seconds);
        reference.observe(method, route, status, result, seconds);
      }
    };
    step(500);
    assert.equal(await ours.metrics(), await theirs.metrics());
    // A second scrape after more requests (the counter's pending increments were handed over once).
    step(300);
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
  });
});

describe('idle timeout', () => {
  test('a handler slower than the idle timeout still answers; an idle connection is still answered 408', async () => {
    const store = await freshStore();
    const config = loadConfig({
      CAMPAIGND_DATA_DIR: dirs.at(-1)!,
      CAMPAIGND_ACCESS_KEY: AK,
      CAMPAIGND_SECRET_KEY: SK,
      CAMPAIGND_ENGINE: 'off',
      CAMPAIGND_IDLE_TIMEOUT_SECONDS: '1',
      CAMPAIGND_KEEPALIVE_TIMEOUT_SECONDS: '1',
    });
    const keys = await KeyStore.open(store.db);
    const app = buildServer({ db: store.db, clock: systemClock, config, keys });
    app.get('/slow', async () => {
      await new Promise((r) => setTimeout(r, 1600));
      return { slow: true };
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = Number(new URL(url).port);
      const sock = net.connect(port, '127.0.0.1');
      let data = '';
      let closedAt = 0;
      sock.setEncoding('utf8').on('data', (d: string) => (data += d));
      sock.on('close', () => (closedAt = Date.now()));
      await new Promise((r) => sock.once('connect', r));
      const t0 = Date.now();
      sock.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
      while (!data.includes('{"slow":true}') && Date.now() - t0 < 5000 && closedAt === 0) await new Promise((r) => setTimeout(r, 20));
      assert.match(data, /^HTTP\/1\.1 200 /, data);
      assert.ok(data.includes('{"slow":true}'), data);
      assert.ok(Date.now() - t0 >= 1500);
      // Then idle: the connection is closed after about the keep-alive/idle timeout (the
      // answer re-armed its timer).
      while (closedAt === 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
      assert.ok(closedAt > 0, 'the idle connection was closed');
      sock.destroy();
      // A connection that sends nothing is answered 408 once idle, and closed.
      const idle = net.connect(port, '127.0.0.1');
      let reply = '';
      idle.setEncoding('utf8').on('data', (d: string) => (reply += d));
      const closed = new Promise((r) => idle.once('close', r));
      await new Promise((r) => idle.once('connect', r));
      const t1 = Date.now();
      await closed;
      assert.match(reply, /^HTTP\/1\.1 408 /, reply);
      assert.ok(Date.now() - t1 >= 900 && Date.now() - t1 < 5000, `${Date.now() - t1} ms`);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
