/**
 * The SIP dialer inside campaignd: the real server with CAMPAIGND_DIALER=sip dials call data of a
 * campaign through SIPp, once directly (200 records, mixed outcomes, the CPS cap) and once
 * through Kamailio as a digest-challenging (407), record-routing proxy.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Envelope } from '../src/client/index.js';
import { campaignBody, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';
import { CAMPAIGND_SIP_HOST, PROXY_HOST, startKamailio, startSipp, type Peer } from './sip-helpers.js';

const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;

async function ok(s: TestServer, method: string, path: string, body?: unknown) {
  const res = await s.client.request(method, path, body);
  const env = envelopeOf(res.body);
  assert.equal(env.resultCode, '0200000', `${method} ${path}: ${res.raw}`);
  return res.body as unknown as Envelope & { returnObject: Record<string, unknown> };
}

function sipEnv(trunk: Peer, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CAMPAIGND_DIALER: 'sip',
    CAMPAIGND_SIP_TRUNK: `sip:${trunk.host}:${trunk.port}`,
    CAMPAIGND_SIP_BIND: CAMPAIGND_SIP_HOST,
    CAMPAIGND_SIP_PORT: '0',
    CAMPAIGND_SIP_TALK_SECONDS: '1',
    CAMPAIGND_ENGINE_POLL_MS: '100',
    CAMPAIGND_CALLDATA_MAX: '200',
    ...extra,
  };
}

/** A campaign open all day, calling up to `callCount` numbers per round with no pause between rounds. */
async function campaign(s: TestServer, callCount: number): Promise<number> {
  const body = campaignBody({ scheduleParam: {}, maxAlertingTime: 10, ivrParam: { deviceSign: '100', callCount, callInterval: 0 } });
  return Number((await ok(s, 'POST', P(1), body)).returnObject.id);
}

async function waitForResults(s: TestServer, campaignId: number, n: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await s.store.db.selectFrom('call_results').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute();
    if (rows.length >= n || Date.now() > deadline) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('campaignd dialling over SIP', () => {
  const cleanup: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  test('a campaign of 200 records against SIPp: each dialled once, outcomes mapped, CPS cap held', async () => {
    const sipp = await startSipp({ scenario: 'mix.xml', calls: 200 });
    cleanup.push(() => sipp.stop());
    const maxCps = 25;
    const s = await startTestServer(sipEnv(sipp, { CAMPAIGND_MAX_CPS: String(maxCps) }));
    cleanup.push(() => s.stop());
    const cid = await campaign(s, 100);
    const numbers = Array.from({ length: 200 }, (_, i) => `1390000${String(i).padStart(4, '0')}`);
    await ok(s, 'POST', `${P2(1)}/calldata/${cid}`, { callDataList: numbers.map((n) => ({ sessionId: `s${n}`, called: [{ calledNo: n }] })) });

    const rows = await waitForResults(s, cid, 200, 60_000);
    assert.equal(rows.length, 200, 'every record has its result');
    const sippEnd = await sipp.exited;
    // SIPp's own count: 200 calls reached it (it stops taking calls after its 200th, -m 200).
    assert.match(sippEnd.output, /Incoming calls created\s*\|\s*\d+\s*\|\s*200\s/, sippEnd.output);

    // Each record dialled exactly once.
    assert.equal(new Set(rows.map((r) => r.data_id)).size, 200);
    assert.deepEqual(rows.map((r) => r.called_no).sort(), [...numbers].sort());

    // Outcomes mapped by the far end's answer (the number's last digit in mix.xml).
    const expected: Record<string, string> = {
      '0': '00000',
      '1': '00000',
      '2': '00000',
      '3': '00000',
      '4': '00000',
      '5': '00537',
      '6': '00537',
      '7': '00604',
      '8': '00538',
      '9': '00603',
    };
    for (const r of rows) assert.equal(r.fail_code, expected[r.called_no.at(-1)!], `${r.called_no} → ${r.fail_code}`);
    const answered = rows.filter((r) => r.fail_code === '00000');
    assert.equal(answered.length, 100);
    for (const r of answered) {
      assert.equal(r.call_status, 6);
      assert.ok(r.call_begin_time !== null && r.call_end_time !== null && Number(r.call_end_time) - Number(r.call_begin_time) >= 900, 'answer and end times, ~1 s apart');
    }
    for (const r of rows.filter((x) => x.fail_code !== '00000')) {
      assert.equal(r.call_status, 5);
      assert.equal(r.call_begin_time, null);
    }

    // The CPS cap: INVITEs per second of engine time never above CAMPAIGND_MAX_CPS.
    const sips = await s.store.db.selectFrom('sip_calls').selectAll().where('campaign_id', '=', cid).execute();
    assert.equal(sips.length, 200, 'one SIP call per attempt');
    assert.equal(new Set(sips.map((x) => x.sip_call_id)).size, 200);
    const perSecond = new Map<number, number>();
    for (const x of sips) perSecond.set(Math.floor(Number(x.invite_at) / 1000), (perSecond.get(Math.floor(Number(x.invite_at) / 1000)) ?? 0) + 1);
    assert.ok(Math.max(...perSecond.values()) <= maxCps, `at most ${maxCps} INVITEs a second, got ${JSON.stringify([...perSecond])}`);
    assert.ok(perSecond.size >= 200 / maxCps, 'spread over at least 8 seconds');

    // The CDR fields of callresult, and the SIP side through the extension.
    const one = answered[0]!;
    const detail = await ok(s, 'GET', `${P(1)}/callresultdetail/${one.call_id}`);
    const d = (detail as unknown as { data: unknown }).data as { ackBeginTime: string | null; callBeginTime: string | null; callEndTime: string | null; failCode: string };
    assert.equal(d.failCode, '00000');
    assert.ok(d.ackBeginTime && d.callBeginTime && d.callEndTime);
    const sip = (await ok(s, 'GET', `/campaignd/v1/campaigns/1/calls/${one.call_id}/sip`)).returnObject;
    assert.equal(sip.sipStatus, 200);
    assert.match(String(sip.sipCallId), /@127\.0\.0\.3$/);
    assert.equal(sip.answerTimeMs, Number(one.call_begin_time));
    const busy = rows.find((r) => r.fail_code === '00537')!;
    const busySip = (await ok(s, 'GET', `/campaignd/v1/campaigns/1/calls/${busy.call_id}/sip`)).returnObject;
    assert.equal(busySip.sipStatus, 486);
    assert.equal(busySip.sipReason, 'Busy Here');
    const unknown = await s.client.request('GET', '/campaignd/v1/campaigns/1/calls/nope/sip');
    assert.equal(envelopeOf(unknown.body).resultCode, '0200001');

    // Metrics the operability work (#11) exposes.
    const metrics = (s.engine!.dialer as import('../src/engine/sip-dialer.js').SipDialer).metrics.snapshot();
    assert.equal(metrics.responses['INVITE 486'], 40);
    assert.equal(metrics.responses['INVITE 603'], 20);
    assert.equal(metrics.outcomes['00000'], 100);
    assert.equal(metrics.inFlight, 0);
  });

  test('an automatic reservation is dialled over SIP and its result written to the reservation', async () => {
    const sipp = await startSipp({ scenario: 'reject.xml', calls: 1, vars: { code: '486', reason: 'Busy Here' } });
    cleanup.push(() => sipp.stop());
    const s = await startTestServer(sipEnv(sipp));
    cleanup.push(() => s.stop());
    const cid = await campaign(s, 10);
    // Due at appointTime − 5 min, i.e. about a second from now.
    const r = await ok(s, 'POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '13900007777', taskId: String(cid), appointTime: Date.now() + 301_000 });
    const id = String(r.returnObject.id);
    const deadline = Date.now() + 30_000;
    let row = await s.store.db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    while (row.state !== 'done' && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      row = await s.store.db.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    }
    assert.equal(row.state, 'done');
    assert.equal(row.fail_code, '00537');
    const end = await sipp.exited;
    assert.equal(end.code, 0, end.output);
  });

  test('through Kamailio: 407 challenge answered with digest credentials, dialog routed via the proxy', async () => {
    const sipp = await startSipp({ scenario: 'answer.xml', calls: 1, vars: { byevia: PROXY_HOST.replaceAll('.', '\\.') } });
    cleanup.push(() => sipp.stop());
    const kamailio = await startKamailio(sipp, { realm: 'kamailio.test', user: 'campaignd', password: 's3cret-pw' });
    cleanup.push(() => kamailio.stop());
    const s = await startTestServer(sipEnv(kamailio, { CAMPAIGND_SIP_USER: 'campaignd', CAMPAIGND_SIP_PASSWORD: 's3cret-pw' }));
    cleanup.push(() => s.stop());
    const cid = await campaign(s, 10);
    await ok(s, 'POST', `${P2(1)}/calldata/${cid}`, { callDataList: [{ sessionId: 'k1', called: [{ calledNo: '13900001234' }] }] });
    const rows = await waitForResults(s, cid, 1, 30_000);
    assert.equal(rows.length, 1, `one result; kamailio said:\n${kamailio.output().slice(-2000)}`);
    assert.equal(rows[0]!.fail_code, '00000');
    const end = await sipp.exited;
    assert.equal(end.code, 0, `SIPp got the call through Kamailio, and the BYE with Kamailio's Via on top:\n${end.output}`);
    const metrics = (s.engine!.dialer as import('../src/engine/sip-dialer.js').SipDialer).metrics.snapshot();
    assert.equal(metrics.responses['INVITE 407'], 1);
    assert.equal(metrics.responses['INVITE 200'], 1);
  });
});
