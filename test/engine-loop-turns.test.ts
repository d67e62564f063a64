/**
 * Issue #12 (p99 latency): on SQLite every statement runs on the event loop from start to end
 * (better-sqlite3 is synchronous, Kysely's driver resolves without yielding), so an engine pass
 * used to run its ~15 statements, and the next-event lookup its ~8 reads, as ONE uninterrupted
 * stretch: 4-7 ms every second on an idle server with 100,000 reservations pending tomorrow,
 * and every HTTP request that arrived meanwhile waited for it. Now the engine gives the loop
 * back before each of its statements outside a transaction (store/dialect.ts
 * `betweenStatements`, `independentReads`). What must hold:
 * - on SQLite, an idle pass plus the next-event lookup (`advanceTo`) never runs two statements
 *   in one turn of the event loop (counted by a chain of setImmediate callbacks beside it, and
 *   the engine's statements by a Kysely plugin on its store handle);
 * - the passes still do the same: a due automatic reservation is dialled, a manual one becomes
 *   due for its agent (and is marked timed out after the grace period, staying with the agent),
 *   one of a suspended campaign times out after the grace period (the
 *   one-row reads that now come before the claims and marks on SQLite find them), on both backends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { ManualClock } from '../src/engine/clock.js';
import { createEngine } from '../src/engine/factory.js';
import type { Engine } from '../src/engine/engine.js';
import { startTestServer, P, type TestServer } from './helpers.js';
import { campaign, DAY, MIN, ok } from './engine-helpers.js';

const start = Date.UTC(2030, 5, 3, 9); // Monday 09:00 UTC
const ENV = { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1' };

/**
 * Counts the statements of the engine's store handle per turn of the event loop while
 * `measure` runs: a setImmediate chain marks the turns (each engine turn comes from a
 * setImmediate too, so a statement between two marks had the loop to itself with the others of
 * that stretch).
 */
class TurnCounter implements KyselyPlugin {
  statements = 0;
  turns = 0;
  #inTurn = 0;
  mostInOneTurn = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.statements++;
    this.#inTurn++;
    this.mostInOneTurn = Math.max(this.mostInOneTurn, this.#inTurn);
    return args.result;
  }
  async measure<T>(run: () => Promise<T>): Promise<T> {
    this.statements = 0;
    this.turns = 0;
    this.mostInOneTurn = 0;
    this.#inTurn = 0;
    let going = true;
    const mark = () => {
      this.turns++;
      this.#inTurn = 0;
      if (going) setImmediate(mark);
    };
    setImmediate(mark);
    try {
      return await run();
    } finally {
      going = false;
    }
  }
}

/** A second engine on the server's store, whose statements `counter` sees (the server's own engine stays idle: manual clock). */
function countedEngine(s: TestServer, counter: TurnCounter): Engine {
  return createEngine({ db: s.store.db.withPlugin(counter), caps: s.store.caps, clock: s.clock, config: s.config });
}

async function appoint(s: TestServer, cid: number, body: Record<string, unknown>): Promise<string> {
  const r = await ok(s, 'POST', `${P(1)}/appoint/create`, { taskId: String(cid), ...body });
  return String(r.returnObject!.appointId ?? r.returnObject!.id);
}

test('an idle engine pass and its next-event lookup give the event loop back between their statements', async () => {
  const clock = new ManualClock(start);
  const s = await startTestServer(ENV, { clock });
  try {
    const cid = await campaign(s);
    for (let i = 0; i < 20; i++) await appoint(s, cid, { callType: 2, calledNo: `587100${String(i).padStart(2, '0')}`, appointTime: start + DAY + i * MIN });
    await appoint(s, cid, { callType: 1, calledNo: '58710099', userAccount: 'agent1', appointTime: start + DAY });
    const counter = new TurnCounter();
    const engine = countedEngine(s, counter);
    try {
      clock.set(start + 1000);
      // One pass (reap, CPS grant, both workers, CPS given back, callbacks) and the lookup of the
      // next instant with work (tomorrow's reservations: past the target, so no second pass).
      const passes = await counter.measure(() => engine.advanceTo(clock.now(), (ms) => clock.set(ms)));
      assert.equal(passes, 0, 'nothing due: the clock stays');
      assert.ok(counter.statements >= 15, `a whole pass and lookup ran (${counter.statements} statements)`);
      if (s.store.caps.name === 'sqlite') {
        assert.equal(counter.mostInOneTurn, 1, `at most one statement per turn of the loop (${counter.statements} statements in ${counter.turns} turns)`);
        assert.ok(counter.turns >= counter.statements, `a turn for each statement (${counter.statements} statements, ${counter.turns} turns)`);
      }
    } finally {
      await engine.stop();
    }
  } finally {
    await s.stop();
  }
});

test('passes that give the loop back still dial due work, mark manual reservations due and time out the held ones', async () => {
  const clock = new ManualClock(start);
  const s = await startTestServer(ENV, { clock });
  try {
    const running = await campaign(s);
    const suspended = await campaign(s, { name: 'held campaign' });
    const auto = await appoint(s, running, { callType: 2, calledNo: '58720001', appointTime: start + 10 * MIN });
    const manual = await appoint(s, running, { callType: 1, calledNo: '58720002', userAccount: 'agent1', appointTime: start + 20 * MIN });
    const held = await appoint(s, suspended, { callType: 2, calledNo: '58720003', appointTime: start + 30 * MIN });
    await ok(s, 'PUT', `${P(1)}/${suspended}/pause`);
    const tomorrow = await appoint(s, running, { callType: 2, calledNo: '58720004', appointTime: start + DAY });
    const counter = new TurnCounter();
    const engine = countedEngine(s, counter);
    const seen: string[] = [];
    engine.events.on('attempt:dispatched', (e) => void seen.push(`dialled ${e.reservationId}`));
    engine.events.on('reservation:due', (e) => void seen.push(`due ${e.reservationId}`));
    engine.events.on('reservation:timeout', (e) => void seen.push(`timeout ${e.reservationId}`));
    try {
      await counter.measure(() => engine.advanceTo(start + 2 * 60 * MIN, (ms) => clock.set(ms)));
      assert.deepEqual(seen, [`dialled ${auto}`, `due ${manual}`, `timeout ${manual}`, `timeout ${held}`], 'in the order they fell due');
      const states = await s.store.db.selectFrom('reservations').select(['id', 'state', 'timeout']).orderBy('called_no').execute();
      assert.deepEqual(
        states.map((r) => [r.id, r.state, Number(r.timeout)]),
        [
          [auto, 'done', 0],
          [manual, 'due', 1],
          [held, 'timeout', 1],
          [tomorrow, 'pending', 0],
        ],
      );
    } finally {
      await engine.stop();
    }
  } finally {
    await s.stop();
  }
});
