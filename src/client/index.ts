/**
 * Typed client for campaignd (and any CC-iSales-compatible server), signing every request with
 * the C2 `auth-v2` scheme of reference/auth-c2.md. The signing is `signRequest` of
 * auth/c2-sign.ts, the isomorphic signer (WebCrypto) the browser console runs too.
 *
 * Two rules keep signatures valid:
 * - the body is serialised ONCE and the same bytes are signed and sent (any byte difference —
 *   key order, whitespace, escaping — breaks the signature);
 * - the signed `host` and path are taken from the same parsed URL that fetch sends.
 *
 * The client never retries: a C2 signature is per request, and replaying a POST (create a
 * campaign, a reservation…) could do the work twice. Callers decide what is safe to repeat.
 *
 * TLS: requests go through Node's global fetch (undici). Node 20 does not expose undici as an
 * importable module, so `rejectUnauthorized: false` cannot be honoured by the built-in
 * transport; for a self-signed server certificate start Node with
 * `NODE_EXTRA_CA_CERTS=/path/to/ca.pem`, or pass your own `fetch` (for example undici's, with
 * an `Agent({ connect: { rejectUnauthorized: false } })` dispatcher).
 */
import { JSON_CONTENT_TYPE, norm, signRequest } from '../auth/c2-sign.js';
import type { TimestampFormat } from '../auth/c2-sign.js';

import { GeneratedOperations, OPERATIONS, type Operations } from './generated.js';
import type { ApiResponse, CallResult, Envelope, Id, Query } from './types.js';

export { formatTimestamp, signCanonical, signRequest } from '../auth/c2-sign.js';
export { OPERATIONS, type Operations } from './generated.js';
export type { ApiResponse, BusinessError, CallResult, Envelope, Id, ProtocolCode, Query } from './types.js';
export type { SignedRequest, SignRequestInput, TimestampFormat } from '../auth/c2-sign.js';

/** Headers the client computes itself; letting callers set them would break the signature. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'authorization', 'transfer-encoding']);

/**
 * Options of `new CampaigndClient(…)`.
 *
 * @example const opts: CampaigndClientOptions = { baseUrl: 'http://127.0.0.1:28080', accessKey: 'ak', secretKey: 'sk' }
 */
export interface CampaigndClientOptions {
  /** Server origin, optionally with a path prefix (`https://10.0.0.5:28443`, `https://gw/isales`). */
  baseUrl: string;
  accessKey: string;
  secretKey: string;
  /**
   * Which headers to sign. `content` (default): `content-length;content-type;host` for requests
   * with a body, `host` alone otherwise (current CEC doc demo). `host`: always `host` alone
   * (Huawei's older public demo).
   */
  signedHeaders?: 'host' | 'content';
  /** Timestamp form (§3.1); default `seconds`. Try the other one if a server answers 401. */
  timestampFormat?: TimestampFormat;
  /** Clock in epoch ms, for tests and virtual time; default `Date.now`. */
  now?: () => number;
  /** Replacement for the global fetch (for proxies, custom TLS, tests). */
  fetch?: typeof fetch;
  /**
   * Extra headers sent with every request, unsigned (e.g. `locale: en_US`). `content-type` may
   * be overridden here (the value is then both sent and signed); `host`, `content-length`,
   * `authorization` and `transfer-encoding` may not.
   */
  headers?: Record<string, string>;
  /**
   * `false` is only accepted together with a custom `fetch` that implements it: Node's bundled
   * undici cannot be configured without the `undici` package (see the module comment).
   */
  rejectUnauthorized?: boolean;
  /**
   * Called with each signed request just before it is sent (for `campaignd call -v` and for
   * debugging a 401): the URL, the canonical request (§4 of the C2 scheme) and the
   * `Authorization` value without its signature. Never given the secret key.
   */
  onSigned?: (info: { method: string; url: string; canonicalRequest: string; authorizationPrefix: string }) => void;
}

const utf8 = new TextEncoder();

/** Serialises a body once; a string or byte array is taken as the exact bytes to send. */
function encodeBody(body: unknown): Uint8Array | undefined {
  if (body === undefined) return undefined;
  let bytes: Uint8Array;
  if (typeof body === 'string') bytes = utf8.encode(body);
  else if (body instanceof Uint8Array) bytes = body;
  else {
    const json = JSON.stringify(body);
    if (json === undefined) throw new TypeError('request body cannot be serialised to JSON');
    bytes = utf8.encode(json);
  }
  // A zero-length body is sent as no body at all (no Content-Type, nothing signed for it).
  return bytes.length === 0 ? undefined : bytes;
}

/** Decodes a raw query that the caller wrote into `path` (a literal `+` stays a `+`). */
function splitRawQuery(raw: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    try {
      out.push([decodeURIComponent(eq < 0 ? part : part.slice(0, eq)), decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1))]);
    } catch {
      throw new TypeError(`malformed percent-escape in query "${part}"`);
    }
  }
  return out;
}

/** One path segment, encoded so that an id can never inject `/`, `?` or `..`. */
function seg(id: Id): string {
  return norm(String(id));
}

/**
 * A C2-signing client for the CC-iSales OpenAPI served by campaignd.
 *
 * @example const client = new CampaigndClient({ baseUrl: 'http://127.0.0.1:28080', accessKey: 'ak', secretKey: 'sk' })
 */
export class CampaigndClient extends GeneratedOperations {
  readonly #origin: string;
  readonly #basePath: string;
  readonly #accessKey: string;
  readonly #secretKey: string;
  readonly #signedHeaders: 'host' | 'content';
  readonly #timestampFormat: TimestampFormat;
  readonly #now: () => number;
  readonly #fetch: typeof fetch;
  readonly #extraHeaders: Record<string, string>;
  readonly #contentType: string;
  readonly #onSigned: CampaigndClientOptions['onSigned'];

  constructor(options: CampaigndClientOptions) {
    super();
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`baseUrl must be http(s), got ${base.protocol}`);
    }
    if (base.search !== '' || base.hash !== '') throw new TypeError('baseUrl must not contain a query or a fragment');
    if (base.username !== '' || base.password !== '') throw new TypeError('baseUrl must not contain credentials');
    if (options.rejectUnauthorized === false && options.fetch === undefined && base.protocol === 'https:') {
      throw new TypeError('rejectUnauthorized: false needs a custom fetch; with the built-in fetch trust the server certificate via NODE_EXTRA_CA_CERTS instead');
    }
    this.#origin = base.origin;
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.#accessKey = options.accessKey;
    this.#secretKey = options.secretKey;
    this.#signedHeaders = options.signedHeaders ?? 'content';
    this.#timestampFormat = options.timestampFormat ?? 'seconds';
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#onSigned = options.onSigned;

    const extra: Record<string, string> = {};
    let contentType = JSON_CONTENT_TYPE;
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      const lower = name.toLowerCase();
      if (RESERVED_HEADERS.has(lower)) throw new TypeError(`header "${lower}" is computed by the client and cannot be set`);
      if (lower === 'content-type') contentType = value;
      else extra[lower] = value;
    }
    this.#extraHeaders = extra;
    this.#contentType = contentType;
  }

  /**
   * Signs and sends one request. A string (or Uint8Array) body is sent byte for byte; any other
   * value is JSON-serialised once. Resolves for every HTTP status (401 included); rejects only
   * on transport errors. Never retries. Redirects are not followed (a signature is bound to
   * its path and host), so a 3xx is returned as is.
   *
   * @example const res = await client.request('POST', '/rest/isales/v1/openapi/campaigns/1/createObResult', { displayResult: 'x', obsCodes: ['00602'] })
   */
  async request<T = Envelope>(method: string, path: string, body?: unknown, query?: Query): Promise<ApiResponse<T>> {
    const verb = method.toUpperCase();
    const bytes = encodeBody(body);

    const q = path.indexOf('?');
    const pairs = q < 0 ? [] : splitRawQuery(path.slice(q + 1));
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) pairs.push([k, String(v)]);
    }
    const pathOnly = q < 0 ? path : path.slice(0, q);
    // Re-encode every parameter with norm(): the result is unambiguous (`+` becomes %2B, space
    // %20) and already in canonical form, so the URL parser leaves it untouched.
    const search = pairs.length === 0 ? '' : '?' + pairs.map(([k, v]) => norm(k) + '=' + norm(v)).join('&');
    const url = new URL(this.#origin + this.#basePath + (pathOnly.startsWith('/') ? '' : '/') + pathOnly + search);

    // fetch writes the Host header from url.host (port included when not the default) and the
    // request target from url.pathname + url.search; signRequest signs exactly those values.
    const signed = await signRequest({
      method: verb,
      url,
      accessKey: this.#accessKey,
      secretKey: this.#secretKey,
      now: this.#now(),
      timestampFormat: this.#timestampFormat,
      signedHeaders: this.#signedHeaders,
      contentType: this.#contentType,
      ...(bytes === undefined ? {} : { body: bytes }),
    });
    const { authorization, canonicalRequest } = signed;
    const headers: Record<string, string> = { ...this.#extraHeaders, ...signed.headers };
    this.#onSigned?.({ method: verb, url: url.href, canonicalRequest, authorizationPrefix: authorization.slice(0, authorization.lastIndexOf('/')) });

    const res = await this.#fetch(url, {
      method: verb,
      headers,
      redirect: 'manual',
      ...(bytes === undefined ? {} : { body: bytes }),
    });
    const raw = await res.text();
    let parsed: T | null = null;
    if (raw !== '') {
      try {
        parsed = JSON.parse(raw) as T;
      } catch {
        parsed = null;
      }
    }
    return { status: res.status, body: parsed, raw };
  }

  /**
   * Sends one named operation (the generated methods call this): fills the path template,
   * sends through `request`, and tells success from a business error.
   */
  protected async call<K extends keyof Operations>(op: K, path: Record<string, Id>, body?: unknown, query?: Record<string, unknown>): Promise<CallResult<Operations[K]>> {
    const spec = OPERATIONS[op];
    let url: string = spec.path;
    for (const name of spec.params) {
      const v = path[name];
      if (v === undefined || v === '') throw new TypeError(`${op}: path parameter ${name} is missing`);
      url = url.replace(`{${name}}`, seg(v));
    }
    let q: Query | undefined;
    if (query !== undefined) {
      q = {};
      for (const [k, v] of Object.entries(query)) if (v !== undefined) q[k] = typeof v === 'number' ? v : String(v);
    }
    const res = await this.request<Operations[K]['reply']>(spec.method, url, body, q);
    const env = res.body as Partial<Envelope> | null;
    if (res.status === 200 && env?.resultCode === '0200000') return { ...res, ok: true, body: res.body as Operations[K]['reply'] };
    const resultCode = typeof env?.resultCode === 'string' ? (env.resultCode as Operations[K]['codes']) : undefined;
    const resultDesc = typeof env?.resultDesc === 'string' ? env.resultDesc : res.raw.slice(0, 500);
    return { ...res, ok: false, error: { status: res.status, resultCode, resultDesc } };
  }
}

/** Body of "add campaign (v1)" (from the contract). */
export type CreateCampaignBody = Operations['createCampaign']['body'];
/** Body of `appoint/create` (from the contract). */
export type CreateAppointmentBody = Operations['createAppointment']['body'];
/** Body of `appoint/updateResult` (from the contract). */
export type UpdateAppointmentResultBody = Operations['updateAppointmentResult']['body'];
/** Body of `callerNo/{campaignId}` (from the contract). */
export type AddCallerNumbersBody = Operations['addCallerNumbers']['body'];
/** Body of `createObResult` (from the contract). */
export type CreateObResultBody = Operations['createObResult']['body'];
