/**
 * The predictive dialing controller: how many calls to start now for a skill queue.
 *
 * Method (published): the over-dial decision of Samuelson, "Predictive dialing for outbound
 * telephone call centers", Interfaces 29(5):66–81, 1999 — model the calls in progress as
 * independent trials answered with the measured probability p, estimate the agents who will be
 * free when those calls answer (free now, plus busy agents expected to finish within the answer
 * horizon, from the measured handle time), and dial the largest number n of calls in progress
 * whose expected excess of answered calls over available agents stays below the target share of
 * the expected answered calls:
 *
 *     E[(X − k)⁺] ≤ α · n · p,   X ~ Binomial(n, p),   k = free + busy · min(1, h / AHT)
 *
 * Adaptive part: α is the campaign's abandon-rate target scaled down as the measured rolling
 * rate nears it (full α up to half the target, none at 90 % of it), so the controller slows down
 * before the limit.
 *
 * Hard guard (our decision, what makes the bound provable): every call started beyond the
 * agents free now could, in the worst case, be abandoned. Calls are only started while
 *
 *     (calls in progress + answered calls waiting + new calls) − free agents ≤ headroom
 *
 * where headroom is what the abandon ledger still allows (abandon.ts). Every abandon uses one
 * unit of that worst case and every answer adds to the allowance, so abandoned ÷ answered never
 * passes the target: at the limit the controller dials only one call per free agent
 * (progressive), which can never abandon.
 */

/** What the controller reads at one decision. Times in seconds, rates as fractions. */
export interface PredictiveInput {
  /** Agents ready and not reserved. */
  freeAgents: number;
  /** Agents talking or in wrap-up. */
  busyAgents: number;
  /** Calls started and not yet answered or failed. */
  inFlight: number;
  /** Answered calls waiting for an agent (within the grace time). */
  waiting: number;
  /** Measured share of started calls answered by a person, (0, 1]. */
  answerRate: number;
  /** Measured mean handle time (talk + wrap-up), s. */
  meanHandleSeconds: number;
  /** Measured mean time from start to answer of answered calls, s. */
  meanAnswerSeconds: number;
  /** Grace before an answered call without an agent is abandoned, s. */
  graceSeconds: number;
  /** Abandon-rate target, e.g. 0.03. */
  target: number;
  /** Measured abandon rate over the rolling window. */
  measuredRate: number;
  /** Calls that may still be abandoned without passing the target (AbandonLedger.headroom). */
  headroom: number;
  /** Upper bound on calls started in one decision (CPS limits); default unbounded. */
  maxNew?: number;
}

export interface PredictiveDecision {
  /** Calls to start now (≥ 0). */
  dials: number;
  /** The α used (0 = progressive only). */
  alpha: number;
  /** Agents expected to be available within the answer horizon. */
  expectedAgents: number;
}

/** E[(X − k)⁺] for X ~ Binomial(n, p); k may be fractional. */
export function expectedExcess(n: number, p: number, k: number): number {
  if (n <= k) return 0;
  if (p >= 1) return Math.max(0, n - k);
  if (p <= 0) return 0;
  // pmf by recurrence from P(X = 0) = (1 − p)^n; fine for the n of a skill queue (≤ a few thousand).
  const q = 1 - p;
  let pmf = q ** n;
  let acc = 0;
  if (pmf === 0) {
    // Underflow for large n: fall back to the normal approximation of the excess.
    const mu = n * p;
    const sd = Math.sqrt(n * p * q);
    const z = (mu - k) / sd;
    const phi = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    const cdf = 0.5 * (1 + erf(z / Math.SQRT2));
    return Math.max(0, (mu - k) * cdf + sd * phi);
  }
  for (let x = 0; x <= n; x++) {
    if (x > k) acc += (x - k) * pmf;
    pmf = (pmf * (n - x) * p) / ((x + 1) * q);
  }
  return acc;
}

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26.
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

/** α for a measured rate: the full target up to half of it, then linearly down to 0 at 90 % of it. */
export function adaptiveAlpha(target: number, measuredRate: number): number {
  if (target <= 0) return 0;
  const lo = 0.5 * target;
  const hi = 0.9 * target;
  if (measuredRate <= lo) return target;
  if (measuredRate >= hi) return 0;
  return (target * (hi - measuredRate)) / (hi - lo);
}

/** The number of calls to start now (see the module comment for the method and the guard). */
export function predictiveDials(s: PredictiveInput): PredictiveDecision {
  const free = Math.max(0, Math.floor(s.freeAgents));
  const pending = Math.max(0, s.inFlight) + Math.max(0, s.waiting);
  // Progressive floor: one call in progress per free agent can never be abandoned.
  const floor = Math.max(0, free - pending);
  const maxNew = s.maxNew ?? Number.POSITIVE_INFINITY;
  const horizon = Math.max(0, s.meanAnswerSeconds) + Math.max(0, s.graceSeconds);
  const aht = Math.max(1, s.meanHandleSeconds);
  const expectedAgents = free + Math.max(0, s.busyAgents) * Math.min(1, horizon / aht);
  const alpha = adaptiveAlpha(s.target, s.measuredRate);
  const p = Math.min(1, Math.max(1e-3, s.answerRate));
  let dials = Math.min(floor, maxNew);
  if (alpha > 0 && p > 0) {
    // Worst-case guard: at most `headroom` calls beyond the free agents.
    const guardMax = Math.max(0, Math.floor(s.headroom) + free - pending);
    // Never keep more calls going than every agent could take at once, divided by p (bounds the search).
    const agents = free + Math.max(0, s.busyAgents);
    const searchMax = Math.ceil((agents + 1) / p) + 1;
    const upper = Math.min(guardMax, maxNew, Math.max(0, searchMax - pending));
    let d = dials;
    while (d < upper) {
      const n = pending + d + 1;
      // Waiting calls are answered already: they take agents first.
      const excess = expectedExcess(n - s.waiting, p, Math.max(0, expectedAgents - s.waiting));
      if (excess > alpha * (n - s.waiting) * p) break;
      d++;
    }
    dials = Math.max(dials, d);
  }
  return { dials, alpha, expectedAgents };
}
