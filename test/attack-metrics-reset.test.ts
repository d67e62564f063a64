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
import { Registry } from 'prom-client';
import { createRequestMetrics } from '../src/ops/metrics.js';
import { promClientRequestMetrics } from './http-fixtures.js';

describe('attack: request metrics across a registry reset', () => {
  test("the /metrics text equals prom-client's before and after resetMetrics()", async () => {
    const ours = new Registry();
    const observe = createRequestMetrics(ours).observeRequest;
    const theirs = new Registry();
    const reference = promClientRequestMetrics(theirs);
    const both = (method: string, route: string, status: number, result: string, seconds: number) => {
      observe(method, route, status, result, seconds);
      reference.observe(method, route, status, result, seconds);
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
