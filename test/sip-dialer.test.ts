/**
 * The SIP dialer against real SIP software: SIPp (Debian sip-tester) plays the far end with the
 * scenarios in fixtures/sipp. The dialer runs on its own here (its settle sink collects the
 * outcome); sip-campaign.test.ts drives it through the engine and Kamailio.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DialOutcome } from '../src/engine/dialer.js';
import type { SipCallRecord } from '../src/engine/sip-call.js';
import { loadSipConfig } from '../src/config/sip.js';
import { SipDialer } from '../src/engine/sip-dialer.js';
import { CAMPAIGND_SIP_HOST, startSipp, type Peer } from './sip-helpers.js';

interface Placed {
  outcome: DialOutcome;
  record: SipCallRecord;
  dialer: SipDialer;
  sipp: { code: number | null; output: string };
  ms: number;
}

/** One call from a fresh SIP dialer to `peer`; resolves when it is settled and SIPp has finished. */
async function place(
  peer: Peer,
  opts: { env?: Record<string, string>; maxAlertingTime?: number; calledNo?: string; transport?: 'udp' | 'tcp'; target?: { deviceSign?: string }; waitForSipp?: boolean } = {},
): Promise<Placed> {
  const transport = opts.transport === 'tcp' ? ';transport=tcp' : '';
  const cfg = loadSipConfig(
    {
      CAMPAIGND_SIP_TRUNK: `sip:${peer.host}:${peer.port}${transport}`,
      CAMPAIGND_SIP_BIND: CAMPAIGND_SIP_HOST,
      CAMPAIGND_SIP_PORT: '0',
      CAMPAIGND_SIP_TALK_SECONDS: '1',
      ...opts.env,
    },
    'sip',
  )!;
  let record: SipCallRecord | undefined;
  const dialer = new SipDialer({ cfg, targetOf: async () => opts.target ?? { deviceSign: '100' }, record: async (r) => void (record = r) });
  const settled = new Promise<{ callId: string; vdnId: number; outcome: DialOutcome }>((resolve) =>
    dialer.attach(async (callId, vdnId, outcome) => (resolve({ callId, vdnId, outcome }), true)),
  );
  await dialer.open();
  const t0 = Date.now();
  const nowMs = Date.UTC(2030, 0, 7, 9);
  try {
    const r = await dialer.dial({
      callId: 'call-1',
      vdnId: 3,
      campaignId: 9,
      calledNo: opts.calledNo ?? '13800000001',
      callerNo: '4001001',
      attempt: 1,
      maxAlertingTime: opts.maxAlertingTime ?? 5,
      deviceType: 3,
      nowMs,
    });
    assert.equal(r.kind, 'accepted', 'the SIP dialer runs the call and settles it later');
    const s = await settled;
    const ms = Date.now() - t0;
    assert.equal(s.callId, 'call-1');
    assert.equal(s.vdnId, 3);
    assert.ok(record, 'the call record is written before the call is settled');
    assert.equal(record.inviteAt, nowMs, 'times are engine times: the dial time is the engine reading');
    const sipp = opts.waitForSipp === false ? { code: null, output: peer.output() } : await peer.exited;
    return { outcome: s.outcome, record, dialer, sipp, ms };
  } finally {
    await dialer.close();
    await peer.stop();
  }
}

function sippPassed(p: Placed): void {
  assert.equal(p.sipp.code, 0, `SIPp saw the call fail:\n${p.sipp.output}`);
}

describe('SIP dialer against SIPp', { concurrency: 4 }, () => {
  test('answered: ACK, held for the talk time, BYE; success with ring, answer and end times', async () => {
    const p = await place(await startSipp({ scenario: 'answer.xml', calls: 1, vars: { byevia: `${CAMPAIGND_SIP_HOST}` } }));
    sippPassed(p);
    const o = p.outcome;
    assert.equal(o.failCode, '00000');
    assert.ok(o.ackBeginTime !== null && o.callBeginTime !== null && o.callEndTime !== null);
    assert.ok(o.ackBeginTime <= o.callBeginTime, 'ringing before answer');
    const talk = o.callEndTime - o.callBeginTime;
    assert.ok(talk >= 950 && talk < 10_000, `talk time ~1 s, got ${talk} ms`);
    assert.equal(p.record.finalStatus, 200);
    assert.match(p.record.sipCallId, /^[0-9a-f]{20}@127\.0\.0\.3$/);
    const m = p.dialer.metrics.snapshot();
    assert.equal(m.responses['INVITE 180'], 1);
    assert.equal(m.responses['INVITE 200'], 1);
    assert.equal(m.responses['BYE 200'], 1);
    assert.deepEqual(m.outcomes, { '00000': 1 });
    assert.equal(m.inFlight, 0);
    assert.equal(m.talkSeconds.count, 1);
    assert.match(await p.dialer.metrics.registry.metrics(), /campaignd_sip_responses_total\{method="INVITE",status="200"\} 1/);
  });

  test('ringing without answer: CANCEL after maxAlertingTime, 487 → no answer (00603)', async () => {
    const p = await place(await startSipp({ scenario: 'ring.xml', calls: 1 }), { maxAlertingTime: 2 });
    sippPassed(p);
    assert.equal(p.outcome.failCode, '00603');
    assert.equal(p.outcome.callBeginTime, null);
    assert.ok(p.outcome.ackBeginTime !== null);
    assert.ok(p.ms >= 1900 && p.ms < 10_000, `cancelled after ~2 s, took ${p.ms} ms`);
    assert.equal(p.record.cancelled, true);
    assert.equal(p.record.finalStatus, 487);
    assert.equal(p.dialer.metrics.snapshot().responses['CANCEL 200'], 1);
  });

  for (const [code, reason, obs] of [
    ['486', 'Busy Here', '00537'],
    ['603', 'Decline', '00604'],
    ['404', 'Not Found', '00538'],
    ['480', 'Temporarily Unavailable', '00603'],
    ['503', 'Service Unavailable', '00605'],
  ] as const) {
    test(`${code} ${reason} → ${obs}, the SIP status kept`, async () => {
      const p = await place(await startSipp({ scenario: 'reject.xml', calls: 1, vars: { code, reason } }));
      sippPassed(p);
      assert.equal(p.outcome.failCode, obs);
      assert.equal(p.outcome.callBeginTime, null);
      assert.equal(p.record.finalStatus, Number(code));
      assert.equal(p.record.finalReason, reason);
      assert.equal(p.record.local, false);
      assert.equal(p.dialer.metrics.snapshot().responses[`INVITE ${code}`], 1);
    });
  }

  test('401 digest challenge: the INVITE again with credentials, answered', async () => {
    const vars = { code: '401', reason: 'Unauthorized', header: 'WWW-Authenticate' };
    const p = await place(await startSipp({ scenario: 'digest.xml', calls: 1, vars }), { env: { CAMPAIGND_SIP_USER: 'campaignd', CAMPAIGND_SIP_PASSWORD: 's3cret-pw' } });
    sippPassed(p);
    assert.equal(p.outcome.failCode, '00000');
    assert.equal(p.dialer.metrics.snapshot().responses['INVITE 401'], 1);
  });

  test('401 with wrong credentials: 403, the attempt failed (34606), no endless retry', async () => {
    const vars = { code: '401', reason: 'Unauthorized', header: 'WWW-Authenticate' };
    const p = await place(await startSipp({ scenario: 'digest.xml', calls: 1, vars }), { env: { CAMPAIGND_SIP_USER: 'campaignd', CAMPAIGND_SIP_PASSWORD: 'wrong' } });
    assert.equal(p.outcome.failCode, '34606');
    assert.equal(p.record.finalStatus, 403);
    assert.equal(p.dialer.metrics.snapshot().responses['INVITE 401'], 1, 'one challenge answered, not more');
  });

  test('401 without configured credentials: 34606', async () => {
    const vars = { code: '401', reason: 'Unauthorized', header: 'WWW-Authenticate' };
    const peer = await startSipp({ scenario: 'digest.xml', calls: 1, vars });
    const p = await place(peer, { waitForSipp: false });
    assert.equal(p.outcome.failCode, '34606');
    assert.equal(p.record.finalStatus, 401);
  });

  test('answered and handed off: REFER to the transfer URI filled with deviceSign, NOTIFY 200, BYE', async () => {
    const peer = await startSipp({ scenario: 'refer.xml', calls: 1, vars: { referto: 'sip:ivr-100@pbx\\.test' } });
    const p = await place(peer, { env: { CAMPAIGND_SIP_TRANSFER_URI: 'sip:ivr-{deviceSign}@pbx.test' }, target: { deviceSign: '100' } });
    sippPassed(p);
    assert.equal(p.outcome.failCode, '00000');
    assert.equal(p.record.transferUri, 'sip:ivr-100@pbx.test');
    assert.equal(p.record.transferStatus, 200);
    assert.equal(p.dialer.metrics.snapshot().responses['REFER 202'], 1);
  });

  test('answered but the REFER refused: hung up, 01056 (the customer never reached the target)', async () => {
    const p = await place(await startSipp({ scenario: 'refer-refused.xml', calls: 1 }), { env: { CAMPAIGND_SIP_TRANSFER_URI: 'sip:{deviceSign}@pbx.test' } });
    sippPassed(p);
    assert.equal(p.outcome.failCode, '01056');
    assert.ok(p.outcome.callBeginTime !== null, 'the call was answered');
    assert.equal(p.record.transferStatus, 603);
  });

  test('campaignd stopping while a call rings: CANCEL, settled as a failed attempt (34606), not as no answer', async () => {
    const peer = await startSipp({ scenario: 'ring.xml', calls: 1 });
    const cfg = loadSipConfig({ CAMPAIGND_SIP_TRUNK: `sip:${peer.host}:${peer.port}`, CAMPAIGND_SIP_BIND: CAMPAIGND_SIP_HOST, CAMPAIGND_SIP_PORT: '0' }, 'sip')!;
    const dialer = new SipDialer({ cfg, targetOf: async () => ({}) });
    const settled: DialOutcome[] = [];
    dialer.attach(async (_id, _vdn, o) => (settled.push(o), true));
    try {
      await dialer.open();
      await dialer.dial({
        callId: 'c-stop',
        vdnId: 1,
        campaignId: 1,
        calledNo: '13800000009',
        callerNo: '4001001',
        attempt: 1,
        maxAlertingTime: 60,
        deviceType: 3,
        nowMs: Date.now(),
      });
      const deadline = Date.now() + 15_000;
      while (!dialer.metrics.snapshot().responses['INVITE 180'] && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await dialer.close();
      assert.equal(settled.length, 1, 'close() returns once the call is settled');
      assert.equal(settled[0]!.failCode, '34606');
      assert.equal(dialer.metrics.snapshot().responses['CANCEL 200'], 1);
      const end = await peer.exited;
      assert.equal(end.code, 0, `SIPp got the CANCEL:\n${end.output}`);
    } finally {
      await dialer.close();
      await peer.stop();
    }
  });

  test('over TCP: answered and hung up', async () => {
    const p = await place(await startSipp({ scenario: 'answer.xml', calls: 1, transport: 'tcp', vars: { byevia: CAMPAIGND_SIP_HOST } }), { transport: 'tcp' });
    sippPassed(p);
    assert.equal(p.outcome.failCode, '00000');
  });

  test('a trunk that does not listen (TCP refused): 34606, never "number does not exist"', async () => {
    const peer = await startSipp({ scenario: 'answer.xml', calls: 1, vars: { byevia: '.' } });
    await peer.stop();
    const p = await place({ ...peer, exited: Promise.resolve({ code: null, output: '' }), stop: async () => {} }, { transport: 'tcp' });
    assert.equal(p.outcome.failCode, '34606');
    assert.equal(p.record.local, true);
  });
});
