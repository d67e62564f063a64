/**
 * Issue #12 (PostgreSQL fire lag): the lease reapers look for an expired lease with a one-row
 * probe in (state, due_at) index order (engine-call-data.repository.ts `expiredLeaseProbe`)
 * before reading the expired rows, and with the system clock once per poll interval, not on
 * every pass (engine.ts). Every attempt moves a row into and out of 'dialing', which leaves
 * dead 'dialing' entries in that index until VACUUM; PostgreSQL planned the reaper's read as a
 * bitmap scan that revisited all of them on every engine pass (14-30 ms per pass after 100,000
 * dispatches). What must hold: an expired lease behind hundreds of finished attempts is still
 * found and given back at the next step of the (manual) clock, on both backends. (Whether
 * PostgreSQL plans the probe as a plain index scan depends on its statistics, so it is not
 * asserted here; the bench shows it: bench/profile-engine.ts BENCH_LAG=1.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { expiredLeaseProbe } from '../src/store/engine-call-data.repository.js';
import { startTestServer } from './helpers.js';
import { addRecords, campaign, ok, results, SEC } from './engine-helpers.js';

const start = Date.UTC(2030, 5, 3, 9); // Monday 09:00 UTC
const ENV = { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1', CAMPAIGND_CALLDATA_MAX: '400', CAMPAIGND_MAX_CPS: '1000' };
const RECORDS = 400;

test('an expired lease behind hundreds of finished attempts is found and given back at the next step', async () => {
  const s = await startTestServer(ENV, { clock: new ManualClock(start) });
  try {
    const cid = await campaign(s, { ivrParam: { deviceSign: '100', callCount: RECORDS, callInterval: 1 } });
    await addRecords(
      s,
      cid,
      Array.from({ length: RECORDS }, (_, i) => ({ called: [{ calledNo: `5870${String(i).padStart(4, '0')}` }] })),
    );
    await ok(s, 'POST', '/campaignd/v1/clock', { advanceMs: SEC });
    assert.equal((await results(s, { campaignId: cid })).length, RECORDS, 'every record dialled once');
    const db = s.store.db;
    const now = s.clock.now();

    // Every attempt finished: the (state, due_at) index holds a dead 'dialing' entry for each
    // on PostgreSQL (until VACUUM), the probe must look past them.
    await db.updateTable('call_data').set({ state: 'done' }).where('campaign_id', '=', cid).execute();
    assert.equal(await expiredLeaseProbe(db, 'call_data', now), undefined, 'no lease expired');

    // One record left 'dialing' by a node that is gone, undispatched, its lease long expired.
    const [victim] = await db.selectFrom('call_data').select('id').where('campaign_id', '=', cid).orderBy('id').limit(1).execute();
    await db
      .updateTable('call_data')
      .set({ state: 'dialing', lease_owner: 'node-gone', lease_until: now - 60 * SEC, dispatched_at: null })
      .where('id', '=', victim!.id)
      .execute();
    assert.notEqual(await expiredLeaseProbe(db, 'call_data', now), undefined, 'the probe finds the expired lease');
    const reaped: string[] = [];
    const off = s.engine!.events.on('lease:reaped', (e) => void (e.kind === 'call-data' && reaped.push(e.id)));
    await ok(s, 'POST', '/campaignd/v1/clock', { advanceMs: SEC });
    off();
    assert.deepEqual(reaped, [String(victim!.id)], 'the reaper gave the record back');
    const row = await db.selectFrom('call_data').select(['state', 'lease_owner']).where('id', '=', victim!.id).executeTakeFirstOrThrow();
    assert.notEqual(row.lease_owner, 'node-gone');
  } finally {
    await s.stop();
  }
});
