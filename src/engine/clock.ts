/**
 * The engine clock. Everything that asks "what time is it" (validation of appointTime,
 * campaign states, signature skew, scheduling) asks a `Clock`, and SQL receives that time as a
 * parameter, so a manual clock moves the whole system consistently (STYLE.md guideline 7).
 */
export interface Clock {
  now(): number;
  readonly kind: 'system' | 'manual';
}

export const systemClock: Clock = {
  kind: 'system',
  now: () => Date.now(),
};

/**
 * The latest instant the manual clock may show: 9999-12-31 23:59:59.999 UTC, the last moment the
 * vendor's `yyyy-MM-dd HH:mm:ss` times can express (epoch ms).
 */
export const LATEST_CLOCK_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A clock that stands still until told to move. */
export class ManualClock implements Clock {
  readonly kind = 'manual' as const;
  #now: number;
  readonly #persist?: (ms: number) => Promise<void>;

  /** `persist` is called after every move, so the reading survives a restart. */
  constructor(startMs: number = Date.now(), persist?: (ms: number) => Promise<void>) {
    this.#now = startMs;
    this.#persist = persist;
  }

  /** Waits until the last move is stored. */
  async flush(): Promise<void> {
    await this.#pending;
  }

  #pending: Promise<void> = Promise.resolve();

  #moved(): void {
    if (this.#persist) {
      const ms = this.#now;
      this.#pending = this.#pending.then(() => this.#persist!(ms)).catch(() => {});
    }
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance needs a finite, non-negative number of ms');
    this.#now += ms;
    this.#moved();
    return this.#now;
  }

  /**
   * Takes a reading another node stored and announced (several nodes on one PostgreSQL
   * database share one manual clock); not stored again. The clock only moves forward, so an
   * older reading (this node's own, announced late) changes nothing.
   */
  observe(ms: number): void {
    if (Number.isFinite(ms) && ms > this.#now) this.#now = ms;
  }

  set(ms: number): number {
    if (!Number.isFinite(ms)) throw new RangeError('set needs a finite epoch ms');
    this.#now = ms;
    this.#moved();
    return this.#now;
  }
}
