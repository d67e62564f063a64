/**
 * The campaign engine: finds due work in the store and hands it to the dialer.
 *
 * One pass (`tick`) at the engine clock's `now`:
 *   reap expired leases (system clock: once per poll interval) → one CPS grant → each worker:
 *   mark/claim due work → gates → dispatch → settle → the grant's rest given back
 *   → deliver due result callbacks (never awaited by dialling)
 * Polling is the truth; `nudge()` after a write only shortens the wait (STYLE.md guideline 8).
 * With the system clock the engine sleeps after a pass until the earliest instant work falls
 * due (the workers' `nextEvent`, callbacks, the next CPS second), at most `pollMs` (issue #12).
 *
 * With the manual clock nothing moves by itself: `advanceTo(t)` steps the clock from event to
 * event (the next due reservation, retry, window opening, round, CPS second, callback back-off …)
 * up to `t`, running a pass and the due callbacks at each, so a week of a campaign plays out in
 * order, in seconds. It never jumps over due work: past `CAMPAIGND_CLOCK_MAX_STEPS` stops it
 * halts where it got to and answers 0200001.
 *
 * Global pacing: at most `maxCps` dispatches per second of engine time, across all workers and
 * every node on the database: each worker takes its budget from the `cps` row of
 * `engine_pacing` and gives back what it did not use (store/pacing.repository.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { Db } from '../store/db.js';
import type { DialectCaps } from '../store/dialect.js';
import type { Clock } from './clock.js';
import type { EngineConfig } from '../config/engine.js';
import type { DialOutcome, Dialer } from './dialer.js';
import { EngineEvents } from './events.js';
import { CallbackSender } from './callback.js';
import { OutboundHttp } from './outbound-http.js';
import { DomainError } from '../domain/errors.js';
import type { AgentDesk } from './agent-desk.js';
import type { CampaignRow } from '../store/campaigns.repository.js';
import { cpsLeft, returnCps, takeCps } from '../store/pacing.repository.js';
import { betweenStatements, independentReads } from '../store/dialect.js';

export interface EngineContext {
  db: Db;
  caps: DialectCaps;
  clock: Clock;
  config: Config;
  engine: EngineConfig;
  dialer: Dialer;
  events: EngineEvents;
  nodeId: string;
  log?: Logger;
  /** OBS fail code → the VDN's external result code (OB99999 for an unmapped success). */
  externalResultFor: (db: Db, vdnId: number, failCode: string) => Promise<string | null>;
  /** Agents of skill-queue campaigns: pacing, abandon accounting, the simulated pool (agent-desk.ts). */
  agents?: AgentDesk;
}

/** What preview campaigns need from the call-data worker. */
export interface PreviewWorker {
  previewNext(c: CampaignRow, agentId: string, now: number): Promise<{ dataId: number; calledNo: string; sessionId: string | null; callData: string | null } | null>;
  previewDecide(c: CampaignRow, dataId: number, agentId: string, decision: 'call' | 'skip', now: number): Promise<{ offered: boolean; callId: string | null }>;
}

/** A kind of due work the engine drives (reservations, call data). */
export interface Worker {
  /** Returns abandoned work (expired leases). */
  reap(now: number): Promise<void>;
  /** Processes work due at `now`, dispatching at most `budget` calls; returns how many it dispatched. */
  tick(now: number, budget: number): Promise<number>;
  /** The earliest instant after `now` at which this worker has something to do. */
  nextEvent(now: number): Promise<number | null>;
  /** Records the outcome of a call an external dialer accepted; false if the call is not this worker's. */
  settleExternal(callId: string, vdnId: number, outcome: DialOutcome, now: number): Promise<boolean>;
}

/** The shortest spacing of passes that nudges (new work) start, ms. */
const NUDGE_SPACING_MS = 10;

export class Engine {
  readonly events: EngineEvents;
  readonly callbacks: CallbackSender;
  readonly #ctx: EngineContext;
  readonly #workers: Worker[];
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;
  #again = false;

  constructor(ctx: Omit<EngineContext, 'events' | 'nodeId'> & { nodeId?: string }, workers: (ctx: EngineContext) => Worker[]) {
    this.events = new EngineEvents((e) => ctx.log?.error({ err: e }, 'engine event listener failed'));
    this.#ctx = { ...ctx, events: this.events, nodeId: ctx.nodeId ?? `node-${randomBytes(6).toString('hex')}` };
    this.#workers = workers(this.#ctx);
    this.callbacks = new CallbackSender(ctx.db, ctx.clock, ctx.engine, this.events, ctx.log, new OutboundHttp(ctx.config.outbound));
  }

  get nodeId(): string {
    return this.#ctx.nodeId;
  }

  /** True between `start()` and `stop()`: the engine claims work. */
  get running(): boolean {
    return !this.#stopped;
  }

  /** Starts polling (system clock). With the manual clock only `advanceTo`/`tick` move work. */
  start(): void {
    this.#stopped = false;
    if (this.#ctx.clock.kind === 'system') this.#schedule(0);
  }

  /** The dialer, for its own metrics and lifecycle (the SIP dialer's counters). */
  /** The agents of skill-queue campaigns, when the engine has them. */
  get agents(): AgentDesk | undefined {
    return this.#ctx.agents;
  }

  get dialer(): Dialer {
    return this.#ctx.dialer;
  }

  /** Readies the dialer (the SIP dialer binds its port); call before `start`. */
  async openDialer(): Promise<void> {
    await this.#ctx.dialer.open?.();
  }

  /** Stops claiming; waits for the pass in progress to finish (and a timer pass's lookup of its next instant), then for the dialer's calls in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
    // The lookup of the next instant after a timer's pass (#schedule): on SQLite it gives the
    // loop a turn before each read, so the store could otherwise close under it (issue #12).
    await this.#cycle;
    await this.#ctx.dialer.close?.();
    await this.callbacks.deliverDue().catch(() => {});
  }

  /**
   * A hint after a write that work falls due at `dueAt` (epoch ms of the system clock; omitted:
   * now); polling stays the truth. The engine wakes only if that is before its planned pass:
   * every pass ends by planning the next one at the earliest due instant it finds in the store,
   * at most `pollMs` later (#untilNextEvent), so work due at or after the planned pass (a
   * reservation due tomorrow) needs no wake-up at all, the planned pass finds it. During a pass
   * (which may have looked before the write) the notice is kept and the pass plans its next one
   * no later than it. With the manual clock, nothing to do (the clock's moves run the passes).
   */
  nudge(dueAt?: number): void {
    if (this.#stopped || this.#ctx.clock.kind !== 'system') return;
    const now = Date.now();
    // A burst of writes (a reservation per request) wakes the engine at most every NUDGE_SPACING_MS.
    const at = Math.max(now, this.#lastPassAt + NUDGE_SPACING_MS, dueAt ?? now);
    if (this.#timer === null) {
      // A pass is running (between its timer and the planning of the next one).
      this.#noticeAt = Math.min(this.#noticeAt, at);
      return;
    }
    if (this.#wakeAt <= at) return;
    this.#schedule(at - now);
  }

  /** A timer's pass, the lookup of its next instant and the planning of it, while they run ({@link stop} waits for it). */
  #cycle: Promise<void> | null = null;
  /** Real time (ms) the latest pass started. */
  #lastPassAt = 0;
  /** Real time (ms) the timer wakes the engine. */
  #wakeAt = 0;
  /** The earliest instant (real ms) that notices received during the running pass asked for. */
  #noticeAt = Number.POSITIVE_INFINITY;
  /** System clock: the instant (ms) from which the next pass looks for expired leases. */
  #reapAt = 0;
  /** The engine-clock instant the latest pass looked at (what it did not claim was not due then). */
  #passNow: number | null = null;

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#wakeAt = Date.now() + ms;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#lastPassAt = Date.now();
      this.#noticeAt = Number.POSITIVE_INFINITY;
      const cycle: Promise<void> = this.tick()
        .then(() => (this.#stopped ? this.#ctx.engine.pollMs : this.#untilNextEvent()))
        .catch((e: unknown) => {
          this.#ctx.log?.error({ err: e }, 'engine pass failed');
          return this.#ctx.engine.pollMs;
        })
        .then((wait) => {
          // Notices heard during the pass: it may have looked at the store before their writes.
          const untilNotice = this.#noticeAt - Date.now();
          this.#noticeAt = Number.POSITIVE_INFINITY;
          if (untilNotice < wait) wait = Math.max(0, untilNotice);
          // Another timer may have been set meanwhile (a tick() from elsewhere): keep whichever
          // wakes sooner (a wake-up too many costs one pass, one too few a poll interval).
          if (!this.#stopped && (this.#timer === null || this.#wakeAt > Date.now() + wait)) this.#schedule(wait);
        })
        .finally(() => {
          if (this.#cycle === cycle) this.#cycle = null;
        });
      this.#cycle = cycle;
    }, ms);
    this.#timer.unref?.();
  }

  /**
   * System clock: how long to sleep after a pass, ms — until the earliest instant work falls due
   * (a reservation, a retry, a calling window opening, a round's spacing, the next second of a
   * used-up CPS budget, a callback's back-off), at most `pollMs`. So work fires within ms of its
   * due time, not up to a poll interval late; polling stays the truth (nothing is missed when
   * the estimate is wrong, it is only a poll later).
   */
  async #untilNextEvent(): Promise<number> {
    const poll = this.#ctx.engine.pollMs;
    try {
      // From the instant the pass looked at: work falling due while it ran was not claimed by it
      // and is no longer "after now" either; it gives a wait of 0 (one more pass), not a poll.
      const now = Math.min(this.#passNow ?? Number.POSITIVE_INFINITY, this.#ctx.clock.now());
      const next = await this.#nextEventAfter(now);
      if (next === null) return poll;
      return Math.max(0, Math.min(poll, next - this.#ctx.clock.now()));
    } catch (e) {
      this.#ctx.log?.error({ err: e }, 'engine next-event lookup failed');
      return poll;
    }
  }

  /**
   * The earliest instant after `now` (engine ms) at which work falls due: the callbacks' back-off,
   * each worker's `nextEvent`, and — when this second's CPS budget is used up — the next second;
   * null when nothing is planned. The lookups are independent reads (store/dialect.ts
   * `independentReads`): on PostgreSQL sent together (each on its own pooled connection): one
   * round trip of waiting instead of eight in a row between two passes, which is time due
   * reservations wait for (issue #12: ~4 ms per pass on the engine bench; a reservation fires on
   * the pass after the one it fell due during). On SQLite one at a time, with a turn of the event
   * loop before each (issue #12, p99 latency: the eight reads ran as one stretch after the pass).
   */
  async #nextEventAfter(now: number): Promise<number | null> {
    const { db } = this.#ctx;
    await betweenStatements(db);
    const [callbacks, cps, ...workers] = await independentReads(db, [
      () => this.callbacks.nextDue(now),
      () => cpsLeft(db, now, this.#ctx.engine.maxCps),
      ...this.#workers.map((w) => () => w.nextEvent(now)),
    ]);
    let next = callbacks;
    for (const t of workers) if (t !== null && (next === null || t < next)) next = t;
    // Pacing: if this second's budget is used up and work is still due, go on next second.
    if (cps <= 0) next = Math.min(next ?? Number.POSITIVE_INFINITY, Math.floor(now / 1000) * 1000 + 1000);
    return next;
  }

  /** One pass over due work at the clock's current time. Concurrent calls share one pass. */
  tick(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#pass();
      } while (this.#again);
    })().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /**
   * One pass at `now`. On SQLite every step starts after a turn of the event loop
   * (store/dialect.ts `betweenStatements`; the workers give one between their own statements, the
   * callbacks before each claim), so that timers and HTTP requests run between the pass's
   * statements instead of waiting for all of them (issue #12, p99 latency: an idle pass and its
   * next-event lookup held the loop 4-7 ms at a stretch every second on the 2-core VM, with
   * 100,000 reservations pending tomorrow). Never inside a transaction: the dispatch and settle
   * transactions run whole, as before. On PostgreSQL no turn is added (its statements yield).
   * What the pass does, and in which order, is unchanged.
   */
  async #pass(): Promise<void> {
    const { db } = this.#ctx;
    const now = this.#ctx.clock.now();
    this.#passNow = now;
    // Expired leases: with the system clock looked for once per poll interval (what an idle
    // engine does anyway), not on every pass that due work starts (issue #12): a burst of due
    // reservations runs a pass every few ms, and each lookup walks the 'dialing' entries of the
    // (state, due_at) indexes, which every attempt leaves dead behind it until VACUUM (on
    // PostgreSQL 14-30 ms per pass after 100,000 dispatches, when it is planned as a bitmap scan).
    // A lease (at least 5 s) is thus reaped at most a poll interval after it expired, as before
    // when idle. With the manual clock on every pass, so that each step of `advanceTo` reaps.
    if (this.#ctx.clock.kind !== 'system' || now >= this.#reapAt) {
      this.#reapAt = now + this.#ctx.engine.pollMs;
      for (const w of this.#workers) {
        await betweenStatements(db);
        await w.reap(now);
      }
    }
    let dispatched = 0;
    const max = this.#ctx.engine.maxCps;
    // One grant of this second's budget for the whole pass, each worker dialling within what the
    // ones before it left, and what is left given back once at the end: the same calls as one
    // take and give-back per worker, two round trips fewer per pass (issue #12).
    await betweenStatements(db);
    const grant = await takeCps(db, now, max, max);
    try {
      for (const w of this.#workers) {
        await betweenStatements(db);
        dispatched += await w.tick(now, grant - dispatched);
      }
    } finally {
      const rest = grant - dispatched;
      if (rest > 0) {
        await betweenStatements(db);
        await returnCps(db, now, rest);
      }
    }
    this.events.emit('tick:done', { now, dispatched });
    // Callbacks are delivered beside dialling, never in its way (a turn before each claim).
    void this.callbacks.deliverDue().catch((e: unknown) => this.#ctx.log?.error({ err: e }, 'callback pass failed'));
  }

  /** The worker that serves preview campaigns (call data). */
  #preview(): PreviewWorker {
    const w = this.#workers.find((x): x is Worker & PreviewWorker => 'previewNext' in x);
    if (!w) throw new DomainError('0200001', 'the engine has no call-data worker');
    return w;
  }

  /** Preview: the next record for an agent of a preview campaign (call-data-worker.ts `previewNext`). */
  previewNext(c: CampaignRow, agentId: string): ReturnType<PreviewWorker['previewNext']> {
    return this.#preview().previewNext(c, agentId, this.#ctx.clock.now());
  }

  /** Preview: an agent's decision on the record offered to it (call-data-worker.ts `previewDecide`). */
  previewDecide(c: CampaignRow, dataId: number, agentId: string, decision: 'call' | 'skip'): ReturnType<PreviewWorker['previewDecide']> {
    return this.#preview().previewDecide(c, dataId, agentId, decision, this.#ctx.clock.now());
  }

  /**
   * The result of a call an external dialer accepted (webhook dialer). Returns false when no
   * attempt with that call id is waiting for a result (unknown, or already settled).
   */
  async settleExternal(callId: string, vdnId: number, outcome: DialOutcome): Promise<boolean> {
    const now = this.#ctx.clock.now();
    for (const w of this.#workers) {
      if (await w.settleExternal(callId, vdnId, outcome, now)) {
        void this.callbacks.deliverDue().catch(() => {});
        return true;
      }
    }
    return false;
  }

  /**
   * Manual clock: moves time forward to `targetMs` (epoch ms), stopping at every instant where
   * work falls due (reservations, call data, round spacing, CPS pacing, callback back-off) and
   * running a pass there, callbacks included, before going on. Returns the number of passes run.
   *
   * Never a silent jump: a move that would need more than `maxSteps` stops
   * (`CAMPAIGND_CLOCK_MAX_STEPS`) halts at the last instant it reached, with every pass up to
   * there run, and throws `0200001` naming that instant; moving the clock again goes on from there.
   */
  async advanceTo(targetMs: number, setClock: (ms: number) => void, maxSteps: number = this.#ctx.engine.clockMaxSteps): Promise<number> {
    let passes = 0;
    await this.tick();
    await this.callbacks.deliverDue();
    for (;;) {
      const now = this.#ctx.clock.now();
      const next = await this.#nextEventAfter(now);
      if (next === null || next > targetMs) break;
      if (passes >= maxSteps) {
        throw new DomainError(
          '0200001',
          `the clock stopped at ${new Date(now).toISOString()} (${now}) after ${passes} steps, before ${new Date(targetMs).toISOString()}: ` +
            `more instants fall due than CAMPAIGND_CLOCK_MAX_STEPS (${maxSteps}); move it again to go on`,
        );
      }
      setClock(Math.max(next, now));
      await this.tick();
      await this.callbacks.deliverDue();
      passes++;
    }
    if (this.#ctx.clock.now() < targetMs) {
      setClock(targetMs);
      await this.tick();
      passes++;
    }
    await this.callbacks.deliverDue();
    return passes;
  }
}
