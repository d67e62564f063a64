/**
 * Attack on issue #12's chunked journal flush (http/calllogs-journal.ts, 64 rows per event-loop
 * turn), on the store of the pass: a close (flush) called while a flush runs, rows pushed in
 * every turn of it, concurrent flush calls and rows the database refuses in the middle of a
 * chunk. Every accepted entry is written exactly once, oldest first; only refused ones are lost.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sql } from 'kysely';
import { CallLogJournal } from '../src/http/calllogs-journal.js';
import { loadCallLogConfig } from '../src/config/calllogs.js';
import type { Store } from '../src/store/connect.js';
import { dropDatabaseFor, openTestStore } from './pg-target.js';
import { tempDir } from './helpers.js';
import { journalEntry } from './http-fixtures.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) {
    fs.rmSync(d, { recursive: true, force: true });
    await dropDatabaseFor(d);
  }
});

const entry = (i: number) => journalEntry(i);

async function written(store: Store): Promise<number[]> {
  const rows = await store.db.selectFrom('call_logs').select(['url', 'oper_time']).orderBy('oper_time').execute();
  return rows.map((r) => Number(r.url.slice(3)));
}

describe('attack: journal flush in chunks', () => {
  test('close while a flush runs, rows pushed every turn, concurrent flushes, refused rows mid-chunk: all written once, in order', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = await openTestStore(dir);
    try {
      if (store.caps.name === 'sqlite') {
        await sql.raw(`CREATE TRIGGER atk_journal BEFORE INSERT ON call_logs WHEN new.url LIKE '%3' BEGIN SELECT RAISE(ABORT, 'refused'); END`).execute(store.db);
      } else {
        await sql.raw(`ALTER TABLE call_logs ADD CONSTRAINT atk_journal CHECK (url NOT LIKE '%3')`).execute(store.db);
      }
      const journal = new CallLogJournal(store.db, { ...loadCallLogConfig({}), flushRows: 100 });
      let n = 0;
      // 250 at once: the 100th kicks a flush of its own (flushRows), the rest wait for it.
      for (; n < 250; n++) journal.push(entry(n));
      // Push more in the next turns while that flush runs, then "close" (flush) twice at once.
      let pushing = true;
      const feeder = (async () => {
        for (let t = 0; t < 12 && pushing; t++) {
          await new Promise((r) => setImmediate(r));
          for (let k = 0; k < 7; k++) journal.push(entry(n++));
        }
      })();
      await new Promise((r) => setImmediate(r));
      let atClose = -1;
      let writtenAtClose: number[] = [];
      const closing = Promise.all([journal.flush(), journal.flush()]).then(async () => {
        atClose = n;
        writtenAtClose = await written(store);
      });
      await feeder;
      pushing = false;
      await closing;
      // A flush resolves only once what was pushed while it ran is written too.
      assert.deepEqual(
        writtenAtClose.filter((i) => i < atClose),
        Array.from({ length: atClose }, (_, i) => i).filter((i) => i % 10 !== 3),
      );
      // What the feeder pushed after both flushes resolved is written by the next flush.
      await journal.flush();
      const want = Array.from({ length: n }, (_, i) => i).filter((i) => i % 10 !== 3);
      assert.deepEqual(await written(store), want);
      assert.equal(journal.dropped, 0);
    } finally {
      await store.close();
    }
  });
});
