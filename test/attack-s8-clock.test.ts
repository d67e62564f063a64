/**
 * Attack on issue #12's turns of the event loop between the engine's statements (session 8):
 * on SQLite an idle pass and the next-event lookup used to run without letting a request in, so
 * two moves of the manual clock (POST /v1/clock) could only interleave when a pass dialled. Now
 * every step of `advanceTo` gives the loop back, so two moves sent together interleave. What
 * must hold: the clock never goes backwards, every pass runs at a time no earlier than the one
 * before it, and the clock ends at the later target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { startTestServer, P } from './helpers.js';
import { campaign, HOUR, MIN, ok } from './engine-helpers.js';

const start = Date.UTC(2030, 5, 3, 9); // Monday 09:00 UTC
const ENV = { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1' };

test('two moves of the manual clock sent together never move it backwards', async () => {
  const clock = new ManualClock(start);
  const s = await startTestServer(ENV, { clock });
  try {
    const cid = await campaign(s);
    // Work due at many instants within the next hours: each is a step of the longer move.
    for (let i = 1; i <= 12; i++) {
      await ok(s, 'POST', `${P(1)}/appoint/create`, { taskId: String(cid), callType: 2, calledNo: `5873${String(i).padStart(4, '0')}`, appointTime: start + i * 5 * MIN });
    }
    const seen: number[] = [];
    const sets: number[] = [];
    s.engine!.events.on('tick:done', (e) => void seen.push(e.now));
    const dials: string[] = [];
    s.engine!.events.on('attempt:dispatched', (e) => void dials.push(String(e.reservationId)));
    const set = clock.set.bind(clock);
    clock.set = (ms: number) => {
      sets.push(ms);
      return set(ms);
    };
    const [long, short] = await Promise.all([s.client.setClock({ advanceMs: 2 * HOUR }), s.client.setClock({ advanceMs: 7 * MIN })]);
    assert.ok(long.ok && short.ok, 'both moves answered');
    for (let i = 1; i < sets.length; i++)
      assert.ok(
        sets[i]! >= sets[i - 1]!,
        `the clock went back from ${sets[i - 1]! - start} to ${sets[i]! - start} ms after start (moves: ${sets.map((x) => x - start).join(', ')})`,
      );
    for (let i = 1; i < seen.length; i++)
      assert.ok(seen[i]! >= seen[i - 1]!, `a pass at ${seen[i]! - start} ran after one at ${seen[i - 1]! - start} (passes: ${seen.map((x) => x - start).join(', ')})`);
    assert.equal(clock.now(), start + 2 * HOUR, 'the clock ends at the later target');
    const dialled = await s.store.db.selectFrom('reservations').select('id').where('state', '=', 'done').execute();
    assert.equal(dialled.length, 12, 'every reservation dialled');
    assert.equal(new Set(dials).size, 12, 'twelve reservations dialled');
    assert.equal(dials.length, 12, 'none dialled twice');
  } finally {
    await s.stop();
  }
});
