/**
 * Counters of the SIP dialer, kept in memory for the metrics endpoint of issue #11 to expose:
 * `snapshot()` gives plain numbers, `toPrometheus()` the text exposition format (version 0.0.4).
 *
 * - responses: every SIP response campaignd received, by request method and status code
 *   (`campaignd_sip_responses_total{method="INVITE",status="486"}`);
 * - outcomes: finished calls by OBS fail code (`campaignd_sip_calls_total{fail_code="00537"}`);
 * - ring and talk durations in seconds (histograms): ring = INVITE sent → answer or end,
 *   talk = answer → end;
 * - calls in flight (gauge).
 */

/** Histogram bucket bounds, seconds. */
export const DURATION_BUCKETS = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600] as const;

class Histogram {
  readonly counts = DURATION_BUCKETS.map(() => 0);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.count++;
    this.sum += seconds;
    DURATION_BUCKETS.forEach((b, i) => {
      if (seconds <= b) this.counts[i]!++;
    });
  }

  lines(name: string): string[] {
    const out = DURATION_BUCKETS.map((b, i) => `${name}_bucket{le="${b}"} ${this.counts[i]}`);
    out.push(`${name}_bucket{le="+Inf"} ${this.count}`, `${name}_sum ${this.sum}`, `${name}_count ${this.count}`);
    return out;
  }
}

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
  readonly #responses = new Map<string, number>();
  readonly #outcomes = new Map<string, number>();
  readonly #ring = new Histogram();
  readonly #talk = new Histogram();
  inFlight = 0;

  response(method: string, status: number): void {
    const key = `${method} ${status}`;
    this.#responses.set(key, (this.#responses.get(key) ?? 0) + 1);
  }

  /** A finished call: its OBS code and its durations in ms (`talkMs` null when never answered). */
  finished(failCode: string, ringMs: number, talkMs: number | null): void {
    this.#outcomes.set(failCode, (this.#outcomes.get(failCode) ?? 0) + 1);
    this.#ring.observe(ringMs / 1000);
    if (talkMs !== null) this.#talk.observe(talkMs / 1000);
  }

  snapshot(): SipMetricsSnapshot {
    return {
      responses: Object.fromEntries(this.#responses),
      outcomes: Object.fromEntries(this.#outcomes),
      inFlight: this.inFlight,
      ringSeconds: { count: this.#ring.count, sum: this.#ring.sum },
      talkSeconds: { count: this.#talk.count, sum: this.#talk.sum },
    };
  }

  toPrometheus(): string {
    const lines = ['# HELP campaignd_sip_responses_total SIP responses received, by request method and status.', '# TYPE campaignd_sip_responses_total counter'];
    for (const [k, v] of this.#responses) {
      const [method, status] = k.split(' ');
      lines.push(`campaignd_sip_responses_total{method="${method}",status="${status}"} ${v}`);
    }
    lines.push('# HELP campaignd_sip_calls_total SIP calls finished, by OBS fail code.', '# TYPE campaignd_sip_calls_total counter');
    for (const [k, v] of this.#outcomes) lines.push(`campaignd_sip_calls_total{fail_code="${k}"} ${v}`);
    lines.push('# HELP campaignd_sip_calls_in_flight SIP calls in progress.', '# TYPE campaignd_sip_calls_in_flight gauge', `campaignd_sip_calls_in_flight ${this.inFlight}`);
    lines.push('# HELP campaignd_sip_ring_seconds INVITE sent to answer or end.', '# TYPE campaignd_sip_ring_seconds histogram', ...this.#ring.lines('campaignd_sip_ring_seconds'));
    lines.push('# HELP campaignd_sip_talk_seconds Answer to end of answered calls.', '# TYPE campaignd_sip_talk_seconds histogram', ...this.#talk.lines('campaignd_sip_talk_seconds'));
    return lines.join('\n') + '\n';
  }
}
