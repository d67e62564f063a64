import fc from 'fast-check';
import { parseQuery } from '../src/auth/query.js';
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { authStringPrefix, canonicalRequest, formatTimestamp, norm, parseAuthorization, parseTimestamp, precheck, sign, signingKey, verify, verifyBody } from '../src/auth/c2.js';
import type { CanonicalInput, VerifyOptions } from '../src/auth/c2.js';
import { deriveSigningKey, queryPairs, signCanonical, signRequest } from '../src/auth/c2-sign.js';
import { readFileSync } from 'node:fs';

// Common inputs of reference/auth-c2.md §5.
const AK = 'demoAK0001';
const SK = 'demoSK-NotARealSecret-42';
const TS = '2024-05-01T08:30:00Z';
const TS_MS = '2024-05-01T08:30:00.123Z';
const PING = '/rest/cmsapp/v1/ping';
const CMS_HOST = 'cms.example.com:28443';
const BODY = '{"say":"Hello world!"}';
const NORM_BODY = '%7B%22say%22%3A%22Hello%20world%21%22%7D';
const KEY_A = '1dbd49954dcf0a6d2dfa0a22028de4f1e9a3fbc8614a753537b8177f93956517';

describe('§5 test vectors', () => {
  test('A: signedHeaders = host', () => {
    const r = sign({ accessKey: AK, secretKey: SK, timestamp: TS, method: 'POST', path: PING, headers: { host: CMS_HOST }, body: BODY });
    assert.equal(authStringPrefix(AK, TS, ['host']), 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/host');
    assert.equal(r.canonicalRequest, ['POST', PING, 'host', 'host:cms.example.com%3A28443', NORM_BODY].join('\n'));
    assert.equal(r.signingKey, KEY_A);
    assert.equal(r.signature, 'e9c9fb1a9a64168d16f81e458af25bdcb00066ca9631783c5934852f193fdc69');
    assert.equal(r.authorization, 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/host/e9c9fb1a9a64168d16f81e458af25bdcb00066ca9631783c5934852f193fdc69');
  });

  test('B: signedHeaders = content-length;content-type;host', () => {
    const headers = { host: CMS_HOST, 'content-type': 'application/json;charset=UTF-8', 'content-length': '22' };
    const r = sign({ accessKey: AK, secretKey: SK, timestamp: TS, method: 'POST', path: PING, headers, body: BODY });
    assert.equal(authStringPrefix(AK, TS, Object.keys(headers)), 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/content-length;content-type;host');
    assert.equal(
      r.canonicalRequest,
      ['POST', PING, 'content-length;content-type;host', 'content-length:22', 'content-type:application%2Fjson%3Bcharset%3DUTF-8', 'host:cms.example.com%3A28443', NORM_BODY].join(
        '\n',
      ),
    );
    assert.equal(r.signingKey, '33dcd4ca4c4ec83c4f27b9336e66e40f97968a26454a9c3f42ec62041c9700c3');
    assert.equal(r.signature, '1bc9d5620be5be1df8870a93621fec3e0666bf6e8935bc292a5e4718b87cde95');
    assert.equal(r.authorization, `auth-v2/demoAK0001/2024-05-01T08:30:00Z/content-length;content-type;host/${r.signature}`);
  });

  test('C: GET with query, signedHeaders = host', () => {
    const input = {
      method: 'GET',
      path: '/rest/isales/v1/openapi/campaigns/1/list',
      query: [
        ['pageSize', '10'],
        ['name', 'a b/c'],
        ['empty', ''],
      ] as const,
      headers: { host: 'isales.example.com:28443' },
    };
    const expectedCr = 'GET\n/rest/isales/v1/openapi/campaigns/1/list\nempty=&name=a%20b%2Fc&pageSize=10\nhost\nhost:isales.example.com%3A28443\n';
    assert.equal(canonicalRequest(input), expectedCr);
    const r = sign({ accessKey: AK, secretKey: SK, timestamp: TS, ...input });
    assert.equal(r.canonicalRequest, expectedCr);
    assert.equal(r.signingKey, KEY_A);
    assert.equal(r.signature, 'c7e46c495bdecd9d9842e7c0377e2d314c19e18cbdfaa19f1c97300187039463');
    assert.equal(r.authorization, `auth-v2/demoAK0001/2024-05-01T08:30:00Z/host/${r.signature}`);
  });

  test('D: as A with a millisecond timestamp', () => {
    const r = sign({ accessKey: AK, secretKey: SK, timestamp: TS_MS, method: 'POST', path: PING, headers: { host: CMS_HOST }, body: BODY });
    assert.equal(r.canonicalRequest, ['POST', PING, 'host', 'host:cms.example.com%3A28443', NORM_BODY].join('\n'));
    assert.equal(signingKey(SK, 'auth-v2/demoAK0001/2024-05-01T08:30:00.123Z/host'), '2f1fbf64f1f43f416abef2faf47015fae43362b68dbb0d42e25fa770b8b6e839');
    assert.equal(r.signingKey, '2f1fbf64f1f43f416abef2faf47015fae43362b68dbb0d42e25fa770b8b6e839');
    assert.equal(r.authorization, 'auth-v2/demoAK0001/2024-05-01T08:30:00.123Z/host/3f03039952f5e3cce2c6c6bc71b39396ea8a45229ca48c4a686549897cf65703');
  });

  test('a byte body signs like the same string', () => {
    const s = sign({ accessKey: AK, secretKey: SK, timestamp: TS, method: 'post', path: PING, headers: { Host: CMS_HOST }, body: Buffer.from(BODY) });
    assert.equal(s.signature, 'e9c9fb1a9a64168d16f81e458af25bdcb00066ca9631783c5934852f193fdc69');
  });
});

describe('norm (§3.2)', () => {
  const table: Array<[string, string]> = [
    ['a b', 'a%20b'],
    ['a+b', 'a%2Bb'],
    ['~-._', '~-._'],
    ['cms.example.com:28443', 'cms.example.com%3A28443'],
    ['application/json;charset=UTF-8', 'application%2Fjson%3Bcharset%3DUTF-8'],
    ['ç', '%C3%A7'],
    ['中', '%E4%B8%AD'],
    ['/:;=&+*{}", ', '%2F%3A%3B%3D%26%2B%2A%7B%7D%22%2C%20'],
    ['', ''],
    ['AZaz09', 'AZaz09'],
  ];
  for (const [input, expected] of table) {
    test(JSON.stringify(input), () => assert.equal(norm(input), expected));
  }

  test('raw bytes are encoded as given, even when not valid UTF-8', () => {
    assert.equal(norm(new Uint8Array([0x00, 0x41, 0xff, 0xc3])), '%00A%FF%C3');
    assert.equal(norm(new Uint8Array([0x41, 0x7e])), 'A~');
  });

  test('every byte value round-trips', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const encoded = norm(all);
    const back = Buffer.from(
      encoded.replace(/%([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    );
    assert.deepEqual(new Uint8Array(back), all);
    // 66 unreserved bytes stay as they are; the other 190 become %XX.
    assert.equal(encoded.length, 66 + 190 * 3);
  });

  test('a 1 MiB body stays fast', () => {
    const big = Buffer.alloc(1 << 20, 0x7b);
    const t0 = performance.now();
    const out = norm(big);
    assert.equal(out.length, 3 << 20);
    assert.ok(performance.now() - t0 < 1000);
  });
});

describe('timestamps (§3.1)', () => {
  const t = Date.UTC(2024, 4, 1, 8, 30, 0, 123);
  test('format', () => {
    assert.equal(formatTimestamp(t, 'seconds'), TS);
    assert.equal(formatTimestamp(t, 'millis'), TS_MS);
  });
  test('parse both forms', () => {
    assert.equal(parseTimestamp(TS), Date.UTC(2024, 4, 1, 8, 30, 0));
    assert.equal(parseTimestamp(TS_MS), t);
    assert.equal(parseTimestamp('2024-02-29T23:59:59Z'), Date.UTC(2024, 1, 29, 23, 59, 59));
  });
  for (const bad of [
    '2024-05-01 08:30:00Z',
    '2024-05-01T08:30:00',
    '2024-05-01T08:30:00+00:00',
    '2024-05-01T08:30:00.12Z',
    '2024-05-01T08:30:00.1234Z',
    '2024-5-1T08:30:00Z',
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-00-10T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T08:60:00Z',
    '2024-05-01T08:30:60Z',
    ' 2024-05-01T08:30:00Z',
    '1714552200',
    '',
  ]) {
    test(`reject ${JSON.stringify(bad)}`, () => assert.equal(parseTimestamp(bad), null));
  }
});

describe('parseAuthorization', () => {
  const sig = 'e9c9fb1a9a64168d16f81e458af25bdcb00066ca9631783c5934852f193fdc69';
  test('accepts a well-formed header', () => {
    assert.deepEqual(parseAuthorization(`auth-v2/${AK}/${TS}/content-type;host/${sig}`), {
      accessKey: AK,
      timestamp: TS,
      signedHeaders: ['content-type', 'host'],
      signature: sig,
    });
  });
  for (const [label, value] of [
    ['another scheme', `Bearer ${sig}`],
    ['upper-case scheme', `AUTH-V2/${AK}/${TS}/host/${sig}`],
    ['too few parts', `auth-v2/${AK}/${TS}/${sig}`],
    ['too many parts', `auth-v2/${AK}/x/${TS}/host/${sig}`],
    ['empty AK', `auth-v2//${TS}/host/${sig}`],
    ['AK with a space', `auth-v2/a k/${TS}/host/${sig}`],
    ['bad timestamp', `auth-v2/${AK}/2024-05-01/host/${sig}`],
    ['no headers', `auth-v2/${AK}/${TS}//${sig}`],
    ['empty header name', `auth-v2/${AK}/${TS}/host;/${sig}`],
    ['upper-case header name', `auth-v2/${AK}/${TS}/Host/${sig}`],
    ['duplicate header', `auth-v2/${AK}/${TS}/host;host/${sig}`],
    ['short signature', `auth-v2/${AK}/${TS}/host/${sig.slice(1)}`],
    ['long signature', `auth-v2/${AK}/${TS}/host/${sig}0`],
    ['upper-case hex', `auth-v2/${AK}/${TS}/host/${sig.toUpperCase()}`],
    ['non-hex', `auth-v2/${AK}/${TS}/host/${'g'.repeat(64)}`],
  ] as const) {
    test(`rejects ${label}`, () => {
      const r = parseAuthorization(value);
      assert.ok('error' in r, `expected an error for ${value}`);
      assert.ok(r.error.length > 0);
    });
  }
});

describe('parseAuthorization: the kept heads', () => {
  // The whole header judged at once, as parseAuthorization did before heads were kept (issue
  // #12): the reasons, and their order, must not change.
  function reference(value: string): { error: string } | { accessKey: string; timestamp: string; signedHeaders: string[]; signature: string } {
    const parts = value.trim().split('/');
    if (parts[0] !== 'auth-v2') return { error: 'Authorization must start with "auth-v2/"' };
    if (parts.length !== 5) return { error: `Authorization must have 5 "/"-separated parts (auth-v2/AK/timestamp/signedHeaders/signature), got ${parts.length}` };
    const [, accessKey, timestamp, headerList, signature] = parts as [string, string, string, string, string];
    if (accessKey === '') return { error: 'Authorization has an empty access key' };
    if (!/^[\x21-\x7e]+$/.test(accessKey)) return { error: 'access key contains characters other than visible ASCII' };
    if (parseTimestamp(timestamp) === null) return { error: 'timestamp must be yyyy-MM-ddTHH:mm:ssZ or yyyy-MM-ddTHH:mm:ss.SSSZ (UTC, a real date)' };
    if (headerList === '') return { error: 'Authorization lists no signed headers' };
    const signedHeaders = headerList.split(';');
    const seen = new Set<string>();
    for (const name of signedHeaders) {
      if (name === '') return { error: 'signed header list has an empty name' };
      if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return { error: 'signed header names must be lower-case HTTP tokens' };
      if (seen.has(name)) return { error: `signed header "${name}" is listed twice` };
      seen.add(name);
    }
    if (signature.length !== 64) return { error: `signature must be 64 hex characters, got ${signature.length}` };
    if (!/^[0-9a-f]{64}$/.test(signature)) return { error: 'signature must be lower-case hex' };
    return { accessKey, timestamp, signedHeaders, signature };
  }
  const sig = 'e9c9fb1a9a64168d16f81e458af25bdcb00066ca9631783c5934852f193fdc69';

  test('property: same result and reason as the whole header judged at once, on first and repeated sight', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'auth-v2',
        'AUTH-V2',
        AK,
        'a k',
        '',
        TS,
        TS_MS,
        '2024-02-30T00:00:00Z',
        'host',
        'content-type;host',
        'host;host',
        'Host',
        'host;',
        sig,
        sig.slice(1),
        sig.toUpperCase(),
        ' ',
      ),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 0, maxLength: 7 }), fc.constantFrom('', ' ', '\t'), (pieces, pad) => {
        const value = pad + pieces.join('/') + pad;
        const expected = reference(value);
        assert.deepEqual(parseAuthorization(value), expected, value);
        assert.deepEqual(parseAuthorization(value), expected, `${value} (seen before)`);
      }),
      { numRuns: 3000 },
    );
  });

  test("a kept head does not carry one request's signature, or its signed-header list, into another", () => {
    const a = parseAuthorization(`auth-v2/${AK}/${TS}/content-type;host/${sig}`);
    const b = parseAuthorization(`auth-v2/${AK}/${TS}/content-type;host/${'0'.repeat(64)}`);
    assert.ok(!('error' in a) && !('error' in b));
    assert.equal(b.signature, '0'.repeat(64));
    a.signedHeaders.push('x-mutated');
    assert.deepEqual(parseAuthorization(`auth-v2/${AK}/${TS}/content-type;host/${sig}`), { accessKey: AK, timestamp: TS, signedHeaders: ['content-type', 'host'], signature: sig });
    assert.match((parseAuthorization(`auth-v2/${AK}/${TS}/content-type;host/${sig}x`) as { error: string }).error, /got 65/);
  });
});

describe('verify', () => {
  const NOW = Date.UTC(2024, 4, 1, 8, 31, 0);
  const HOST = 'campaignd.test:28080';
  const BODY_BYTES = Buffer.from('{"name":"Früh","n":1}');
  const SECRET = 'super-Secret-Key-0123';
  const keys = new Map([['ak1', SECRET]]);

  /** A request signed with the `content` header set, as the client sends it. */
  function signed(over: { timestamp?: string; secretKey?: string; body?: Uint8Array; names?: 'host' | 'content' } = {}) {
    const body = over.body ?? BODY_BYTES;
    const headers: Record<string, string> =
      over.names === 'host' ? { host: HOST } : { host: HOST, 'content-type': 'application/json;charset=UTF-8', 'content-length': String(body.length) };
    const s = sign({
      accessKey: 'ak1',
      secretKey: over.secretKey ?? SECRET,
      timestamp: over.timestamp ?? formatTimestamp(NOW - 5_000, 'seconds'),
      method: 'POST',
      path: '/rest/isales/v1/openapi/campaigns/1/createObResult',
      headers,
      body,
    });
    const opts: VerifyOptions = {
      authorization: s.authorization,
      method: 'POST',
      rawUrl: '/rest/isales/v1/openapi/campaigns/1/createObResult',
      headers: { host: HOST, 'content-type': 'application/json;charset=UTF-8', 'content-length': String(body.length), 'x-other': 'y' },
      body,
      nowMs: NOW,
      maxSkewMs: 15 * 60_000,
      lookupSecret: (ak) => keys.get(ak),
    };
    return { opts, s };
  }

  function rejects(opts: VerifyOptions, pattern: RegExp): void {
    const r = verify(opts);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.reason, pattern);
    assert.ok(!r.reason.includes(SECRET), 'reason leaks the secret');
  }

  test('accepts a signed request (seconds timestamp, content headers)', () => {
    assert.deepEqual(verify(signed().opts), { ok: true, accessKey: 'ak1' });
  });
  test('accepts a millisecond timestamp and host-only signing', () => {
    const { opts } = signed({ timestamp: formatTimestamp(NOW + 1234, 'millis'), names: 'host' });
    assert.deepEqual(verify(opts), { ok: true, accessKey: 'ak1' });
  });
  test('accepts a GET without body', () => {
    const s = sign({ accessKey: 'ak1', secretKey: SECRET, timestamp: formatTimestamp(NOW, 'seconds'), method: 'GET', path: '/p/1', headers: { host: HOST } });
    const r = verify({
      authorization: s.authorization,
      method: 'get',
      rawUrl: '/p/1',
      headers: { host: HOST },
      body: new Uint8Array(0),
      nowMs: NOW,
      maxSkewMs: 1000,
      lookupSecret: (ak) => keys.get(ak),
    });
    assert.equal(r.ok, true);
  });
  test('joins array header values with ", "', () => {
    const s = sign({ accessKey: 'ak1', secretKey: SECRET, timestamp: formatTimestamp(NOW, 'seconds'), method: 'GET', path: '/p', headers: { host: HOST, 'x-multi': 'a, b' } });
    const r = verify({
      authorization: s.authorization,
      method: 'GET',
      rawUrl: '/p',
      headers: { host: HOST, 'x-multi': ['a', 'b'] },
      body: new Uint8Array(0),
      nowMs: NOW,
      maxSkewMs: 1000,
      lookupSecret: (ak) => keys.get(ak),
    });
    assert.equal(r.ok, true);
  });

  test('rejects one changed body byte', () => {
    const { opts } = signed();
    const tampered = Buffer.from(opts.body);
    tampered[3] = tampered[3]! ^ 0x01;
    rejects({ ...opts, body: tampered }, /signature does not match/);
  });
  test('rejects a wrong SK', () => {
    rejects(signed({ secretKey: 'not-the-secret' }).opts, /signature does not match/);
  });
  test('rejects an unknown AK', () => {
    rejects({ ...signed().opts, lookupSecret: () => undefined }, /unknown access key/);
  });
  test('rejects a stale timestamp', () => {
    rejects(signed({ timestamp: formatTimestamp(NOW - 16 * 60_000, 'seconds') }).opts, /past.*skew/);
  });
  test('rejects a timestamp in the future', () => {
    rejects(signed({ timestamp: formatTimestamp(NOW + 16 * 60_000, 'millis') }).opts, /future.*skew/);
  });
  test('accepts a timestamp exactly at the skew limit', () => {
    assert.equal(verify(signed({ timestamp: formatTimestamp(NOW - 15 * 60_000, 'seconds') }).opts).ok, true);
  });
  test('rejects a missing Authorization', () => {
    rejects({ ...signed().opts, authorization: undefined }, /missing Authorization/);
    rejects({ ...signed().opts, authorization: '' }, /missing Authorization/);
  });
  test('rejects a malformed Authorization', () => {
    rejects({ ...signed().opts, authorization: 'Bearer abc' }, /malformed Authorization/);
  });
  test('rejects a signature of the wrong length', () => {
    const { opts } = signed();
    rejects({ ...opts, authorization: opts.authorization!.slice(0, -2) }, /64 hex characters, got 62/);
  });
  test('rejects when host is not signed', () => {
    const s = sign({
      accessKey: 'ak1',
      secretKey: SECRET,
      timestamp: formatTimestamp(NOW, 'seconds'),
      method: 'POST',
      path: '/p',
      headers: { 'content-type': 'application/json' },
      body: BODY_BYTES,
    });
    rejects({ ...signed().opts, rawUrl: '/p', authorization: s.authorization }, /host header must be signed/);
  });
  test('rejects a signed header absent from the request', () => {
    const { opts } = signed();
    const { 'content-type': _dropped, ...headers } = opts.headers;
    rejects({ ...opts, headers }, /signed header "content-type" is not in the request/);
  });
  test('rejects another path or method', () => {
    const { opts } = signed();
    rejects({ ...opts, rawUrl: '/rest/isales/v1/openapi/campaigns/2/createObResult' }, /does not match/);
    rejects({ ...opts, method: 'PUT' }, /does not match/);
    rejects({ ...opts, rawUrl: opts.rawUrl + '?x=1' }, /does not match/);
  });
  test('no failure reason contains the secret or the expected signature', () => {
    const { opts, s } = signed({ secretKey: SECRET + 'x' });
    const good = signed().s;
    const variants: VerifyOptions[] = [
      opts,
      { ...opts, authorization: undefined },
      { ...opts, authorization: 'auth-v2/' + SECRET },
      { ...opts, nowMs: NOW + 3_600_000 },
      { ...opts, lookupSecret: () => undefined },
      { ...opts, body: new Uint8Array(0) },
      { ...opts, headers: {} },
      { ...opts, rawUrl: opts.rawUrl + '?a=%zz' },
    ];
    for (const v of variants) {
      const r = verify(v);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.ok(!r.reason.includes(SECRET), r.reason);
        assert.ok(!r.reason.includes(good.signature), r.reason);
        assert.ok(!r.reason.includes(s.signingKey), r.reason);
      }
    }
  });
});

describe('precheck + verifyBody (the server: header part before the body, signature after it)', () => {
  const NOW = Date.UTC(2024, 4, 1, 8, 31, 0);
  const HOST = 'campaignd.test:28080';
  const SECRET = 'super-Secret-Key-0123';
  const body = Buffer.from('{"name":"Früh","n":1, "list":[1,2]}');
  const headers = { host: HOST, 'content-type': 'application/json;charset=UTF-8', 'content-length': String(body.length) };
  const path = '/rest/isales/v1/openapi/campaigns/1/appoint/create';
  const s = sign({ accessKey: 'ak1', secretKey: SECRET, timestamp: formatTimestamp(NOW - 5_000, 'seconds'), method: 'POST', path, query: [['a', 'b c']], headers, body });
  const base: VerifyOptions = {
    authorization: s.authorization,
    method: 'POST',
    rawUrl: `${path}?a=b+c`,
    headers,
    body,
    nowMs: NOW,
    maxSkewMs: 60_000,
    lookupSecret: (ak) => (ak === 'ak1' ? SECRET : undefined),
  };
  const both = (o: VerifyOptions, later: Partial<VerifyOptions> = {}) => {
    const pre = precheck(o);
    if (!pre.ok) return pre;
    return verifyBody(pre, { ...o, ...later });
  };

  test('accepts what verify accepts, and refuses a changed body, path, query or method as verify does', () => {
    assert.deepEqual(both(base), { ok: true, accessKey: 'ak1' });
    assert.deepEqual(both(base), verify(base));
    const tampered = Buffer.from(body);
    tampered[5] = tampered[5]! ^ 1;
    for (const change of [
      { body: tampered },
      { rawUrl: `${path}x?a=b+c` },
      { rawUrl: `${path}?a=b%2Bc` },
      { rawUrl: path },
      { method: 'PUT' },
      { body: new Uint8Array(0) },
    ] as Partial<VerifyOptions>[]) {
      const r = both({ ...base, ...change });
      assert.deepEqual(r, verify({ ...base, ...change }));
      assert.equal(r.ok, false);
    }
    assert.deepEqual(both({ ...base, rawUrl: `${path}?a=%zz` }), { ok: false, reason: 'malformed percent-escape in the query string' });
  });

  test('judges the timestamp again, and looks the AK up again, once the body is there', () => {
    const stale = both(base, { nowMs: NOW + 70_000 });
    assert.equal(stale.ok, false);
    if (!stale.ok) assert.match(stale.reason, /past.*skew/);
    assert.deepEqual(both(base, { lookupSecret: () => undefined }), { ok: false, reason: 'unknown access key' });
    const otherSecret = both(base, { lookupSecret: () => 'another-secret-0123' });
    assert.equal(otherSecret.ok, false);
    // The key derived for the head with the old secret is not used with the new one, nor the reverse.
    assert.deepEqual(both(base), { ok: true, accessKey: 'ak1' });
  });
});

describe('verify: query strings', () => {
  const NOW = Date.UTC(2024, 4, 1, 8, 30, 0);
  const HOST = 'isales.example.com:28443';
  const lookupSecret = (ak: string) => (ak === AK ? SK : undefined);
  const base = { method: 'GET', headers: { host: HOST }, body: new Uint8Array(0), nowMs: NOW, maxSkewMs: 60_000, lookupSecret };
  const authFor = (query: ReadonlyArray<readonly [string, string]>) =>
    sign({ accessKey: AK, secretKey: SK, timestamp: TS, method: 'GET', path: '/q', query, headers: { host: HOST } }).authorization;

  test('vector C verifies from the raw URL, in any parameter order and escape case', () => {
    const authorization = 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/host/c7e46c495bdecd9d9842e7c0377e2d314c19e18cbdfaa19f1c97300187039463';
    for (const rawUrl of [
      '/rest/isales/v1/openapi/campaigns/1/list?pageSize=10&name=a%20b%2Fc&empty=',
      '/rest/isales/v1/openapi/campaigns/1/list?empty&name=a%20b/c&pageSize=10',
      '/rest/isales/v1/openapi/campaigns/1/list?name=a%20b%2fc&pageSize=10&empty=&',
    ]) {
      const r = verify({ ...base, headers: { host: 'isales.example.com:28443' }, authorization, rawUrl });
      assert.equal(r.ok, true, rawUrl);
    }
  });
  test('"+" is a space, as the router reads it: a signed literal plus sent as a raw "+" does not verify', () => {
    const r = verify({ ...base, authorization: authFor([['phone', '+8613800000000']]), rawUrl: '/q?phone=+8613800000000' });
    assert.equal(r.ok, false);
    assert.equal(verify({ ...base, authorization: authFor([['phone', '+8613800000000']]), rawUrl: '/q?phone=%2B8613800000000' }).ok, true);
  });
  test('what is signed is what the router reads: for any text, a signed value verifies against the router\'s own decoding, and a %2B rewritten to "+" never does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), (v) => {
        const encoded = encodeURIComponent(v);
        const rawUrl = `/q?name=${encoded}`;
        assert.equal(verify({ ...base, authorization: authFor([['name', v]]), rawUrl }).ok, true);
        assert.deepEqual({ ...parseQuery(rawUrl.slice(3)) }, { name: v });
        if (encoded.includes('%2B')) {
          const rewritten = `/q?name=${encoded.replaceAll('%2B', '+')}`;
          assert.equal(verify({ ...base, authorization: authFor([['name', v]]), rawUrl: rewritten }).ok, false);
        }
      }),
      { numRuns: 300 },
    );
  });
  test('"+" is accepted as a form-encoded space', () => {
    const r = verify({ ...base, authorization: authFor([['name', 'a b']]), rawUrl: '/q?name=a+b' });
    assert.equal(r.ok, true);
  });
  test('%2B is always a plus and %20 always a space', () => {
    assert.equal(verify({ ...base, authorization: authFor([['p', '+1']]), rawUrl: '/q?p=%2B1' }).ok, true);
    assert.equal(verify({ ...base, authorization: authFor([['p', ' 1']]), rawUrl: '/q?p=%2B1' }).ok, false);
    assert.equal(verify({ ...base, authorization: authFor([['p', '+1']]), rawUrl: '/q?p=%201' }).ok, false);
  });
  test('a malformed escape is rejected', () => {
    for (const rawUrl of ['/q?p=%2', '/q?p=%zz', '/q?%=1']) {
      const r = verify({ ...base, authorization: authFor([['p', '']]), rawUrl });
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.reason, /malformed percent-escape/);
    }
  });
  test('an empty query ("?" alone) has no query line', () => {
    assert.equal(verify({ ...base, authorization: authFor([]), rawUrl: '/q?' }).ok, true);
  });
  test('non-UTF-8 escapes are compared as bytes', () => {
    const cr = canonicalRequest({ method: 'GET', path: '/q', query: [['k', 'é']], headers: { host: HOST } });
    assert.match(cr, /k=%C3%A9/);
    assert.equal(verify({ ...base, authorization: authFor([['k', 'é']]), rawUrl: '/q?k=%C3%A9' }).ok, true);
    assert.equal(verify({ ...base, authorization: authFor([['k', 'é']]), rawUrl: '/q?k=%E9' }).ok, false);
  });
});

describe('isomorphic signer (auth/c2-sign.ts, WebCrypto)', () => {
  test('the file imports nothing from node: and no Buffer', () => {
    const text = readFileSync(new URL('../src/auth/c2-sign.ts', import.meta.url), 'utf8');
    assert.doesNotMatch(text, /from ['"]node:|require\(|\bBuffer\b/);
  });

  test('§5 vectors A–D through signCanonical give the same values as the node:crypto sign', async () => {
    const cases: Array<CanonicalInput & { timestamp: string }> = [
      { timestamp: TS, method: 'POST', path: PING, headers: { host: CMS_HOST }, body: BODY },
      { timestamp: TS, method: 'POST', path: PING, headers: { host: CMS_HOST, 'content-type': 'application/json;charset=UTF-8', 'content-length': '22' }, body: BODY },
      {
        timestamp: TS,
        method: 'GET',
        path: '/rest/isales/v1/openapi/campaigns/1/list',
        query: [
          ['pageSize', '10'],
          ['name', 'a b/c'],
          ['empty', ''],
        ] as const,
        headers: { host: 'isales.example.com:28443' },
      },
      { timestamp: TS_MS, method: 'POST', path: PING, headers: { host: CMS_HOST }, body: Buffer.from(BODY) },
    ];
    const expected = [
      'e9c9fb1a9a64168d16f81e458af25bdcb00066ca9631783c5934852f193fdc69',
      '1bc9d5620be5be1df8870a93621fec3e0666bf6e8935bc292a5e4718b87cde95',
      'c7e46c495bdecd9d9842e7c0377e2d314c19e18cbdfaa19f1c97300187039463',
      '3f03039952f5e3cce2c6c6bc71b39396ea8a45229ca48c4a686549897cf65703',
    ];
    for (const [i, c] of cases.entries()) {
      const web = await signCanonical({ accessKey: AK, secretKey: SK, ...c });
      const node = sign({ accessKey: AK, secretKey: SK, ...c });
      assert.equal(web.signature, expected[i], `vector ${'ABCD'[i]}`);
      assert.deepEqual(web, node);
    }
    assert.equal(await deriveSigningKey(SK, 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/host'), KEY_A);
  });

  test('signRequest reproduces vectors A, B and C from a URL, and returns the headers to send', async () => {
    const a = await signRequest({ method: 'POST', url: `https://${CMS_HOST}${PING}`, body: BODY, accessKey: AK, secretKey: SK, timestamp: TS, signedHeaders: 'host' });
    assert.equal(a.authorization, 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/host/e9c9fb1a9a64168d16f81e458af25bdcb00066ca9631783c5934852f193fdc69');
    assert.deepEqual(a.headers, { 'content-type': 'application/json;charset=UTF-8', authorization: a.authorization });
    const b = await signRequest({ method: 'POST', url: `https://${CMS_HOST}${PING}`, body: BODY, accessKey: AK, secretKey: SK, timestamp: TS });
    assert.equal(b.authorization.slice(-64), '1bc9d5620be5be1df8870a93621fec3e0666bf6e8935bc292a5e4718b87cde95');
    assert.deepEqual(b.signed, { host: CMS_HOST, 'content-type': 'application/json;charset=UTF-8', 'content-length': '22' });
    assert.deepEqual(b.body, new TextEncoder().encode(BODY));
    const c = await signRequest({
      method: 'GET',
      url: 'https://isales.example.com:28443/rest/isales/v1/openapi/campaigns/1/list?pageSize=10&name=a+b%2Fc&empty',
      accessKey: AK,
      secretKey: SK,
      now: Date.parse(TS) + 999,
    });
    assert.equal(c.authorization.slice(-64), 'c7e46c495bdecd9d9842e7c0377e2d314c19e18cbdfaa19f1c97300187039463');
    assert.deepEqual(c.headers, { authorization: c.authorization });
    assert.equal(c.body, undefined);
  });

  test('signRequest refuses computed headers, non-http URLs and malformed escapes', async () => {
    const base = { method: 'GET', accessKey: AK, secretKey: SK, timestamp: TS };
    await assert.rejects(signRequest({ ...base, url: 'http://h/p', headers: { Host: 'x' } }), /computed by the signer/);
    await assert.rejects(signRequest({ ...base, url: 'ftp://h/p' }), /http\(s\)/);
    await assert.rejects(signRequest({ ...base, url: 'http://h/p?a=%zz' }), /malformed percent-escape/);
  });

  const NOW = Date.UTC(2024, 4, 1, 8, 30, 0);
  const verifyFor = (s: Awaited<ReturnType<typeof signRequest>>, method: string) => {
    const u = new URL(s.url);
    return verify({
      authorization: s.authorization,
      method,
      rawUrl: u.pathname + u.search,
      headers: { ...s.headers, host: u.host, ...(s.body === undefined ? {} : { 'content-length': String(s.body.length) }) },
      body: s.body ?? new Uint8Array(0),
      nowMs: NOW,
      maxSkewMs: 60_000,
      lookupSecret: (ak) => (ak === AK ? SK : undefined),
    });
  };

  test('property: sign → verify round-trips for arbitrary bodies, paths and query strings, and one flipped body byte fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { maxLength: 4 }),
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 6 })), { maxLength: 4 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom<'host' | 'content'>('host', 'content'),
        fc.constantFrom<'seconds' | 'millis'>('seconds', 'millis'),
        async (method, segments, pairs, body, signedHeaders, timestampFormat) => {
          const path = '/' + segments.map(encodeURIComponent).join('/');
          const search = pairs.length === 0 ? '' : '?' + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
          const s = await signRequest({ method, url: `http://campaignd.test:28080${path}${search}`, body, accessKey: AK, secretKey: SK, now: NOW, signedHeaders, timestampFormat });
          assert.deepEqual(verifyFor(s, method), { ok: true, accessKey: AK });
          // The node:crypto signer gives the same value for the same canonical parts.
          const u = new URL(s.url);
          const node = sign({
            accessKey: AK,
            secretKey: SK,
            timestamp: s.authorization.split('/')[2]!,
            method,
            path: u.pathname,
            query: pairs,
            headers: s.signed,
            ...(s.body ? { body: s.body } : {}),
          });
          assert.equal(node.authorization, s.authorization);
          if (s.body !== undefined) {
            const flipped = Uint8Array.from(s.body);
            flipped[0] = flipped[0]! ^ 1;
            assert.equal(verifyFor({ ...s, body: flipped }, method).ok, false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('property: any raw path and query text the URL parser accepts verifies as fetch would send it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 20 }), fc.string({ maxLength: 30 }), async (rawPath, rawQuery) => {
        const href = `http://campaignd.test:28080/${rawPath.replaceAll('?', '').replaceAll('#', '')}?${rawQuery.replaceAll('#', '')}`;
        let s: Awaited<ReturnType<typeof signRequest>>;
        try {
          s = await signRequest({ method: 'GET', url: href, accessKey: AK, secretKey: SK, now: NOW });
        } catch (e) {
          // Only a malformed percent-escape may be refused, and the server would refuse it too.
          assert.match(String(e), /malformed percent-escape/);
          assert.match(rawQuery, /%/);
          return;
        }
        assert.deepEqual(verifyFor(s, 'GET'), { ok: true, accessKey: AK });
      }),
      { numRuns: 300 },
    );
  });
});

describe('verify: what a kept head remembers (issue #12: header lines and canonical request reused)', () => {
  const NOW = Date.UTC(2024, 4, 1, 8, 31, 0);
  const TS = formatTimestamp(NOW - 2_000, 'seconds');
  const SECRET = 'kept-head-Secret-7';
  const lookupSecret = (ak: string) => (ak === 'akKept' ? SECRET : undefined);
  const HOSTS = ['campaignd.test:28080', 'campaignd.test:28081'];
  const TYPES = ['application/json;charset=UTF-8', 'application/json'];
  const PATHS = ['/rest/isales/v1/openapi/campaigns/1/appoint/create', '/rest/isales/v1/openapi/campaigns/2/appoint/create', '/p?a=1&b=%2B', '/p?a=1&b=+'];
  const BODIES = ['{"calledNo":"138"}', '{"calledNo":"139"}', ''];
  const req = fc.record({ host: fc.nat(1), type: fc.nat(1), method: fc.constantFrom('POST', 'PUT'), path: fc.nat(3), body: fc.nat(2) });

  test('property: a sequence of requests under one head (same AK, second and signed names) verifies each exactly like a fresh head would', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ signedAs: req, sentAs: req }), { minLength: 1, maxLength: 12 }), (seq) => {
        for (const { signedAs, sentAs } of seq) {
          const signedHeaders = { host: HOSTS[signedAs.host]!, 'content-type': TYPES[signedAs.type]! };
          const [path, query] = PATHS[signedAs.path]!.split('?') as [string, string | undefined];
          const s = sign({
            accessKey: 'akKept',
            secretKey: SECRET,
            timestamp: TS,
            method: signedAs.method,
            path,
            query: query === undefined ? undefined : (queryPairs(query) ?? undefined),
            headers: signedHeaders,
            body: BODIES[signedAs.body]!,
          });
          const opts: VerifyOptions = {
            authorization: s.authorization,
            method: sentAs.method,
            rawUrl: PATHS[sentAs.path]!,
            headers: { host: HOSTS[sentAs.host]!, 'content-type': TYPES[sentAs.type]! },
            body: Buffer.from(BODIES[sentAs.body]!),
            nowMs: NOW,
            maxSkewMs: 900_000,
            lookupSecret,
          };
          const same = JSON.stringify(signedAs) === JSON.stringify(sentAs);
          const pre = precheck(opts);
          assert.equal(pre.ok, true);
          if (!pre.ok) return;
          assert.equal(verifyBody(pre, opts).ok, same, `signed as ${JSON.stringify(signedAs)}, sent as ${JSON.stringify(sentAs)}`);
          assert.equal(verify(opts).ok, same);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('verify: bodies across the normalisation scratch buffer (issue #12: norm(body) fed to the HMAC in chunks)', () => {
  test('bodies of every length around the chunk boundaries verify, and a changed last byte fails', () => {
    const NOW = Date.UTC(2024, 4, 1, 8, 31, 0);
    const lookupSecret = (ak: string) => (ak === 'akBody' ? 'body-Secret' : undefined);
    let seed = 7;
    const byte = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % 256;
    for (const length of [1, 1021, 1022, 1023, 1024, 1025, 1026, 3071, 3072, 3073, 70_001]) {
      const body = Uint8Array.from({ length }, byte);
      const headers = { host: 'h:1' };
      const s = sign({ accessKey: 'akBody', secretKey: 'body-Secret', timestamp: formatTimestamp(NOW, 'seconds'), method: 'POST', path: '/b', headers, body });
      const opts: VerifyOptions = { authorization: s.authorization, method: 'POST', rawUrl: '/b', headers, body, nowMs: NOW, maxSkewMs: 900_000, lookupSecret };
      assert.equal(verify(opts).ok, true, `length ${length}`);
      const changed = Uint8Array.from(body);
      changed[length - 1] = changed[length - 1]! ^ 1;
      assert.equal(verify({ ...opts, body: changed }).ok, false, `length ${length}, last byte changed`);
    }
  });
});
