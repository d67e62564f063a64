/**
 * The retention job (issue #9): on its own timer (`pruneIntervalMs`, real time, first run at
 * start), deletes journal entries, decision-trail entries and finished callbacks older than
 * `CAMPAIGND_CALLLOG_RETENTION_DAYS` of engine time (store/retention.repository.ts), in chunks
 * with a yield to the event loop between them. Runs whether the engine is on or off.
 */
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Db } from '../store/db.js';
import { pruneOlderThan, type Pruned } from '../store/retention.repository.js';

const CHUNK = 5000;

export class RetentionJob {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<Pruned> | null = null;

  /** @param retentionMs age beyond which rows go (ms of engine time); 0 disables the job */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly retentionMs: number,
    private readonly intervalMs: number,
    private readonly log?: Logger,
  ) {}

  /** Starts the timer (no-op when retention is 0). */
  start(): void {
    if (this.retentionMs <= 0 || this.#timer !== null) return;
    const run = (): void => {
      void this.runOnce().catch((err: unknown) => this.log?.warn({ err }, 'retention pruning failed'));
    };
    this.#timer = setInterval(run, this.intervalMs);
    this.#timer.unref();
    setImmediate(run);
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  /** One full pass at the clock's current time; concurrent calls share it. Returns what was deleted. */
  runOnce(): Promise<Pruned> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #pass(): Promise<Pruned> {
    const total: Pruned = { callLogs: 0, trail: 0, callbacks: 0 };
    if (this.retentionMs <= 0) return total;
    const cutoff = this.clock.now() - this.retentionMs;
    for (;;) {
      const n = await pruneOlderThan(this.db, cutoff, CHUNK);
      total.callLogs += n.callLogs;
      total.trail += n.trail;
      total.callbacks += n.callbacks;
      if (n.callLogs < CHUNK && n.trail < CHUNK && n.callbacks < CHUNK) break;
      await new Promise((r) => setImmediate(r));
    }
    if (total.callLogs + total.trail + total.callbacks > 0) this.log?.info({ ...total, cutoff }, 'retention: old rows pruned');
    return total;
  }
}
