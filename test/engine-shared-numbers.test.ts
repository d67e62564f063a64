/**
 * Campaigns that share numbers, dialled in one pass (issue #12: on PostgreSQL up to
 * ROUNDS_AT_ONCE IVR rounds of different campaigns overlap; a slice waits for another slice of
 * the node that dials its numbers). Whatever overlaps, the VDN-wide limits per number hold: the
 * cross-campaign contact cap (CAMPAIGND_CONTACT_CAPS) and the blocklist's frequency limit. On
 * the manual clock, every number always unanswered (so every record keeps retrying).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { ROUNDS_AT_ONCE } from '../src/engine/call-data-worker.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import { campaignBody, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;

async function ok(s: TestServer, method: string, path: string, body?: unknown) {
  const res = await s.client.request(method, path, body);
  const env = envelopeOf(res.body) as ReturnType<typeof envelopeOf> & { returnObject?: Record<string, unknown> };
  assert.equal(env.resultCode, '0200000', `${method} ${path}: ${res.raw}`);
  return env;
}

test(`${ROUNDS_AT_ONCE + 2} campaigns dialling the same numbers: the contact cap and the blocklist frequency limit are never exceeded`, async () => {
  const start = Date.UTC(2030, 0, 7, 6);
  const s = await startTestServer(
    { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00603:1', CAMPAIGND_RETRY_INTERVAL_SECONDS: '300', CAMPAIGND_CONTACT_CAPS: '1=3/24h' },
    { clock: new ManualClock(start) },
  );
  try {
    const numbers = Array.from({ length: 8 }, (_, i) => String(5552001 + i));
    // Two numbers frequency-limited by the blocklist: one call per local (UTC) day.
    const limited = numbers.slice(0, 2);
    await ok(s, 'POST', `${P(1)}/blocklist/add`, { blocklist: limited, restrictTimes: 1, restrictPeriod: '1' });
    const begin = startOfUtcDay(start);
    const campaigns: number[] = [];
    for (let c = 0; c < ROUNDS_AT_ONCE + 2; c++) {
      const body = campaignBody(
        { strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 30 * DAY), scheduleParam: {}, ivrParam: { deviceSign: '100', callCount: 5, callInterval: 1 } },
        begin,
      );
      const id = Number((await ok(s, 'POST', P(1), body)).returnObject!.id);
      await ok(s, 'POST', `${P(1)}/retryPolicy/${id}`, { policyType: 0, policyJson: '[{"type":0,"retryDay":1,"retryTimes":10}]' });
      campaigns.push(id);
    }
    // Every campaign calls every number (each in another order), added before any is dialled.
    for (const [k, id] of campaigns.entries()) {
      const mine = [...numbers.slice(k % numbers.length), ...numbers.slice(0, k % numbers.length)];
      await ok(s, 'POST', `${P2(1)}/calldata/${id}`, { callDataList: mine.map((n, i) => ({ sessionId: `s-${id}-${i}`, called: [{ calledNo: n }] })) });
    }
    // 06:00 to 20:00 UTC, in steps: one local day, less than 24 h.
    for (let t = 0; t < 14 * HOUR; t += 20 * MIN) await ok(s, 'POST', '/campaignd/v1/clock', { advanceMs: 20 * MIN });
    const calls = await s.store.db.selectFrom('call_results').select(['called_no', 'campaign_id', 'created_at']).where('campaign_id', 'in', campaigns).execute();
    const per = new Map<string, number>();
    for (const c of calls) per.set(c.called_no, (per.get(c.called_no) ?? 0) + 1);
    const attempts = await s.store.db.selectFrom('contact_attempts').select(['number_key', 'campaign_id']).where('campaign_id', 'in', campaigns).execute();
    const perKey = new Map<string, number>();
    for (const a of attempts) perKey.set(a.number_key, (perKey.get(a.number_key) ?? 0) + 1);
    for (const n of numbers) {
      const bound = limited.includes(n) ? 1 : 3;
      assert.equal(per.get(n) ?? 0, bound, `${n}: ${per.get(n) ?? 0} calls (bound ${bound}); all: ${JSON.stringify([...per])}`);
    }
    assert.equal(
      [...perKey.values()].reduce((a, b) => a + b, 0),
      calls.length,
      'one recorded attempt per call',
    );
    assert.ok(
      [...perKey.values()].every((v) => v <= 3),
      JSON.stringify([...perKey]),
    );
  } finally {
    await s.stop();
  }
});
