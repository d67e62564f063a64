/**
 * The CEC "C2" request signature (`auth-v2`), as specified in reference/auth-c2.md: the server's
 * verifier, on node:crypto with a constant-time compare.
 *
 *   Authorization    = auth-v2/{AK}/{timestamp}/{signedHeaders}/{signature}
 *   signingKey       = hex(HMAC-SHA256(SK, authStringPrefix))
 *   signature        = hex(HMAC-SHA256(signingKey-as-hex-text, canonicalRequest))
 *
 * The canonicalisation (norm, canonical request, query reading, timestamps) is the one of
 * auth/c2-sign.ts, the isomorphic signer the client, the CLI and the browser console use; this
 * module re-exports it and adds only what needs node:crypto: a synchronous `sign` (for Node
 * tests and benches) and `verify`.
 */
import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';
import { assembleCanonical, authStringPrefix, canonicalRequest, norm, normBytes, queryPairs } from './c2-sign.js';
import type { CanonicalInput, Signature } from './c2-sign.js';

export { assembleCanonical, authStringPrefix, canonicalRequest, formatTimestamp, norm, signCanonical, signRequest } from './c2-sign.js';
export type { CanonicalInput, Signature, SignedRequest, SignRequestInput, TimestampFormat } from './c2-sign.js';

const SCHEME = 'auth-v2';

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z$/;

/**
 * Parses exactly the two C2 timestamp forms (UTC, `Z` suffix, seconds or exactly three
 * fractional digits) and returns epoch milliseconds, or null for anything else, including
 * impossible calendar dates such as `2023-02-29` and leap seconds.
 *
 * @example parseTimestamp('2024-05-01T08:30:00.123Z') // 1714552200123
 */
export function parseTimestamp(s: string): number | null {
  // Pure, and every request parses it twice (precheck, verify) while clients sign many requests
  // within one second: the last few readings are kept (issue #12).
  const known = parsedTimestamps.get(s);
  if (known !== undefined) return known;
  const t = parseTimestampUncached(s);
  if (parsedTimestamps.size >= 64) parsedTimestamps.clear();
  parsedTimestamps.set(s, t);
  return t;
}

const parsedTimestamps = new Map<string, number | null>();

function parseTimestampUncached(s: string): number | null {
  const m = TIMESTAMP_RE.exec(s);
  if (m === null) return null;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const ms = m[7] === undefined ? 0 : Number(m[7]);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return null;
  // Date.UTC maps years 0..99 to 19xx, so set the full year explicitly; a day that rolls over
  // into the next month (Feb 30) shows up as a changed month below.
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, sec, ms);
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return t.getTime();
}

// ---------------------------------------------------------------------------------------------
// Keys and signature (§3.5)
// ---------------------------------------------------------------------------------------------

/** Derived signing keys by secret and prefix: the hex text and its UTF-8 bytes (the second HMAC's key). */
const signingKeys = new Map<string, { hex: string; bytes: Buffer }>();

function hmacHex(key: string, msg: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(msg, 'utf8').digest('hex');
}

/**
 * Derives the per-request signing key: lower-case hex of HMAC-SHA256(SK, prefix). The second
 * HMAC uses these 64 hex characters as its key, not the 32 raw bytes (Huawei's demo does so).
 *
 * @example signingKey('demoSK-NotARealSecret-42', 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/host') // '1dbd4995…6517'
 */
export function signingKey(sk: string, prefix: string): string {
  return derivedKey(sk, prefix).hex;
}

/** `signingKey` as the bytes the second HMAC is keyed with (its hex text, UTF-8). */
function signingKeyBytes(sk: string, prefix: string): Buffer {
  return derivedKey(sk, prefix).bytes;
}

function derivedKey(sk: string, prefix: string): { hex: string; bytes: Buffer } {
  // The prefix (AK, timestamp, host) repeats for every request a client signs within one second:
  // the derived key of the last few is kept in memory, next to the secrets it derives from.
  const cacheKey = `${sk}\u0000${prefix}`;
  const known = signingKeys.get(cacheKey);
  if (known !== undefined) return known;
  const hex = hmacHex(sk, prefix);
  const key = { hex, bytes: Buffer.from(hex, 'utf8') };
  if (signingKeys.size >= 64) signingKeys.clear();
  signingKeys.set(cacheKey, key);
  return key;
}

/**
 * Signs a request synchronously on node:crypto: the same canonical request and result as
 * `signCanonical` of auth/c2-sign.ts (test/c2.test.ts runs the vectors through both). For Node
 * tests and benches; the client uses the isomorphic `signRequest`. `headers` are the headers
 * to sign (at least `host`), with the values that will be sent; `body` must be the exact bytes
 * that will be sent.
 *
 * @example sign({ accessKey: 'ak', secretKey: 'sk', timestamp: '2024-05-01T08:30:00Z', method: 'GET', path: '/p', headers: { host: 'h:1' } }).authorization
 */
export function sign(opts: { accessKey: string; secretKey: string; timestamp: string } & CanonicalInput): Signature {
  const prefix = authStringPrefix(opts.accessKey, opts.timestamp, Object.keys(opts.headers));
  const cr = canonicalRequest(opts);
  const key = signingKey(opts.secretKey, prefix);
  const signature = hmacHex(key, cr);
  return { authorization: prefix + '/' + signature, signature, canonicalRequest: cr, signingKey: key };
}

// ---------------------------------------------------------------------------------------------
// Parsing and verification (§6)
// ---------------------------------------------------------------------------------------------

/** Visible ASCII, no space: keeps control characters out of logs and of the HMAC input. */
const AK_RE = /^[\x21-\x7e]+$/;
/** RFC 9110 token, lower case only (names are lower-cased by the signer, §3.3). */
const HEADER_NAME_RE = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const SIGNATURE_RE = /^[0-9a-f]{64}$/;

/** A parsed `Authorization: auth-v2/…` header. */
export interface ParsedAuthorization {
  accessKey: string;
  timestamp: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * Splits and checks an `auth-v2/{AK}/{ts}/{h1;h2}/{64 lower hex}` header. On failure it returns
 * a human-readable reason that never echoes the header (it may be arbitrary client input).
 * Header names must be lower case; their order is kept as received, because the signer's
 * order is part of the signed prefix.
 *
 * @example parseAuthorization('auth-v2/ak/2024-05-01T08:30:00Z/host/' + 'a'.repeat(64)).signedHeaders // ['host']
 */
export function parseAuthorization(value: string): ParsedAuthorization | { error: string } {
  const r = readAuthorization(value);
  if ('error' in r) return r;
  const { head, signature } = r;
  return { accessKey: head.accessKey, timestamp: head.timestamp, signedHeaders: [...head.signedHeaders], signature };
}

/**
 * Everything before the signature (`auth-v2/{AK}/{ts}/{h1;h2}`), judged: it repeats for every
 * request a client signs within one second, so the last few are kept (issue #12), with the
 * signing key last derived from them.
 */
export interface AuthorizationHead {
  /** The text as received, which is also the signed prefix. */
  prefix: string;
  accessKey: string;
  timestamp: string;
  tsMs: number;
  /** Names in the order received (frozen: shared by the requests that carry this head). */
  signedHeaders: readonly string[];
  /** The names as received, `;`-separated. */
  headerList: string;
  /** The signing key derived from this prefix and the secret it was derived with. */
  derived?: { secret: string; key: Buffer };
  /** The signed header values last seen with this head and their sorted `norm(name):norm(value)` lines. */
  lines?: { values: string[]; lines: readonly string[] };
  /** The canonical request without its body line, last built for this head, as UTF-8 bytes. */
  canonical?: { method: string; rawUrl: string; lines: readonly string[]; bytes: Buffer };
}

const heads = new Map<string, AuthorizationHead | { error: string }>();
/** Longer heads are judged every time, not kept. */
const MAX_KEPT_HEAD = 512;

/** `parseAuthorization` with the head shared (see {@link AuthorizationHead}). */
function readAuthorization(value: string): { head: AuthorizationHead; signature: string } | { error: string } {
  const text = value.trim();
  const cut = text.lastIndexOf('/');
  if (cut < 0) {
    return text !== SCHEME ? { error: `Authorization must start with "${SCHEME}/"` } : partsError(1);
  }
  const prefix = text.slice(0, cut);
  let head = heads.get(prefix);
  if (head === undefined) {
    head = readHead(prefix);
    if (prefix.length <= MAX_KEPT_HEAD) {
      if (heads.size >= 64) heads.clear();
      heads.set(prefix, head);
    }
  }
  if ('error' in head) return head;
  // The signature is what follows the last "/": it holds none.
  const signature = text.slice(cut + 1);
  if (signature.length !== 64) return { error: `signature must be 64 hex characters, got ${signature.length}` };
  if (!SIGNATURE_RE.test(signature)) return { error: 'signature must be lower-case hex' };
  return { head, signature };
}

function partsError(count: number): { error: string } {
  return { error: `Authorization must have 5 "/"-separated parts (${SCHEME}/AK/timestamp/signedHeaders/signature), got ${count}` };
}

/** The checks of the head, in the order (and with the reasons) of the whole header's. */
function readHead(prefix: string): AuthorizationHead | { error: string } {
  const parts = prefix.split('/');
  if (parts[0] !== SCHEME) return { error: `Authorization must start with "${SCHEME}/"` };
  // The signature is the fifth part.
  if (parts.length !== 4) return partsError(parts.length + 1);
  const [, accessKey, timestamp, headerList] = parts as [string, string, string, string];
  if (accessKey === '') return { error: 'Authorization has an empty access key' };
  if (!AK_RE.test(accessKey)) return { error: 'access key contains characters other than visible ASCII' };
  const tsMs = parseTimestamp(timestamp);
  if (tsMs === null) {
    return { error: 'timestamp must be yyyy-MM-ddTHH:mm:ssZ or yyyy-MM-ddTHH:mm:ss.SSSZ (UTC, a real date)' };
  }
  if (headerList === '') return { error: 'Authorization lists no signed headers' };
  const signedHeaders = headerList.split(';');
  const seen = new Set<string>();
  for (const name of signedHeaders) {
    if (name === '') return { error: 'signed header list has an empty name' };
    if (!HEADER_NAME_RE.test(name)) return { error: 'signed header names must be lower-case HTTP tokens' };
    if (seen.has(name)) return { error: `signed header "${name}" is listed twice` };
    seen.add(name);
  }
  return { prefix, accessKey, timestamp, tsMs, signedHeaders: Object.freeze(signedHeaders), headerList };
}

/** Raw query -> canonical `norm(k)=norm(v)` items (unsorted), or null on a malformed escape. */
function encodeRawQuery(rawQuery: string): string[] | null {
  const pairs = queryPairs(rawQuery);
  return pairs === null ? null : pairs.map(([k, v]) => norm(k) + '=' + norm(v));
}

/** Everything `verify` needs from the incoming request and the server's configuration. */
export interface VerifyOptions {
  /** The raw `Authorization` header value, or undefined when absent. */
  authorization: string | undefined;
  method: string;
  /** Path plus optional `?query`, exactly as received (Node's `req.url`). */
  rawUrl: string;
  /** Node's incoming headers (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body bytes as received (never a re-serialisation). */
  body: Uint8Array;
  nowMs: number;
  /** Largest allowed |now − timestamp|, in milliseconds. */
  maxSkewMs: number;
  /** Returns the secret key of an access key, or undefined if the AK is unknown. */
  lookupSecret: (accessKey: string) => string | undefined;
}

/** Result of `verify`; `reason` is safe to log and to return to the client. */
export type VerifyResult = { ok: true; accessKey: string } | { ok: false; reason: string };

/** What `precheck` needs: everything but the body. */
export type PrecheckOptions = Omit<VerifyOptions, 'body' | 'method' | 'rawUrl'>;

/** A request whose header part passed {@link precheck}: what {@link verifyBody} needs of it. */
export interface Prechecked {
  ok: true;
  /** The Authorization header's head (AK, timestamp, signed header names). */
  head: Readonly<AuthorizationHead>;
  /** The signature the client sent (64 lower-case hex characters). */
  signature: string;
  secret: string;
  /** `norm(name):norm(value)` of every signed header, sorted (shared between requests: never modified). */
  headerLines: readonly string[];
}

/** The 401 reason for a timestamp more than `maxSkewMs` away from `nowMs`, or undefined when within it. */
function skewProblem(tsMs: number, nowMs: number, maxSkewMs: number): string | undefined {
  const skew = nowMs - tsMs;
  if (Math.abs(skew) <= maxSkewMs) return undefined;
  const dir = skew > 0 ? 'in the past' : 'in the future';
  return `timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${dir}, beyond the allowed clock skew of ${Math.round(maxSkewMs / 1000)} s`;
}

/**
 * The part of the verification that needs no body (issue #9 item 4): the Authorization header
 * parsed, the timestamp within the skew, `host` signed, the AK known and every signed header
 * present. Run before the body is read, so an unsigned client cannot make the server buffer a
 * body; {@link verifyBody} then checks the signature over the body with what it returned, and
 * `verify` does both.
 *
 * @example precheck({ authorization: req.headers.authorization, headers: req.headers, nowMs: Date.now(), maxSkewMs: 900_000, lookupSecret })
 */
export function precheck(opts: PrecheckOptions): Prechecked | { ok: false; reason: string } {
  if (opts.authorization === undefined || opts.authorization === '') {
    return { ok: false, reason: 'missing Authorization header' };
  }
  const auth = readAuthorization(opts.authorization);
  if ('error' in auth) return { ok: false, reason: `malformed Authorization: ${auth.error}` };
  const { head, signature } = auth;

  const late = skewProblem(head.tsMs, opts.nowMs, opts.maxSkewMs);
  if (late !== undefined) return { ok: false, reason: late };
  // Without host, a signature captured for one server would verify on any other.
  if (!head.signedHeaders.includes('host')) return { ok: false, reason: 'the host header must be signed' };

  const secret = opts.lookupSecret(head.accessKey);
  if (secret === undefined) return { ok: false, reason: 'unknown access key' };

  const headerLines = linesOf(head, opts.headers);
  if (typeof headerLines === 'string') return { ok: false, reason: `signed header "${headerLines}" is not in the request` };
  return { ok: true, head, signature, secret, headerLines };
}

/**
 * The sorted `norm(name):norm(value)` lines of a head's signed headers in this request, or the
 * name of the first one missing. A client sends the same values (host, content type) with every
 * request it signs within one second, so the lines last built for a head are reused when every
 * value is the same string (issue #12: ~1 µs and ~1 KB of garbage per request); a header given
 * twice (an array) is never reused.
 */
function linesOf(head: AuthorizationHead, headers: PrecheckOptions['headers']): readonly string[] | string {
  const names = head.signedHeaders;
  const kept = head.lines;
  if (kept !== undefined) {
    let same = true;
    for (let i = 0; i < names.length; i++) {
      if (headers[names[i]!] !== kept.values[i]) {
        same = false;
        break;
      }
    }
    if (same) return kept.lines;
  }
  const values: string[] = [];
  const lines: string[] = [];
  let reusable = true;
  for (const name of names) {
    const raw = headers[name];
    if (raw === undefined) return name;
    if (Array.isArray(raw)) reusable = false;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    values.push(value);
    lines.push(norm(name) + ':' + norm(value));
  }
  lines.sort();
  if (reusable) head.lines = { values, lines };
  return lines;
}

/**
 * Verifies the C2 signature of an incoming request against its raw bytes. Failure reasons are
 * meant for logs and 401 bodies: they never contain the secret key or the expected signature.
 * The query is read by `queryPairs` (auth/c2-sign.ts, re-exported by auth/query.ts), the router's own reading: `+` is a space,
 * so a signed `%2B` rewritten to `+` no longer verifies.
 *
 * @example verify({ authorization: req.headers.authorization, method: req.method, rawUrl: req.url, headers: req.headers, body, nowMs: Date.now(), maxSkewMs: 900_000, lookupSecret: (ak) => keys.get(ak) })
 */
export function verify(opts: VerifyOptions): VerifyResult {
  const pre = precheck(opts);
  if (!pre.ok) return pre;
  return signatureOver(pre, pre.secret, opts);
}

/**
 * The second half of `verify`, for a request whose headers already passed {@link precheck}
 * (before its body was read; the header part is not parsed again): the timestamp is judged
 * again at `opts.nowMs` and the AK looked up again (both may have changed while the body
 * arrived), then the signature is checked over method, path, query, the signed headers and the
 * raw body. Same results and reasons as `verify` on the same request.
 *
 * @example verifyBody(pre, { method: req.method, rawUrl: req.url, body, nowMs: Date.now(), maxSkewMs: 900_000, lookupSecret })
 */
export function verifyBody(pre: Prechecked, opts: Omit<VerifyOptions, 'authorization' | 'headers'>): VerifyResult {
  const late = skewProblem(pre.head.tsMs, opts.nowMs, opts.maxSkewMs);
  if (late !== undefined) return { ok: false, reason: late };
  const secret = opts.lookupSecret(pre.head.accessKey);
  if (secret === undefined) return { ok: false, reason: 'unknown access key' };
  return signatureOver(pre, secret, opts);
}

function signatureOver(pre: Prechecked, secret: string, opts: Pick<VerifyOptions, 'method' | 'rawUrl' | 'body'>): VerifyResult {
  const { head } = pre;
  const canonical = canonicalHeadOf(head, opts.method, opts.rawUrl, pre.headerLines);
  if (canonical === null) return { ok: false, reason: 'malformed percent-escape in the query string' };

  // The prefix is the head as received (header-name order included).
  const key = keyOf(head, secret);
  // The canonical request without its body line, then the body's norm() bytes fed to the HMAC
  // (the same bytes assembleCanonical's text would encode to).
  const mac = createHmac('sha256', key).update(canonical);
  if (opts.body.length > 0) updateNormalized(mac, opts.body);
  const expected = mac.digest();
  // 64 lower-case hex characters (checked by readAuthorization): exactly 32 bytes. The length
  // test only guards the timingSafeEqual precondition.
  const given = GIVEN;
  if (!(given.write(pre.signature, 'hex') === expected.length && timingSafeEqual(expected, given))) {
    return {
      ok: false,
      reason: 'signature does not match (check method, path, query, the signed header values and the exact body bytes)',
    };
  }
  return { ok: true, accessKey: head.accessKey };
}

/** The signature a client sent, decoded (scratch: written and compared within one synchronous call). */
const GIVEN = Buffer.alloc(32);

/**
 * The canonical request of §3.4 without its body line, as UTF-8 bytes, or null when the query
 * has a malformed escape. Kept on the head for the next request of the same client with the
 * same method, URL and header lines (issue #12: a bulk client sends many per second; ~1.5 µs
 * and ~1.5 KB of garbage per request); `lines` are compared by identity (see linesOf).
 */
function canonicalHeadOf(head: AuthorizationHead, method: string, rawUrl: string, lines: readonly string[]): Buffer | null {
  const kept = head.canonical;
  if (kept !== undefined && kept.lines === lines && kept.rawUrl === rawUrl && kept.method === method) return kept.bytes;
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const query = rawQuery === '' ? null : encodeRawQuery(rawQuery);
  if (rawQuery !== '' && query === null) return null;
  const bytes = Buffer.from(assembleCanonical(method, path, query, head.headerList, [...lines], undefined), 'utf8');
  head.canonical = { method, rawUrl, lines, bytes };
  return bytes;
}

/** Output buffer of updateNormalized; 3 bytes per input byte at most, so chunks of a third of it. */
const NORM_SCRATCH = Buffer.allocUnsafe(3 * 1024);

/**
 * Feeds `norm(body)` (auth/c2-sign.ts `normBytes`: unreserved bytes kept, every other byte
 * `%XX`) to the HMAC without building it: written through a fixed scratch buffer a chunk at a
 * time (issue #12: a body of every size costs no allocation but one view per 1 KiB).
 */
function updateNormalized(mac: Hmac, body: Uint8Array): void {
  const out = NORM_SCRATCH;
  const limit = out.length - 3;
  let j = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (UNRESERVED_BYTE[b] === 1) out[j++] = b;
    else {
      out[j++] = 0x25; // '%'
      out[j++] = HEX_DIGIT[b >> 4]!;
      out[j++] = HEX_DIGIT[b & 0x0f]!;
    }
    if (j > limit) {
      mac.update(out.subarray(0, j));
      j = 0;
    }
  }
  if (j > 0) mac.update(out.subarray(0, j));
}

/** 1 for the bytes norm() keeps (RFC 3986 unreserved), as normBytes judges them. */
const UNRESERVED_BYTE = new Uint8Array(256);
for (let b = 0; b < 256; b++) UNRESERVED_BYTE[b] = normBytes(Uint8Array.of(b)).length === 1 ? 1 : 0;
const HEX_DIGIT = Buffer.from('0123456789ABCDEF', 'latin1');

/** The signing key of a head with a secret: the one derived last for this head, or derived now. */
function keyOf(head: AuthorizationHead, secret: string): Buffer {
  const d = head.derived;
  if (d !== undefined && d.secret === secret) return d.key;
  const key = signingKeyBytes(secret, head.prefix);
  head.derived = { secret, key };
  return key;
}
