/**
 * Attack on issue #12's turns of the event loop between the engine's statements on SQLite
 * (session 8, store/dialect.ts `betweenStatements`): requests now run between two statements of
 * a pass that used to run as one stretch. Each test here lets a write happen in exactly such a
 * turn: a plugin on a second engine's store handle sees the engine's statement, and queues the
 * write with setImmediate before the engine asks for its next turn (so the write runs in that
 * turn, as a request arriving then would). On PostgreSQL the same writes land between the same
 * statements (its statements always yielded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { ManualClock } from '../src/engine/clock.js';
import { createEngine } from '../src/engine/factory.js';
import type { Engine } from '../src/engine/engine.js';
import { purgeCampaign } from '../src/store/campaigns.repository.js';
import { pauseCampaign } from '../src/domain/campaign-lifecycle.js';
import { startTestServer, P, type TestServer } from './helpers.js';
import { campaign, MIN, ok } from './engine-helpers.js';

const start = Date.UTC(2030, 5, 3, 9); // Monday 09:00 UTC
const ENV = { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1' };

/** Runs `write` (once) in the turn right after the first statement whose result rows satisfy `when`. */
class AfterStatement implements KyselyPlugin {
  #fired = false;
  done: Promise<void> | null = null;
  constructor(
    private readonly when: (rows: readonly UnknownRow[]) => boolean,
    private readonly write: () => Promise<void>,
  ) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (!this.#fired && this.when(args.result.rows)) {
      this.#fired = true;
      this.done = new Promise((resolve, reject) => setImmediate(() => this.write().then(resolve, reject)));
    }
    return args.result;
  }
}

function engineWith(s: TestServer, plugin: KyselyPlugin): Engine {
  return createEngine({ db: s.store.db.withPlugin(plugin), caps: s.store.caps, clock: s.clock, config: s.config });
}

async function appoint(s: TestServer, cid: number, body: Record<string, unknown>): Promise<string> {
  const r = await ok(s, 'POST', `${P(1)}/appoint/create`, { taskId: String(cid), ...body });
  return String(r.returnObject!.appointId ?? r.returnObject!.id);
}

/** The claim of automatic reservations (claimDueReservations' RETURNING *). */
const isReservationClaim = (rows: readonly UnknownRow[]) => rows.length > 0 && rows[0]!.state === 'dialing' && 'appoint_time' in rows[0]! && rows[0]!.dispatched_at === null;

test('a campaign removed between the claim of its reservations and the read of the campaign does not fail the pass for the others', async () => {
  // With the system clock a campaign that ends between the pass's `now` and a delete request's
  // is claimable by the pass and deletable (expired) by the request; here the removal itself
  // (purgeCampaign, what DELETE with archiveHistory 0 runs) lands in that turn.
  const clock = new ManualClock(start);
  const s = await startTestServer(ENV, { clock });
  try {
    const gone = await campaign(s, { name: 'removed mid-pass' });
    const stays = await campaign(s, { name: 'stays' });
    await appoint(s, gone, { callType: 2, calledNo: '58740001', appointTime: start + 5 * MIN });
    const kept = await appoint(s, stays, { callType: 2, calledNo: '58740002', appointTime: start + 5 * MIN });
    const plugin = new AfterStatement(isReservationClaim, () => s.store.db.transaction().execute((trx) => purgeCampaign(trx, gone)));
    const engine = engineWith(s, plugin);
    const errors: unknown[] = [];
    try {
      await engine.advanceTo(start + 10 * MIN, (ms) => clock.set(ms)).catch((e: unknown) => void errors.push(e));
      assert.ok(plugin.done, 'the claim was seen');
      await plugin.done;
      assert.deepEqual(errors.map(String), [], 'the clock move succeeds');
      const rows = await s.store.db.selectFrom('reservations').select(['id', 'state', 'campaign_id']).execute();
      assert.deepEqual(
        rows.map((r) => [r.id, r.state]),
        [[kept, 'done']],
        'the removed campaign has no reservation left; the other one was dialled in that pass',
      );
    } finally {
      await engine.stop();
    }
  } finally {
    await s.stop();
  }
});

test('a pause sent in the turn after a claim: on SQLite answered only after that dial; on PostgreSQL the claim in flight is dialled after it (pinned); later ones hold', async () => {
  // PRODUCT.md: paused campaigns hold. The pause is group-committed (store/group-commit.ts): its
  // COMMIT comes in a later turn than the one the engine gives after its claim, and the pass
  // reads the campaign and dispatches without another turn; so the dial comes first and the
  // pause is answered after it. (Were the COMMIT to land before the campaign read, the pass
  // would dial a reservation of a campaign already paused: that read does not look at
  // `suspended`.) On PostgreSQL a claim in flight is dialled after the pause is answered (below).
  const clock = new ManualClock(start);
  const s = await startTestServer(ENV, { clock });
  try {
    const cid = await campaign(s);
    const r = await appoint(s, cid, { callType: 2, calledNo: '58750001', appointTime: start + 5 * MIN });
    const later = await appoint(s, cid, { callType: 2, calledNo: '58750002', appointTime: start + 8 * MIN });
    const order: string[] = [];
    const plugin = new AfterStatement(isReservationClaim, async () => {
      order.push('pause sent');
      await pauseCampaign({ db: s.store.db, clock: s.clock } as Parameters<typeof pauseCampaign>[0], 1, cid);
      order.push('pause acknowledged');
    });
    const engine = engineWith(s, plugin);
    engine.events.on('attempt:dispatched', (e) => void order.push(`dialled ${e.reservationId}`));
    try {
      await engine.advanceTo(start + 10 * MIN, (ms) => clock.set(ms));
      assert.ok(plugin.done, 'the claim was seen');
      await plugin.done;
      if (s.store.caps.name === 'sqlite') assert.deepEqual(order, ['pause sent', `dialled ${r}`, 'pause acknowledged'], 'the dial before the acknowledgement, nothing after it');
      // PostgreSQL (as before this session): the pass's reads and the dispatch wait for the
      // server, the pause commits meanwhile, and the reservation claimed before it is dialled
      // after the pause was answered; the dispatch transaction does not look at `suspended`.
      else assert.deepEqual(order, ['pause sent', 'pause acknowledged', `dialled ${r}`], 'PostgreSQL: a claim in flight is dialled after the pause is answered');
      const rows = await s.store.db.selectFrom('reservations').select(['id', 'state']).orderBy('called_no').execute();
      assert.deepEqual(
        rows.map((x) => [x.id, x.state]),
        [
          [r, 'done'],
          [later, 'pending'],
        ],
        'the later one holds',
      );
    } finally {
      await engine.stop();
    }
  } finally {
    await s.stop();
  }
});

test('engine.stop() in a turn in the middle of a pass waits for the pass: nothing half done, no statement after it resolves', async () => {
  const clock = new ManualClock(start);
  const s = await startTestServer(ENV, { clock });
  try {
    const cid = await campaign(s);
    const manual = await appoint(s, cid, { callType: 1, calledNo: '58760001', userAccount: 'agent1', appointTime: start + 5 * MIN });
    const auto = await appoint(s, cid, { callType: 2, calledNo: '58760002', appointTime: start + 5 * MIN });
    let stopped = false;
    let afterStop = 0;
    let engine: Engine | undefined;
    let stopping: Promise<void> | undefined;
    let stopCalled!: () => void;
    const called = new Promise<void>((resolve) => {
      stopCalled = resolve;
    });
    // Stop in the turn after the manual reservation is marked due (its trail row, the CPS grant,
    // the timeouts and the automatic one's claim and dial still to come).
    const plugin = new AfterStatement(
      (rows) => {
        if (stopped) afterStop++;
        return rows.length > 0 && rows[0]!.state === 'due';
      },
      async () => {
        stopping = engine!.stop().then(() => void (stopped = true));
        stopCalled();
      },
    );
    engine = engineWith(s, plugin);
    const seen: string[] = [];
    engine.events.on('reservation:due', (e) => void seen.push(`due ${e.reservationId}`));
    engine.events.on('attempt:dispatched', (e) => void seen.push(`dialled ${e.reservationId}`));
    clock.set(start + 5 * MIN);
    const pass = engine.tick();
    await called;
    assert.ok(stopping, 'stop() was called mid-pass');
    await stopping;
    let passDone = false;
    void pass.then(() => void (passDone = true));
    await new Promise((r) => setImmediate(r));
    assert.ok(passDone, 'the pass was over when stop() resolved');
    assert.deepEqual(seen, [`due ${manual}`, `dialled ${auto}`], 'the pass went on to the end');
    const rows = await s.store.db.selectFrom('reservations').select(['id', 'state']).orderBy('called_no').execute();
    assert.deepEqual(
      rows.map((x) => [x.id, x.state]),
      [
        [manual, 'due'],
        [auto, 'done'],
      ],
    );
    const trail = await s.store.db.selectFrom('engine_trail').select(['reservation_id', 'kind']).where('reservation_id', 'is not', null).orderBy('id').execute();
    assert.deepEqual(
      trail.map((t) => [t.reservation_id, t.kind]),
      [
        [manual, 'due'],
        [auto, 'dialled'],
        [auto, 'settled'],
      ],
      'the due mark has its trail row, the dial and its settlement theirs',
    );
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.equal(afterStop, 0, 'no statement of the engine after stop() resolved');
  } finally {
    await s.stop();
  }
});
