/**
 * Attack on issue #12's group commit (store/group-commit.ts, SQLite's savepoint at a request's
 * first write and its held write run after its work), on the store of the pass: mixed batches in
 * which a later request must see what an earlier one wrote, and a failing request must leave
 * nothing behind. Each case is one batch of requests made in the same turn, checked against the
 * answers the same requests would get one at a time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { groupCommitOf, writeTransaction } from '../src/store/group-commit.js';
import { addToBlocklist } from '../src/domain/blocklist.js';
import { createCampaign as createCampaignIn } from '../src/domain/campaigns.js';
import { DomainError } from '../src/domain/errors.js';
import type { DomainContext } from '../src/domain/context.js';
import { createReservation } from '../src/domain/reservations.js';
import type { AppointCreate } from '../src/contract/common.js';
import type { CampaignAddV1 } from '../src/contract/campaigns.js';
import { campaignBody, createCampaign, startTestServer, type TestServer } from './helpers.js';
import { refuseBoomReservations } from './pg-target.js';

let s: TestServer;
let ctx: DomainContext;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  ctx = { db: s.store.db, clock: s.clock, config: s.config };
});
after(async () => s.stop());

/** 'ok', a DomainError's code, or 'error' (the database refused). */
const code = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? 'ok' : r.reason instanceof DomainError ? r.reason.code : 'error');
const tomorrow = () => Date.now() + 86_400_000;
const appoint = (taskId: number, calledNo: string, remark?: string) => ({ callType: 2, calledNo, taskId: String(taskId), appointTime: tomorrow(), remark }) as AppointCreate;

describe('attack: mixed group-committed batches', () => {
  test('a campaign created in the batch is seen by a later appoint/create, not by an earlier one', async () => {
    // The campaign id the create will get: the next serial (a fresh store, no failed inserts).
    const first = await createCampaign(s.client, 1, { name: 'atk-first' });
    const next = first + 1;
    const gc = groupCommitOf(s.store.db);
    const before = gc.stats.batches;
    const results = await Promise.allSettled([
      createReservation(ctx, 1, appoint(next, '13755500001')),
      createCampaignIn(ctx, 1, campaignBody({ name: 'atk-in-batch' }) as CampaignAddV1),
      createReservation(ctx, 1, appoint(next, '13755500002')),
      createReservation(ctx, 1, appoint(first, '13755500003')),
    ]);
    assert.equal(gc.stats.batches - before, 1, 'one batch');
    assert.deepEqual(results.map(code), ['0200007', 'ok', 'ok', 'ok']);
    assert.equal((results[1] as PromiseFulfilledResult<number>).value, next);
    const stored = await s.store.db.selectFrom('reservations').select(['id', 'called_no', 'campaign_id']).where('campaign_id', 'in', [first, next]).execute();
    assert.deepEqual(stored.map((r) => r.called_no).sort(), ['13755500002', '13755500003']);
    const acked = [results[2], results[3]].map((r) => (r as PromiseFulfilledResult<string>).value).sort();
    assert.deepEqual(stored.map((r) => r.id).sort(), acked);
  });

  test('blocklist adds, refused held inserts and creates of the same numbers in one batch: each answered as if alone, nothing partial stored', async () => {
    const c = await createCampaign(s.client, 1, { name: 'atk-mixed' });
    const db = s.store.db;
    const lift = await refuseBoomReservations(s.store, 'atk_boom');
    try {
      const gc = groupCommitOf(db);
      const before = gc.stats.batches;
      const results = await Promise.allSettled([
        createReservation(ctx, 1, appoint(c, '13766600001')),
        addToBlocklist(ctx, 1, { blocklist: ['13766600001'] }),
        createReservation(ctx, 1, appoint(c, '13766600001')),
        createReservation(ctx, 1, appoint(c, '13766600002', 'boom')),
        addToBlocklist(ctx, 1, { blocklist: ['13766600002'] }),
        createReservation(ctx, 1, appoint(c, '13766600002')),
        // A request that writes (a blocklist entry), then holds a refused insert: both undone.
        writeTransaction(
          db,
          async (trx) => {
            await addToBlocklistIn(trx, '13766600003');
            return createReservationIn(trx, appoint(c, '13766600004', 'boom'));
          },
          { kind: 'appoint/create' },
        ),
        createReservation(ctx, 1, appoint(c, '13766600003')),
        createReservation(ctx, 1, appoint(c, '13766600004')),
        // Already listed in this batch: refused after reading (no write, no savepoint).
        addToBlocklist(ctx, 1, { blocklist: ['13766600002'] }),
        createReservation(ctx, 1, appoint(c, '13766600005')),
      ]);
      assert.equal(gc.stats.batches - before, 1, 'one batch');
      // PostgreSQL keeps a request's direct write when its held row is refused (deferBatchWrite's
      // contract there); SQLite undoes both (its savepoint was taken at the first write).
      const sqlite = s.store.caps.name === 'sqlite';
      assert.deepEqual(results.map(code), ['ok', 'ok', '04000003', 'error', 'ok', '04000003', 'error', sqlite ? 'ok' : '04000003', 'ok', '0200007', 'ok']);
      for (const i of [3, 6]) assert.ok(!((results[i] as PromiseRejectedResult).reason instanceof DomainError));
      const stored = await db.selectFrom('reservations').select(['id', 'called_no']).where('campaign_id', '=', c).execute();
      assert.deepEqual(
        stored.map((r) => r.called_no).sort(),
        sqlite ? ['13766600001', '13766600003', '13766600004', '13766600005'] : ['13766600001', '13766600004', '13766600005'],
      );
      const acked = (sqlite ? [0, 7, 8, 10] : [0, 8, 10]).map((i) => (results[i] as PromiseFulfilledResult<string>).value).sort();
      assert.deepEqual(stored.map((r) => r.id).sort(), acked);
      const listed = await db.selectFrom('blocklist').select('number').where('vdn_id', '=', 1).where('number', 'like', '137666%').execute();
      assert.deepEqual(listed.map((r) => r.number).sort(), sqlite ? ['13766600001', '13766600002'] : ['13766600001', '13766600002', '13766600003']);
    } finally {
      await lift();
    }
  });
});

/** addToBlocklist's write inside an already open transaction (the request of the batch). */
async function addToBlocklistIn(trx: DomainContext['db'], number: string): Promise<void> {
  await addToBlocklist({ ...ctx, db: trx }, 1, { blocklist: [number] });
}

/** createReservation inside an already open transaction. */
async function createReservationIn(trx: DomainContext['db'], body: AppointCreate): Promise<string> {
  return createReservation({ ...ctx, db: trx }, 1, body);
}
