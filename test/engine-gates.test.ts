/**
 * Dial-time gates through the real engine and the real counting query (README §"The engine",
 * 2 and 4): the blocklist's frequency-limited mode per hour and per local day, a blocklist entry
 * that expires, and automatic reservations: dialled outside the calling windows, timed out when
 * not carried out within the grace period (and then never dialled).
 *
 * 58100xx never answer (00603); every other number answers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../src/engine/clock.js';
import { campaignBody, P, startTestServer, type TestServer } from './helpers.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import { addData, advance, attemptTimes, campaign, DAY, HOUR, MIN, ok, results, SEC } from './engine-helpers.js';

const start = Date.UTC(2030, 5, 3, 9); // Monday 09:00 UTC
const scripts = Array.from({ length: 20 }, (_, i) => `58100${String(i).padStart(2, '0')}=00603`).join(';');
/** No answer is retried 5 times, 10 minutes apart. */
const RETRY_NA = { policyType: 0, policyJson: '[{"type":1,"policy":[{"result":"NA","retryNumber":5,"callInterval":600}]}]' };

type Trail = { state: string; decisions: Array<{ at: number; kind: string; gate: string | null; until: number | null }> };

describe('the blocklist at dial time', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1', CAMPAIGND_SIM_SCRIPTS: scripts }, { clock: new ManualClock(start) });
    await ok(s, 'POST', `${P(1)}/createObResult`, { resultCode: 'NA', displayResult: 'no answer', obsCodes: ['00603'] });
  });
  after(async () => s.stop());
  const trail = async (cid: number, dataId: string) => (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/calldata/${dataId}/trail`)).returnObject as unknown as Trail;

  test('restrictTimes 2 per hour: the third attempt in an hour waits for the next whole hour', async () => {
    await advance(s, Date.UTC(2030, 5, 3, 9) - s.clock.now());
    const cid = await campaign(s);
    await ok(s, 'POST', `${P(1)}/retryPolicy/${cid}`, RETRY_NA);
    const [id] = await addData(s, cid, ['5810001']);
    await ok(s, 'POST', `${P(1)}/blocklist/add`, { blocklist: ['5810001'], restrictTimes: 2, restrictPeriod: '0' });
    await advance(s, 6 * HOUR);
    const h = (hh: number, mm: number) => Date.UTC(2030, 5, 3, hh, mm);
    assert.deepEqual(await attemptTimes(s, '5810001'), [h(9, 0), h(9, 10), h(10, 0), h(10, 10), h(11, 0), h(11, 10)]);
    const held = (await trail(cid, id!)).decisions.filter((d) => d.kind === 'skipped').map((d) => [d.gate, d.at, d.until]);
    assert.deepEqual(held, [
      ['blocklist', h(9, 20), h(10, 0)],
      ['blocklist', h(10, 20), h(11, 0)],
    ]);
  });

  test('restrictTimes 1 per day: one attempt per local day, the next at local midnight', async () => {
    const d0 = Date.UTC(2030, 5, 10, 9); // the next Monday, 09:00 UTC
    await advance(s, d0 - s.clock.now());
    const cid = await campaign(s);
    await ok(s, 'POST', `${P(1)}/retryPolicy/${cid}`, { policyType: 0, policyJson: '[{"type":1,"policy":[{"result":"NA","retryNumber":3,"callInterval":600}]}]' });
    await addData(s, cid, ['5810002']);
    await ok(s, 'POST', `${P(1)}/blocklist/add`, { blocklist: ['5810002'], restrictTimes: 1, restrictPeriod: '1' });
    await advance(s, 5 * DAY);
    const midnight = (n: number) => Date.UTC(2030, 5, 10 + n);
    assert.deepEqual(await attemptTimes(s, '5810002'), [d0, midnight(1), midnight(2), midnight(3)]);
  });

  test('the limit counts every call to the number in the VDN, from any record and campaign', async () => {
    const d0 = s.clock.now();
    const a = await campaign(s);
    const b = await campaign(s);
    await addData(s, a, ['5840010']);
    await addData(s, b, ['5840010']);
    await ok(s, 'POST', `${P(1)}/blocklist/add`, { blocklist: ['5840010'], restrictTimes: 1, restrictPeriod: '0' });
    await advance(s, 2 * HOUR);
    const nextHour = Math.floor(d0 / HOUR) * HOUR + HOUR;
    assert.deepEqual(await attemptTimes(s, '5840010'), [d0, nextHour]);
  });

  test('an entry that expires holds the number until the expiry instant, then it is dialled', async () => {
    const t0 = s.clock.now();
    const cid = await campaign(s);
    const [id] = await addData(s, cid, ['5840011']);
    await ok(s, 'POST', `${P(1)}/blocklist/add`, { blocklist: ['5840011'], validityTime: 2 });
    await advance(s, DAY);
    assert.deepEqual(await attemptTimes(s, '5840011'), [t0 + 2 * HOUR]);
    const first = (await trail(cid, id!)).decisions[0]!;
    assert.deepEqual([first.kind, first.gate, first.at, first.until], ['skipped', 'blocklist', t0, t0 + 2 * HOUR]);
  });
});

describe('campaign state, recycleTime and special dates at dial time', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1' }, { clock: new ManualClock(start) });
  });
  after(async () => s.stop());
  const trail = async (cid: number, dataId: string) => (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/calldata/${dataId}/trail`)).returnObject as unknown as Trail;

  test('a campaign not started yet holds its records until strBeginTime, then dials them', async () => {
    const tomorrow = Date.UTC(2030, 5, 4);
    const body = campaignBody({ strBeginTime: formatDateTime(tomorrow), strEndTime: formatDateTime(tomorrow + 30 * DAY), scheduleParam: {} }, s.clock.now());
    const cid = Number((await ok(s, 'POST', P(1), body)).returnObject!.id);
    await addData(s, cid, ['5880101']);
    await advance(s, 2 * DAY);
    assert.deepEqual(await attemptTimes(s, '5880101'), [tomorrow]);
  });

  test('an expired campaign never dials what it still holds', async () => {
    const now = s.clock.now();
    // Open 09:00–10:00 only, ending today at 23:00; the record comes after today's window.
    const body = campaignBody(
      {
        strBeginTime: formatDateTime(startOfUtcDay(now)),
        strEndTime: formatDateTime(startOfUtcDay(now) + 23 * HOUR),
        scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '10:00' },
      },
      now,
    );
    const cid = Number((await ok(s, 'POST', P(1), body)).returnObject!.id);
    await advance(s, startOfUtcDay(now) + 11 * HOUR - now);
    await addData(s, cid, ['5880102']);
    await advance(s, 3 * DAY);
    assert.deepEqual(await results(s, { calledNo: '5880102' }), []);
    const progress = (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/progress`)).returnObject!;
    assert.deepEqual([progress.state, progress.status], ['expired', 4]);
  });

  test('a record past its recycleTime is finished without a call (gate recycle-time)', async () => {
    const now = s.clock.now();
    const cid = await campaign(s, { scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '10:00' } });
    const day = startOfUtcDay(now) + DAY;
    // Loaded after today's window; recycled at 08:00 tomorrow, before the next window opens.
    const r = await ok(s, 'POST', `${P(1)}/calldata/${cid}`, { callDataList: [{ called: '5880103', recycleTime: formatDateTime(day + 8 * HOUR) }] });
    const dataId = String((r.returnObject as unknown as { dataIdList: Array<{ dataId: number }> }).dataIdList[0]!.dataId);
    await advance(s, 2 * DAY);
    assert.deepEqual(await results(s, { calledNo: '5880103' }), []);
    const t = await trail(cid, dataId);
    assert.equal(t.state, 'done');
    assert.deepEqual(
      t.decisions.map((d) => [d.kind, d.gate]),
      [
        ['skipped', 'calling-window'],
        ['finished', 'recycle-time'],
      ],
    );
    assert.equal(t.decisions[1]!.at, day + 9 * HOUR, 'found at the window opening, after its recycleTime');
  });

  test('on a special date the holiday windows apply; a special date without holiday windows is closed', async () => {
    const now = s.clock.now();
    const today = startOfUtcDay(now);
    const ymd = (ms: number) => formatDateTime(ms).slice(0, 10);
    const withHoliday = await campaign(s, { scheduleParam: { workdayBeginTime1: '00:00', workdayEndTime1: '23:59', holidayBeginTime1: '14:00', holidayEndTime1: '15:00' } });
    await ok(s, 'POST', `${P(1)}/holiday/${withHoliday}`, { name: 'Today', type: 2, beginTime: ymd(today), endTime: ymd(today) });
    const closed = await campaign(s, { scheduleParam: { workdayBeginTime1: '00:00', workdayEndTime1: '23:59' } });
    await ok(s, 'POST', `${P(1)}/holiday/${closed}`, { name: 'Today', type: 2, beginTime: ymd(today), endTime: ymd(today) });
    await addData(s, withHoliday, ['5880104']);
    await addData(s, closed, ['5880105']);
    await advance(s, 2 * DAY);
    assert.deepEqual(await attemptTimes(s, '5880104'), [Math.max(now, today + 14 * HOUR)]);
    assert.deepEqual(await attemptTimes(s, '5880105'), [today + DAY], 'the next (ordinary) day opens at 00:00');
  });
});

describe('automatic reservations', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00000:1' }, { clock: new ManualClock(start) });
  });
  after(async () => s.stop());
  const reservation = (id: string) => s.store.db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  test('dialled at appointTime − 5 min even outside the calling windows (the customer chose the time)', async () => {
    const cid = await campaign(s, { scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '10:00' } });
    const appointTime = Date.UTC(2030, 5, 3, 20, 5);
    const r = await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '5870001', taskId: String(cid), appointTime });
    await advance(s, appointTime - s.clock.now() + HOUR);
    assert.deepEqual(await attemptTimes(s, '5870001'), [Date.UTC(2030, 5, 3, 20, 0)]);
    assert.equal((await reservation(String(r.returnObject!.id))).state, 'done');
  });

  test('not carried out within CAMPAIGND_APPOINT_GRACE_SECONDS (campaign suspended): timeout at appointTime + 30 min, never dialled after', async () => {
    const cid = await campaign(s);
    const appointTime = s.clock.now() + HOUR;
    const r = await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '5870002', taskId: String(cid), appointTime });
    const id = String(r.returnObject!.id);
    await ok(s, 'PUT', `${P(1)}/${cid}/pause`);
    const timedOut = s.engine!.events.waitFor('reservation:timeout');
    await advance(s, appointTime + 30 * MIN - SEC - s.clock.now());
    const before = await reservation(id);
    assert.deepEqual([before.state, before.timeout], ['pending', 0], 'one second before the grace ends');
    await advance(s, SEC);
    const ev = await timedOut;
    assert.equal(ev.reservationId, id);
    const at = await reservation(id);
    assert.deepEqual([at.state, at.timeout, Number(at.updated_at)], ['timeout', 1, appointTime + 30 * MIN]);
    await ok(s, 'PUT', `${P(1)}/${cid}/resume`);
    await advance(s, DAY);
    assert.deepEqual(await results(s, { calledNo: '5870002' }), [], 'a timed-out automatic reservation is never dialled');
  });

  test('blocklisted at dial time: held, then timed out at the end of the grace period', async () => {
    const cid = await campaign(s);
    const appointTime = s.clock.now() + HOUR;
    const r = await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '5870003', taskId: String(cid), appointTime });
    const id = String(r.returnObject!.id);
    await ok(s, 'POST', `${P(1)}/blocklist/add`, { blocklist: ['5870003'] });
    await advance(s, 2 * HOUR);
    const row = await reservation(id);
    assert.deepEqual([row.state, row.timeout], ['timeout', 1]);
    assert.deepEqual(await results(s, { calledNo: '5870003' }), []);
    const trail = await s.store.db.selectFrom('engine_trail').select(['kind', 'gate', 'at']).where('reservation_id', '=', id).orderBy('id').execute();
    assert.deepEqual(
      trail.map((t) => [t.kind, t.gate, Number(t.at)]),
      [
        ['skipped', 'blocklist', appointTime - 5 * MIN],
        ['timeout', null, appointTime + 30 * MIN],
      ],
    );
  });
});
