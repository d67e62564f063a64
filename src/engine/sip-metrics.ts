/**
 * Counters of the SIP dialer: prom-client metrics in the dialer's own `registry` (merged into the
 * server's `/metrics` by ops/metrics.ts), and `snapshot()` with plain numbers for tests.
 *
 * - responses: every SIP response campaignd received, by request method and status code
 *   (`campaignd_sip_responses_total{method="INVITE",status="486"}`);
 * - outcomes: finished calls by OBS fail code (`campaignd_sip_calls_total{fail_code="00537"}`);
 * - ring and talk durations in seconds (histograms): ring = INVITE sent → answer or end,
 *   talk = answer → end;
 * - calls in flight (gauge).
 */

import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Histogram bucket bounds, seconds. */
export const DURATION_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600];

export interface SipMetricsSnapshot {
  /** `"INVITE 486"` → count. */
  responses: Record<string, number>;
  /** OBS fail code → finished calls. */
  outcomes: Record<string, number>;
  inFlight: number;
  ringSeconds: { count: number; sum: number };
  talkSeconds: { count: number; sum: number };
}

export class SipMetrics {
  /** The dialer's Prometheus registry (ops/metrics.ts merges it into `/metrics`). */
  readonly registry = new Registry();
  readonly #responses = new Map<string, number>();
  readonly #outcomes = new Map<string, number>();
  readonly #ring = { count: 0, sum: 0 };
  readonly #talk = { count: 0, sum: 0 };
  readonly #responsesTotal = new Counter({
    name: 'campaignd_sip_responses_total',
    help: 'SIP responses received, by request method and status',
    labelNames: ['method', 'status'],
    registers: [this.registry],
  });
  readonly #callsTotal = new Counter({ name: 'campaignd_sip_calls_total', help: 'SIP calls finished, by OBS fail code', labelNames: ['fail_code'], registers: [this.registry] });
  readonly #inFlight = new Gauge({ name: 'campaignd_sip_calls_in_flight', help: 'SIP calls in progress', registers: [this.registry] });
  readonly #ringSeconds = new Histogram({
    name: 'campaignd_sip_ring_seconds',
    help: 'INVITE sent to answer or end, seconds',
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly #talkSeconds = new Histogram({
    name: 'campaignd_sip_talk_seconds',
    help: 'answer to end of answered calls, seconds',
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  #calls = 0;

  /** Calls in progress. */
  get inFlight(): number {
    return this.#calls;
  }

  set inFlight(n: number) {
    this.#calls = n;
    this.#inFlight.set(n);
  }

  response(method: string, status: number): void {
    const key = `${method} ${status}`;
    this.#responses.set(key, (this.#responses.get(key) ?? 0) + 1);
    this.#responsesTotal.inc({ method, status: String(status) });
  }

  /** A finished call: its OBS code and its durations in ms (`talkMs` null when never answered). */
  finished(failCode: string, ringMs: number, talkMs: number | null): void {
    this.#outcomes.set(failCode, (this.#outcomes.get(failCode) ?? 0) + 1);
    this.#callsTotal.inc({ fail_code: failCode });
    const observe = (h: { count: number; sum: number }, hist: Histogram, ms: number) => {
      if (!Number.isFinite(ms) || ms < 0) return;
      h.count++;
      h.sum += ms / 1000;
      hist.observe(ms / 1000);
    };
    observe(this.#ring, this.#ringSeconds, ringMs);
    if (talkMs !== null) observe(this.#talk, this.#talkSeconds, talkMs);
  }

  snapshot(): SipMetricsSnapshot {
    return {
      responses: Object.fromEntries(this.#responses),
      outcomes: Object.fromEntries(this.#outcomes),
      inFlight: this.#calls,
      ringSeconds: { ...this.#ring },
      talkSeconds: { ...this.#talk },
    };
  }
}
