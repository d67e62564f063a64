/**
 * Attack on issue #12's turns of the event loop in the engine on SQLite (session 8): after a
 * pass, the engine looks up its next instant with work in several reads, each after a turn of
 * the loop (store/dialect.ts `independentReads`); the callbacks' claim waits for a turn too.
 * What must hold when the server closes right after a pass (system clock, engine polling): the
 * close waits for what the engine started, no statement of the engine fails on a store already
 * closed (no error logged), and nothing is left planned (no pass after the close).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { AK, SK, tempDir } from './helpers.js';
import { databaseEnv, dropDatabaseFor } from './pg-target.js';

test('closing the server right after an engine pass leaves no engine statement failing on the closed store', async () => {
  for (let round = 0; round < 2; round++) {
    const dir = tempDir();
    const logged: Array<{ level: number; msg: string; err?: { message?: string } }> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) logged.push(JSON.parse(line) as (typeof logged)[number]);
        done();
      },
    });
    const config = loadConfig({
      CAMPAIGND_DATA_DIR: dir,
      CAMPAIGND_PORT: '0',
      CAMPAIGND_ACCESS_KEY: AK,
      CAMPAIGND_SECRET_KEY: SK,
      CAMPAIGND_ENGINE_POLL_MS: '50',
      ...databaseEnv(dir),
    });
    const running = await startApp(config, { logger: pino({ level: 'info' }, sink) });
    let passesAfterClose = 0;
    let closed = false;
    try {
      const closing = await new Promise<Promise<void>>((resolve) => {
        running.engine!.events.on('tick:done', () => {
          if (closed) passesAfterClose++;
        });
        // The close starts as the next-event lookup after a timer's pass begins; the lookup's
        // first read then waits, turn after turn of the loop (a loop busy with requests: each of
        // the lookup's reads waits for a turn), until the close is over or has waited for it
        // (at most 300 ms).
        const callbacks = running.engine!.callbacks;
        const nextDue = callbacks.nextDue.bind(callbacks);
        callbacks.nextDue = async (now: number) => {
          if (!closed) {
            closed = true;
            let over = false;
            const closing = running.close().finally(() => void (over = true));
            resolve(closing);
            const until = Date.now() + 300;
            while (!over && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
          }
          return nextDue(now);
        };
      });
      await closing;
      await new Promise((r) => setTimeout(r, 200));
      const errors = logged.filter((l) => l.level >= 50).map((l) => `${l.msg}: ${l.err?.message ?? ''}`);
      assert.deepEqual(errors, [], `round ${round}: no error logged by the close`);
      assert.equal(passesAfterClose, 0, `round ${round}: no pass after the close`);
    } finally {
      if (!closed) await running.close();
      fs.rmSync(dir, { recursive: true, force: true });
      await dropDatabaseFor(dir);
    }
  }
});
