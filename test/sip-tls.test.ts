/**
 * The SIP dialer over TLS (`CAMPAIGND_SIP_TRUNK=…;transport=tls`): Kamailio terminates TLS with
 * the fixture certificate for 127.0.0.2 and relays to SIPp over UDP; campaignd trusts that
 * certificate through CAMPAIGND_SIP_TLS_CA, and refuses it without.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { DialOutcome } from '../src/engine/dialer.js';
import type { SipCallRecord } from '../src/engine/sip-call.js';
import { loadSipConfig } from '../src/config/sip.js';
import { SipDialer } from '../src/engine/sip-dialer.js';
import { CAMPAIGND_SIP_HOST, PROXY_HOST, SCENARIOS, startKamailio, startSipp } from './sip-helpers.js';

const fixtures = path.join(SCENARIOS, '..');
const cert = path.join(fixtures, 'sip-tls-cert.pem');
const key = path.join(fixtures, 'sip-tls-key.pem');

async function callOverTls(trustFixture: boolean) {
  const sipp = await startSipp({ scenario: 'answer.xml', calls: 1, vars: { byevia: PROXY_HOST.replaceAll('.', '\\.') } });
  const kamailio = await startKamailio(sipp, undefined, { cert, key });
  const cfg = loadSipConfig(
    {
      CAMPAIGND_SIP_TRUNK: `sip:${kamailio.host}:${kamailio.port};transport=tls`,
      ...(trustFixture ? { CAMPAIGND_SIP_TLS_CA: cert } : {}),
      CAMPAIGND_SIP_BIND: CAMPAIGND_SIP_HOST,
      CAMPAIGND_SIP_PORT: '0',
      CAMPAIGND_SIP_TALK_SECONDS: '1',
    },
    'sip',
  )!;
  let record: SipCallRecord | undefined;
  const dialer = new SipDialer({ cfg, targetOf: async () => ({}), record: async (r) => void (record = r) });
  const settled = new Promise<DialOutcome>((resolve) => dialer.attach(async (_id, _vdn, o) => (resolve(o), true)));
  try {
    await dialer.open();
    await dialer.dial({ callId: 'tls-1', vdnId: 1, campaignId: 1, calledNo: '13900005555', callerNo: '4001001', attempt: 1, maxAlertingTime: 5, deviceType: 3, nowMs: Date.now() });
    const outcome = await settled;
    const sippEnd = trustFixture ? await sipp.exited : null;
    return { outcome, record: record!, sippEnd, metrics: dialer.metrics.snapshot(), kamailio: kamailio.output() };
  } finally {
    await dialer.close();
    await sipp.stop();
    await kamailio.stop();
  }
}

describe('SIP over TLS', () => {
  test('through Kamailio over TLS: answered, BYE routed back through the proxy', async () => {
    const r = await callOverTls(true);
    assert.equal(r.outcome.failCode, '00000', r.kamailio.slice(-2000));
    assert.equal(r.sippEnd?.code, 0, r.sippEnd?.output);
    assert.equal(r.metrics.responses['BYE 200'], 1);
  });

  test('a trunk certificate campaignd does not trust: no call, the attempt failed (34606)', async () => {
    const r = await callOverTls(false);
    assert.equal(r.outcome.failCode, '34606');
    assert.equal(r.record.local, true);
    assert.deepEqual(r.metrics.responses, {}, 'nothing was received from the trunk');
  });
});
