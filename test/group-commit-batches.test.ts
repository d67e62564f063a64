/**
 * Group-committed appoint/create batches under unusual mixes (store/group-commit.ts, issue #12),
 * on the store of the pass: creates of two VDNs and campaigns in one batch, each with its own
 * answer; a create whose held row the database refuses fails alone; the stored values of a
 * batch's creates equal those of creates made one at a time (on PostgreSQL the batch's rows are
 * written as one JSON statement, or row by row when that fails); a create after a request of
 * another kind that fails; and PostgreSQL transactions whose held-back BEGIN and lock never
 * reach the server, or fail with their first statement, leave the pool and the lock usable.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { groupCommitOf, writeTransaction } from '../src/store/group-commit.js';
import { addToBlocklist, removeFromBlocklist } from '../src/domain/blocklist.js';
import { DomainError } from '../src/domain/errors.js';
import type { DomainContext } from '../src/domain/context.js';
import { createReservation } from '../src/domain/reservations.js';
import type { AppointCreate } from '../src/contract/common.js';
import { createCampaign, startTestServer, type TestServer } from './helpers.js';
import { refuseBoomReservations } from './pg-target.js';

let s: TestServer;
let ctx: DomainContext;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  ctx = { db: s.store.db, clock: s.clock, config: s.config };
});
after(async () => s.stop());

const code = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? 'ok' : ((r.reason as { code?: string }).code ?? 'error'));
const tomorrow = () => Date.now() + 86_400_000;

async function storedOf(ids: string[]) {
  if (ids.length === 0) return [];
  const rows = await s.store.db
    .selectFrom('reservations')
    .select(['id', 'vdn_id', 'campaign_id', 'called_no', 'remark', 'call_data', 'appoint_time', 'state'])
    .where('id', 'in', ids)
    .execute();
  return rows.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
}

describe('group-committed appoint/create batches', () => {
  test('creates of two VDNs and campaigns in one batch: each its own answer; values stored as by creates made one at a time', async () => {
    const c1 = await createCampaign(s.client, 1, { name: 'gcb-v1' });
    const c2 = await createCampaign(s.client, 2, { name: 'gcb-v2' });
    const shared = '13722200001';
    await addToBlocklist(ctx, 2, { blocklist: [shared] });
    const at = tomorrow();
    // Text that JSON and PostgreSQL's json type treat differently from a text parameter: a lone
    // surrogate (the JSON statement of the batch's rows fails on it: row by row then), quotes,
    // backslashes, U+2028, an emoji.
    const bodies: Array<[number, AppointCreate, string]> = [
      [1, { callType: 2, calledNo: shared, taskId: String(c1), appointTime: at, remark: 'lone \ud800 surrogate' } as AppointCreate, 'ok'],
      [2, { callType: 2, calledNo: shared, taskId: String(c2), appointTime: at } as AppointCreate, '04000003'],
      [1, { callType: 2, calledNo: '13722200002', taskId: String(c2), appointTime: at } as AppointCreate, '0200007'],
      [2, { callType: 2, calledNo: '13722200002', taskId: String(c2), appointTime: at, remark: '"q" \\ \u2028 😀', callData: '{"k":"\\u00e9","n":[1,2]}' } as AppointCreate, 'ok'],
      [1, { callType: 2, calledNo: '13722200003', taskId: String(c1), appointTime: Date.now() - 1000 } as AppointCreate, '04000001'],
      [1, { callType: 2, calledNo: '13722200003', taskId: String(c1), appointTime: at, remark: '' } as AppointCreate, 'ok'],
    ];
    const gc = groupCommitOf(s.store.db);
    const before = gc.stats.batches;
    const results = await Promise.allSettled(bodies.map(([vdn, body]) => createReservation(ctx, vdn, body)));
    assert.equal(gc.stats.batches - before, 1, 'one batch');
    assert.deepEqual(
      results.map(code),
      bodies.map((b) => b[2]),
    );
    const batchIds = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value as string] : []));
    // The same creates, one batch each.
    const singleIds: string[] = [];
    for (const [i, [vdn, body, want]] of bodies.entries()) {
      if (want !== 'ok') continue;
      singleIds.push(await createReservation(ctx, vdn, i === 0 ? body : { ...body, calledNo: body.calledNo.replace(/^137/, '136') }));
    }
    const strip = (r: { id: string; called_no: string }) => ({ ...r, id: undefined, called_no: r.called_no.slice(3) });
    const batch = await storedOf(batchIds);
    const single = await storedOf(singleIds);
    assert.equal(batch.length, 3);
    assert.deepEqual(batch.map(strip), single.map(strip));
    assert.deepEqual(
      batch.map((r) => [r.vdn_id, r.campaign_id, r.remark === null ? null : r.remark.length > 0]),
      [
        [1, c1, true],
        [2, c2, true],
        [1, c1, false],
      ],
    );
    assert.equal(batch[1]!.call_data, '{"k":"\\u00e9","n":[1,2]}');
  });

  test('a number blocklisted earlier in the batch in another spelling is refused to a later create; unlisted again, accepted', async () => {
    const c1 = await createCampaign(s.client, 1, { name: 'gcb-spelling' });
    const at = tomorrow();
    const body = (n: string) => ({ callType: 2, calledNo: n, taskId: String(c1), appointTime: at }) as AppointCreate;
    const gc = groupCommitOf(s.store.db);
    const before = gc.stats.batches;
    const results = await Promise.allSettled([
      createReservation(ctx, 1, body('8613711100077')),
      addToBlocklist(ctx, 1, { blocklist: ['13711100077'] }),
      createReservation(ctx, 1, body('008613711100077')),
      createReservation(ctx, 1, body('13711100077')),
      removeFromBlocklist(ctx, 1, '13711100077'),
      createReservation(ctx, 1, body('8613711100077')),
    ]);
    assert.equal(gc.stats.batches - before, 1, 'one batch');
    assert.deepEqual(results.map(code), ['ok', 'ok', '04000003', '04000003', 'ok', 'ok']);
    const stored = await s.store.db.selectFrom('reservations').select('called_no').where('campaign_id', '=', c1).execute();
    assert.equal(stored.length, 2);
  });

  test("a create whose row the database refuses fails alone; the batch's other creates are stored and answered", async () => {
    const c1 = await createCampaign(s.client, 1, { name: 'gcb-refused' });
    const db = s.store.db;
    const lift = await refuseBoomReservations(s.store, 'gcb_boom');
    try {
      const at = tomorrow();
      const remarks = ['a', 'boom', 'b', 'boom', 'c'];
      const gc = groupCommitOf(db);
      const before = gc.stats.batches;
      const results = await Promise.allSettled(
        remarks.map((remark, i) => createReservation(ctx, 1, { callType: 2, calledNo: String(13733300000 + i), taskId: String(c1), appointTime: at, remark } as AppointCreate)),
      );
      assert.equal(gc.stats.batches - before, 1, 'one batch');
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
      );
      for (const r of results) if (r.status === 'rejected') assert.ok(!(r.reason instanceof DomainError), String(r.reason));
      const acked = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value as string] : []));
      const stored = await db.selectFrom('reservations').select(['id', 'remark']).where('campaign_id', '=', c1).execute();
      assert.deepEqual(stored.map((r) => r.id).sort(), [...acked].sort());
      assert.deepEqual(stored.map((r) => r.remark).sort(), ['a', 'b', 'c']);
    } finally {
      await lift();
    }
  });

  test('creates around a request of another kind that fails (after writing) are all stored; its write is not', async () => {
    const c1 = await createCampaign(s.client, 1, { name: 'gcb-between' });
    const at = tomorrow();
    const body = (n: number) => ({ callType: 2, calledNo: String(13744400000 + n), taskId: String(c1), appointTime: at }) as AppointCreate;
    const gc = groupCommitOf(s.store.db);
    const before = gc.stats.batches;
    const results = await Promise.allSettled([
      createReservation(ctx, 1, body(1)),
      createReservation(ctx, 1, body(2)),
      writeTransaction(s.store.db, async (trx) => {
        await addToBlocklist({ ...ctx, db: trx }, 1, { blocklist: [String(13744400003)] });
        throw new DomainError('04000003', 'refused after its write');
      }),
      createReservation(ctx, 1, body(3)),
      createReservation(ctx, 1, body(4)),
    ]);
    assert.equal(gc.stats.batches - before, 1, 'one batch');
    assert.deepEqual(results.map(code), ['ok', 'ok', '04000003', 'ok', 'ok']);
    const stored = await s.store.db.selectFrom('reservations').select('called_no').where('campaign_id', '=', c1).orderBy('called_no').execute();
    assert.deepEqual(
      stored.map((r) => r.called_no),
      ['13744400001', '13744400002', '13744400003', '13744400004'],
    );
    assert.equal((await s.store.db.selectFrom('blocklist').select('number').where('number', '=', '13744400003').execute()).length, 0);
  });
});

describe('transactions with held-back statements (PostgreSQL; the same calls on SQLite)', () => {
  test('a transaction that sends nothing commits or rolls back, and the next ones run', async () => {
    const db = s.store.db;
    for (let i = 0; i < 3; i++) {
      await db.transaction().execute(async () => {});
      await assert.rejects(
        db.transaction().execute(async () => {
          throw new Error('nothing sent');
        }),
        /nothing sent/,
      );
      await db
        .transaction()
        .setIsolationLevel('read committed')
        .execute(async () => {});
    }
    const n = await db.transaction().execute(async (trx) => Number((await sql<{ n: number }>`select 1 as n`.execute(trx)).rows[0]!.n));
    assert.equal(n, 1);
  });

  test('a transaction failing at its first statement releases the write lock and leaves its connection usable', async () => {
    const db = s.store.db;
    for (let i = 0; i < 12; i++) {
      await assert.rejects(db.transaction().execute(async (trx) => sql`select * from no_such_table_gcb`.execute(trx)));
    }
    // Every pooled connection is clean (not inside an aborted transaction) and the lock is free:
    // several transactions at once, each writing.
    const c1 = await createCampaign(s.client, 1, { name: 'gcb-after-fail' });
    const at = tomorrow();
    const ids = await Promise.race([
      Promise.all(
        Array.from({ length: 6 }, (_, i) => createReservation(ctx, 1, { callType: 2, calledNo: String(13755500000 + i), taskId: String(c1), appointTime: at } as AppointCreate)),
      ),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('writes still blocked after 10 s')), 10_000)),
    ]);
    assert.equal(ids.length, 6);
    const inTrx = await Promise.all(Array.from({ length: 4 }, () => db.transaction().execute(async (trx) => (await sql<{ n: number }>`select 2 as n`.execute(trx)).rows[0]!.n)));
    assert.deepEqual(inTrx.map(Number), [2, 2, 2, 2]);
  });
});
