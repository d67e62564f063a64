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

export { formatTimestamp, signCanonical, signRequest } from '../auth/c2-sign.js';
export type { SignedRequest, SignRequestInput, TimestampFormat } from '../auth/c2-sign.js';

/** Headers the client computes itself; letting callers set them would break the signature. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'authorization', 'transfer-encoding']);

/**
 * The CC-iSales response envelope: every JSON reply carries both code/description pairs.
 *
 * @example if (res.body?.resultCode === '0200000') console.log('ok')
 */
export interface Envelope {
  /** `"0200000"` on success, an error code otherwise. */
  resultCode: string;
  resultDesc: string;
  /** Mirrors `resultCode`. */
  returnCode: string;
  /** Mirrors `resultDesc`. */
  returnDesc: string;
  [k: string]: unknown;
}

/**
 * An envelope whose payload sits in `returnObject` (absent on errors).
 *
 * @example const r: WithReturnObject<{ id: number }> = { resultCode: '0200000', resultDesc: '', returnCode: '0200000', returnDesc: '', returnObject: { id: 1 } }
 */
export type WithReturnObject<R> = Envelope & { returnObject?: R };

/**
 * What every call resolves to. `body` is null when the reply is not JSON (a proxy's HTML error
 * page, an empty 401…); `raw` always holds the reply text.
 *
 * @example const { status, body, raw } = await client.request('GET', '/rest/isales/v1/openapi/campaigns/1/46')
 */
export interface ApiResponse<T> {
  status: number;
  body: T | null;
  raw: string;
}

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

/** Query parameters; `undefined` values are left out. */
export type Query = Record<string, string | number | undefined>;

/** Ids may be given as numbers or numeric strings (the server accepts both). */
export type Id = number | string;

/** `HH:mm` calling windows; `""` disables a window. */
export type ScheduleParam = Partial<Record<`${'workday' | 'holiday'}${'Begin' | 'End'}Time${1 | 2 | 3}`, string>>;

/**
 * Body of "add campaign (v1)". The public reference truncates several sub-objects, so further
 * vendor fields are allowed.
 *
 * @example const b: CreateCampaignBody = { name: 'Spring', strBeginTime: '2030-01-01 00:00:00', strEndTime: '2030-02-01 00:00:00', deviceType: 3, callerNo: '4001', maxAlertingTime: 30, scheduleParam: { workdayBeginTime1: '09:00', workdayEndTime1: '18:00' } }
 */
export interface CreateCampaignBody {
  name: string;
  description?: string;
  /** `yyyy-MM-dd HH:mm:ss`, UTC. */
  strBeginTime: string;
  /** `yyyy-MM-dd HH:mm:ss`, UTC. */
  strEndTime: string;
  /** 1/2/3/5/6; cannot change after creation. */
  deviceType: number;
  callerNo: string;
  /** Ring timeout in seconds. */
  maxAlertingTime: number;
  scheduleParam: ScheduleParam;
  ivrParam?: { deviceSign: string; callCount?: number; callInterval?: number; [k: string]: unknown };
  skillParam?: { skillId: number; skillName?: string; outBoundType?: number; predictParam?: Record<string, unknown>; [k: string]: unknown };
  /** 0 (default): created running; 1: created suspended. */
  initStatus?: number;
  callBackUrl?: string;
  [k: string]: unknown;
}

/**
 * `returnObject` of "query campaign details" (the reference lists it only in part).
 *
 * @example if (res.body?.returnObject?.status === 3) console.log('suspended')
 */
export interface CampaignDetails {
  name: string;
  description?: string;
  /** 2 executing, 3 suspended, 4 expired. */
  status: number;
  strBeginTime: string;
  strEndTime: string;
  deviceType: number;
  callerNo?: unknown;
  maxAlertingTime?: number;
  scheduleParam?: ScheduleParam;
  ivrParam?: Record<string, unknown>;
  skillParam?: Record<string, unknown>;
  [k: string]: unknown;
}

/**
 * Body of `appoint/create`.
 *
 * @example const b: CreateAppointmentBody = { callType: 2, calledNo: '13800000000', taskId: '46', appointTime: Date.now() + 3_600_000 }
 */
export interface CreateAppointmentBody {
  /** 1 manual, 2 automatic reservation. */
  callType: 1 | 2 | '1' | '2';
  calledNo: string;
  /** Agent business account (integrated deployments, manual reservations). */
  userAccount?: string;
  /** Agent work number (OP-standalone deployments). */
  workNo?: string;
  /** Campaign id. */
  taskId: Id;
  /** Epoch milliseconds. */
  appointTime: number | string;
  /** ≤ 1024 chars; automatic reservations only. */
  callData?: string;
  remark?: string;
}

/**
 * Body of `appoint/updateResult` (manual reservations only).
 *
 * @example const b: UpdateAppointmentResultBody = { appointId: '174712034211433247704877116507', userAccount: 'agent1', failCode: '00000' }
 */
export interface UpdateAppointmentResultBody {
  appointId: string;
  userAccount?: string;
  workNo?: string;
  callerNo?: string;
  /** CTI/OBS result code; `00000` = success. */
  failCode?: string;
  callId?: string;
  busiResult?: string;
  busiSubStatus?: string;
  /** Epoch milliseconds. */
  beginTime?: number | string;
  /** Epoch milliseconds. */
  endTime?: number | string;
}

/**
 * Body of `callerNo/{campaignId}`: 1–100 calling numbers.
 *
 * @example const b: AddCallerNumbersBody = { callerNo: [{ accessCode: '4001', priority: 1 }] }
 */
export interface AddCallerNumbersBody {
  /** `accessCode`: 1–24 digits; `priority`: 1 (highest) – 5. */
  callerNo: Array<{ accessCode: string; priority: number }>;
}

/**
 * Body of `createObResult`.
 *
 * @example const b: CreateObResultBody = { displayResult: 'No answer', obsCodes: ['00602'] }
 */
export interface CreateObResultBody {
  /** At most 7 characters. */
  resultCode?: string;
  displayResult: string;
  obsCodes: string[];
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
export class CampaigndClient {
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

  #p(vdnId: Id, rest = ''): string {
    return `/rest/isales/v1/openapi/campaigns/${seg(vdnId)}${rest}`;
  }

  /**
   * Adds a campaign (v1); `returnObject.id` is the new campaign id.
   *
   * @example const { body } = await client.createCampaign(1, { name: 'Spring', strBeginTime: '2030-01-01 00:00:00', strEndTime: '2030-02-01 00:00:00', deviceType: 3, callerNo: '4001', maxAlertingTime: 30, scheduleParam: {} })
   */
  createCampaign(vdnId: Id, body: CreateCampaignBody): Promise<ApiResponse<WithReturnObject<{ id: number }>>> {
    return this.request('POST', this.#p(vdnId), body);
  }

  /**
   * Queries one campaign's details.
   *
   * @example const { body } = await client.getCampaign(1, 46)
   */
  getCampaign(vdnId: Id, campaignId: Id): Promise<ApiResponse<WithReturnObject<CampaignDetails>>> {
    return this.request('GET', this.#p(vdnId, `/${seg(campaignId)}`));
  }

  /**
   * Adds a call batch to a campaign; `status` 1 = started, 2 (default) = suspended.
   *
   * @example const { body } = await client.createBatch(1, 46, { name: 'May' })
   */
  createBatch(vdnId: Id, campaignId: Id, body: { name: string; status?: 1 | 2 }): Promise<ApiResponse<WithReturnObject<{ id: string }>>> {
    return this.request('POST', this.#p(vdnId, `/callbatch/${seg(campaignId)}/create`), body);
  }

  /**
   * Suspends a call batch.
   *
   * @example await client.pauseBatch(1, 46, { id: '174712034211433247704877116507' })
   */
  pauseBatch(vdnId: Id, campaignId: Id, body: { id: string }): Promise<ApiResponse<Envelope>> {
    return this.request('POST', this.#p(vdnId, `/callbatch/${seg(campaignId)}/pause`), body);
  }

  /**
   * Resumes a suspended call batch.
   *
   * @example await client.resumeBatch(1, 46, { id: '174712034211433247704877116507' })
   */
  resumeBatch(vdnId: Id, campaignId: Id, body: { id: string }): Promise<ApiResponse<Envelope>> {
    return this.request('POST', this.#p(vdnId, `/callbatch/${seg(campaignId)}/resume`), body);
  }

  /**
   * Creates a reservation (reserved outbound call); `id` and `appointId` carry the same value.
   *
   * @example const { body } = await client.createAppointment(1, { callType: 2, calledNo: '13800000000', taskId: '46', appointTime: Date.now() + 3_600_000 })
   */
  createAppointment(vdnId: Id, body: CreateAppointmentBody): Promise<ApiResponse<WithReturnObject<{ id: string; appointId: string }>>> {
    return this.request('POST', this.#p(vdnId, '/appoint/create'), body);
  }

  /**
   * Reports the outcome of a manual reservation.
   *
   * @example await client.updateAppointmentResult(1, { appointId: '174712034211433247704877116507', userAccount: 'agent1', failCode: '00000' })
   */
  updateAppointmentResult(vdnId: Id, body: UpdateAppointmentResultBody): Promise<ApiResponse<Envelope>> {
    return this.request('POST', this.#p(vdnId, '/appoint/updateResult'), body);
  }

  /**
   * Adds calling numbers to a campaign's pool (all or nothing).
   *
   * @example await client.addCallerNumbers(1, 46, { callerNo: [{ accessCode: '4001', priority: 1 }] })
   */
  addCallerNumbers(vdnId: Id, campaignId: Id, body: AddCallerNumbersBody): Promise<ApiResponse<Envelope>> {
    return this.request('POST', this.#p(vdnId, `/callerNo/${seg(campaignId)}`), body);
  }

  /**
   * Creates an external result mapped to OBS codes; the new id is the top-level `defId`.
   *
   * @example const { body } = await client.createObResult(1, { displayResult: 'No answer', obsCodes: ['00602'] })
   */
  createObResult(vdnId: Id, body: CreateObResultBody): Promise<ApiResponse<Envelope & { defId?: string }>> {
    return this.request('POST', this.#p(vdnId, '/createObResult'), body);
  }
}
