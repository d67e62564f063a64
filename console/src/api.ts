/**
 * The console's only way to the server: signed calls to the public API. Requests are signed in
 * the browser by the same C2 signer the Node client uses (src/auth/c2-sign.ts, WebCrypto), with
 * the AK/SK the operator typed, kept only in this tab's session storage.
 */
import { signRequest } from '../../src/auth/c2-sign.js';

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

/** The envelope every JSON answer carries. */
export interface Envelope {
  resultCode: string;
  resultDesc: string;
  returnObject?: unknown;
  [k: string]: unknown;
}

export interface Answer<T = Envelope> {
  status: number;
  body: T & Envelope;
}

/** Session storage key, shared with the /docs page's signer. */
export const CREDENTIALS_KEY = 'campaignd.credentials';

export function loadCredentials(): Credentials | null {
  try {
    const raw = sessionStorage.getItem(CREDENTIALS_KEY);
    if (!raw) return null;
    const c = JSON.parse(raw) as Partial<Credentials>;
    return typeof c.accessKey === 'string' && typeof c.secretKey === 'string' ? { accessKey: c.accessKey, secretKey: c.secretKey } : null;
  } catch {
    return null;
  }
}

export function saveCredentials(c: Credentials | null): void {
  if (c) sessionStorage.setItem(CREDENTIALS_KEY, JSON.stringify(c));
  else sessionStorage.removeItem(CREDENTIALS_KEY);
}

/** The server's origin and path prefix: the console lives at `<base>/console/`. */
export function apiBase(): string {
  const path = location.pathname.replace(/\/console(\/.*)?$/, '/');
  return `${location.origin}${path}`;
}

/** Thrown for answers that are not an envelope (network failure, proxy page). */
export class TransportError extends Error {}

/** Called when the server refuses the key (401), so the app can sign out. */
let onUnauthorized: (reason: string) => void = () => {};
export function setUnauthorizedHandler(fn: (reason: string) => void): void {
  onUnauthorized = fn;
}

function absolute(path: string, query?: Record<string, string | number | undefined>): URL {
  const url = new URL(path.replace(/^\//, ''), apiBase());
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  return url;
}

/**
 * One signed call. Resolves with the HTTP status and the envelope for every answer the server
 * gives (error codes included); rejects with a TransportError only when no envelope came back.
 */
export async function call<T = Envelope>(method: string, path: string, body?: unknown, query?: Record<string, string | number | undefined>): Promise<Answer<T>> {
  const creds = loadCredentials();
  if (!creds) throw new TransportError('not signed in');
  const url = absolute(path, query);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const signed = await signRequest({ method, url, ...(text === undefined ? {} : { body: text }), accessKey: creds.accessKey, secretKey: creds.secretKey });
  let res: Response;
  try {
    res = await fetch(signed.url, { method, headers: signed.headers, ...(signed.body ? { body: signed.body as BodyInit } : {}) });
  } catch (e) {
    throw new TransportError(`the server cannot be reached: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = await res.json();
  } catch {
    throw new TransportError(`HTTP ${res.status}: the answer is not JSON`);
  }
  const env = parsed as T & Envelope;
  if (typeof env?.resultCode !== 'string') throw new TransportError(`HTTP ${res.status}: the answer is not an envelope`);
  if (res.status === 401) onUnauthorized(env.resultDesc);
  return { status: res.status, body: env };
}

/** Like `call`, but throws `ApiError` unless the answer is `0200000`. */
export async function must<T = Envelope>(method: string, path: string, body?: unknown, query?: Record<string, string | number | undefined>): Promise<T & Envelope> {
  const a = await call<T>(method, path, body, query);
  if (a.body.resultCode !== '0200000') throw new ApiError(a.body.resultCode, a.body.resultDesc, a.status);
  return a.body;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly desc: string,
    readonly status: number,
  ) {
    super(`${code}: ${desc}`);
  }
}

/** `P` and `P2` of the README. */
export const P = (vdn: number) => `/rest/isales/v1/openapi/campaigns/${vdn}`;
export const P2 = (vdn: number) => `/rest/isales/v2/openapi/campaigns/${vdn}`;
export const X = (vdn: number) => `/campaignd/v1/campaigns/${vdn}`;

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/**
 * Reads the signed event stream (`GET /campaignd/v1/events?vdnId=`) with fetch, reconnecting
 * (freshly signed) after a drop. Returns a function that stops it.
 */
export function openEvents(vdnId: number, onEvent: (e: StreamEvent) => void, onState: (connected: boolean) => void): () => void {
  let stopped = false;
  let ctl: AbortController | undefined;
  const run = async () => {
    let backoff = 500;
    while (!stopped) {
      const creds = loadCredentials();
      if (!creds) return;
      ctl = new AbortController();
      try {
        const signed = await signRequest({ method: 'GET', url: absolute('/campaignd/v1/events', { vdnId }), accessKey: creds.accessKey, secretKey: creds.secretKey });
        const res = await fetch(signed.url, { headers: signed.headers, signal: ctl.signal });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onState(true);
        backoff = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buf += value;
          let i = buf.indexOf('\n\n');
          while (i >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const name = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (name && data) onEvent({ event: name, data: JSON.parse(data) as Record<string, unknown> });
            i = buf.indexOf('\n\n');
          }
        }
      } catch {
        // dropped or refused: try again below
      }
      onState(false);
      if (stopped) return;
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, 10_000);
    }
  };
  void run();
  return () => {
    stopped = true;
    ctl?.abort();
  };
}

/** `yyyy-MM-dd HH:mm:ss` in UTC, the wire's datetime form. */
export function wireTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
