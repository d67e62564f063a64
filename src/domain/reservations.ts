/**
 * Reservations (CC-iSales "appoint").
 *
 * Lifecycle (PRODUCT.md "Manual vs automatic reservations"):
 *
 *   pending ──(due_at reached; engine)──▶ due ──(result)──▶ done
 *
 * - automatic (callType 2): due_at = appointTime − lead (5 min by default); campaignd dials it
 *   and records the result itself; appoint/updateResult is refused (0200001).
 * - manual (callType 1): due_at = appointTime, when the agent's software is told; the agent
 *   reports with appoint/updateResult, possibly several times (latest wins, all kept).
 * - either kind not carried out within a grace period after appointTime gets `timeout = 1`.
 *
 * The due row is written in the same transaction as the reservation (STYLE.md guideline 9):
 * the reservation *is* the scheduled work, so nothing can be lost between the two.
 */
import type { AppointCreate, AppointUpdateResult } from '../http/schemas.js';
import { isBlocked } from '../store/blocklist.repository.js';
import {
  findReservation,
  insertReservation,
  insertReservationResult,
  updateReservation,
} from '../store/reservations.repository.js';
import { requireCampaign } from './campaigns.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { newLongId } from './ids.js';
import { normalizeFailCode } from './obs-codes.js';
import { formatDateTime } from './time.js';

export const CALL_TYPE_MANUAL = 1;
export const CALL_TYPE_AUTOMATIC = 2;

/** Creates a reservation; returns its 30-digit id. */
export async function createReservation(ctx: DomainContext, vdnId: number, body: AppointCreate): Promise<string> {
  const now = ctx.clock.now();
  if (body.callType === CALL_TYPE_MANUAL) {
    // The agent who gets the reminder: an AICC account, or a CTI work number in OP-standalone.
    if (ctx.config.deployment === 'integrated' && !body.userAccount) {
      throw new DomainError('02000001', 'parameter userAccount is required for a manual reservation');
    }
    if (ctx.config.deployment === 'op-standalone' && !body.workNo) {
      throw new DomainError('02000001', 'parameter workNo is required for a manual reservation (OP standalone deployment)');
    }
  }
  const campaignId = Number(body.taskId);
  const campaign = await requireCampaign(ctx.db, vdnId, campaignId);
  if (body.appointTime <= now) {
    throw new DomainError('04000001', `appointTime ${body.appointTime} is not in the future`);
  }
  if (body.appointTime >= Number(campaign.end_time)) {
    throw new DomainError(
      '04000001',
      `appointTime ${body.appointTime} is not before the campaign's end time ${formatDateTime(Number(campaign.end_time))}`,
    );
  }
  if (await isBlocked(ctx.db, vdnId, body.calledNo, now)) {
    throw new DomainError('04000003', `number ${body.calledNo} is blocklisted`);
  }
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
    call_data: body.callData ?? null,
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
  await ctx.db.transaction().execute(async (trx) => {
    await updateReservation(trx, r.id, { ...result, state: 'done', updated_at: now });
    await insertReservationResult(trx, { reservation_id: r.id, source: 'agent', ...result, created_at: now });
  });
}
