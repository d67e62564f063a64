/**
 * Fixtures shared by the tests of issue #12's HTTP changes: a journal entry as the request path
 * captures it, a stored journal row, a store taken back to before migration 017, and prom-client's own counter and histogram of the request metrics (the reference
 * the metrics kept outside prom-client must print the same text as).
 */
import { sql } from 'kysely';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { CallLogJournal } from '../src/http/calllogs-journal.js';
import type { Db } from '../src/store/db.js';
import { AK } from './helpers.js';

export type JournalEntry = Parameters<CallLogJournal['push']>[0];

/** Entry number `i` of a signed POST to `/e/{i}` at 1,700,000,000,000 + i ms, with `over` on top. */
export function journalEntry(i: number, over: Partial<JournalEntry> = {}): JournalEntry {
  return {
    vdnId: 1,
    accessKey: AK,
    operTime: 1_700_000_000_000 + i,
    method: 'POST',
    url: `/e/${i}`,
    httpStatus: 200,
    durationMs: 1,
    resultCode: '0200000',
    resultDesc: 'success',
    params: { vdnId: '1' },
    query: {},
    rawBody: Buffer.from(`{"n":${i}}`),
    authenticated: true,
    ...over,
  };
}

/**
 * A stored `call_logs` row (what the journal writes for a signed appoint/create) with the given
 * `id` and `oper_time` (epoch ms): the retention tests' rows (issue #12, migration 015).
 */
export function callLogRow(id: string, operTime: number) {
  return {
    id,
    vdn_id: 1,
    access_key: 'AK',
    oper_time: operTime,
    method: 'POST',
    url: '/rest/isales/v1/openapi/campaigns/1/appoint/create',
    request: '{"calledNo":"13800000000","vdnId":"1"}',
    result_code: '0200000',
    result_desc: 'success',
    http_status: 200,
    duration_ms: 2,
  };
}

/** Migration 017 undone on a store (its query index back to the two of 005), to test a store migrating from before it. */
export async function undoJournalQueryIndex(db: Db): Promise<void> {
  await sql`drop index call_logs_vdn_time_url`.execute(db);
  await sql`create index call_logs_vdn_time on call_logs (vdn_id, oper_time)`.execute(db);
  await sql`create index call_logs_vdn_url_time on call_logs (vdn_id, url, oper_time)`.execute(db);
}

/** campaignd's two request metrics made with plain prom-client on `registry`; `observe` feeds both. */
export function promClientRequestMetrics(registry: Registry): { observe: (method: string, route: string, status: number, result: string, seconds: number) => void } {
  const requests = new Counter({
    name: 'campaignd_http_requests_total',
    help: 'HTTP requests answered, by route pattern, status and resultCode',
    labelNames: ['method', 'route', 'status', 'result'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'campaignd_http_request_duration_seconds',
    help: 'HTTP request latency in seconds, by route pattern',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    observe(method, route, status, result, seconds) {
      requests.inc({ method, route, status: String(status), result });
      latency.observe({ method, route }, seconds);
    },
  };
}
