/**
 * Call results, failure statistics and the business-result writeback.
 *
 * Result-query time windows (`callresult` beginTime/endTime, `failcategorystatistics`
 * startDate/endDate) are whole UTC days, `yyyy-MM-dd`, both or neither (0200008); a bad date is
 * 0200009, an end before the begin 0200010 (`callresult` also refuses the same day twice: its
 * begin must be earlier than its end; `failcategorystatistics` reads it as one day), more than 30
 * days between them 0200011. A window selects results by the time they were recorded (the end
 * of the call).
 */
import { writeTransaction } from '../store/group-commit.js';
import type { BusiResultWriteback, CallResultQuery, FailStatsQuery } from '../contract/results.js';
import type { Db } from '../store/db.js';
import {
  failCountsByDay,
  findBusinessResult,
  findCallResult,
  findLiveCallData,
  hasConnectedCall,
  listCallResults,
  writeBusinessResult,
  type CallResultRow,
} from '../store/results.repository.js';
import { requireCampaign } from './campaigns.js';
import type { DomainContext } from './context.js';
import { decideAfterBusinessResult } from './retry-decision.js';
import { retryPolicyOf } from './campaign-policies.js';
import { applyBusinessDecision } from '../store/call-data.repository.js';
import { DomainError, paramError } from './errors.js';
import { isSerialId } from './ids.js';
import { formatDateTime, startOfUtcDay } from './time.js';

const DAY_MS = 86400_000;
/** Rows returned by `callresult` when no page is asked for. */
export const UNPAGED_CAP = 2000;
/** Page size limits: with details (recordPath) 100, without 500. */
export const PAGE_MAX_DETAIL = 100;
export const PAGE_MAX_PLAIN = 500;
const MAX_WINDOW_DAYS = 30;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `yyyy-MM-dd` → 00:00 UTC of that day, or null when malformed or not a real date. */
export function parseDay(s: string): number | null {
  const m = DATE.exec(s);
  if (!m) return null;
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? ms : null;
}

/** epoch ms → `yyyy-MM-dd` (UTC). */
export function formatDay(ms: number): string {
  return formatDateTime(ms).slice(0, 10);
}

/**
 * The half-open window `[from, until)` of two optional day strings; undefined when neither is
 * given. Empty strings count as not given (clients often send "" for an unset filter).
 */
export function dayWindow(beginName: string, begin: string | undefined, endName: string, end: string | undefined, strict = false): { from: number; until: number } | undefined {
  const b = begin === '' ? undefined : begin;
  const e = end === '' ? undefined : end;
  if ((b === undefined) !== (e === undefined)) throw new DomainError('0200008', `${beginName} and ${endName} must both be given or both be omitted`);
  if (b === undefined || e === undefined) return undefined;
  const from = parseDay(b);
  if (from === null) throw new DomainError('0200009', `${beginName} must be a real date yyyy-MM-dd, got "${b}"`);
  const last = parseDay(e);
  if (last === null) throw new DomainError('0200009', `${endName} must be a real date yyyy-MM-dd, got "${e}"`);
  if (last < from || (strict && last === from)) throw new DomainError('0200010', `${beginName} ${b} must be earlier than ${endName} ${e}`);
  if ((last - from) / DAY_MS > MAX_WINDOW_DAYS) throw new DomainError('0200011', `${beginName} and ${endName} are more than ${MAX_WINDOW_DAYS} days apart`);
  return { from, until: last + DAY_MS };
}

export interface CallResultItem {
  campaignId: number;
  sessionId: string | null;
  called: string;
  callTimeStr: string;
  callStatus: number;
  failCode: string;
  resultCode: string | null;
  vdnId: number;
  callId: string;
  recordPath: string | null;
}

/** When the call began as the callback reports it: ringing, else answer, else when it was recorded. */
function callTimeOf(r: CallResultRow): number {
  return Number(r.ack_begin_time ?? r.call_begin_time ?? r.created_at);
}

function callResultRowToApi(r: CallResultRow, withDetail: boolean): CallResultItem {
  return {
    campaignId: Number(r.campaign_id),
    sessionId: r.session_id,
    called: r.called_no,
    callTimeStr: formatDateTime(callTimeOf(r)),
    callStatus: Number(r.call_status),
    failCode: r.fail_code,
    resultCode: r.result_code,
    vdnId: Number(r.vdn_id),
    callId: r.call_id,
    recordPath: withDetail ? r.record_path : null,
  };
}

/**
 * `POST P/callresult/{campaignId}`: the campaign's completed calls, oldest first (ZH 0783,
 * isales-gaps §8.6). `showDetail` 0 (default) answers one final result per record (its latest
 * attempt) and allows pages of up to 500; `showDetail` 1 answers every attempt, pages of up to
 * 100. Paging needs both `pageNum` and `pageSize` (02000009 otherwise); without it at most 2000
 * rows are returned (`totalCount` still counts every match). The window's begin day must be
 * earlier than its end day (0200010), which is included. The campaign is looked up first
 * (0200007 before any check of the body).
 */
export async function queryCallResults(ctx: DomainContext, vdnId: number, campaignId: number, q: CallResultQuery): Promise<{ totalCount: number; data: CallResultItem[] }> {
  await requireCampaign(ctx.db, vdnId, campaignId);
  const window = dayWindow('beginTime', q.beginTime, 'endTime', q.endTime, true);
  const everyAttempt = q.showDetail === 1;
  if ((q.pageNum === undefined) !== (q.pageSize === undefined)) {
    throw new DomainError('02000009', 'parameters pageNum and pageSize must be given together');
  }
  const max = everyAttempt ? PAGE_MAX_DETAIL : PAGE_MAX_PLAIN;
  if (q.pageSize !== undefined && q.pageSize > max) {
    throw new DomainError('02000007', `parameter pageSize must be <= ${max} when showDetail is ${everyAttempt ? 1 : 0}`);
  }
  const paged = q.pageNum !== undefined && q.pageSize !== undefined;
  const { rows, total } = await listCallResults(ctx.db, {
    vdnId,
    campaignId,
    sessionId: q.sessionId === '' ? undefined : q.sessionId,
    customField: q.customField === '' ? undefined : q.customField,
    from: window?.from,
    until: window?.until,
    finalOnly: !everyAttempt,
    offset: paged ? (q.pageNum! - 1) * q.pageSize! : 0,
    limit: paged ? q.pageSize! : UNPAGED_CAP,
  });
  return { totalCount: total, data: rows.map((r) => callResultRowToApi(r, true)) };
}

export interface CallResultDetail {
  called: string;
  ackBeginTime: string | null;
  callBeginTime: string | null;
  callEndTime: string | null;
  callStatus: string;
  failCode: string;
  resultCode: string | null;
  vdnId: number;
  callId: string;
  recordPath: string | null;
}

const timeOrNull = (ms: number | null): string | null => (ms === null ? null : formatDateTime(Number(ms)));

/**
 * `GET P/callresultdetail/{callId}`: one call result of the VDN. Times are `yyyy-MM-dd HH:mm:ss`
 * UTC (null when the call never reached that stage); `callStatus` is a string, as in the
 * vendor's sample. An unknown callId is 0200001.
 */
export async function callResultDetail(db: Db, vdnId: number, callId: string): Promise<CallResultDetail> {
  const r = await findCallResult(db, vdnId, callId);
  if (!r) throw paramError(`call result ${callId} does not exist in VDN ${vdnId}`);
  return {
    called: r.called_no,
    ackBeginTime: timeOrNull(r.ack_begin_time),
    callBeginTime: timeOrNull(r.call_begin_time),
    callEndTime: timeOrNull(r.call_end_time),
    callStatus: String(r.call_status),
    failCode: r.fail_code,
    resultCode: r.result_code,
    vdnId: Number(r.vdn_id),
    callId: r.call_id,
    recordPath: r.record_path,
  };
}

/**
 * `GET P/failcategorystatistics`: failed calls (callStatus 5) per UTC day and fail code. Only
 * days with failures are listed. Without dates, today (UTC, engine clock) is counted.
 */
export async function failCategoryStatistics(ctx: DomainContext, vdnId: number, q: FailStatsQuery): Promise<{ statDate: string; failData: Record<string, number> }[]> {
  const window = dayWindow('startDate', q.startDate, 'endDate', q.endDate);
  const campaignId = Number(q.campaignId);
  if (!Number.isSafeInteger(campaignId) || campaignId < 1 || campaignId > 2147483647) {
    throw new DomainError('0200007', `campaign ${q.campaignId} does not exist in VDN ${vdnId}`);
  }
  await requireCampaign(ctx.db, vdnId, campaignId);
  const today = startOfUtcDay(ctx.clock.now());
  const { from, until } = window ?? { from: today, until: today + DAY_MS };
  const rows = await failCountsByDay(ctx.db, vdnId, campaignId, from, until);
  const out: { statDate: string; failData: Record<string, number> }[] = [];
  for (const r of rows) {
    const statDate = formatDay(r.day * DAY_MS);
    let entry = out.at(-1);
    if (entry?.statDate !== statDate) {
      entry = { statDate, failData: {} };
      out.push(entry);
    }
    entry.failData[r.failCode] = r.n;
  }
  return out;
}

/**
 * `POST P/callBusiResult/{dataId}`: records the business result of a call-data record.
 *
 * - 0200033: no such record in this VDN (or its campaign was deleted).
 * - 0200001: `busiResult` is not a business result defined in the VDN (addBusinessResult),
 *   matched by code, or by name for a definition without a code.
 * - 0200034: `subStatus` is not one of that result's sub-results.
 * - 0200999: no call to the record has connected yet (the writeback describes a conversation).
 *
 * A later writeback replaces the earlier one; `workNo`, when given, pins the record's future
 * calls to that agent and is kept when omitted. Re-calling per the campaign's `busiPolicy` is
 * the engine's job: it reads `busi_result`/`busi_sub_status` from the record.
 */
export async function writeBackBusinessResult(ctx: DomainContext, vdnId: number, dataIdText: string, body: BusiResultWriteback): Promise<void> {
  const dataId = /^\d{1,15}$/.test(dataIdText) ? Number(dataIdText) : NaN;
  const rec = isSerialId(dataId) ? await findLiveCallData(ctx.db, vdnId, dataId) : undefined;
  if (!rec) throw new DomainError('0200033', `call data ${dataIdText} does not exist in VDN ${vdnId}`);
  const parent = await findBusinessResult(ctx.db, vdnId, null, body.busiResult);
  if (!parent) throw paramError(`busiResult ${body.busiResult} is not a business result defined in VDN ${vdnId}`);
  const subStatus = body.subStatus === undefined || body.subStatus === '' ? null : body.subStatus;
  if (subStatus !== null && !(await findBusinessResult(ctx.db, vdnId, Number(parent.id), subStatus))) {
    throw new DomainError('0200034', `subStatus ${subStatus} is not a sub-result of business result ${body.busiResult}`);
  }
  if (Number(rec.succeeded) !== 1 && !(await hasConnectedCall(ctx.db, dataId))) {
    throw new DomainError('0200999', `call data ${dataIdText} has no connected call yet; a business result can be written back only after a call succeeded`);
  }
  const now = ctx.clock.now();
  // The campaign's business-result policy decides whether and how the record is called again;
  // the decision is written in the same transaction as the result (STYLE.md guideline 9).
  const policy = await retryPolicyOf(ctx.db, Number(rec.campaign_id));
  const decision = decideAfterBusinessResult(policy.busiPolicy, parent.code ?? body.busiResult, subStatus, now);
  await writeTransaction(ctx.db, async (trx) => {
    await writeBusinessResult(trx, dataId, {
      busiResult: body.busiResult,
      subStatus,
      busiResultDesc: body.busiResultDesc === undefined || body.busiResultDesc === '' ? null : body.busiResultDesc,
      ...(body.workNo !== undefined && body.workNo !== '' ? { workNo: body.workNo } : {}),
      nowMs: now,
    });
    await applyBusinessDecision(trx, rec, decision, now);
  });
}
