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
