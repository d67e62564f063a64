/**
 * The interface invocation journal (calllogs), owned by the results area: one row per signed
 * request to `/rest/isales/...`, written after the answer was sent (http/calllogs-journal.ts).
 */

export interface CallLogTable {
  /**
   * 30-digit numeric string (`id` on the wire), unique across nodes (domain/ids.ts
   * `newLongId(oper_time)`): its first 13 digits are `oper_time`'s epoch ms, which retention
   * relies on to find old rows by the primary key (issue #12, migration 015).
   */
  id: string;
  /** The path's VDN; null when the path did not carry a usable one. */
  vdn_id: number | null;
  /** The AK that signed the request, or the one claimed by a request that failed the check. */
  access_key: string | null;
  /** When the request arrived (engine clock, epoch ms). */
  oper_time: number;
  /** HTTP method (`type` on the wire). */
  method: string;
  /** Path as received, without the query string. */
  url: string;
  /**
   * JSON text of the request parameters (path variables included), secrets redacted; null when
   * recording is off. When `request_params` is set, the body's JSON text as received instead (a
   * flat object with no secret-named field; domain/calllogs.ts `recordedRequest`).
   */
  request: string | null;
  /**
   * Null: `request` is the finished text. Else the JSON object of the query parameters and path
   * variables, which the calllogs query assigns onto `request`'s object (domain/calllogs.ts
   * `composeRequest`; issue #12, migration 016).
   */
  request_params: string | null;
  result_code: string | null;
  result_desc: string | null;
  http_status: number;
  /** Time to answer, in ms (wall time, not the engine clock). */
  duration_ms: number;
}

export interface JournalTables {
  call_logs: CallLogTable;
}
