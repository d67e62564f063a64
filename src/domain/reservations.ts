/**
 * Reservations (CC-iSales "appoint").
 *
 * Lifecycle (PRODUCT.md "Manual vs automatic reservations"):
 *
 *   automatic:  pending ──(due_at; engine claims)──▶ dialing ──(dialer result)──▶ done
 *                  └──(not dialled within the grace period)──▶ timeout
 *   manual:     pending ──(appointTime; engine)──▶ due ──(appoint/updateResult)──▶ done
 *                  ▲                                 │
 *                  └──── appoint/update with a new appointTime (pending or due) ─┘
 *
 * - automatic (callType 2): due_at = appointTime − lead (5 min by default); campaignd dials it
 *   and records the result itself; appoint/updateResult and appoint/update are refused (0200001).
 * - manual (callType 1): due_at = appointTime, when the agent's software is told; the agent
 *   reports with appoint/updateResult, possibly several times (latest wins, all kept).
 * - either kind not carried out within a grace period after appointTime gets `timeout = 1`; a
 *   manual one moved to a new appointTime starts afresh (pending, timeout 0).
 * - appoint/delete removes a reservation in any state but `dialing` (a call is under way).
 *
 * The due row is written in the same transaction as the reservation (STYLE.md guideline 9):
 * the reservation *is* the scheduled work, so nothing can be lost between the two.
 */
import type { Updateable } from 'kysely';
import type { AppointList, AppointListItem, AppointUpdate } from '../contract/calendar.js';
import type { AppointCreate, AppointUpdateResult } from '../contract/common.js';
import { blocklistPrefetch, isBlocked } from '../store/blocklist.repository.js';
import { findCampaign } from '../store/campaigns.repository.js';
import type { ReservationTable } from '../store/db.js';
import {
  deleteReservationUnlessDialing,
  findReservation,
  insertReservation,
  insertReservationResult,
  pageReservations,
  updateOpenReservation,
  updateReservation,
  type ReservationListRow,
} from '../store/reservations.repository.js';
import { campaignState, wireStatus } from './campaign-rules.js';
import { findCampaignEnd } from '../store/campaigns.repository.js';
import { readOncePerBatch, writeTransaction } from '../store/group-commit.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { isSerialId, newLongId } from './ids.js';
import { normalizeFailCode } from './obs-codes.js';
import { formatDateTime } from './time.js';
import { packHours, packsFor } from './rule-packs.js';

/**
 * A reservation whose `appointTime` lies outside the hours of a rule pack in force for the
 * campaign (its own `rulePack` or the server default) is refused with `04000001` and the
 * pack's rule; one inside them may still be held at dial time (caps, the 5-minute lead).
 */
function refuseOutsideRulePacks(appointTime: number, campaignPack: string | null, tz: string, serverPack: string | null): void {
  for (const pack of packsFor(campaignPack, serverPack)) {
    const h = packHours(pack, appointTime, tz);
    if (h.open) continue;
    const next = h.opensAt !== undefined ? `; the next allowed time is ${formatDateTime(h.opensAt)} UTC (${h.opensAt})` : '';
    throw new DomainError('04000001', `appointTime ${appointTime} is outside the calling hours of rule pack ${pack.name} (${pack.summary})${next}`);
  }
}

export const CALL_TYPE_MANUAL = 1;
export const CALL_TYPE_AUTOMATIC = 2;

/**
 * `callData` (ZH 0777, isales-gaps §8.6) goes to the dialer with an automatic call, so it is
 * accepted only on automatic reservations and must be JSON (0200001 otherwise); an empty
 * string counts as absent.
 */
function checkCallData(body: AppointCreate): void {
  if (body.callData === undefined || body.callData === '') return;
  if (body.callType !== CALL_TYPE_AUTOMATIC) throw paramError('parameter callData is only for automatic reservations (callType 2)');
  try {
    JSON.parse(body.callData);
  } catch {
    throw paramError('parameter callData must be JSON');
  }
}

/**
 * Creates a reservation; returns its 30-digit id. The checks and the insert run in one
 * group-committed write transaction (store/group-commit.ts): the id is returned only once the
 * reservation is committed, and no concurrent write comes between the checks and the insert.
 * Errors: 0200007 unknown campaign, 02000001 missing agent, 0200001 callData, 04000001 time,
 * 04000003 blocklisted number.
 */
export function createReservation(ctx: DomainContext, vdnId: number, body: AppointCreate): Promise<string> {
  // Creates never read each other's reservation (their insert may be merged with the batch's
  // next creates); the blocklist lookups of a batch's creates are one read (PostgreSQL).
  return writeTransaction(ctx.db, (db) => createReservationIn({ ...ctx, db }, vdnId, body), {
    kind: 'appoint/create',
    prefetch: blocklistPrefetch(vdnId, body.calledNo),
  });
}

async function createReservationIn(ctx: DomainContext, vdnId: number, body: AppointCreate): Promise<string> {
  const now = ctx.clock.now();
  // Existence first: an unknown campaign is 0200007 whatever else is wrong with the body.
  const campaignId = Number(body.taskId);
  // Read once per group-committed batch (creates never write campaigns).
  // An id beyond the serial range names no campaign (and PostgreSQL would refuse the value).
  const campaign = isSerialId(campaignId) ? await readOncePerBatch(ctx.db, `campaign-end:${vdnId}:${campaignId}`, () => findCampaignEnd(ctx.db, vdnId, campaignId)) : undefined;
  if (!campaign) throw new DomainError('0200007', `campaign ${campaignId} does not exist in VDN ${vdnId}`);
  if (body.callType === CALL_TYPE_MANUAL) {
    // The agent who gets the reminder: an AICC account, or a CTI work number in OP-standalone.
    if (ctx.config.deployment === 'integrated' && !body.userAccount) {
      throw new DomainError('02000001', 'parameter userAccount is required for a manual reservation');
    }
    if (ctx.config.deployment === 'op-standalone' && !body.workNo) {
      throw new DomainError('02000001', 'parameter workNo is required for a manual reservation (OP standalone deployment)');
    }
  }
  checkCallData(body);
  if (body.appointTime <= now) {
    throw new DomainError('04000001', `appointTime ${body.appointTime} is not in the future`);
  }
  if (body.appointTime >= Number(campaign.end_time)) {
    throw new DomainError('04000001', `appointTime ${body.appointTime} is not before the campaign's end time ${formatDateTime(Number(campaign.end_time))}`);
  }
  if (await isBlocked(ctx.db, vdnId, body.calledNo, now, campaign.region ?? ctx.config.engine.defaultRegion)) {
    throw new DomainError('04000003', `number ${body.calledNo} is blocklisted`);
  }
  refuseOutsideRulePacks(body.appointTime, campaign.rule_pack, campaign.time_zone ?? ctx.config.engine.timeZone, ctx.config.engine.rulePack);
  const id = newLongId(now);
  const lead = body.callType === CALL_TYPE_AUTOMATIC ? ctx.config.appointLeadMs : 0;
  await insertReservation(ctx.db, {
    id,
    vdn_id: vdnId,
    campaign_id: campaignId,
    call_type: body.callType,
    called_no: body.calledNo,
    user_account: body.userAccount || null,
    work_no: body.workNo || null,
    appoint_time: body.appointTime,
    call_data: body.callData || null,
    remark: body.remark ?? null,
    state: 'pending',
    due_at: body.appointTime - lead,
    timeout: 0,
    caller_no: null,
    fail_code: null,
    call_id: null,
    busi_result: null,
    busi_sub_status: null,
    call_begin_time: null,
    call_end_time: null,
    lease_owner: null,
    lease_until: null,
    attempts: 0,
    created_at: now,
    updated_at: now,
  });
  return id;
}

/** Records an agent's result for a manual reservation; the latest result wins, all are kept. */
export async function updateReservationResult(ctx: DomainContext, vdnId: number, body: AppointUpdateResult): Promise<void> {
  const now = ctx.clock.now();
  const r = await findReservation(ctx.db, vdnId, body.appointId);
  if (!r) throw new DomainError('04000004', `reservation ${body.appointId} does not exist`);
  if (r.call_type === CALL_TYPE_AUTOMATIC) {
    throw paramError(`reservation ${body.appointId} is automatic: campaignd records its result itself`);
  }
  if (body.beginTime !== undefined && body.endTime !== undefined && body.endTime < body.beginTime) {
    throw paramError('endTime must not be earlier than beginTime');
  }
  const failCode = body.failCode !== undefined ? normalizeFailCode(body.failCode) : null;
  const result = {
    user_account: body.userAccount ?? r.user_account,
    work_no: body.workNo ?? r.work_no,
    caller_no: body.callerNo ?? null,
    fail_code: failCode,
    call_id: body.callId ?? null,
    busi_result: body.busiResult ?? null,
    busi_sub_status: body.busiSubStatus ?? null,
    call_begin_time: body.beginTime ?? null,
    call_end_time: body.endTime ?? null,
  };
  await writeTransaction(ctx.db, async (trx) => {
    await updateReservation(trx, r.id, { ...result, state: 'done', updated_at: now });
    await insertReservationResult(trx, { reservation_id: r.id, source: 'agent', ...result, created_at: now });
  });
}

/** The reservation of this VDN or 04000004. */
async function requireReservation(ctx: DomainContext, vdnId: number, appointId: string) {
  const r = await findReservation(ctx.db, vdnId, appointId);
  if (!r) throw new DomainError('04000004', `reservation ${appointId} does not exist`);
  return r;
}

/**
 * `appoint/update`: a manual reservation that has not been carried out yet gets a new agent,
 * appointment time and/or remark. A new appointTime must lie in the future and before the
 * campaign's end (04000001) and reschedules the reservation from scratch. An empty
 * userAccount/workNo leaves the agent as it is (the agent of a manual reservation cannot be
 * removed); an empty remark clears it.
 */
export function modifyReservation(ctx: DomainContext, vdnId: number, body: AppointUpdate): Promise<void> {
  return writeTransaction(ctx.db, (db) => modifyReservationIn({ ...ctx, db }, vdnId, body));
}

/** {@link modifyReservation} inside its write transaction (`ctx.db` is the transaction). */
async function modifyReservationIn(ctx: DomainContext, vdnId: number, body: AppointUpdate): Promise<void> {
  const now = ctx.clock.now();
  const r = await requireReservation(ctx, vdnId, body.appointId);
  if (r.call_type === CALL_TYPE_AUTOMATIC) {
    throw paramError(`reservation ${body.appointId} is automatic: only manual reservations can be updated`);
  }
  const notOpen = () => paramError(`reservation ${body.appointId} has already been carried out and can no longer be updated`);
  if (r.state !== 'pending' && r.state !== 'due') throw notOpen();
  const patch: Updateable<ReservationTable> = { updated_at: now };
  if (body.userAccount) patch.user_account = body.userAccount;
  if (body.workNo) patch.work_no = body.workNo;
  if (body.remark !== undefined) patch.remark = body.remark === '' ? null : body.remark;
  if (body.appointTime !== undefined) {
    const campaign = await findCampaign(ctx.db, vdnId, r.campaign_id);
    if (!campaign) throw new DomainError('04000004', `the campaign of reservation ${body.appointId} no longer exists`);
    if (body.appointTime <= now) throw new DomainError('04000001', `appointTime ${body.appointTime} is not in the future`);
    if (body.appointTime >= Number(campaign.end_time)) {
      throw new DomainError('04000001', `appointTime ${body.appointTime} is not before the campaign's end time ${formatDateTime(Number(campaign.end_time))}`);
    }
    Object.assign(patch, { appoint_time: body.appointTime, due_at: body.appointTime, state: 'pending', timeout: 0 });
  }
  if (!(await updateOpenReservation(ctx.db, r.id, patch))) throw notOpen();
}

/** `appoint/delete`: refused only while the engine is dialling the reservation. */
export async function deleteReservation(ctx: DomainContext, vdnId: number, appointId: string): Promise<void> {
  const r = await requireReservation(ctx, vdnId, appointId);
  if (await deleteReservationUnlessDialing(ctx.db, r.id)) return;
  // Not deleted: either the engine holds it, or a concurrent delete won.
  if (!(await findReservation(ctx.db, vdnId, appointId))) throw new DomainError('04000004', `reservation ${appointId} does not exist`);
  throw paramError(`reservation ${appointId} is being dialled right now and cannot be deleted`);
}

/**
 * Row → wire for appoint/list. There is no agent directory, so `userName` repeats
 * `userAccount`; `beginTime`/`endTime` are the call's, from the latest result.
 */
export function reservationRowToApi(r: ReservationListRow, nowMs: number): AppointListItem {
  const status =
    r.campaign_begin === null || r.campaign_end === null
      ? null
      : wireStatus(campaignState({ beginTime: Number(r.campaign_begin), endTime: Number(r.campaign_end), suspended: r.campaign_suspended === 1 }, nowMs));
  return {
    appointId: r.id,
    callType: r.call_type,
    appointTime: Number(r.appoint_time),
    calledNo: r.called_no,
    taskId: String(r.campaign_id),
    taskName: r.campaign_name,
    taskStatus: status,
    timeout: r.timeout === 1,
    userAccount: r.user_account,
    userName: r.user_account,
    workNo: r.work_no,
    beginTime: r.call_begin_time === null ? null : Number(r.call_begin_time),
    endTime: r.call_end_time === null ? null : Number(r.call_end_time),
    remark: r.remark,
    failCode: r.fail_code,
    callId: r.call_id,
    busiResult: r.busi_result,
    busiSubStatus: r.busi_sub_status,
  };
}

/**
 * `appoint/list`: a VDN's reservations ordered by appointTime. `beginTime`/`endTime` bound
 * appointTime (inclusive); an unknown `taskId` simply matches nothing. `userAccountList` holds
 * agent accounts or work numbers (ZH 0781): a reservation matches by either.
 */
export async function listReservations(ctx: DomainContext, vdnId: number, body: AppointList): Promise<{ totalCount: number; data: AppointListItem[] }> {
  const now = ctx.clock.now();
  if (body.beginTime !== undefined && body.endTime !== undefined && body.endTime < body.beginTime) {
    throw paramError('endTime must not be earlier than beginTime');
  }
  const accounts = body.userAccountList?.filter((a) => a !== '');
  // A taskId beyond the serial range names no campaign: nothing matches.
  if (body.taskId && !isSerialId(Number(body.taskId))) return { totalCount: 0, data: [] };
  const { total, rows } = await pageReservations(
    ctx.db,
    vdnId,
    {
      calledNo: body.calledNo || undefined,
      userAccounts: accounts !== undefined && accounts.length > 0 ? accounts : undefined,
      campaignId: body.taskId ? Number(body.taskId) : undefined,
      from: body.beginTime,
      to: body.endTime,
    },
    body.offset,
    body.limit,
  );
  return { totalCount: total, data: rows.map((r) => reservationRowToApi(r, now)) };
}
