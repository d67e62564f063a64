/**
 * A PostgreSQL connection lost while the store holds it (the server killed the backend, a
 * restart, a network failure) between two statements of a transaction: the transaction's
 * requests get an error and none of their writes is stored, the process goes on (no uncaught
 * `error` event of the pg client), and the pool replaces the connection. PostgreSQL only
 * (run-suites.ts POSTGRES_ONLY): there is no connection to lose on SQLite.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { groupCommitOf } from '../src/store/group-commit.js';
import type { DomainContext } from '../src/domain/context.js';
import { createReservation } from '../src/domain/reservations.js';
import type { AppointCreate } from '../src/contract/common.js';
import { createCampaign, startTestServer, type TestServer } from './helpers.js';
import { TEST_PG_URL } from './pg-target.js';

let s: TestServer;
let ctx: DomainContext;
let admin: pg.Client;
before(async () => {
  assert.ok(TEST_PG_URL !== undefined, 'runs in the PostgreSQL pass only (CAMPAIGND_TEST_DATABASE_URL)');
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  ctx = { db: s.store.db, clock: s.clock, config: s.config };
  admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
});
after(async () => {
  await admin.end();
  await s.stop();
});

const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => void uncaught.push(e);

test('a backend killed between two statements of a group-committed batch: its requests fail, none is stored, the process and the pool go on', async () => {
  process.on('uncaughtException', onUncaught);
  try {
    const campaignId = await createCampaign(s.client, 1, { name: 'conn-loss' });
    const at = Date.now() + 86_400_000;
    const body = (n: number) => ({ callType: 2, calledNo: String(13766600000 + n), taskId: String(campaignId), appointTime: at }) as AppointCreate;
    const gc = groupCommitOf(s.store.db);
    const before = gc.stats.failedCommits;
    const results = await Promise.allSettled([
      createReservation(ctx, 1, body(1)),
      createReservation(ctx, 1, body(2)),
      gc.run(async (trx) => {
        const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;
        await admin.query('select pg_terminate_backend($1)', [pid]);
        // The connection is checked out and idle while its backend goes away.
        await new Promise((r) => setTimeout(r, 100));
        return 'after';
      }),
      createReservation(ctx, 1, body(3)),
    ]);
    assert.equal(gc.stats.failedCommits - before, 1, 'one batch, which failed');
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'rejected', 'rejected'],
    );
    const stored = await s.store.db.selectFrom('reservations').select('id').where('campaign_id', '=', campaignId).execute();
    assert.deepEqual(stored, []);
    // The next batches run on sound connections.
    for (let round = 0; round < 3; round++) {
      const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => createReservation(ctx, 1, body(10 + round * 10 + i))));
      assert.equal(ids.length, 8);
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      uncaught.map((e) => String(e)),
      [],
      'no uncaught error (it would end the server)',
    );
  } finally {
    process.off('uncaughtException', onUncaught);
  }
});
