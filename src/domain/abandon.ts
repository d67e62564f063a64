/**
 * Abandon accounting for skill-queue (agent) campaigns.
 *
 * An *abandoned* call is a live-answered call for which no agent was free within the grace time
 * (2 s by default): the dialer is told to play the recorded message and release the call, the
 * attempt is recorded with OBS code {@link ABANDON_OBS_CODE}, and the number is not dialled again
 * within the quiet period (72 h by default).
 *
 * The abandon *rate* of a campaign is abandoned ÷ live-answered calls (an abandoned call is an
 * answered call too) over the last 30 days, or over the campaign's life if that is shorter.
 *
 * Sources (facts, not text): US 47 CFR § 64.1200(a)(7) — at most 3 % of calls answered by a
 * person, measured per campaign over a 30-day period, a recorded message within 2 s of the
 * greeting; UK Ofcom "persistent misuse" statement (2016) — an abandoned call counts, and a
 * number whose call was abandoned may not be called again within 72 h unless an agent is
 * guaranteed. Decision: the vendor's `01046` ("No agent could be seized") is the result code.
 */

/** The vendor OBS code an abandoned call is recorded with: "No agent could be seized." */
export const ABANDON_OBS_CODE = '01046';
/** Default grace between the answer and an agent taking the call (ms): 2 s. */
export const DEFAULT_ABANDON_GRACE_MS = 2_000;
/** Default quiet period after an abandoned call to a number (ms): 72 h. */
export const DEFAULT_ABANDON_QUIET_MS = 72 * 3_600_000;
/** Default abandon-rate target (a fraction): 3 %. */
export const DEFAULT_ABANDON_TARGET = 0.03;
/** The measurement window (ms): 30 days. */
export const ABANDON_WINDOW_MS = 30 * 86_400_000;

/**
 * Whether an answered call is abandoned: no agent took it within `graceMs` of the answer.
 * `agentAt` is the instant (epoch ms) an agent took it, or null if none did (yet).
 */
export function isAbandoned(answeredAt: number, agentAt: number | null, graceMs = DEFAULT_ABANDON_GRACE_MS): boolean {
  return agentAt === null || agentAt - answeredAt > graceMs;
}

/** The quiet-period dial gate: a number abandoned at `abandonedAt` may be dialled again only from the returned instant. */
export function quietUntil(abandonedAt: number, quietMs = DEFAULT_ABANDON_QUIET_MS): number {
  return abandonedAt + quietMs;
}

/**
 * Calls that may still be abandoned without the rate passing `target`:
 * ⌊target × answered⌋ − abandoned, never negative. `answered` should count only calls still
 * inside the window when the calls in progress resolve (see {@link AbandonLedger.headroom}).
 */
export function abandonHeadroom(target: number, answered: number, abandoned: number): number {
  return Math.max(0, Math.floor(target * answered + 1e-9) - abandoned);
}

interface Bucket {
  /** Start of the bucket (epoch ms, a multiple of the bucket size). */
  t: number;
  answered: number;
  abandoned: number;
  /** Totals of all buckets before this one (so a window sum is two look-ups). */
  answeredBefore: number;
  abandonedBefore: number;
}

/**
 * Rolling counts of live-answered and abandoned calls of one campaign, in buckets of
 * `bucketMs` (1 min by default), kept for the 30-day window. Instants must not go backwards by
 * more than one bucket (the engine's clock only moves forward).
 */
export class AbandonLedger {
  #buckets: Bucket[] = [];
  #answered = 0;
  #abandoned = 0;
  readonly #bucketMs: number;
  readonly #windowMs: number;

  constructor(opts: { bucketMs?: number; windowMs?: number } = {}) {
    this.#bucketMs = opts.bucketMs ?? 60_000;
    this.#windowMs = opts.windowMs ?? ABANDON_WINDOW_MS;
  }

  #bucket(at: number): Bucket {
    const t = Math.floor(at / this.#bucketMs) * this.#bucketMs;
    const last = this.#buckets[this.#buckets.length - 1];
    if (last && last.t >= t) return last;
    const b = { t, answered: 0, abandoned: 0, answeredBefore: this.#answered, abandonedBefore: this.#abandoned };
    this.#buckets.push(b);
    // Keep one window (plus a bucket) of history; drop in batches so pushes stay O(1) amortised.
    const oldest = this.#buckets[0]!;
    if (oldest.t < t - 2 * this.#windowMs) {
      const keep = this.#firstFrom(t - this.#windowMs - this.#bucketMs);
      this.#buckets = this.#buckets.slice(keep);
    }
    return b;
  }

  /** Index of the first bucket that ends after `from`. */
  #firstFrom(from: number): number {
    let lo = 0;
    let hi = this.#buckets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#buckets[mid]!.t + this.#bucketMs <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A live-answered call (connected or not) at `at`. */
  answered(at: number): void {
    this.#bucket(at).answered++;
    this.#answered++;
  }

  /** An answered call abandoned at `at` (call {@link answered} for it too, at its answer). */
  abandoned(at: number): void {
    this.#bucket(at).abandoned++;
    this.#abandoned++;
  }

  /** Sums over the buckets that end after `from`, up to now. */
  #sum(from: number): { answered: number; abandoned: number } {
    const first = this.#buckets[this.#firstFrom(from)];
    if (!first) return { answered: 0, abandoned: 0 };
    return { answered: this.#answered - first.answeredBefore, abandoned: this.#abandoned - first.abandonedBefore };
  }

  /** Answered and abandoned calls over the window ending at `now` (the life, if shorter), and their rate (0 with nothing answered). */
  window(now: number): { answered: number; abandoned: number; rate: number } {
    const s = this.#sum(now - this.#windowMs);
    return { ...s, rate: s.answered === 0 ? 0 : s.abandoned / s.answered };
  }

  /**
   * How many more calls may still be abandoned without the rate passing `target` in any window
   * ending within `horizonMs` of `now`: ⌊target × answered⌋ − abandoned, where answered is
   * counted only over the part of the window that is still inside it `horizonMs` later (answered
   * calls can only be added, so the bound holds) and abandoned over the whole window. Never negative.
   */
  headroom(now: number, target: number, horizonMs: number): number {
    const answered = this.#sum(now - this.#windowMs + horizonMs + this.#bucketMs).answered;
    const { abandoned } = this.#sum(now - this.#windowMs);
    return abandonHeadroom(target, answered, abandoned);
  }
}
