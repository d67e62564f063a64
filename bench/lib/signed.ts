/**
 * Signed requests for the benchmarks, made with the project's own C2 signer. Requests are
 * signed ahead of a run (a signature stays valid for the server's clock skew, 900 s by default),
 * so the load tool spends nothing on signing and the measured cost is the server's alone.
 */
import { formatTimestamp, sign } from '../../src/auth/c2.js';

export const AK = 'benchAK0001';
export const SK = 'bench-secret-key-0001-xyz';

/** The environment that gives a campaignd under test the bench key pair. */
export const KEY_ENV = { CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK };

/** One ready-to-send request: the exact bytes of `body` were signed together with `headers`. */
export interface SignedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Signs `body` for `method base+path`; the `host` signed is the one the URL names. */
export function signedRequest(base: string, method: string, path: string, body: string): SignedRequest {
  const url = new URL(path, base);
  const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json;charset=UTF-8' };
  const { authorization } = sign({
    accessKey: AK,
    secretKey: SK,
    timestamp: formatTimestamp(Date.now(), 'seconds'),
    method,
    path: url.pathname,
    query: [...url.searchParams],
    headers,
    body,
  });
  return { method, path: url.pathname + url.search, headers: { ...headers, authorization }, body };
}

/** Sends one signed request and returns the parsed JSON reply (throws on a non-JSON reply). */
export async function call(base: string, method: string, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = signedRequest(base, method, path, body === undefined ? '' : JSON.stringify(body));
  const { host: _host, ...headers } = r.headers;
  const res = await fetch(new URL(r.path, base), { method, headers, body: method === 'GET' ? undefined : r.body });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) };
  } catch {
    throw new Error(`${method} ${path}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
}

/** Sends a signed request and throws unless it answers `0200000`; returns `returnObject`. */
export async function ok<T = unknown>(base: string, method: string, path: string, body: unknown): Promise<T> {
  const r = await call(base, method, path, body);
  if (r.json.resultCode !== '0200000') throw new Error(`${method} ${path}: ${JSON.stringify(r.json).slice(0, 500)}`);
  return r.json.returnObject as T;
}

/** `YYYY-MM-DD HH:mm:ss` in UTC, the vendor's date-time text. */
export function wireTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Creates an IVR campaign running from today for a year; returns its id. */
export async function createCampaign(base: string, name: string, ivrParam: Record<string, unknown> = { deviceSign: '1' }): Promise<number> {
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const r = await ok<{ id: number }>(base, 'POST', '/rest/isales/v1/openapi/campaigns/1', {
    name,
    strBeginTime: wireTime(day),
    strEndTime: wireTime(day + 365 * 86_400_000),
    deviceType: 3,
    callerNo: '4001',
    maxAlertingTime: 30,
    scheduleParam: {},
    ivrParam,
  });
  return r.id;
}
