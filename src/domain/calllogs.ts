/**
 * Interface invocation records (`POST P/calllogs`, isales-gaps.md §5): what the journal stores
 * for each request, and the query over it.
 *
 * What is recorded as `request`: the parameters as the vendor's sample shows them, one JSON
 * object holding the body's fields, the query parameters and the path variables (path wins on
 * a name clash). Secret-named fields (domain/secrets.ts: `password`, `apiKey`, `accessToken`,
 * `pinCode`, `sk` …) are replaced by `******` at any depth. The Authorization header, and so
 * the signature, is never part of it. Bodies over 64 KiB are described, not copied; values
 * nested deeper than 16 levels are replaced by a note, so serialising an entry cannot fail.
 *
 * How it is stored: most often (a flat, secret-free JSON body) as the body text received plus
 * the query and path fields, put together when read ({@link recordedRequest},
 * {@link composeRequest}); the text read is the same either way.
 */
import type { Db } from '../store/db.js';
import { queryCallLogs, type CallLogRow } from '../store/calllogs.repository.js';
import { paramError, DomainError } from './errors.js';
import { isSecretName, redact } from './secrets.js';
import { parseDateTime } from './time.js';

export { redact };

/** Larger request bodies are not copied into the journal (a 2000-record call-data add is ~1 MB). */
export const MAX_RECORDED_CHARS = 64 * 1024;
/** Values nested deeper than this (objects/arrays) are not copied into the journal. */
export const MAX_RECORDED_DEPTH = 16;
const TOO_DEEP = `[nested deeper than ${MAX_RECORDED_DEPTH} levels: not recorded]`;
const WEEK_MS = 7 * 86400_000;

/**
 * A copy of a JSON value whose objects and arrays below `MAX_RECORDED_DEPTH` levels are
 * replaced by a note (iterative: any depth is safe), so `JSON.stringify` of it cannot overflow.
 */
export function capDepth(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const root: unknown = Array.isArray(v) ? [...v] : { ...(v as object) };
  const stack: Array<[Record<string | number, unknown>, number]> = [[root as Record<string, unknown>, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    const keys: Array<string | number> = Array.isArray(node) ? [...(node as unknown[]).keys()] : Object.keys(node);
    for (const k of keys) {
      const x = node[k];
      if (x === null || typeof x !== 'object') continue;
      if (depth >= MAX_RECORDED_DEPTH) {
        node[k] = TOO_DEEP;
        continue;
      }
      const copy = Array.isArray(x) ? [...x] : { ...(x as object) };
      node[k] = copy;
      stack.push([copy as Record<string, unknown>, depth + 1]);
    }
  }
  return root;
}

export interface RequestParts {
  /** Path variables (coerced by validation when it ran, e.g. `vdnId: 2`). */
  params: unknown;
  query: unknown;
  /** The body bytes as received (null/empty: no body). */
  rawBody: Buffer | undefined;
  /**
   * The body's UTF-8 text, given only when {@link bodyRecordableAsReceived} held for it when the
   * server first parsed it (before any handler could change the parsed object): the journal
   * writer then stores it without parsing it again (issue #12, ~0.6 µs per request).
   */
  bodyText?: string;
  /**
   * False for refused requests (401, 403, 413, 415): only the path variables are kept, never
   * what the refused caller sent.
   */
  authenticated: boolean;
}

function plainObject(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * What the journal stores of one call's parameters: `request`, and `requestParams` when the
 * composition of the vendor's `request` text is left to the read path (issue #12).
 *
 * - `requestParams` null: `request` is the finished text ({@link requestJson}), returned as stored.
 * - `requestParams` set (the deferred form): `request` is the body exactly as received (UTF-8
 *   text of a JSON object) and `requestParams` the JSON object of the query parameters and path
 *   variables (path wins); the vendor's text is {@link composeRequest} of the two.
 */
export interface RecordedRequest {
  request: string;
  requestParams: string | null;
}

/**
 * The journal's `request` text for one call. A refused caller cannot write its body or query
 * into the store; a body that is not JSON, or too large, is described, not copied.
 *
 * @example requestJson({ params: { vdnId: 2, defId: '456' }, query: {}, rawBody: undefined, authenticated: true }) // '{"vdnId":2,"defId":"456"}'
 */
export function requestJson(p: RequestParts): string {
  return record(p, false).request;
}

/**
 * What the journal writer stores for one call (see {@link RecordedRequest}). The common case,
 * a signed request whose body is a flat JSON object with no secret-named field and whose query
 * and path are flat and clear too (appoint/create), takes the deferred form: the body text as
 * received and the query+path JSON, so the write path parses the body (to decide that nothing
 * is to be masked: the secret rule holds at rest) but does not serialise it again (~1.3 µs of
 * the ~1.6 µs `requestJson` cost). Any other request is stored as {@link requestJson}'s text.
 *
 * The deferred body text differs from the finished text only in what JSON.parse discards:
 * whitespace, escapes, and the earlier values of a repeated name. The form is taken only when
 * the text holds no `[` and no `{` but the outer one, so a repeated name can only hide a
 * primitive under that same, non-secret, name (never a nested object with a secret inside).
 *
 * @example recordedRequest({ params: { vdnId: '1' }, query: {}, rawBody: Buffer.from('{"calledNo":"138"}'), authenticated: true }) // { request: '{"calledNo":"138"}', requestParams: '{"vdnId":"1"}' }
 */
export function recordedRequest(p: RequestParts): RecordedRequest {
  return record(p, true);
}

/**
 * The vendor's `request` text of a stored journal row: `request` itself when `requestParams`
 * is null; else (the deferred form of {@link recordedRequest}) the body object with the query
 * and path fields assigned onto it, serialised: body keys first, then new query keys, then
 * new path keys, later sources winning — the text {@link requestJson} gives for the same call.
 * A deferred row whose texts are not both JSON objects (a damaged row) is returned as stored,
 * so one row cannot fail a query.
 *
 * @example composeRequest('{"calledNo":"138","vdnId":"9"}', '{"vdnId":"1"}') // '{"calledNo":"138","vdnId":"1"}'
 */
export function composeRequest(request: string | null, requestParams: string | null): string | null {
  if (requestParams === null || request === null) return request;
  try {
    const body: unknown = JSON.parse(request);
    const params: unknown = JSON.parse(requestParams);
    if (!isObject(body) || !isObject(params)) return request;
    return JSON.stringify(Object.assign(body, params));
  } catch {
    return request;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * True when a body can be journaled as received ({@link recordedRequest}'s deferred form, as
 * far as the body decides): `parsed`, the JSON.parse of its UTF-8 `text` (`size` bytes), is an
 * object whose values are all primitives and whose names are neither secret nor `__proto__`, the
 * text nests nothing (not even under a repeated name), and it is not too large to record. Asked
 * by the HTTP body parser on its own parse, so the journal does not parse the body again.
 *
 * @example bodyRecordableAsReceived({ calledNo: '138' }, '{"calledNo":"138"}', 18) // true
 */
export function bodyRecordableAsReceived(parsed: unknown, text: string, size: number): boolean {
  return size > 0 && size <= MAX_RECORDED_CHARS && isObject(parsed) && flatAndClear(parsed) && noNesting(text);
}

/** {@link requestJson} (`defer` false) and {@link recordedRequest} (`defer` true). */
function record(p: RequestParts, defer: boolean): RecordedRequest {
  const path = plainObject(p.params);
  if (!p.authenticated) return { request: JSON.stringify(redact(capDepth({ ...path }))), requestParams: null };
  const query = plainObject(p.query);
  // The body parser found the text recordable as received (bodyRecordableAsReceived).
  if (defer && p.bodyText !== undefined && jsonFlatAndClear(query) && jsonFlatAndClear(path)) {
    return { request: p.bodyText, requestParams: JSON.stringify(Object.assign({}, query, path)) };
  }
  let body: Record<string, unknown> = {};
  const size = p.rawBody?.length ?? 0;
  if (size > MAX_RECORDED_CHARS) {
    body = { body: `[not recorded: ${size} bytes]` };
  } else if (size > 0) {
    const text = p.rawBody!.toString('utf8');
    let parsed: unknown;
    let valid = true;
    try {
      parsed = JSON.parse(text);
    } catch {
      valid = false;
    }
    if (!valid) body = { body: `[not valid JSON: ${size} bytes]` };
    else if (!isObject(parsed)) body = { body: parsed };
    else if (defer && flatAndClear(parsed) && jsonFlatAndClear(query) && jsonFlatAndClear(path) && noNesting(text)) {
      // Decided from the parse of the bytes received (a handler may have changed `req.body`).
      return { request: text, requestParams: JSON.stringify(Object.assign({}, query, path)) };
    } else body = parsed;
  }
  // The common case (issue #12), a flat body (appoint/create) with no secret-named field: no
  // depth to cap and nothing to mask, so the body object parsed just above takes the query and
  // path fields itself; the text is the same as the general path's.
  if (flatAndClear(body) && flatAndClear(query) && flatAndClear(path)) return { request: JSON.stringify(Object.assign(body, query, path)), requestParams: null };
  return { request: JSON.stringify(redact(capDepth({ ...body, ...query, ...path }))), requestParams: null };
}

/**
 * True when every value of `o` is a primitive (no depth to cap) and no name is secret (nothing
 * to mask); `__proto__` is left to the general path (assigning it would set the prototype).
 */
function flatAndClear(o: Record<string, unknown>): boolean {
  for (const k of Object.keys(o)) {
    const v = o[k];
    if ((v !== null && typeof v === 'object') || k === '__proto__' || isSecretName(k)) return false;
  }
  return true;
}

/**
 * {@link flatAndClear}, and every value survives a JSON round trip as the same text: a string,
 * number, boolean or null (an `undefined` would drop a body field in {@link requestJson}'s
 * text but not in the deferred form's). For the query and path of the deferred form.
 */
function jsonFlatAndClear(o: Record<string, unknown>): boolean {
  for (const k of Object.keys(o)) {
    const v = o[k];
    const t = typeof v;
    if (!(v === null || t === 'string' || t === 'number' || t === 'boolean') || k === '__proto__' || isSecretName(k)) return false;
  }
  return true;
}

/** True when `text` (a JSON object) has no `[` and no `{` after its first: no nested value in the text, even under a repeated name. */
function noNesting(text: string): boolean {
  return text.indexOf('[') < 0 && text.indexOf('{', text.indexOf('{') + 1) < 0;
}

/** epoch ms → `2022-08-19T14:18:31.000+00:00` (the sample's `operTime` form). */
export function isoWithOffset(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

export interface CallLogQuery {
  offset: number;
  limit: number;
  url?: string;
  beginTime: string;
  endTime: string;
}

export interface CallLogItem {
  id: string;
  operTime: string;
  url: string;
  request: string | null;
  resultCode: string | null;
  resultDesc: string | null;
  httpStatus: number;
  type: string;
}

function callLogRowToApi(r: CallLogRow): CallLogItem {
  return {
    id: r.id,
    operTime: isoWithOffset(Number(r.oper_time)),
    url: r.url,
    request: composeRequest(r.request, r.request_params),
    resultCode: r.result_code,
    resultDesc: r.result_desc,
    httpStatus: Number(r.http_status),
    type: r.method,
  };
}

/** The schema already refused a malformed value (02000002); a well-formed date that does not exist is 02000007 (README "Decisions": Times). */
function parseWindowTime(field: string, v: string): number {
  const ms = parseDateTime(v);
  if (ms === null) throw new DomainError('02000007', `parameter ${field} must be a real date-time yyyy-MM-dd HH:mm:ss (UTC)`);
  return ms;
}

/**
 * The caller's VDN's journal entries between `beginTime` and `endTime` (both inclusive, to the
 * second; at most 7 days apart), optionally for one path. Entries are written about 100 ms
 * after their answer, so a request made just before may not be listed yet.
 */
export async function queryCallLogsOfVdn(db: Db, vdnId: number, q: CallLogQuery): Promise<{ count: number; result: CallLogItem[] }> {
  const begin = parseWindowTime('beginTime', q.beginTime);
  const end = parseWindowTime('endTime', q.endTime);
  if (end < begin) throw paramError('endTime must not be earlier than beginTime');
  if (end - begin > WEEK_MS) throw paramError('endTime must be at most 7 days after beginTime');
  const url = q.url === undefined || q.url === '' ? undefined : q.url.split('?')[0];
  const { rows, total } = await queryCallLogs(db, { vdnId, begin, end: end + 999, url, offset: q.offset, limit: q.limit });
  return { count: total, result: rows.map(callLogRowToApi) };
}
