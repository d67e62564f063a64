/**
 * Engine wake-ups after writes (issue #12), with the system clock: a write's notice carries the
 * instant its work falls due, and an engine wakes only when that is before its own next planned
 * pass. Two nodes on one store: node A (engine off) takes the requests, node B (engine on,
 * polling only every 60 s) must hear A's notices: through PostgreSQL's LISTEN/NOTIFY in the
 * PostgreSQL pass, through the process's local listeners on SQLite (one process, one file).
 * Real time passes here (tens of ms); the bounds leave room for a loaded machine, yet are far
 * below the 60 s poll, so a missed wake-up cannot pass.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOfUtcDay } from '../src/domain/time.js';
import { campaignBody, envelopeOf, P, startTestServer, tempDir, type TestServer } from './helpers.js';

const DAY = 86_400_000;
/** How late (ms) a wake-up may come on a loaded machine (typically a few ms); the poll is 60 s. */
const LATE_MS = 1000;

let a: TestServer;
let b: TestServer;
let campaignId: number;

before(async () => {
  const dir = tempDir();
  a = await startTestServer({ CAMPAIGND_ENGINE: 'off' }, { dir });
  b = await startTestServer({ CAMPAIGND_ENGINE_POLL_MS: '60000' }, { dir });
  const res = await a.client.request('POST', P(1), campaignBody({}, Date.now()));
  assert.equal(envelopeOf(res.body).resultCode, '0200000', res.raw);
  campaignId = Number((res.body as unknown as { returnObject: { id: number } }).returnObject.id);
  assert.ok(startOfUtcDay(Date.now()) <= Date.now());
});

after(async () => {
  await b?.stop();
  await a?.stop();
});

async function appoint(appointTime: number, calledNo: string): Promise<string> {
  const res = await a.client.request('POST', `${P(1)}/appoint/create`, { callType: 1, calledNo, userAccount: 'agent1', taskId: String(campaignId), appointTime });
  assert.equal(envelopeOf(res.body).resultCode, '0200000', res.raw);
  return String((res.body as unknown as { returnObject: { id: string } }).returnObject.id);
}

/**
 * Creates a reservation of `calledNo` due `inMs` from now; returns its appointTime. On a loaded
 * machine the request may reach the server after that instant (04000001): then again.
 */
async function appointSoon(inMs: number, calledNo: string): Promise<number> {
  for (let i = 0; ; i++) {
    const appointTime = Date.now() + inMs;
    const res = await a.client.request('POST', `${P(1)}/appoint/create`, { callType: 1, calledNo, userAccount: 'agent1', taskId: String(campaignId), appointTime });
    const code = envelopeOf(res.body).resultCode;
    if (code === '04000001' && i < 20) continue;
    assert.equal(code, '0200000', res.raw);
    return appointTime;
  }
}

/** Resolves with the real time at which node B reports the reservation of `calledNo` due. */
async function dueSeen(calledNo: string): Promise<number> {
  let at = 0;
  await b.engine!.events.waitFor(
    'reservation:due',
    (e) => {
      at = Date.now();
      return e.calledNo === calledNo;
    },
    30_000,
  );
  return at;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('reservations due tomorrow start no engine pass on any node', async () => {
  // Let the start-up passes settle.
  await sleep(300);
  let passes = 0;
  const off = b.engine!.events.on('tick:done', () => void passes++);
  try {
    for (let i = 0; i < 20; i++) await appoint(Date.now() + DAY + i * 1000, `555010${String(i).padStart(2, '0')}`);
    // Several in one group-committed batch (one transaction) too.
    await Promise.all(Array.from({ length: 10 }, (_, i) => appoint(Date.now() + DAY + i * 1000, `555020${i}`)));
    await sleep(300);
  } finally {
    off();
  }
  assert.equal(passes, 0, 'no engine pass for work due tomorrow');
});

test('a reservation due in 50 ms fires on time on the other node', async () => {
  const seen = dueSeen('55503001');
  const appointTime = await appointSoon(50, '55503001');
  const at = await seen;
  assert.ok(at >= appointTime, `not before its time (${at - appointTime} ms)`);
  assert.ok(at - appointTime <= LATE_MS, `due ${at - appointTime} ms after appointTime`);
});

test('an earlier due reservation wins over a later one created with it', async () => {
  const seen = dueSeen('55504002');
  // One batch: the later one first, then the earlier one (the batch's notice is the earliest).
  const [, appointTime] = await Promise.all([appoint(Date.now() + DAY, '55504001'), appointSoon(150, '55504002')]);
  const at = await seen;
  assert.ok(at - appointTime <= LATE_MS, `due ${at - appointTime} ms after appointTime`);
});

test('a reservation rescheduled from tomorrow to 100 ms from now fires on time', async () => {
  const id = await appoint(Date.now() + DAY, '55505001');
  await sleep(50);
  const seen = dueSeen('55505001');
  let appointTime = 0;
  for (let i = 0; ; i++) {
    appointTime = Date.now() + 100;
    const res = await a.client.request('POST', `${P(1)}/appoint/update`, { appointId: id, appointTime });
    // On a loaded machine the request may arrive after that instant: then again.
    if (envelopeOf(res.body).resultCode === '04000001' && i < 20) continue;
    assert.equal(envelopeOf(res.body).resultCode, '0200000', res.raw);
    break;
  }
  const at = await seen;
  assert.ok(at >= appointTime, `not before its time (${at - appointTime} ms)`);
  assert.ok(at - appointTime <= LATE_MS, `due ${at - appointTime} ms after appointTime`);
});
