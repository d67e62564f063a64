/** Dial-time gates as pure rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchGate, blocklistGate, campaignGate, delayGate, firstHold, periodStart, recycleGate, windowGate } from '../src/domain/gates.js';

const H = 3600_000;
const t0 = Date.UTC(2026, 0, 14, 10, 30);

test('campaign state: suspended and expired hold without end, not-started until the begin', () => {
  assert.deepEqual(campaignGate({ beginTime: t0 - H, endTime: t0 + H, suspended: false }, t0), { go: true });
  assert.equal((campaignGate({ beginTime: t0 - H, endTime: t0 + H, suspended: true }, t0) as { gate: string }).gate, 'campaign-state');
  const ns = campaignGate({ beginTime: t0 + H, endTime: t0 + 2 * H, suspended: false }, t0);
  assert.deepEqual(ns.go ? null : [ns.gate, ns.until], ['campaign-state', t0 + H]);
  const ex = campaignGate({ beginTime: t0 - 2 * H, endTime: t0, suspended: false }, t0);
  assert.deepEqual(ex.go ? null : [ex.gate, ex.until], ['validity', null]);
});

test('batch, recycle time and number delay', () => {
  assert.deepEqual(batchGate(1), { go: true });
  assert.deepEqual(batchGate(null), { go: true });
  assert.equal(batchGate(2).go, false);
  assert.equal(recycleGate(t0, t0).go, false);
  assert.deepEqual(recycleGate(t0 + 1, t0), { go: true });
  assert.deepEqual(recycleGate(null, t0), { go: true });
  const d = delayGate(t0 + 5000, t0);
  assert.deepEqual(d.go ? null : d.until, t0 + 5000);
  assert.deepEqual(delayGate(t0, t0), { go: true });
});

test('blocklist: permanent, expiring, expired, and the frequency-limited mode', () => {
  assert.deepEqual(blocklistGate(undefined, 0, t0, 'UTC'), { go: true });
  const perm = blocklistGate({ expiresAt: null, restrictTimes: null, restrictPeriod: null }, 0, t0, 'UTC');
  assert.deepEqual(perm.go ? null : [perm.gate, perm.until], ['blocklist', null]);
  const until = blocklistGate({ expiresAt: t0 + H, restrictTimes: null, restrictPeriod: null }, 0, t0, 'UTC');
  assert.deepEqual(until.go ? null : until.until, t0 + H);
  assert.deepEqual(blocklistGate({ expiresAt: t0, restrictTimes: null, restrictPeriod: null }, 0, t0, 'UTC'), { go: true });
  const hourly = { expiresAt: null, restrictTimes: 2, restrictPeriod: '0' };
  assert.deepEqual(blocklistGate(hourly, 1, t0, 'UTC'), { go: true });
  const full = blocklistGate(hourly, 2, t0, 'UTC');
  assert.deepEqual(full.go ? null : full.until, Date.UTC(2026, 0, 14, 11));
  const daily = blocklistGate({ expiresAt: null, restrictTimes: 1, restrictPeriod: '1' }, 1, t0, 'Asia/Shanghai');
  // 10:30 UTC is 18:30 in Shanghai: the next local midnight is 16:00 UTC.
  assert.deepEqual(daily.go ? null : daily.until, Date.UTC(2026, 0, 14, 16));
  assert.deepEqual(periodStart('1', t0, 'Asia/Shanghai').start, Date.UTC(2026, 0, 13, 16));
});

test('calling-window gate and the first hold', () => {
  const windows = { workday: [{ begin: 12 * 60, end: 13 * 60 }], holiday: [] };
  const w = windowGate(t0, 'UTC', windows, () => false);
  assert.deepEqual(w.go ? null : [w.gate, w.until], ['calling-window', Date.UTC(2026, 0, 14, 12)]);
  const first = firstHold({ go: true }, batchGate(2), w);
  assert.equal(first.go ? null : first.gate, 'batch-paused');
  assert.deepEqual(firstHold({ go: true }), { go: true });
});
