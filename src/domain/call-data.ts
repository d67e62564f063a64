/**
 * Call-data use cases: add (v1 and v2), delete, query one record. Record states:
 * store/schema/call-data.ts.
 *
 * Adding is all or nothing: every check runs before the first insert, inside one transaction,
 * so a refused request writes nothing (not even the rate-limit stamp). Checks, in the order a
 * caller meets them:
 *   0200029 more records than the per-request maximum · 0200030 a bad or past recycleTime ·
 *   0200018 duplicate numbers · 0200007 unknown campaign · 0200022 less than 1 s after the last
 *   accepted add on the campaign · 0200019 campaign expired · 03000004 unknown batchId ·
 *   0200001 unknown number type · 0200024 blocklisted number · 0200020 too many uncompleted
 *   records.
 */
import { writeTransaction } from '../store/group-commit.js';
import type { Db } from '../store/db.js';
import type { CallDataConfig } from '../config/call-data.js';
import type { CallDataAddV1, CallDataAddV2, CallDataDelete, CallDataItemV1, CallDataItemV2 } from '../contract/call-data.js';
import { findBatch } from '../store/batches.repository.js';
import { blockedNumbers } from '../store/blocklist.repository.js';
import {
  countMatching,
  countUncompleted,
  existingNumberTypes,
  findCallData,
  insertCallData,
  removeReadyCallData,
  trySetGate,
  type CallDataFilter,
  type AddedCallData,
} from '../store/call-data.repository.js';
import type { CampaignState } from './campaign-rules.js';
import { requireCampaign, stateOf } from './campaigns.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { isSerialId } from './ids.js';
import { formatDateTime, parseDateTime, startOfUtcDay } from './time.js';

const DAY_MS = 86400_000;

/**
 * Which campaign states take new numbers. Only `expired` refuses: its end time has passed, so
 * nothing added could ever be dialled (the vendor's "completed task"). A suspended or
 * not-started campaign takes numbers for later, and a call-completed one becomes executing
 * again. The vendor's older text also refuses "ongoing" tasks; that would make the interface
 * useless for topping up a running campaign, which is its main use, so campaignd does not.
 */
export function callDataAddAllowed(state: CampaignState): boolean {
  return state !== 'expired';
}

/** One incoming record, v1 and v2 alike. */
interface Incoming {
  sessionId?: string;
  numbers: Array<{ calledNo: string; delayTime: number; type: string | null }>;
  caller?: string;
  customField?: string;
  recycleTime?: string;
  callData?: string;
  priority?: number;
}

export interface AddResult {
  totalSize: number;
  dataIdList: Array<{ called: string; dataId: number }>;
}

// Built field by field rather than spread from the item: every Incoming then has one shape,
// which keeps the per-record code of a 10,000-record add fast (issue #12).
function fromV1(i: CallDataItemV1): Incoming {
  return {
    sessionId: i.sessionId,
    numbers: [{ calledNo: i.called, delayTime: 0, type: null }],
    caller: i.caller,
    customField: i.customField,
    recycleTime: i.recycleTime,
    callData: i.callData,
    priority: i.priority,
  };
}

function fromV2(i: CallDataItemV2): Incoming {
  return {
    sessionId: i.sessionId,
    numbers: i.called.map((c) => ({ calledNo: c.calledNo, delayTime: c.delayTime ?? 0, type: c.type || null })),
    caller: i.caller,
    customField: i.customField,
    recycleTime: i.recycleTime,
    callData: i.callData,
    priority: i.priority,
  };
}

/** A recycleTime: a real UTC date-time, later than now (a record is never dialled after it). */
function parseRecycleTime(field: string, value: string, nowMs: number, mustBeFuture: boolean): number {
  const ms = parseDateTime(value);
  if (ms === null) throw new DomainError('0200030', `parameter ${field} must be a real date-time yyyy-MM-dd HH:mm:ss (UTC)`);
  if (mustBeFuture && ms <= nowMs) throw new DomainError('0200030', `parameter ${field} must lie in the future: the record would never be dialled`);
  return ms;
}

/**
 * Duplicates (0200018). v1: a called number twice in the request. v2: a number twice within one
 * sessionId (records without a sessionId are each their own group).
 */
function checkDuplicates(records: readonly Incoming[], perSession: boolean): void {
  const groups = new Map<string, Set<string>>();
  records.forEach((r, i) => {
    const group = perSession ? (r.sessionId ? `s:${r.sessionId}` : `r:${i}`) : 'all';
    let seen = groups.get(group);
    if (!seen) groups.set(group, (seen = new Set()));
    for (const n of r.numbers) {
      if (seen.has(n.calledNo)) {
        const where = perSession ? (r.sessionId ? ` within sessionId ${r.sessionId}` : ` within callDataList[${i}]`) : '';
        throw new DomainError('0200018', `called number ${n.calledNo} appears more than once${where}; nothing was added`);
      }
      seen.add(n.calledNo);
    }
  });
}

/**
 * Records per add request up to which the add is group-committed with the other interface
 * writes of its event-loop turn (store/group-commit.ts); a larger add runs in a transaction of
 * its own. Why: the requests of a batch are answered only after its COMMIT, so one add of 10,000
 * records (hundreds of milliseconds of inserts) would make every small request of its batch wait
 * for it; in a transaction of its own it only delays the writes that arrive while it runs, as
 * before. A small add costs about as much as any other request and gains from the shared COMMIT.
 * Both ways the add is atomic (all records or none). Decision of issue #12.
 */
export const GROUP_COMMIT_MAX_RECORDS = 100;

function transactionFor(db: Db, records: number): <T>(fn: (trx: Db) => Promise<T>) => Promise<T> {
  if (records <= GROUP_COMMIT_MAX_RECORDS) return (fn) => writeTransaction(db, fn);
  return (fn) => db.transaction().execute(fn);
}

async function addRecords(
  ctx: DomainContext,
  cfg: CallDataConfig,
  vdnId: number,
  campaignId: number,
  records: Incoming[],
  opts: { perSessionDuplicates: boolean; batchId?: string },
): Promise<AddResult> {
  const now = ctx.clock.now();
  if (records.length > cfg.maxPerRequest) {
    throw new DomainError('0200029', `callDataList has ${records.length} records; at most ${cfg.maxPerRequest} may be added per request`);
  }
  const recycle = records.map((r, i) => (r.recycleTime ? parseRecycleTime(`callDataList[${i}].recycleTime`, r.recycleTime, now, true) : null));
  checkDuplicates(records, opts.perSessionDuplicates);

  return transactionFor(
    ctx.db,
    records.length,
  )(async (trx) => {
    const campaign = await requireCampaign(trx, vdnId, campaignId);
    if (!(await trySetGate(trx, `calldata:${campaignId}`, now, cfg.addIntervalMs))) {
      throw new DomainError('0200022', `call data was added to campaign ${campaignId} less than ${cfg.addIntervalMs / 1000} s ago; wait and retry`);
    }
    const state = stateOf(campaign, now);
    if (!callDataAddAllowed(state)) throw new DomainError('0200019', `numbers cannot be added while campaign ${campaignId} is ${state}`);
    const batchId = opts.batchId || undefined;
    if (batchId !== undefined && !(await findBatch(trx, campaignId, batchId))) {
      throw new DomainError('03000004', `batch ${batchId} does not exist in campaign ${campaignId}`);
    }
    const typeSet = new Set<string>();
    const all: string[] = [];
    for (const r of records) {
      for (const n of r.numbers) {
        if (n.type !== null) typeSet.add(n.type);
        all.push(n.calledNo);
      }
    }
    const types = [...typeSet];
    const known = await existingNumberTypes(trx, vdnId, types);
    const unknownType = types.find((t) => !known.has(t));
    if (unknownType !== undefined) throw paramError(`number type ${unknownType} does not exist in VDN ${vdnId} (add it with callNoType/add); nothing was added`);
    const blocked = await blockedNumbers(trx, vdnId, all, now, campaign.region ?? ctx.config.engine.defaultRegion);
    if (blocked.size > 0) throw new DomainError('0200024', `blocklisted number(s): ${[...blocked].sort().join(', ')}; nothing was added`);
    const uncompleted = await countUncompleted(trx, campaignId);
    if (uncompleted + records.length > cfg.maxUncompleted) {
      throw new DomainError('0200020', `campaign ${campaignId} has ${uncompleted} uncompleted records; adding ${records.length} would exceed the limit of ${cfg.maxUncompleted}`);
    }
    const rows: AddedCallData[] = records.map((r, i) => ({
      row: {
        vdn_id: vdnId,
        campaign_id: campaignId,
        batch_id: batchId ?? null,
        session_id: r.sessionId || null,
        caller: r.caller || null,
        custom_field: r.customField || null,
        call_data: r.callData || null,
        recycle_time: recycle[i] ?? null,
        priority: r.priority ?? null,
        state: 'ready',
        // The first number's delayTime counts from the moment the record is loaded.
        due_at: now + (r.numbers[0]?.delayTime ?? 0) * 1000,
        number_index: 0,
        attempts: 0,
        succeeded: 0,
        created_at: now,
        updated_at: now,
      },
      numbers: r.numbers,
    }));
    const ids = await insertCallData(trx, rows);
    return {
      totalSize: uncompleted + records.length,
      // v2 records may carry several numbers: `called` names the first one (dialled first).
      dataIdList: ids.map((dataId, i) => ({ called: records[i]!.numbers[0]!.calledNo, dataId })),
    };
  });
}

/** Add call data v1: one called number per record. */
export function addCallDataV1(ctx: DomainContext, cfg: CallDataConfig, vdnId: number, campaignId: number, body: CallDataAddV1): Promise<AddResult> {
  return addRecords(ctx, cfg, vdnId, campaignId, body.callDataList.map(fromV1), { perSessionDuplicates: false });
}

/** Add call data v2: several numbers per record (with delays and types), optionally into a batch. */
export function addCallDataV2(ctx: DomainContext, cfg: CallDataConfig, vdnId: number, campaignId: number, body: CallDataAddV2): Promise<AddResult> {
  return addRecords(ctx, cfg, vdnId, campaignId, body.callDataList.map(fromV2), { perSessionDuplicates: true, ...(body.batchId ? { batchId: body.batchId } : {}) });
}

/**
 * Deletes call data matching every given filter. Rules:
 * - an empty filter is refused (02000001): "delete everything" by omission is too easy to send
 *   by mistake, and a campaign delete exists for that;
 * - `recycleType` needs `recycleTime` (02000009); `recycleTime` alone matches that exact time;
 * - records being dialled refuse the whole request (0200001), so nothing is deleted under the
 *   dialer; finished records are history and are left alone;
 * - `archiveHistory` 1 keeps the removed records in the database as `archived` (audit) instead
 *   of deleting them; either way they are never dialled, counted or returned again.
 * Any campaign state is accepted, expired included: cleaning up never harms.
 */
export async function deleteCallData(ctx: DomainContext, vdnId: number, campaignId: number, body: CallDataDelete): Promise<{ deletedCount: number }> {
  const now = ctx.clock.now();
  const f: CallDataFilter = { campaignId };
  if (body.sessionId) f.sessionId = body.sessionId;
  if (body.called) f.called = body.called;
  if (body.customField) f.customField = body.customField;
  if (body.recycleType !== undefined && !body.recycleTime) {
    throw new DomainError('02000009', 'parameter recycleType may only be given together with recycleTime');
  }
  if (body.recycleTime) {
    const t = parseRecycleTime('recycleTime', body.recycleTime, now, false);
    const day = startOfUtcDay(t);
    f.recycle = body.recycleType === 1 ? { to: day + DAY_MS } : body.recycleType === 2 ? { from: day, to: day + DAY_MS } : { exact: t };
  }
  if (!f.sessionId && !f.called && !f.customField && !f.recycle) {
    throw new DomainError('02000001', 'at least one of sessionId, called, customField or recycleTime is required; an empty filter would delete every record');
  }
  return writeTransaction(ctx.db, async (trx) => {
    await requireCampaign(trx, vdnId, campaignId);
    const { dialing } = await countMatching(trx, f);
    if (dialing > 0) throw paramError(`${dialing} matching record(s) are being dialled; nothing was deleted`);
    return { deletedCount: await removeReadyCallData(trx, f, body.archiveHistory === 1, now) };
  });
}

export interface CallDataDetail {
  dataId: number;
  properties: Array<{ propCode: string; propName: string; propValue: string }>;
  calledNos: Array<{ calledNo: string; type: string | null }>;
}

/** One record: its fields as properties (always all of them, '' when unset) and its numbers. */
export async function getCallData(ctx: DomainContext, vdnId: number, campaignId: number, dataId: number): Promise<CallDataDetail> {
  await requireCampaign(ctx.db, vdnId, campaignId);
  const found = isSerialId(dataId) ? await findCallData(ctx.db, campaignId, dataId) : undefined;
  if (!found) throw new DomainError('0200033', `call data ${dataId} does not exist in campaign ${campaignId}`);
  const { row, numbers } = found;
  const prop = (propCode: string, propName: string, v: string | number | null) => ({ propCode, propName, propValue: v === null ? '' : String(v) });
  return {
    dataId: Number(row.id),
    properties: [
      prop('sessionId', 'Session ID', row.session_id),
      prop('caller', 'Calling number', row.caller),
      prop('customField', 'Custom field', row.custom_field),
      prop('callData', 'Call-associated data', row.call_data),
      prop('recycleTime', 'Recycle time', row.recycle_time === null ? null : formatDateTime(Number(row.recycle_time))),
      prop('priority', 'Priority', row.priority),
      prop('batchId', 'Batch ID', row.batch_id),
    ],
    calledNos: numbers.map((n) => ({ calledNo: n.called_no, type: n.type })),
  };
}
