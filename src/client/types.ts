/**
 * Types shared by the typed client (index.ts) and its generated operations (generated.ts).
 */

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
 * What `request()` resolves to. `body` is null when the reply is not JSON (a proxy's HTML error
 * page, an empty 401…); `raw` always holds the reply text.
 *
 * @example const { status, body, raw } = await client.request('GET', '/rest/isales/v1/openapi/campaigns/1/46')
 */
export interface ApiResponse<T> {
  status: number;
  body: T | null;
  raw: string;
}

/** Query parameters; `undefined` values are left out. */
export type Query = Record<string, string | number | undefined>;

/** Ids may be given as numbers or numeric strings (the server accepts both). */
export type Id = number | string;

/**
 * Codes any signed interface may answer whatever its list says: 0200001 (signature, VDN not
 * allowed to the key, no such interface, body too large, wrong media type) and 0200006 (an
 * internal error; the request may be retried).
 */
export type ProtocolCode = '0200001' | '0200006';

/**
 * A business error as a typed value: the result code is one of the codes the interface
 * documents (`C`), a protocol code, or undefined when the reply was not an envelope at all.
 *
 * @example if (!res.ok && res.error.resultCode === '0200007') console.log('no such campaign')
 */
export interface BusinessError<C extends string> {
  /** HTTP status (200 for business and validation errors, 401/403/404/413/415/429/5xx otherwise). */
  status: number;
  resultCode: C | ProtocolCode | undefined;
  resultDesc: string;
}

/**
 * What a typed method resolves to: the response, plus `ok` (HTTP 200 and resultCode 0200000)
 * and, when not ok, the `error`.
 *
 * @example const res = await client.createBatch(1, 46, { name: 'May' }); if (res.ok) console.log(res.body.returnObject?.id)
 */
export type CallResult<O extends { reply: unknown; codes: string }> =
  | (ApiResponse<O['reply']> & { ok: true; body: O['reply']; error?: undefined })
  | (ApiResponse<O['reply']> & { ok: false; error: BusinessError<O['codes']> });

/** How one operation goes on the wire (generated.ts `OPERATIONS`). */
export interface OperationSpec {
  method: string;
  /** Path template with `{param}` placeholders. */
  path: string;
  /** Path parameters, in path order. */
  params: readonly string[];
  /** Whether the operation takes query parameters. */
  query: boolean;
  body: 'none' | 'optional' | 'required';
}
