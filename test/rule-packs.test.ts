/**
 * Jurisdiction rule packs, contact caps and canonical numbers (issue #7): the pure rules, the
 * configuration, and the engine holding call data and automatic reservations by them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { loadEngineConfig } from '../src/config/engine.js';
import { capGate, parseContactCaps } from '../src/domain/contact-caps.js';
import { canonicalNumber, numberTail, sameSubscriber } from '../src/domain/phone-numbers.js';
import { packGate, packHours, RULE_PACKS } from '../src/domain/rule-packs.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import { dispatchCountingContacts } from '../src/store/contact-safety.repository.js';
import { campaignBody, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;
const FR = RULE_PACKS.FR!;
const FL = RULE_PACKS['US-FL']!;
const US = RULE_PACKS.US!;

describe('canonical numbers', () => {
  test('one subscriber, several spellings; numbers that cannot be parsed compare as digits', () => {
    for (const n of ['13800000501', '8613800000501', '008613800000501', '+8613800000501', '+86 138-0000-0501']) {
      assert.equal(canonicalNumber(n, 'CN'), '+8613800000501', n);
      assert.equal(numberTail(n), '00000501', n);
    }
    assert.equal(canonicalNumber('0033612345678', 'CN'), '+33612345678');
    assert.equal(canonicalNumber('0612345678', 'FR'), '+33612345678');
    assert.ok(sameSubscriber('0612345678', '+33 6 12 34 56 78', 'FR'));
    assert.ok(!sameSubscriber('13800000501', '13800000502', 'CN'));
    assert.equal(canonicalNumber('*#', 'CN'), '');
  });
});

describe('rule packs (pure)', () => {
  const paris = (y: number, m: number, d: number, h: number, mi = 0) => Date.UTC(y, m - 1, d, h - 2, mi); // CEST in July
  test('FR: Mon–Fri 10:00–13:00 and 14:00–20:00 Europe/Paris, closed on weekends and French public holidays (date-holidays)', () => {
    assert.deepEqual(packHours(FR, paris(2027, 7, 14, 10, 30), 'UTC'), { open: false, opensAt: paris(2027, 7, 15, 10) }, '14 July is a public holiday');
    assert.deepEqual(packHours(FR, paris(2027, 7, 15, 12, 59), 'UTC'), { open: true });
    assert.deepEqual(packHours(FR, paris(2027, 7, 15, 13, 0), 'UTC'), { open: false, opensAt: paris(2027, 7, 15, 14) });
    assert.deepEqual(packHours(FR, paris(2027, 7, 15, 19, 59), 'UTC'), { open: true });
    assert.deepEqual(packHours(FR, paris(2027, 7, 16, 20, 0), 'UTC'), { open: false, opensAt: paris(2027, 7, 19, 10) }, 'Friday evening → Monday');
    // The pack's own zone wins over the campaign's: a campaign in Shanghai still calls French hours.
    assert.deepEqual(packHours(FR, paris(2027, 7, 15, 9, 0), 'Asia/Shanghai'), { open: false, opensAt: paris(2027, 7, 15, 10) });
  });

  test('US and US-FL hours in the campaign zone; caps per rolling period, with the instant they free up', () => {
    const ny = (h: number) => Date.UTC(2030, 0, 7, h + 5); // EST
    assert.deepEqual(packHours(US, ny(7), 'America/New_York'), { open: false, opensAt: ny(8) });
    assert.deepEqual(packHours(US, ny(20), 'America/New_York'), { open: true });
    assert.deepEqual(packHours(FL, ny(20), 'America/New_York'), { open: false, opensAt: ny(8) + DAY });
    const three = [ny(8), ny(9), ny(10)];
    const held = packGate(FL, ny(11), 'America/New_York', three);
    assert.deepEqual(held, { go: false, gate: 'rule-pack', until: ny(8) + DAY, reason: 'rule pack US-FL: at most 3 calls per 24 h to one number' });
    assert.deepEqual(packGate(FL, ny(11), 'America/New_York', three.slice(1)), { go: true });
    const fr = [1, 2, 3, 4].map((d) => Date.UTC(2030, 0, 7 + d, 9));
    const frHeld = packGate(FR, Date.UTC(2030, 0, 14, 9), 'UTC', fr);
    assert.equal(frHeld.go ? null : frHeld.until, fr[0]! + 30 * DAY);
  });

  test('contact caps: parsing, the VDN entry before *, the hold', () => {
    // a trailing ';' is tolerated
    assert.equal(parseContactCaps('1=2/24h;').size, 1);
    const caps = parseContactCaps('1=2/24h,5/30d; *=10/7d');
    assert.deepEqual([...caps.keys()], ['1', '*']);
    assert.deepEqual(
      caps.get('1')!.map((l) => [l.max, l.periodMs]),
      [
        [2, DAY],
        [5, 30 * DAY],
      ],
    );
    const g = capGate(caps.get('1')!, [0, HOUR], 2 * HOUR);
    assert.deepEqual(g, { go: false, gate: 'contact-cap', until: DAY, reason: 'contact cap of the VDN: at most 2 calls per 24h to one number' });
    for (const bad of ['1=2', '1=0/24h', 'x=2/24h', '1=2/24y', '99999=3/24h', '0=3/24h', '1=3/24h;1=1/24h', ';;', '1=3/24h;;*=1/1d'])
      assert.throws(() => parseContactCaps(bad), Error, bad);
  });

  test('configuration: unknown packs, regions and malformed caps stop the server with the variable named', () => {
    assert.throws(() => loadEngineConfig({ CAMPAIGND_RULE_PACK: 'XX' }), /CAMPAIGND_RULE_PACK/);
    assert.throws(() => loadEngineConfig({ CAMPAIGND_DEFAULT_REGION: 'ZZ' }), /CAMPAIGND_DEFAULT_REGION/);
    assert.throws(() => loadEngineConfig({ CAMPAIGND_CONTACT_CAPS: '1=two/24h' }), /CAMPAIGND_CONTACT_CAPS/);
    const c = loadEngineConfig({ CAMPAIGND_RULE_PACK: 'US-FL', CAMPAIGND_DEFAULT_REGION: 'FR' });
    assert.deepEqual([c.rulePack, c.defaultRegion], ['US-FL', 'FR']);
    assert.deepEqual([loadEngineConfig({}).rulePack, loadEngineConfig({}).defaultRegion], [null, 'CN']);
  });
});

async function ok(s: TestServer, method: string, path: string, body?: unknown) {
  const res = await s.client.request(method, path, body);
  const env = envelopeOf(res.body) as ReturnType<typeof envelopeOf> & { returnObject?: Record<string, unknown> };
  assert.equal(env.resultCode, '0200000', `${method} ${path}: ${res.raw}`);
  return env;
}

async function campaign(s: TestServer, extra: Record<string, unknown>, policyJson: string): Promise<number> {
  const begin = startOfUtcDay(s.clock.now());
  const id = Number(
    (await ok(s, 'POST', P(1), campaignBody({ strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 90 * DAY), scheduleParam: {}, ...extra }, begin)))
      .returnObject!.id,
  );
  await ok(s, 'POST', `${P(1)}/retryPolicy/${id}`, { policyType: 0, policyJson });
  return id;
}

async function addData(s: TestServer, campaignId: number, numbers: string[]): Promise<string[]> {
  const r = await ok(s, 'POST', `${P2(1)}/calldata/${campaignId}`, { callDataList: numbers.map((n, i) => ({ sessionId: `s-${n}-${i}`, called: [{ calledNo: n }] })) });
  return (r.returnObject as { dataIdList: Array<{ dataId: string | number }> }).dataIdList.map((d) => String(d.dataId));
}

const calls = async (s: TestServer, where: { campaignId?: number; tail?: string }) =>
  (await s.store.db.selectFrom('call_results').select(['created_at', 'called_no', 'campaign_id', 'reservation_id']).orderBy('id').execute()).filter(
    (r) => (where.campaignId === undefined || r.campaign_id === where.campaignId) && (where.tail === undefined || r.called_no.endsWith(where.tail)),
  );

describe('rule packs and contact caps in the engine', () => {
  test('FR pack: hours narrower than the campaign window, at most 4 calls per 30 days, reservations refused outside the hours', async () => {
    const s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00603:1' }, { clock: new ManualClock(Date.UTC(2030, 0, 7, 6)) });
    try {
      const cid = await campaign(s, { rulePack: 'FR', timeZone: 'Europe/Paris' }, '[{"type":0,"retryDay":30,"retryTimes":10}]');
      const [id] = await addData(s, cid, ['0612345678']);
      // A Saturday appointment is refused with the pack's rule; a Monday 11:00 one is taken.
      const sat = await s.client.request('POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '0611111111', taskId: String(cid), appointTime: Date.UTC(2030, 0, 12, 10) });
      assert.equal(envelopeOf(sat.body).resultCode, '04000001');
      assert.match(envelopeOf(sat.body).resultDesc, /rule pack FR/);
      await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '0622222222', taskId: String(cid), appointTime: Date.UTC(2030, 0, 7, 9, 2) });
      await s.client.request('POST', '/campaignd/v1/clock', { advanceMs: 40 * DAY });
      const data = await calls(s, { campaignId: cid, tail: '12345678' });
      assert.deepEqual(
        data.map((r) => new Date(Number(r.created_at)).toISOString().slice(0, 16)),
        ['2030-01-07T09:00', '2030-01-07T10:00', '2030-01-07T11:00', '2030-01-07T13:00'],
        '10:00, 11:00, 12:00, 14:00 Paris; then the 30-day cap, then the budget ends',
      );
      const trail = await s.store.db.selectFrom('engine_trail').select(['gate', 'detail']).where('data_id', '=', Number(id)).execute();
      assert.ok(trail.some((t) => t.gate === 'rule-pack' && /rule pack FR: outside its calling hours/.test(t.detail ?? '')));
      assert.ok(trail.some((t) => t.gate === 'rule-pack' && /rule pack FR: at most 4 calls per 30 days/.test(t.detail ?? '')));
      // The reservation due at 09:57 Paris waited for 10:00.
      const res = await calls(s, { tail: '22222222' });
      assert.deepEqual(
        res.map((r) => Number(r.created_at)),
        [Date.UTC(2030, 0, 7, 9)],
      );
    } finally {
      await s.stop();
    }
  });

  test('US-FL: call data and an automatic reservation share the 3-per-24 h cap; the cross-campaign contact cap counts every spelling', async () => {
    const s = await startTestServer(
      { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00603:1', CAMPAIGND_CONTACT_CAPS: '1=2/24h' },
      { clock: new ManualClock(Date.UTC(2030, 0, 7, 13)) },
    );
    try {
      const fl = await campaign(s, { rulePack: 'US-FL', timeZone: 'America/New_York' }, '[{"type":0,"retryDay":1,"retryTimes":10}]');
      await addData(s, fl, ['13800000901']);
      const r = await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '13800000901', taskId: String(fl), appointTime: Date.UTC(2030, 0, 7, 16, 5) });
      // Contact cap 2 per 24 h: two campaigns, three spellings of one subscriber.
      const a = await campaign(s, {}, '[{"type":0,"retryDay":1,"retryTimes":10}]');
      const b = await campaign(s, {}, '[{"type":0,"retryDay":1,"retryTimes":10}]');
      await addData(s, a, ['13800000902']);
      await addData(s, b, ['8613800000902']);
      await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '008613800000902', taskId: String(b), appointTime: Date.UTC(2030, 0, 7, 18) });
      await s.client.request('POST', '/campaignd/v1/clock', { advanceMs: 23 * HOUR });
      // US-FL's cap is 3, the VDN's contact cap 2: the tighter wins, and the reservation is held.
      const flCalls = await calls(s, { tail: '00000901' });
      assert.equal(flCalls.length, 2, JSON.stringify(flCalls));
      assert.ok(flCalls.every((c) => c.reservation_id === null));
      const held = await s.store.db.selectFrom('engine_trail').select(['gate']).where('reservation_id', '=', String(r.returnObject!.id)).execute();
      assert.ok(
        held.some((t) => t.gate === 'contact-cap' || t.gate === 'rule-pack'),
        JSON.stringify(held),
      );
      const capped = await calls(s, { tail: '00000902' });
      assert.equal(capped.length, 2, 'two calls to the subscriber across both campaigns and the reservation');
    } finally {
      await s.stop();
    }
  });

  test('campaign extension fields region and rulePack: checked, stored, echoed, cleared with none', async () => {
    const s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
    try {
      const body = (extra: Record<string, unknown>) => campaignBody({ scheduleParam: {}, ...extra });
      for (const [extra, code, field] of [
        [{ region: 'ZZ' }, '02000007', /region/],
        [{ region: 'fr' }, '02000002', /region/],
        [{ rulePack: 'DE' }, '02000007', /rulePack/],
      ] as const) {
        const env = envelopeOf((await s.client.request('POST', P(1), body(extra))).body);
        assert.equal(env.resultCode, code, JSON.stringify(env));
        assert.match(env.resultDesc, field);
      }
      const id = Number((await ok(s, 'POST', P(1), body({ region: 'FR', rulePack: 'US-FL' }))).returnObject!.id);
      const row = await s.store.db.selectFrom('campaigns').select(['region', 'rule_pack']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { region: 'FR', rule_pack: 'US-FL' });
      const got = await s.client.request('GET', `${P(1)}/${id}`);
      assert.match(got.raw, /"region":"FR"/);
      assert.match(got.raw, /"rulePack":"US-FL"/);
      const cleared = await s.client.request('PUT', `${P(1)}/${id}`, body({ rulePack: 'none', strBeginTime: undefined, strEndTime: undefined }));
      assert.equal(envelopeOf(cleared.body).resultCode, '0200000', cleared.raw);
      const after = await s.store.db.selectFrom('campaigns').select(['region', 'rule_pack']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.deepEqual(after, { region: 'FR', rule_pack: null }, 'none clears the pack; the region is kept when not sent');
    } finally {
      await s.stop();
    }
  });

  test('two concurrent dispatches cannot both take the last unit of a cap', async () => {
    const s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
    // A current instant: the server's retention pass (run at start) deletes contact attempts
    // older than its cutoff, and with an instant of 1970 it could delete the first attempt
    // between two of these dispatches (seen on PostgreSQL: two of three dispatched).
    const now = Date.now();
    try {
      const attempt = (callId: string) =>
        dispatchCountingContacts(s.store.db, {
          vdnId: 9,
          numberKey: '+8613800000999',
          campaignId: 1,
          dataId: null,
          reservationId: null,
          callId,
          now,
          lookbackMs: DAY,
          check: (callsAt) => capGate([{ max: 1, periodMs: DAY, label: '1 call per 24h' }], callsAt, now),
          mark: async () => true,
        });
      const outcomes = await Promise.all([attempt('a'), attempt('b'), attempt('c')]);
      assert.deepEqual(outcomes.map((o) => o.kind).sort(), ['dispatched', 'held', 'held']);
    } finally {
      await s.stop();
    }
  });
});
