/**
 * Group commit of interface writes (store/group-commit.ts, issue #12), on the real store of the
 * pass (SQLite file, or a PostgreSQL schema): the requests of one turn share one transaction;
 * a request that fails (a thrown business error, or a statement the database refuses) loses
 * only its own writes; a failed COMMIT fails every request of the batch and stores none of them;
 * nothing is answered before the COMMIT. Through HTTP: concurrent appoint/create requests, some
 * refused, each get their own answer and exactly the acknowledged ones are stored; requests of
 * different interfaces (campaign create, blocklist add, blocklist group create, appoint/create)
 * that wait together run in one batch, each with its own answer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import fc from 'fast-check';
import { sql } from 'kysely';
import type { Db } from '../src/store/db.js';
import type { Store } from '../src/store/connect.js';
import { deferBatchWrite, GroupCommit, groupCommitOf, readOncePerBatch, writeTransaction } from '../src/store/group-commit.js';
import { executeCompiled } from '../src/store/dialect.js';
import { addToBlocklist, removeFromBlocklist } from '../src/domain/blocklist.js';
import { DomainError } from '../src/domain/errors.js';
import type { DomainContext } from '../src/domain/context.js';
import { createReservation } from '../src/domain/reservations.js';
import { deleteCampaign, pauseCampaign } from '../src/domain/campaign-lifecycle.js';
import type { AppointCreate } from '../src/contract/common.js';
import { openTestStore } from './pg-target.js';
import { campaignBody, createCampaign, envelopeOf, P, startTestServer, tempDir, type TestServer } from './helpers.js';
import type { CreateCampaignBody } from '../src/client/index.js';

let store: Store;
let dir: string;
before(async () => {
  dir = tempDir();
  store = await openTestStore(dir);
  const db = store.db as unknown as Db;
  await sql`create table gc_probe (id varchar(40) primary key, job integer not null)`.execute(db);
  await sql`create table gc_parent (id integer primary key)`.execute(db);
  await sql`create table gc_child (id integer primary key, parent_id integer not null references gc_parent (id) deferrable initially deferred)`.execute(db);
});
after(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const insertProbe = (db: Db, id: string, job: number) => sql`insert into gc_probe (id, job) values (${id}, ${job})`.execute(db);
/** The same insert as a compiled query (dialect.ts executeCompiled: straight on SQLite's connection inside a batch). */
const insertProbeCompiled = async (db: Db, id: string, job: number) => executeCompiled(db, sql`insert into gc_probe (id, job) values (${id}, ${job})`.compile(db));
const probeIds = async (db: Db) => (await sql<{ id: string }>`select id from gc_probe order by id`.execute(db)).rows.map((r) => r.id);

type Outcome = 'ok' | 'throw' | 'sql';

describe('group commit (store)', () => {
  test('requests of one turn share a transaction; a failing one loses only its own writes (property)', async () => {
    const db = store.db as unknown as Db;
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ rows: fc.integer({ min: 0, max: 3 }), outcome: fc.constantFrom<Outcome>('ok', 'throw', 'sql') }), { minLength: 1, maxLength: 12 }),
        async (jobs) => {
          round++;
          await sql`delete from gc_probe`.execute(db);
          const gc = new GroupCommit(db);
          // All started in one turn: they form one batch.
          const results = await Promise.allSettled(
            jobs.map((j, k) =>
              gc.run(async (trx) => {
                // Rows written through Kysely's executor and as compiled queries, alternately.
                for (let r = 0; r < j.rows; r++) await (r % 2 === 0 ? insertProbe : insertProbeCompiled)(trx, `r${round}-j${k}-${r}`, k);
                if (j.outcome === 'throw') throw new DomainError('04000003', `job ${k} refused`);
                // A statement the database refuses (primary key taken by this job's own first row, or by a fixed row).
                if (j.outcome === 'sql') {
                  await insertProbe(trx, `dup-${round}-${k}`, k);
                  await (k % 2 === 0 ? insertProbe : insertProbeCompiled)(trx, `dup-${round}-${k}`, k);
                }
                return k;
              }),
            ),
          );
          assert.equal(gc.stats.batches, 1, 'one turn, one batch');
          assert.equal(gc.stats.requests, jobs.length);
          const expected: string[] = [];
          jobs.forEach((j, k) => {
            const r = results[k]!;
            if (j.outcome === 'ok') {
              assert.deepEqual(r, { status: 'fulfilled', value: k });
              for (let n = 0; n < j.rows; n++) expected.push(`r${round}-j${k}-${n}`);
            } else {
              assert.equal(r.status, 'rejected');
              if (j.outcome === 'throw') assert.equal((r as PromiseRejectedResult).reason.code, '04000003');
            }
          });
          assert.deepEqual(await probeIds(db), expected.sort());
        },
      ),
      { numRuns: 25 },
    );
  });

  test('deferred writes (deferBatchWrite): the batch stores and answers as if each request had written at once (property)', async () => {
    const db = store.db as unknown as Db;
    type Act = 'defer' | 'deferThenThrow' | 'deferTaken' | 'count';
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ act: fc.constantFrom<Act>('defer', 'defer', 'deferThenThrow', 'deferTaken', 'count'), kind: fc.constantFrom<string | undefined>('k', 'k', undefined) }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        async (jobs) => {
          round++;
          const prefix = `d${round}-`;
          await sql`delete from gc_probe`.execute(db);
          // A row every 'deferTaken' request also writes: its insert fails (primary key taken).
          await insertProbe(db, `${prefix}taken`, -1);
          const write = async (trx: Db, ids: string[]) => {
            for (const id of ids) await insertProbe(trx, id, 0);
          };
          const gc = new GroupCommit(db);
          const results = await Promise.allSettled(
            jobs.map((j, k) =>
              gc.run(
                async (trx) => {
                  if (j.act === 'count') return Number((await sql<{ n: number }>`select count(*) as n from gc_probe where id like ${`${prefix}j%`}`.execute(trx)).rows[0]!.n);
                  await deferBatchWrite(trx, 'probe', j.act === 'deferTaken' ? `${prefix}taken` : `${prefix}j${k}`, write);
                  if (j.act === 'deferThenThrow') throw new DomainError('04000003', `job ${k} refused`);
                  return k;
                },
                // A request of the kind never reads what its kind writes (the contract); one that reads has none.
                j.kind === undefined || j.act === 'count' ? undefined : { kind: j.kind },
              ),
            ),
          );
          assert.equal(gc.stats.batches, 1, 'one turn, one batch');
          const expected = [`${prefix}taken`];
          jobs.forEach((j, k) => {
            const r = results[k]!;
            if (j.act === 'defer') {
              assert.deepEqual(r, { status: 'fulfilled', value: k });
              expected.push(`${prefix}j${k}`);
            } else if (j.act === 'count') {
              // Every earlier request's write is visible, held or not.
              const earlier = jobs.slice(0, k).filter((x) => x.act === 'defer').length;
              assert.deepEqual(r, { status: 'fulfilled', value: earlier }, `request ${k} of ${JSON.stringify(jobs)}`);
            } else {
              assert.equal(r.status, 'rejected', `request ${k} of ${JSON.stringify(jobs)}`);
              if (j.act === 'deferThenThrow') assert.equal((r as PromiseRejectedResult).reason.code, '04000003');
            }
          });
          assert.deepEqual(await probeIds(db), expected.sort());
        },
      ),
      { numRuns: 25 },
    );
  });

  test("a later request of the batch sees an earlier one's writes (they commit together)", async () => {
    const db = store.db as unknown as Db;
    await sql`delete from gc_probe`.execute(db);
    const gc = new GroupCommit(db);
    const [a, b] = await Promise.all([
      gc.run(async (trx) => void (await insertProbe(trx, 'seen', 1))),
      gc.run(async (trx) => (await sql<{ n: number }>`select count(*) as n from gc_probe where id = 'seen'`.execute(trx)).rows[0]!.n),
    ]);
    assert.equal(a, undefined);
    assert.equal(Number(b), 1);
    assert.equal(gc.stats.batches, 1);
  });

  test('compiled queries answer alike inside a batch and outside; the batch handle is unusable after its COMMIT', async () => {
    const db = store.db as unknown as Db;
    await sql`delete from gc_probe`.execute(db);
    const gc = new GroupCommit(db);
    const select = (d: Db) => sql<{ id: string; job: number }>`select id, job from gc_probe where job = ${7} order by id`.compile(d);
    let held: Db | undefined;
    const inBatch = await gc.run(async (trx) => {
      held = trx;
      const insert = await executeCompiled(trx, sql`insert into gc_probe (id, job) values (${'c-1'}, ${7}), (${'c-2'}, ${7})`.compile(trx));
      const update = await executeCompiled(trx, sql`update gc_probe set job = ${7} where id in (${'c-1'}, ${'c-2'})`.compile(trx));
      return { rows: (await executeCompiled(trx, select(trx))).rows, inserted: insert.numAffectedRows, updated: update.numAffectedRows };
    });
    const outside = await executeCompiled(db, select(db));
    assert.deepEqual(inBatch.rows, [
      { id: 'c-1', job: 7 },
      { id: 'c-2', job: 7 },
    ]);
    assert.deepEqual(
      outside.rows.map((r) => ({ id: r.id, job: Number(r.job) })),
      inBatch.rows,
    );
    assert.equal(inBatch.inserted, 2n);
    assert.equal(inBatch.updated, 2n);
    // After the batch its transaction handle no longer reaches the connection (Kysely refuses it).
    await assert.rejects(async () => executeCompiled(held!, select(held!)), /committed|rolled back/i);
  });

  test('readOncePerBatch: one reading per batch, shared by its requests; outside a transaction every call reads', async () => {
    const db = store.db as unknown as Db;
    const gc = new GroupCommit(db);
    let loads = 0;
    const load = async () => ++loads;
    const values = await Promise.all(Array.from({ length: 5 }, () => gc.run((trx) => readOncePerBatch(trx, 'k', load))));
    assert.deepEqual(values, [1, 1, 1, 1, 1]);
    assert.equal(gc.stats.batches, 1);
    // The next batch reads again.
    assert.equal(await gc.run((trx) => readOncePerBatch(trx, 'k', load)), 2);
    assert.equal(await readOncePerBatch(db, 'k', load), 3);
    assert.equal(await readOncePerBatch(db, 'k', load), 4);
  });

  test('a failed COMMIT answers an error to every request of the batch and stores none of them', async () => {
    const db = store.db as unknown as Db;
    await sql`delete from gc_probe`.execute(db);
    const gc = new GroupCommit(db);
    const runs = [
      gc.run(async (trx) => void (await insertProbe(trx, 'lost-1', 1))),
      // A deferred foreign key: the statement succeeds, the COMMIT refuses the transaction.
      gc.run(async (trx) => void (await sql`insert into gc_child (id, parent_id) values (1, 999)`.execute(trx))),
      gc.run(async (trx) => void (await insertProbe(trx, 'lost-2', 3))),
      gc.run(async () => {
        throw new DomainError('04000001', 'refused on its own');
      }),
    ];
    const results = await Promise.allSettled(runs);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'rejected', 'rejected'],
    );
    // The request that had failed by itself keeps its own error; the others get the COMMIT's.
    assert.equal((results[3] as PromiseRejectedResult).reason.code, '04000001');
    assert.match(String((results[0] as PromiseRejectedResult).reason), /foreign key|FOREIGN KEY/);
    assert.equal(gc.stats.failedCommits, 1);
    assert.deepEqual(await probeIds(db), []);
    assert.equal(Number((await sql<{ n: number }>`select count(*) as n from gc_child`.execute(db)).rows[0]!.n), 0);
    // The committer (and the connection) carry on.
    await gc.run(async (trx) => void (await insertProbe(trx, 'after', 1)));
    assert.deepEqual(await probeIds(db), ['after']);
  });

  test('nothing is answered before the COMMIT: a request resolves only once its rows are visible outside the batch', async () => {
    const db = store.db as unknown as Db;
    await sql`delete from gc_probe`.execute(db);
    const ids = Array.from({ length: 20 }, (_, i) => `vis-${i}`);
    await Promise.all(
      ids.map(async (id) => {
        await writeTransaction(db, async (trx) => void (await insertProbe(trx, id, 0)));
        // Read outside any transaction: committed by now.
        const seen = await sql<{ id: string }>`select id from gc_probe where id = ${id}`.execute(db);
        assert.equal(seen.rows.length, 1, `${id} answered before its commit`);
      }),
    );
    assert.ok(groupCommitOf(db).stats.batches < ids.length, 'the requests shared commits');
  });
});

describe('group commit (interface writes over HTTP)', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  });
  after(async () => s.stop());

  test('concurrent creates, some refused: each gets its own answer, exactly the acknowledged ones are stored', async () => {
    const campaignId = await createCampaign(s.client, 1, { name: 'gc-http' });
    const blocked = '13900000000';
    const add = await s.client.request('POST', `${P(1)}/blocklist/add`, { blocklist: [blocked] });
    assert.equal(envelopeOf(add.body).resultCode, '0200000', add.raw);
    const appointTime = Date.now() + 86_400_000;
    const bodies = Array.from({ length: 40 }, (_, i) => ({
      callType: 2,
      calledNo: i % 7 === 3 ? blocked : String(13800000000 + i),
      taskId: String(campaignId),
      appointTime: i % 11 === 5 ? Date.now() - 1000 : appointTime,
    }));
    const stats = groupCommitOf(s.store.db).stats;
    const requestsBefore = stats.requests;
    const answers = await Promise.all(bodies.map((b) => s.client.request('POST', `${P(1)}/appoint/create`, b)));
    const acked: string[] = [];
    answers.forEach((res, i) => {
      const env = envelopeOf(res.body) as ReturnType<typeof envelopeOf> & { returnObject?: { id: string } };
      const b = bodies[i]!;
      const want = b.appointTime < Date.now() ? '04000001' : b.calledNo === blocked ? '04000003' : '0200000';
      assert.equal(env.resultCode, want, `request ${i}: ${res.raw}`);
      if (want === '0200000') acked.push(env.returnObject!.id);
    });
    // Every create that reached the domain went through the group committer (whether two of them
    // share a commit depends on how the client's connections arrive; the store tests cover that).
    assert.ok(stats.requests - requestsBefore >= acked.length, 'the creates were group-committed');
    const stored = await s.store.db.selectFrom('reservations').select('id').where('campaign_id', '=', campaignId).execute();
    assert.deepEqual(stored.map((r) => r.id).sort(), acked.sort());
  });

  test('requests of different interfaces that wait together share one batch; each gets its own code', async () => {
    const campaignId = await createCampaign(s.client, 1, { name: 'gc-mixed' });
    const existing = await s.client.createBlocklistGroup(1, { name: 'gc-taken' });
    assert.equal(envelopeOf(existing.body).resultCode, '0200000', existing.raw);
    const gc = groupCommitOf(s.store.db);
    const before = { ...gc.stats };
    // Hold the committer with a batch of one request, so that the HTTP requests below all queue
    // for the next batch, whatever turns they arrive in (deterministic, unlike socket timing).
    // Interfaces without a read before their write transaction: a route with a :campaignId in its
    // path reads the campaign first (existence-first.ts), which on SQLite waits for the held batch.
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const holder = gc.run(() => released);
    while (gc.queued > 0) await new Promise((r) => setImmediate(r));
    const answers = Promise.all([
      s.client.createCampaign(1, campaignBody({ name: 'gc-mixed-new' }) as CreateCampaignBody),
      s.client.createBlocklistGroup(1, { name: 'gc-fresh' }),
      // Refused inside its savepoint: the name was taken before the batch.
      s.client.createBlocklistGroup(1, { name: 'gc-taken' }),
      s.client.addBlocklist(1, { blocklist: ['13911112222'] }),
      s.client.createAppointment(1, { callType: 2, calledNo: '13800001111', taskId: String(campaignId), appointTime: Date.now() + 86_400_000 }),
    ]);
    const deadline = Date.now() + 10_000;
    while (gc.queued < 5) {
      assert.ok(Date.now() < deadline, `only ${gc.queued} of 5 requests reached the committer`);
      await new Promise((r) => setTimeout(r, 5));
    }
    release();
    await holder;
    const [campaign, fresh, taken, block, appoint] = await answers;
    const code = (r: { body: unknown }) => envelopeOf(r.body).resultCode;
    assert.deepEqual([campaign, fresh, taken, block, appoint].map(code), ['0200000', '0200000', '02000012', '0200000', '0200000'], taken.raw);
    assert.equal(gc.stats.batches - before.batches, 2, 'the holder, then the five requests in one batch');
    assert.equal(gc.stats.requests - before.requests, 6);
    // Exactly the acknowledged writes are stored.
    const db = s.store.db;
    const groups = await db.selectFrom('black_categories').select('name').where('vdn_id', '=', 1).where('name', 'like', 'gc-%').orderBy('name').execute();
    assert.deepEqual(
      groups.map((g) => g.name),
      ['gc-fresh', 'gc-taken'],
    );
    assert.equal((await db.selectFrom('campaigns').select('id').where('name', '=', 'gc-mixed-new').execute()).length, 1);
    assert.equal((await db.selectFrom('blocklist').select('number').where('number', '=', '13911112222').execute()).length, 1);
    assert.equal((await db.selectFrom('reservations').select('id').where('campaign_id', '=', campaignId).execute()).length, 1);
  });

  test('a number blocklisted (or unlisted) earlier in a batch is refused (or accepted) by a later appoint/create of it', async () => {
    const campaignId = await createCampaign(s.client, 1, { name: 'gc-blocked' });
    const ctx: DomainContext = { db: s.store.db, clock: s.clock, config: s.config };
    const gc = groupCommitOf(s.store.db);
    const body = (n: string) => ({ callType: 2, calledNo: n, taskId: String(campaignId), appointTime: Date.now() + 86_400_000 }) as AppointCreate;
    const [a, b] = ['13711100001', '13711100002'];
    await addToBlocklist(ctx, 1, { blocklist: [b] });
    const before = gc.stats.batches;
    // Started in one turn: one batch, run in this order.
    const results = await Promise.allSettled([
      createReservation(ctx, 1, body(a)),
      createReservation(ctx, 1, body(b)),
      addToBlocklist(ctx, 1, { blocklist: [a] }),
      removeFromBlocklist(ctx, 1, b),
      createReservation(ctx, 1, body(a)),
      createReservation(ctx, 1, body(b)),
    ]);
    assert.equal(gc.stats.batches - before, 1, 'one batch');
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code?: string }).code)),
      ['ok', '04000003', 'ok', 'ok', '04000003', 'ok'],
    );
    const stored = await s.store.db.selectFrom('reservations').select('called_no').where('campaign_id', '=', campaignId).orderBy('called_no').execute();
    assert.deepEqual(
      stored.map((r) => r.called_no),
      [a, b],
    );
  });

  test('a campaign archived earlier in a batch is unknown to a later appoint/create of it (shared readings are dropped)', async () => {
    const campaignId = await createCampaign(s.client, 1, { name: 'gc-archived' });
    const ctx: DomainContext = { db: s.store.db, clock: s.clock, config: s.config };
    await pauseCampaign(ctx, 1, campaignId);
    const gc = groupCommitOf(s.store.db);
    const before = gc.stats.batches;
    const body = (n: number) => ({ callType: 2, calledNo: String(13700000000 + n), taskId: String(campaignId), appointTime: Date.now() + 86_400_000 });
    // Started in one turn: one batch, run in this order.
    const results = await Promise.allSettled([
      createReservation(ctx, 1, body(1) as AppointCreate),
      deleteCampaign(ctx, 1, campaignId, 1),
      createReservation(ctx, 1, body(2) as AppointCreate),
    ]);
    assert.equal(gc.stats.batches - before, 1, 'one batch');
    assert.equal(results[0]!.status, 'fulfilled', String((results[0] as PromiseRejectedResult).reason));
    assert.equal(results[1]!.status, 'fulfilled', String((results[1] as PromiseRejectedResult).reason));
    assert.equal((results[2] as PromiseRejectedResult).reason?.code, '0200007', 'the second create must see the archive');
    const stored = await s.store.db.selectFrom('reservations').select('called_no').where('campaign_id', '=', campaignId).execute();
    assert.deepEqual(
      stored.map((r) => r.called_no),
      ['13700000001'],
    );
  });
});
