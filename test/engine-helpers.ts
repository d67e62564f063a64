/**
 * Shared steps of the engine suites: signed requests that must succeed, moving the manual clock
 * through the clock extension, and reading the results the engine wrote.
 */
import assert from 'node:assert/strict';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import type { CreateCampaignBody } from '../src/client/index.js';
import { campaignBody, envelopeOf, type TestServer } from './helpers.js';

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
export const P2 = (vdn = 1) => `/rest/isales/v2/openapi/campaigns/${vdn}`;

export type Body = Record<string, unknown> & { returnObject?: Record<string, unknown> };

/** A signed request that must answer 0200000. */
export async function ok(s: TestServer, method: string, path: string, body?: unknown): Promise<Body> {
  const res = await s.client.request(method, path, body);
  const env = envelopeOf(res.body);
  assert.equal(env.resultCode, '0200000', `${method} ${path}: ${res.raw}`);
  return res.body as unknown as Body;
}

/** A typed-client result that must be a success; returns its reply. */
export function okResult<R>(res: { ok: true; body: R } | { ok: false; raw: string; error: { resultCode?: string } }, what: string): R {
  if (!res.ok) assert.fail(`${what}: ${res.error.resultCode} ${res.raw}`);
  return res.body;
}

/** Moves the manual clock forward by `ms` through the signed extension (typed client). */
export async function advance(s: TestServer, ms: number): Promise<void> {
  okResult(await s.client.setClock({ advanceMs: ms }), 'advance the clock');
}

/** Moves the manual clock to `ms` (epoch) through the signed extension (typed client). */
export async function advanceTo(s: TestServer, ms: number): Promise<void> {
  okResult(await s.client.setClock({ setMs: ms }), 'set the clock');
}

/** The rows the engine wrote to `call_results`, oldest first. */
export async function results(s: TestServer, where: { campaignId?: number; calledNo?: string } = {}) {
  let q = s.store.db.selectFrom('call_results').selectAll().orderBy('id');
  if (where.campaignId !== undefined) q = q.where('campaign_id', '=', where.campaignId);
  if (where.calledNo !== undefined) q = q.where('called_no', '=', where.calledNo);
  return q.execute();
}

/** Attempt instants (epoch ms) of a called number, oldest first. */
export async function attemptTimes(s: TestServer, calledNo: string): Promise<number[]> {
  return (await results(s, { calledNo })).map((r) => Number(r.created_at));
}

/** A v1 campaign running from 00:00 UTC today (engine clock) for 60 days, open all day unless `extra` says otherwise. */
export async function campaign(s: TestServer, extra: Record<string, unknown> = {}): Promise<number> {
  const begin = startOfUtcDay(s.clock.now());
  const body = campaignBody({ strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 60 * DAY), scheduleParam: {}, ...extra }, begin);
  const r = okResult(await s.client.createCampaign(1, body as CreateCampaignBody), 'create a campaign');
  return Number(r.returnObject!.id);
}

/** Adds v2 call data (one record per entry, each with its list of called numbers); returns the dataIds. */
export async function addRecords(
  s: TestServer,
  campaignId: number,
  records: Array<{ called: Array<{ calledNo: string; delayTime?: number }>; caller?: string; sessionId?: string }>,
): Promise<string[]> {
  const r = okResult(
    await s.client.addCallDataV2(1, campaignId, {
      callDataList: records.map((rec, i) => ({
        sessionId: rec.sessionId ?? `s-${i}-${rec.called[0]!.calledNo}`,
        called: rec.called,
        ...(rec.caller ? { caller: rec.caller } : {}),
      })),
    }),
    'add call data',
  );
  return r.returnObject!.dataIdList.map((d) => String(d.dataId));
}

/** Adds one record per number (v2). */
export async function addData(s: TestServer, campaignId: number, numbers: string[]): Promise<string[]> {
  return addRecords(
    s,
    campaignId,
    numbers.map((n) => ({ called: [{ calledNo: n }] })),
  );
}
