/**
 * Property test (fast-check) of issue #7 against the real engine: random retry policies,
 * windows, campaign time zones around DST changes, rule packs (US, US-FL), pauses, clock jumps
 * and a blocklisted subscriber in another spelling. Whatever the run, no number is called
 * more often than its policy allows, no call falls outside its window or pack (checked by an
 * Intl oracle) or past `retryDay` local days, and the blocklisted subscriber is never dialled.
 * Few runs (each plays days of a campaign through the manual clock), a fixed seed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock } from '../src/engine/clock.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import { campaignBody, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

function oracle(ms: number, tz: string): { date: string; minute: number } {
  const p: Record<string, string> = {};
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return { date: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute) };
}
const dayNumber = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / DAY;

let s: TestServer;
before(async () => {
  // 2027-11-06 12:00 UTC: the US fall-back (11-07) lies inside the first runs.
  s = await startTestServer(
    { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00603:1', CAMPAIGND_RETRY_INTERVAL_SECONDS: '2700' },
    { clock: new ManualClock(Date.UTC(2027, 10, 6, 12)) },
  );
});
after(async () => s.stop());

async function ok(method: string, path: string, body?: unknown) {
  const res = await s.client.request(method, path, body);
  const env = envelopeOf(res.body) as ReturnType<typeof envelopeOf> & { returnObject?: Record<string, unknown> };
  assert.equal(env.resultCode, '0200000', `${method} ${path}: ${res.raw}`);
  return env;
}

const policyArb = fc.oneof(
  fc.record({ days: fc.integer({ min: 1, max: 3 }), times: fc.integer({ min: 1, max: 4 }) }).map((o) => ({ kind: 'ordinary' as const, ...o, bound: o.days * o.times })),
  fc.integer({ min: 0, max: 5 }).map((n) => ({ kind: 'by-result' as const, retries: n, bound: 1 + n })),
  fc.constant({ kind: 'none' as const, bound: 1 }),
);

let run = 0;
test('property (engine): attempt bound, windows, rule packs and blocklist hold in every run', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'UTC'),
      fc.uniqueArray(fc.integer({ min: 0, max: 47 }), { minLength: 0, maxLength: 4 }).map((e) => e.sort((a, b) => a - b).map((x) => x * 30)),
      policyArb,
      fc.constantFrom('86', '0086'),
      fc.tuple(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 1, max: 24 })),
      fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 3, maxLength: 8 }),
      fc.constantFrom<[string, number, number] | null>(null, ['US', 480, 1260], ['US-FL', 480, 1200]),
      async (tz, edges, policy, prefix, [pauseAt, pauseLen], jumps, pack) => {
        run++;
        const t0 = s.clock.now();
        const scheduleParam: Record<string, string> = {};
        const windows: Array<{ begin: number; end: number }> = [];
        for (let i = 0; i + 1 < edges.length; i += 2) {
          windows.push({ begin: edges[i]!, end: edges[i + 1]! });
          scheduleParam[`workdayBeginTime${windows.length}`] = hhmm(edges[i]!);
          scheduleParam[`workdayEndTime${windows.length}`] = hhmm(edges[i + 1]!);
        }
        const begin = startOfUtcDay(t0);
        const cid = Number(
          (
            await ok(
              'POST',
              P(1),
              campaignBody(
                { strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 90 * DAY), timeZone: tz, scheduleParam, ...(pack ? { rulePack: pack[0] } : {}) },
                begin,
              ),
            )
          ).returnObject!.id,
        );
        if (policy.kind === 'ordinary')
          await ok('POST', `${P(1)}/retryPolicy/${cid}`, { policyType: 0, policyJson: JSON.stringify([{ type: 0, retryDay: policy.days, retryTimes: policy.times }]) });
        if (policy.kind === 'by-result') {
          await ok('POST', `${P(1)}/retryPolicy/${cid}`, {
            policyType: 0,
            policyJson: JSON.stringify([{ type: 1, policy: [{ result: '00603', retryNumber: policy.retries, callInterval: 1800 }] }]),
          });
        }
        const blocked = `138${String(70000 + run).padStart(8, '0')}`;
        const r = await ok('POST', `${P2(1)}/calldata/${cid}`, {
          callDataList: [
            { sessionId: `a${run}`, called: [{ calledNo: `5559${String(run).padStart(3, '0')}` }] },
            { sessionId: `b${run}`, called: [{ calledNo: `${prefix}${blocked}` }] },
          ],
        });
        const ids = (r.returnObject as { dataIdList: Array<{ dataId: string | number }> }).dataIdList.map((d) => Number(d.dataId));
        await ok('POST', `${P(1)}/blocklist/add`, { blocklist: [blocked] });
        let paused = false;
        let resumed = false;
        for (const h of [...jumps, 24, 24, 24, 24]) {
          await ok('POST', '/campaignd/v1/clock', { advanceMs: h * HOUR });
          const elapsed = s.clock.now() - t0;
          if (!paused && elapsed >= pauseAt * HOUR) {
            await ok('PUT', `${P(1)}/${cid}/pause`);
            paused = true;
          } else if (paused && !resumed && elapsed >= (pauseAt + pauseLen) * HOUR) {
            await ok('PUT', `${P(1)}/${cid}/resume`);
            resumed = true;
          }
        }
        if (paused && !resumed) await ok('PUT', `${P(1)}/${cid}/resume`);
        await ok('POST', '/campaignd/v1/clock', { advanceMs: 4 * DAY });

        const rows = await s.store.db.selectFrom('call_results').select(['data_id', 'created_at']).where('campaign_id', '=', cid).orderBy('id').execute();
        assert.equal(rows.filter((x) => x.data_id === ids[1]).length, 0, 'the blocklisted subscriber was dialled');
        const times = rows.filter((x) => x.data_id === ids[0]).map((x) => Number(x.created_at));
        assert.ok(times.length >= 1 || windows.length > 0 || pack !== null, 'an always-open campaign dials its record');
        if (pack) {
          for (const t of times) {
            const m = oracle(t, tz).minute;
            assert.ok(m >= pack[1] && m < pack[2], `${new Date(t).toISOString()} outside rule pack ${pack[0]} in ${tz}`);
          }
          if (pack[0] === 'US-FL') for (const t of times) assert.ok(times.filter((u) => u <= t && u > t - DAY).length <= 3, 'US-FL: at most 3 calls per 24 h');
        }
        assert.ok(times.length <= policy.bound, `${times.length} attempts > bound ${policy.bound} (${JSON.stringify(policy)})`);
        for (const t of times) {
          const l = oracle(t, tz);
          if (windows.length > 0)
            assert.ok(
              windows.some((w) => l.minute >= w.begin && l.minute < w.end),
              `${new Date(t).toISOString()} = ${l.date} ${hhmm(l.minute)} ${tz}, outside ${JSON.stringify(windows)}`,
            );
        }
        if (policy.kind === 'ordinary' && times.length > 0) {
          const first = dayNumber(oracle(times[0]!, tz).date);
          const perDay = new Map<string, number>();
          for (const t of times) {
            const d = oracle(t, tz).date;
            perDay.set(d, (perDay.get(d) ?? 0) + 1);
            assert.ok(dayNumber(d) - first < policy.days, `call on ${d}, past retryDay ${policy.days}`);
          }
          for (const [d, n] of perDay) assert.ok(n <= policy.times, `${n} calls on ${d} > retryTimes ${policy.times}`);
        }
      },
    ),
    { numRuns: 5, seed: 7, endOnFailure: true },
  );
});
