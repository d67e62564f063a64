/**
 * The retention job (issue #9): on its own timer (`pruneIntervalMs`, real time, first run at
 * start), deletes journal entries, decision-trail entries and finished callbacks older than
 * `CAMPAIGND_CALLLOG_RETENTION_DAYS` of engine time (store/retention.repository.ts), in chunks
 * with a yield to the event loop between them. Runs whether the engine is on or off.
 *
 * Issue #16: the same pass prunes the rule history — `agent_calls` (and `agent_exposure`) and
 * `contact_attempts` / `contact_locks` — but never within what the rules read: the answered
 * calls stay at least 30 days (the rolling abandon rate) and at least the abandon quiet period,
 * the contact attempts at least the longest rule-pack cap, contact cap or blocklist period, each
 * plus one day ({@link retentionFloors}); a longer retention keeps them longer.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { ABANDON_WINDOW_MS, DEFAULT_ABANDON_QUIET_MS } from '../domain/abandon.js';
import { longestPeriod, RULE_PACKS } from '../domain/rule-packs.js';
import type { Clock } from './clock.js';
import type { Db } from '../store/db.js';
import { pruneOlderThan, type Pruned } from '../store/retention.repository.js';

const CHUNK = 5000;
const DAY = 86_400_000;

/** How long the rule tables are kept at least, ms (whatever the retention). */
export interface RetentionFloors {
  /** `agent_calls`, `agent_exposure`: the 30-day abandon window and the quiet period. */
  agentCallsMs: number;
  /** `contact_attempts`, `contact_locks`: the longest counted contact limit. */
  contactsMs: number;
}

/** The floors with the default rules: 31 days for both (30-day window, 30-day packs, + 1 day). */
export const DEFAULT_RETENTION_FLOORS: RetentionFloors = {
  agentCallsMs: Math.max(ABANDON_WINDOW_MS, DEFAULT_ABANDON_QUIET_MS) + DAY,
  contactsMs: longestPeriod(Object.values(RULE_PACKS).flatMap((p) => p.caps)) + DAY,
};

/**
 * The floors for a configuration: answered calls ≥ max(30 days, CAMPAIGND_ABANDON_QUIET_HOURS)
 * + 1 day; contact attempts ≥ the longest cap of any rule pack (a campaign may name any),
 * of CAMPAIGND_CONTACT_CAPS, and the blocklist's day period, + 1 day.
 */
export function retentionFloors(config: Pick<Config, 'engine'>): RetentionFloors {
  const caps = [...config.engine.contactCaps.values()].flat();
  return {
    agentCallsMs: Math.max(ABANDON_WINDOW_MS, config.engine.agents.abandonQuietMs) + DAY,
    contactsMs: Math.max(DEFAULT_RETENTION_FLOORS.contactsMs - DAY, longestPeriod(caps), 2 * DAY) + DAY,
  };
}

const ZERO: Pruned = { callLogs: 0, trail: 0, callbacks: 0, agentCalls: 0, agentExposure: 0, contactAttempts: 0, contactLocks: 0 };

export class RetentionJob {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<Pruned> | null = null;

  /**
   * @param retentionMs age beyond which rows go (ms of engine time); 0 disables the job
   * @param floors the rule tables are kept at least this long (see {@link retentionFloors})
   */
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly retentionMs: number,
    private readonly intervalMs: number,
    private readonly log?: Logger,
    private readonly floors: RetentionFloors = DEFAULT_RETENTION_FLOORS,
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
    const total: Pruned = { ...ZERO };
    if (this.retentionMs <= 0) return total;
    const now = this.clock.now();
    const cutoff = now - this.retentionMs;
    const rules = { agentCalls: now - Math.max(this.retentionMs, this.floors.agentCallsMs), contacts: now - Math.max(this.retentionMs, this.floors.contactsMs) };
    for (;;) {
      const n = await pruneOlderThan(this.db, cutoff, CHUNK, rules);
      let full = false;
      for (const k of Object.keys(total) as Array<keyof Pruned>) {
        total[k] += n[k];
        if (n[k] >= CHUNK) full = true;
      }
      if (!full) break;
      await new Promise((r) => setImmediate(r));
    }
    if (Object.values(total).some((v) => v > 0)) this.log?.info({ ...total, cutoff, rules }, 'retention: old rows pruned');
    return total;
  }
}
