/**
 * The SIP → OBS table (engine/sip-outcomes.ts) and the SIP dialer's configuration
 * (config/sip.ts). Pure functions: no SIP traffic here (see sip-dialer.test.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isKnownObsCode } from '../src/domain/obs-codes.js';
import { loadEngineConfig } from '../src/config/engine.js';
import { obsCodeForSipStatus, SIP_OBS_TABLE } from '../src/engine/sip-outcomes.js';
import { fillTemplate, sipUser } from '../src/engine/sip-uris.js';

describe('SIP final responses → OBS fail codes', () => {
  test('the rows issue #15 fixes', () => {
    const rows: Array<[number, string]> = [
      [200, '00000'],
      [202, '00000'],
      [486, '00537'],
      [600, '00537'],
      [603, '00604'],
      [480, '00603'],
      [408, '00603'],
      [487, '00603'],
      [404, '00538'],
      [484, '00538'],
      [410, '00538'],
      [604, '00538'],
      [503, '00605'],
      [500, '00605'],
      [502, '00605'],
      [606, '00604'],
      [403, '34606'],
      [401, '34606'],
      [407, '34606'],
      [488, '34606'],
      [302, '34606'],
    ];
    for (const [status, code] of rows) assert.equal(obsCodeForSipStatus(status), code, `SIP ${status}`);
  });

  test("a final of campaignd's own stack (timeout, connection failure) is never read as the number's fault", () => {
    for (const status of [404, 408, 480, 503]) assert.equal(obsCodeForSipStatus(status, true), '34606');
  });

  test('every status, final or not, maps to a known OBS code; only 2xx is success', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 2000 }), fc.boolean(), (status, local) => {
        const code = obsCodeForSipStatus(status, local);
        assert.ok(isKnownObsCode(code), `${status} → ${code}`);
        assert.equal(code === '00000', !local && status >= 200 && status < 300);
      }),
    );
  });

  test('the README table lists every code of the mapping', () => {
    const codes = new Set(SIP_OBS_TABLE.map(([, c]) => c));
    for (const c of ['00000', '00537', '00604', '00603', '00538', '00605', '34606']) assert.ok(codes.has(c), c);
  });
});

describe('numbers in SIP URIs', () => {
  test('the user part keeps + and digits, escapes what SIP does not allow, and decodes back to the value', () => {
    assert.equal(sipUser('+8613800000001'), '+8613800000001');
    assert.equal(sipUser('*21#'), '*21%23');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (v) => {
        const u = sipUser(v);
        assert.match(u, /^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-F]{2})*$/);
        assert.equal(decodeURIComponent(u), v);
      }),
    );
  });
});

describe('the transfer URI template', () => {
  test('fills fields, URI-escaped, and refuses a missing one', () => {
    assert.equal(fillTemplate('sip:{deviceSign}@pbx.example;user=phone', { deviceSign: '100' }), 'sip:100@pbx.example;user=phone');
    assert.equal(fillTemplate('sip:q{skillId}@pbx', { skillId: 7 }), 'sip:q7@pbx');
    assert.equal(fillTemplate('sip:{deviceSign}@pbx', { deviceSign: 'a b@c' }), 'sip:a%20b%40c@pbx');
    assert.equal(fillTemplate('sip:{deviceSign}@pbx', { skillId: 7 }), null);
    assert.equal(fillTemplate('sip:{deviceSign}@pbx', { deviceSign: '' }), null);
  });
});

describe('CAMPAIGND_DIALER=sip configuration', () => {
  const base = { CAMPAIGND_DIALER: 'sip', CAMPAIGND_SIP_TRUNK: 'sip:pbx.example:5080;transport=tcp', CAMPAIGND_SIP_BIND: '127.0.0.5' };

  test('a complete configuration', () => {
    const c = loadEngineConfig({
      ...base,
      CAMPAIGND_SIP_USER: 'u',
      CAMPAIGND_SIP_PASSWORD: 'p',
      CAMPAIGND_SIP_TRANSFER_URI: 'sip:{deviceSign}@pbx',
      CAMPAIGND_SIP_PORT: '0',
      CAMPAIGND_SIP_TALK_SECONDS: '2',
    });
    assert.equal(c.dialer, 'sip');
    assert.deepEqual(c.sip, {
      trunk: { host: 'pbx.example', port: 5080, transport: 'tcp' },
      tlsCa: undefined,
      credentials: { user: 'u', password: 'p' },
      transferUri: 'sip:{deviceSign}@pbx',
      talkMs: 2000,
      bind: { address: '127.0.0.5', port: 0 },
      publicAddress: '127.0.0.5',
    });
  });

  test('defaults: UDP, port 5060, 30 s talk time, no credentials', () => {
    const c = loadEngineConfig({ CAMPAIGND_DIALER: 'sip', CAMPAIGND_SIP_TRUNK: 'sip:10.1.2.3', CAMPAIGND_SIP_PUBLIC_ADDRESS: '10.1.2.4' });
    assert.deepEqual(c.sip?.trunk, { host: '10.1.2.3', port: 5060, transport: 'udp' });
    assert.equal(c.sip?.talkMs, 30_000);
    assert.equal(c.sip?.credentials, undefined);
    assert.deepEqual(c.sip?.bind, { address: '0.0.0.0', port: 5060 });
  });

  test('unusable values stop the start with the variable named', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ CAMPAIGND_DIALER: 'sip' }, /CAMPAIGND_SIP_TRUNK/],
      [{ ...base, CAMPAIGND_SIP_TRUNK: 'http://pbx' }, /CAMPAIGND_SIP_TRUNK/],
      [{ ...base, CAMPAIGND_SIP_TRUNK: 'sip:100@pbx' }, /CAMPAIGND_SIP_TRUNK/],
      [{ ...base, CAMPAIGND_SIP_TRUNK: 'sip:pbx;transport=sctp' }, /transport/],
      [{ ...base, CAMPAIGND_SIP_TLS_CA: '/nonexistent/ca.pem' }, /CAMPAIGND_SIP_TLS_CA: cannot read/],
      [{ ...base, CAMPAIGND_SIP_TLS_CA: new URL('./fixtures/sipp/mix.xml', import.meta.url).pathname }, /holds no PEM certificate/],
      [{ ...base, CAMPAIGND_SIP_USER: 'u' }, /CAMPAIGND_SIP_USER and CAMPAIGND_SIP_PASSWORD/],
      [{ ...base, CAMPAIGND_SIP_TRANSFER_URI: 'tel:100' }, /CAMPAIGND_SIP_TRANSFER_URI/],
      [{ ...base, CAMPAIGND_SIP_TRANSFER_URI: 'sip:{agent}@pbx' }, /unknown field \{agent\}/],
      [{ ...base, CAMPAIGND_SIP_BIND: 'localhost' }, /CAMPAIGND_SIP_BIND/],
      [{ ...base, CAMPAIGND_SIP_PORT: '70000' }, /CAMPAIGND_SIP_PORT/],
      [{ ...base, CAMPAIGND_SIP_TALK_SECONDS: '-1' }, /CAMPAIGND_SIP_TALK_SECONDS/],
      [{ ...base, CAMPAIGND_SIP_TRUNK: 'sip:127.0.0.5:5060' }, /must differ from the trunk's host/],
      [{ ...base, CAMPAIGND_ATTEMPT_LEASE_SECONDS: '150' }, /CAMPAIGND_ATTEMPT_LEASE_SECONDS must be at least 158/],
      [{ ...base, CAMPAIGND_SIP_TALK_SECONDS: '600' }, /CAMPAIGND_ATTEMPT_LEASE_SECONDS must be at least 728/],
    ];
    for (const [env, re] of bad) assert.throws(() => loadEngineConfig(env), re, JSON.stringify(env));
  });

  test('TLS: port 5061 by default, the CA file read at start', () => {
    const ca = new URL('./fixtures/sip-tls-cert.pem', import.meta.url).pathname;
    const c = loadEngineConfig({ ...base, CAMPAIGND_SIP_TRUNK: 'sip:pbx.example;transport=tls', CAMPAIGND_SIP_TLS_CA: ca });
    assert.deepEqual(c.sip?.trunk, { host: 'pbx.example', port: 5061, transport: 'tls' });
    assert.match(c.sip?.tlsCa ?? '', /BEGIN CERTIFICATE/);
  });

  test('other dialers carry no SIP settings', () => {
    assert.equal(loadEngineConfig({ CAMPAIGND_SIP_TRUNK: 'garbage' }).sip, undefined);
  });
});
