/**
 * Attack on issue #12's signature verifier caches (auth/c2.ts: a kept Authorization head
 * remembers its signed header lines and canonical request; norm(body) goes to the HMAC through a
 * shared scratch buffer; the given signature is decoded into a shared 32-byte buffer). Every
 * verdict is compared with what a fresh verifier would say: the request as signed verifies,
 * anything else changed under the same head does not, whatever was verified in between.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTimestamp, precheck, sign, verify, verifyBody } from '../src/auth/c2.js';
import type { VerifyOptions } from '../src/auth/c2.js';
import { queryPairs } from '../src/auth/c2-sign.js';

const NOW = Date.UTC(2024, 5, 3, 10, 0, 0);
const TS = formatTimestamp(NOW - 1_000, 'seconds');
let secret = 'attack-Secret-1';
const lookupSecret = (ak: string) => (ak === 'akAttack' ? secret : undefined);

interface Req {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Signs `r` (headers signed in the given order) and returns verify's options for it as sent. */
function signed(r: Req, sk = secret): VerifyOptions {
  const q = r.url.indexOf('?');
  const s = sign({
    accessKey: 'akAttack',
    secretKey: sk,
    timestamp: TS,
    method: r.method,
    path: q < 0 ? r.url : r.url.slice(0, q),
    query: q < 0 ? undefined : (queryPairs(r.url.slice(q + 1)) ?? undefined),
    headers: r.headers,
    body: r.body,
  });
  return { authorization: s.authorization, method: r.method, rawUrl: r.url, headers: r.headers, body: r.body, nowMs: NOW, maxSkewMs: 900_000, lookupSecret };
}

const base: Req = {
  method: 'POST',
  url: '/rest/isales/v1/openapi/campaigns/1/appoint/create',
  headers: { host: 'h1:28080', 'content-type': 'application/json' },
  body: Buffer.from('{"calledNo":"138"}'),
};

/** Both verification paths (precheck + verifyBody, and verify). */
function verdict(o: VerifyOptions): boolean {
  const pre = precheck(o);
  const a = pre.ok ? verifyBody(pre, o).ok : false;
  assert.equal(verify(o).ok, a);
  return a;
}

describe('attack: the verifier caches', () => {
  test('a signature replayed under the same head with one thing changed fails, before and after the genuine request verified', () => {
    const ok = signed(base);
    const variants: Array<[string, VerifyOptions]> = [
      ['path', { ...ok, rawUrl: '/rest/isales/v1/openapi/campaigns/2/appoint/create' }],
      ['query added', { ...ok, rawUrl: `${base.url}?a=1` }],
      ['method', { ...ok, method: 'PUT' }],
      ['host value', { ...ok, headers: { ...base.headers, host: 'h2:28080' } }],
      ['host case', { ...ok, headers: { ...base.headers, host: 'H1:28080' } }],
      ['content-type whitespace', { ...ok, headers: { ...base.headers, 'content-type': 'application/json ' } }],
      ['duplicate host (array)', { ...ok, headers: { ...base.headers, host: ['h1:28080', 'h1:28080'] as unknown as string } }],
      ['body', { ...ok, body: Buffer.from('{"calledNo":"139"}') }],
      ['empty body', { ...ok, body: new Uint8Array(0) }],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [what, v] of variants) {
        assert.equal(verdict(v), false, `${what}, round ${round}`);
        assert.equal(verdict(ok), true, `genuine after ${what}, round ${round}`);
      }
    }
    // A case- or whitespace-variant header signed as sent verifies (the head is the same).
    for (const host of ['H1:28080', 'h1:28080,h1:28080']) {
      assert.equal(verdict(signed({ ...base, headers: { ...base.headers, host } })), true, host);
      assert.equal(verdict(ok), true);
    }
  });

  test('two clients sharing one AK and second, different hosts, interleaved between precheck and verifyBody', () => {
    const one = signed(base);
    const two = signed({ ...base, headers: { ...base.headers, host: 'h2:28080' }, body: Buffer.from('{"calledNo":"2"}') });
    // The same head (same AK, timestamp and signed names): the caches are shared.
    assert.equal(one.authorization!.slice(0, one.authorization!.lastIndexOf('/')), two.authorization!.slice(0, two.authorization!.lastIndexOf('/')));
    for (let i = 0; i < 4; i++) {
      const p1 = precheck(one);
      const p2 = precheck(two);
      assert.ok(p1.ok && p2.ok);
      if (!p1.ok || !p2.ok) return;
      // Each body verified against its own header lines, in either order, and crossed ones fail.
      const [first, second] = i % 2 === 0 ? [() => verifyBody(p1, one), () => verifyBody(p2, two)] : [() => verifyBody(p2, two), () => verifyBody(p1, one)];
      assert.equal(first().ok, true);
      assert.equal(second().ok, true);
      assert.equal(verifyBody(p1, two).ok, false);
      assert.equal(verifyBody(p2, one).ok, false);
      // A request with p1's header lines but two's signature fails (and is not remembered as good).
      assert.equal(verifyBody({ ...p1, signature: p2.signature }, one).ok, false);
    }
  });

  test('a verification that throws midway leaves nothing behind; a rotated secret is used at once', () => {
    const ok = signed(base);
    assert.equal(verdict(ok), true);
    const throwing = {
      ...ok,
      lookupSecret: () => {
        throw new Error('key store down');
      },
    };
    assert.throws(() => verify(throwing), /key store down/);
    assert.equal(verdict(ok), true);
    // Body of a non-Uint8Array shape is not what the server passes; a failed verification of a
    // wrong signature in the same head does not disturb the next one.
    assert.equal(verdict({ ...ok, authorization: ok.authorization!.replace(/.{64}$/, 'f'.repeat(64)) }), false);
    assert.equal(verdict(ok), true);
    const old = secret;
    try {
      secret = 'attack-Secret-2';
      assert.equal(verdict(ok), false, 'signed with the old secret');
      assert.equal(verdict(signed(base)), true, 'signed with the new secret');
    } finally {
      secret = old;
    }
    assert.equal(verdict(ok), true);
  });

  test('bodies of 0, 1, 1023-1025, 3072, 1 MiB bytes, all escaped or all kept, verify; a changed byte fails', () => {
    const escaped = (n: number) => Buffer.alloc(n, 0x2f); // '/' → %2F (3 bytes out per byte in)
    const kept = (n: number) => Buffer.alloc(n, 0x61);
    const mixed = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0xe4 : i % 3 === 1 ? 0x61 : 0x20)));
    for (const n of [0, 1, 2, 1022, 1023, 1024, 1025, 1026, 3071, 3072, 3073, 1024 * 1024]) {
      for (const [name, make] of [
        ['escaped', escaped],
        ['kept', kept],
        ['mixed', mixed],
      ] as const) {
        const body = make(n);
        const o = signed({ ...base, body });
        assert.equal(verdict(o), true, `${name} ${n}`);
        if (n === 0) continue;
        for (const at of [0, n - 1, n >> 1]) {
          const changed = Buffer.from(body);
          changed[at] = changed[at]! === 0x61 ? 0x62 : 0x61;
          assert.equal(verdict({ ...o, body: changed }), false, `${name} ${n}, byte ${at} changed`);
        }
        // One byte more or less.
        assert.equal(verdict({ ...o, body: body.subarray(0, n - 1) }), false, `${name} ${n}, one byte less`);
        assert.equal(verdict({ ...o, body: Buffer.concat([body, Buffer.from('a')]) }), false, `${name} ${n}, one byte more`);
      }
    }
  });
});
