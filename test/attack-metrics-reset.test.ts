/**
 * Attack on issue #12's request metrics kept outside prom-client (ops/metrics.ts
 * `createRequestMetrics`): they must export what prom-client's own Counter and Histogram would
 * after any sequence of prom-client calls, `Registry.resetMetrics()` included (an operator or
 * a test resets a registry between runs). Found by this attack: after a reset, the histogram
 * lost every series already seen (its observations went to series no longer exported) and the
 * counter handed over increments made before the reset.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { createRequestMetrics } from '../src/ops/metrics.js';

describe('attack: request metrics across a registry reset', () => {
  test("the /metrics text equals prom-client's before and after resetMetrics()", async () => {
    const ours = new Registry();
    const observe = createRequestMetrics(ours).observeRequest;
    const theirs = new Registry();
    const requests = new Counter({
      name: 'campaignd_http_requests_total',
      help: 'HTTP requests answered, by route pattern, status and resultCode',
      labelNames: ['method', 'route', 'status', 'result'],
      registers: [theirs],
    });
    const latency = new Histogram({
      name: 'campaignd_http_request_duration_seconds',
      help: 'HTTP request latency in seconds, by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [theirs],
    });
    const both = (method: string, route: string, status: number, result: string, seconds: number) => {
      observe(method, route, status, result, seconds);
      requests.inc({ method, route, status: String(status), result });
      latency.observe({ method, route }, seconds);
    };
    both('POST', '/a', 200, '0200000', 0.002);
    both('GET', '/b', 404, '0200001', 0.02);
    assert.equal(await ours.metrics(), await theirs.metrics());
    // Observed, not yet scraped, then reset: gone on both sides.
    both('POST', '/a', 200, '0200000', 0.003);
    ours.resetMetrics();
    theirs.resetMetrics();
    assert.equal(await ours.metrics(), await theirs.metrics());
    // Series seen before the reset, and a new one, after it.
    both('POST', '/a', 200, '0200000', 0.004);
    both('POST', '/a', 401, '0200001', 0.5);
    both('GET', '/c', 200, '', 0.001);
    assert.equal(await ours.metrics(), await theirs.metrics());
    assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
  });
});
