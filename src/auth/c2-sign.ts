/**
 * The signing half of the CEC "C2" request signature (`auth-v2`, reference/auth-c2.md), written
 * on web-platform APIs only — WebCrypto (`globalThis.crypto.subtle`), `TextEncoder`, `URL` — so
 * that the very same code runs in Node ≥ 20 (the typed client, the CLI) and in a browser (the
 * console, the /docs page). No `node:` import may enter this file.
 *
 *   Authorization    = auth-v2/{AK}/{timestamp}/{signedHeaders}/{signature}
 *   signingKey       = hex(HMAC-SHA256(SK, authStringPrefix))
 *   signature        = hex(HMAC-SHA256(signingKey-as-hex-text, canonicalRequest))
 *
 * The canonicalisation (norm, canonical request, query reading) lives here once; the server's
 * verifier (auth/c2.ts) imports it and only swaps the HMAC for node:crypto and a constant-time
 * compare.
 */

const SCHEME = 'auth-v2';

const utf8Encoder = new TextEncoder();
/** The output of norm() is pure ASCII, which UTF-8 decodes exactly. */
const asciiDecoder = new TextDecoder();

// ---------------------------------------------------------------------------------------------
// norm(): percent-encoding of §3.2
// ---------------------------------------------------------------------------------------------

/** 1 for the RFC 3986 unreserved bytes `A-Z a-z 0-9 - . _ ~`, 0 for everything else. */
const UNRESERVED = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') {
  UNRESERVED[c.charCodeAt(0)] = 1;
}
const HEX_UPPER = utf8Encoder.encode('0123456789ABCDEF');

/**
 * Percent-encodes the UTF-8 bytes of `input`: unreserved bytes are kept, every other byte
 * becomes `%XX` with upper-case hex (space is `%20`, never `+`). A `Uint8Array` is taken as raw
 * bytes, even when it is not valid UTF-8, because the body is signed byte for byte.
 *
 * Bodies of up to 1 MiB go through here on every request, so the output length is counted
 * first and the bytes are written into one pre-sized array (no per-byte string concatenation).
 *
 * @example norm('application/json;charset=UTF-8') // 'application%2Fjson%3Bcharset%3DUTF-8'
 */
export function norm(input: string | Uint8Array): string {
  if (typeof input === 'string') {
    // Header names and values are short ASCII text: judged and escaped char by char, without
    // encoding them to bytes first (same result: an ASCII char is its one UTF-8 byte).
    const n = input.length;
    let i = 0;
    while (i < n) {
      const c = input.charCodeAt(i);
      if (c >= 0x80 || UNRESERVED[c] === 0) break;
      i++;
    }
    if (i === n) return input;
    let ascii = true;
    for (let j = i; j < n; j++) {
      if (input.charCodeAt(j) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii && n <= 256) {
      let out = input.slice(0, i);
      for (; i < n; i++) {
        const c = input.charCodeAt(i);
        out += UNRESERVED[c] === 1 ? input[i]! : ESCAPED[c]!;
      }
      return out;
    }
  }
  const bytes = typeof input === 'string' ? utf8Encoder.encode(input) : input;
  const out = normBytes(bytes);
  return out === bytes && typeof input === 'string' ? input : asciiDecoder.decode(out);
}

/** `%XX` (upper-case hex) of every byte value. */
const ESCAPED = Array.from({ length: 256 }, (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);

/**
 * `norm` of raw bytes as the ASCII bytes of its text: the input itself when every byte is
 * unreserved, else a new array (for the verifier, which feeds them to the HMAC as they are).
 *
 * @example normBytes(new TextEncoder().encode('a b')) // bytes of 'a%20b'
 */
export function normBytes(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  let outLen = n;
  for (let i = 0; i < n; i++) {
    if (UNRESERVED[bytes[i]!] === 0) outLen += 2;
  }
  if (outLen === n) return bytes;
  const out = new Uint8Array(outLen);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (UNRESERVED[b] === 1) {
      out[j++] = b;
    } else {
      out[j++] = 0x25; // '%'
      out[j++] = HEX_UPPER[b >> 4]!;
      out[j++] = HEX_UPPER[b & 0x0f]!;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Query reading (issue #9 item 5): the one reading shared by signer, verifier and router
// ---------------------------------------------------------------------------------------------

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Percent-decodes one raw query component to BYTES (`+` → space), so that re-encoding
 * reproduces the client's input exactly even when it is not valid UTF-8. Null on a malformed
 * escape (`%`, `%4`, `%zz`).
 *
 * @example decodeComponent('a+b%2B') // bytes of 'a b+'
 */
export function decodeComponent(raw: string): Uint8Array | null {
  const src = utf8Encoder.encode(raw);
  const out = new Uint8Array(src.length);
  let j = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25) {
      const hi = i + 2 < src.length ? hexVal(src[i + 1]!) : -1;
      const lo = hi >= 0 ? hexVal(src[i + 2]!) : -1;
      if (lo < 0) return null;
      out[j++] = (hi << 4) | lo;
      i += 2;
    } else {
      out[j++] = b === 0x2b ? 0x20 : b;
    }
  }
  return out.subarray(0, j);
}

/**
 * The decoded `[name, value]` byte pairs of a raw query (without the `?`), in order; empty
 * parts (`a=1&&b=2`, a trailing `&`) are skipped and `a` alone is `a=`. Null when any component
 * has a malformed escape.
 *
 * @example queryPairs('a=1&b') // [[bytes 'a', bytes '1'], [bytes 'b', bytes '']]
 */
export function queryPairs(rawQuery: string): Array<[Uint8Array, Uint8Array]> | null {
  const out: Array<[Uint8Array, Uint8Array]> = [];
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const v = decodeComponent(eq < 0 ? '' : part.slice(eq + 1));
    if (k === null || v === null) return null;
    out.push([k, v]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Timestamps (§3.1)
// ---------------------------------------------------------------------------------------------

/** `seconds` = `2024-05-01T08:30:00Z` (Huawei's own demo), `millis` = `2024-05-01T08:30:00.123Z`. */
export type TimestampFormat = 'seconds' | 'millis';

/**
 * Formats an instant as a C2 timestamp in UTC. The seconds form truncates (never rounds), so a
 * signature is never dated in the future. Throws a RangeError for a non-finite instant.
 *
 * @example formatTimestamp(Date.UTC(2024, 4, 1, 8, 30), 'seconds') // '2024-05-01T08:30:00Z'
 */
export function formatTimestamp(epochMs: number, format: TimestampFormat): string {
  const iso = new Date(epochMs).toISOString(); // always yyyy-MM-ddTHH:mm:ss.SSSZ for years 0..9999
  return format === 'millis' ? iso : iso.slice(0, 19) + 'Z';
}

// ---------------------------------------------------------------------------------------------
// Canonical request (§3.4)
// ---------------------------------------------------------------------------------------------

/** What the canonical request is built from. */
export interface CanonicalInput {
  /** HTTP method; upper-cased in the canonical request. */
  method: string;
  /** Request path as sent, without host or query; used verbatim (not encoded). */
  path: string;
  /** Decoded query parameters (text, or raw bytes); order does not matter (the canonical form sorts them). */
  query?: ReadonlyArray<readonly [string | Uint8Array, string | Uint8Array]>;
  /** The SIGNED headers only: lower-case name -> value exactly as sent. */
  headers: Readonly<Record<string, string>>;
  /** The exact body bytes on the wire (a string stands for its UTF-8 bytes). */
  body?: string | Uint8Array;
}

/**
 * Assembles the canonical request from its parts; shared by the signer (below) and the
 * verifier (auth/c2.ts), which feeds the query items decoded from the raw URL and the
 * signedHeaders text exactly as received. `encodedQuery` items are `norm(k)=norm(v)`; both it
 * and `headerLines` (`norm(name):norm(value)`) are sorted in place.
 *
 * @example assembleCanonical('GET', '/p', null, 'host', ['host:h%3A1'], undefined) // 'GET\n/p\nhost\nhost:h%3A1\n'
 */
export function assembleCanonical(
  method: string,
  path: string,
  encodedQuery: string[] | null,
  signedHeaders: string,
  headerLines: string[],
  body: string | Uint8Array | undefined,
): string {
  let cr = method.toUpperCase() + '\n' + path + '\n';
  // The query line is omitted entirely (no blank line) when there are no parameters, as in
  // Huawei's demo. Sorting plain strings compares UTF-16 code units; after norm() everything is
  // ASCII, so this equals the byte order Java's String.compareTo gives.
  if (encodedQuery !== null && encodedQuery.length > 0) cr += encodedQuery.sort().join('&') + '\n';
  cr += signedHeaders + '\n';
  cr += headerLines.sort().join('\n') + '\n';
  if (body !== undefined && body.length > 0) cr += norm(body);
  return cr;
}

/** Lower-cases header names and refuses names that collide once lower-cased. */
function lowerHeaders(headers: Readonly<Record<string, string>>): Array<[string, string]> {
  const seen = new Set<string>();
  const out: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (seen.has(lower)) throw new TypeError(`header "${lower}" is given twice (names differ only in case)`);
    seen.add(lower);
    out.push([lower, value]);
  }
  return out;
}

/**
 * Builds the canonical request text of §3.4: method, path, query line (only when there are
 * query parameters), signed header names, `norm(name):norm(value)` lines sorted, then
 * `norm(body)` when the body is non-empty.
 *
 * @example canonicalRequest({ method: 'GET', path: '/p', headers: { host: 'h:1' } }) // 'GET\n/p\nhost\nhost:h%3A1\n'
 */
export function canonicalRequest(input: CanonicalInput): string {
  const headers = lowerHeaders(input.headers);
  const signed = headers
    .map(([n]) => n)
    .sort()
    .join(';');
  const lines = headers.map(([n, v]) => norm(n) + ':' + norm(v));
  const query = input.query === undefined ? null : input.query.map(([k, v]) => norm(k) + '=' + norm(v ?? ''));
  return assembleCanonical(input.method, input.path, query, signed, lines, input.body);
}

/**
 * Builds `auth-v2/{AK}/{timestamp}/{signedHeaders}` with the names lower-cased, sorted and
 * joined by `;`. Throws a TypeError if AK or timestamp contain `/`, because the server splits
 * the header on `/` and could never read such a value back.
 *
 * @example authStringPrefix('ak1', '2024-05-01T08:30:00Z', ['Host', 'content-type']) // 'auth-v2/ak1/2024-05-01T08:30:00Z/content-type;host'
 */
export function authStringPrefix(ak: string, timestamp: string, signedHeaderNames: string[]): string {
  if (ak.includes('/')) throw new TypeError('access key must not contain "/"');
  if (timestamp.includes('/')) throw new TypeError('timestamp must not contain "/"');
  const names = signedHeaderNames.map((n) => n.toLowerCase()).sort();
  return `${SCHEME}/${ak}/${timestamp}/${names.join(';')}`;
}

// ---------------------------------------------------------------------------------------------
// Keys and signature (§3.5), on WebCrypto
// ---------------------------------------------------------------------------------------------

function subtle(): typeof globalThis.crypto.subtle {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new Error('WebCrypto (crypto.subtle) is not available: a browser needs a secure context (https or localhost)');
  return s;
}

function toHex(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** Lower-case hex of HMAC-SHA256 with the UTF-8 bytes of `key` over the UTF-8 bytes of `msg`. */
async function hmacHexWeb(key: string, msg: string): Promise<string> {
  const k = await subtle().importKey('raw', utf8Encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(await subtle().sign('HMAC', k, utf8Encoder.encode(msg)));
}

/**
 * Derives the per-request signing key: lower-case hex of HMAC-SHA256(SK, prefix). The second
 * HMAC uses these 64 hex characters as its key, not the 32 raw bytes (Huawei's demo does so).
 *
 * @example await deriveSigningKey('demoSK-NotARealSecret-42', 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/host') // '1dbd4995…6517'
 */
export function deriveSigningKey(sk: string, prefix: string): Promise<string> {
  return hmacHexWeb(sk, prefix);
}

/** What `signCanonical` returns: the header value and the intermediate values (for `-v` output and tests). */
export interface Signature {
  /** The whole `Authorization` header value. */
  authorization: string;
  /** 64 lower-case hex characters. */
  signature: string;
  canonicalRequest: string;
  /** 64 lower-case hex characters; never log it next to the canonical request of a live key. */
  signingKey: string;
}

/**
 * Signs a request given its canonical parts. `headers` are the headers to sign (at least
 * `host`), with the values that will be sent; `body` must be the exact bytes that will be sent.
 *
 * @example (await signCanonical({ accessKey: 'ak', secretKey: 'sk', timestamp: '2024-05-01T08:30:00Z', method: 'GET', path: '/p', headers: { host: 'h:1' } })).authorization
 */
export async function signCanonical(opts: { accessKey: string; secretKey: string; timestamp: string } & CanonicalInput): Promise<Signature> {
  const prefix = authStringPrefix(opts.accessKey, opts.timestamp, Object.keys(opts.headers));
  const cr = canonicalRequest(opts);
  const key = await deriveSigningKey(opts.secretKey, prefix);
  const signature = await hmacHexWeb(key, cr);
  return { authorization: prefix + '/' + signature, signature, canonicalRequest: cr, signingKey: key };
}

// ---------------------------------------------------------------------------------------------
// Whole requests
// ---------------------------------------------------------------------------------------------

/** Content-Type sent (and signed in `content` mode) with a request body unless told otherwise. */
export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

/**
 * Input of `signRequest`.
 *
 * @example const input: SignRequestInput = { method: 'GET', url: 'http://127.0.0.1:28080/rest/isales/v1/openapi/campaigns/1/46', accessKey: 'ak', secretKey: 'sk' }
 */
export interface SignRequestInput {
  method: string;
  /**
   * Absolute URL the request goes to. It is read through the WHATWG `URL` parser, as fetch
   * reads it, so the signed path, query and host are those fetch puts on the wire. In the
   * query `+` means a space (the server's reading); send a literal plus as `%2B`.
   */
  url: string | URL;
  /** The exact body to send (a string stands for its UTF-8 bytes); absent or empty = no body. */
  body?: string | Uint8Array;
  accessKey: string;
  secretKey: string;
  /** A ready C2 timestamp (§3.1); when absent it is formatted from `now`. */
  timestamp?: string;
  /** Epoch milliseconds used when `timestamp` is absent; default `Date.now()`. */
  now?: number;
  /** Form of the timestamp built from `now`; default `seconds`. */
  timestampFormat?: TimestampFormat;
  /**
   * `content` (default): `content-length;content-type;host` for a request with a body, `host`
   * alone otherwise. `host`: always `host` alone (Huawei's older public demo).
   */
  signedHeaders?: 'host' | 'content';
  /** Content-Type of a body; default `application/json;charset=UTF-8`. */
  contentType?: string;
  /**
   * Further headers to sign and send (for example `locale`). `host`, `content-length`,
   * `content-type` and `authorization` are refused here: they are computed.
   */
  headers?: Readonly<Record<string, string>>;
}

/**
 * What `signRequest` returns: the URL to fetch and the headers to send with it. `host` and
 * `content-length` are signed but not in `headers`: fetch derives them from the URL and the
 * body (browsers forbid setting them), and those derived values are the ones signed.
 */
export interface SignedRequest {
  /** The URL to pass to fetch (normalised by the URL parser). */
  url: string;
  /** `authorization`, `content-type` when there is a body, and the caller's extra headers. */
  headers: Record<string, string>;
  /** The body bytes that were signed (undefined when there is none); send exactly these. */
  body: Uint8Array | undefined;
  /** The signed header names and values (`host` and `content-length` included). */
  signed: Record<string, string>;
  authorization: string;
  canonicalRequest: string;
}

const COMPUTED_HEADERS = new Set(['host', 'content-length', 'content-type', 'authorization', 'transfer-encoding']);

/**
 * Signs one whole request: from method, absolute URL, body and keys to the headers to send.
 * Throws a TypeError for a URL that is not http(s), for a computed header given in `headers`,
 * or for an AK containing `/`.
 *
 * @example
 * const s = await signRequest({ method: 'POST', url: 'http://127.0.0.1:28080/rest/isales/v1/openapi/campaigns/1', body: '{"name":"x"}', accessKey: 'ak', secretKey: 'sk' });
 * await fetch(s.url, { method: 'POST', headers: s.headers, body: s.body });
 */
export async function signRequest(input: SignRequestInput): Promise<SignedRequest> {
  const url = new URL(input.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`url must be http(s), got ${url.protocol}`);
  url.hash = '';
  const body = input.body === undefined ? undefined : typeof input.body === 'string' ? utf8Encoder.encode(input.body) : input.body;
  const bytes = body === undefined || body.length === 0 ? undefined : body;

  const headers: Record<string, string> = {};
  const signed: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    const lower = name.toLowerCase();
    if (COMPUTED_HEADERS.has(lower)) throw new TypeError(`header "${lower}" is computed by the signer and cannot be given`);
    if (lower in headers) throw new TypeError(`header "${lower}" is given twice (names differ only in case)`);
    headers[lower] = value;
    signed[lower] = value;
  }
  signed.host = url.host;
  if (bytes !== undefined) {
    const contentType = input.contentType ?? JSON_CONTENT_TYPE;
    headers['content-type'] = contentType;
    if ((input.signedHeaders ?? 'content') === 'content') {
      signed['content-type'] = contentType;
      signed['content-length'] = String(bytes.length);
    }
  }
  // The query is read back from the parsed URL exactly as the server reads the raw one.
  const query = queryPairs(url.search.slice(1));
  if (query === null) throw new TypeError('malformed percent-escape in the query string');
  const timestamp = input.timestamp ?? formatTimestamp(input.now ?? Date.now(), input.timestampFormat ?? 'seconds');
  const s = await signCanonical({
    accessKey: input.accessKey,
    secretKey: input.secretKey,
    timestamp,
    method: input.method,
    path: url.pathname,
    query,
    headers: signed,
    ...(bytes === undefined ? {} : { body: bytes }),
  });
  headers.authorization = s.authorization;
  return { url: url.href, headers, body: bytes, signed, authorization: s.authorization, canonicalRequest: s.canonicalRequest };
}
