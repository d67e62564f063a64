/**
 * Campaign use cases: add (v1) and details. Rules live in campaign-rules.ts; SQL in
 * store/campaigns.repository.ts; this module orders them and owns the transaction.
 */
import type { CampaignAddV1, IvrParam, SkillParam } from '../http/schemas.js';
import {
  campaignState,
  checkMaxAlertingTime,
  checkSchedule,
  IVR_DEVICE_TYPES,
  normalizeSchedule,
  SKILL_DEVICE_TYPES,
  wireStatus,
  type CampaignState,
} from './campaign-rules.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { formatDateTime, parseDateTime, startOfUtcDay } from './time.js';
import {
  campaignNameTaken,
  countLiveCampaigns,
  findCampaign,
  insertCallerNumbers,
  insertCampaign,
  listCallerNumbers,
  type CampaignRow,
} from '../store/campaigns.repository.js';
import { isUniqueViolation } from '../store/errors.js';
import type { Db } from '../store/db.js';

/** The campaign or 0200007. */
export async function requireCampaign(db: Db, vdnId: number, campaignId: number): Promise<CampaignRow> {
  const c = await findCampaign(db, vdnId, campaignId);
  if (!c) throw new DomainError('0200007', `campaign ${campaignId} does not exist in VDN ${vdnId}`);
  return c;
}

export function stateOf(c: CampaignRow, nowMs: number): CampaignState {
  return campaignState({ beginTime: Number(c.begin_time), endTime: Number(c.end_time), suspended: c.suspended === 1 }, nowMs);
}

function parseTimeField(field: string, v: string): number {
  const ms = parseDateTime(v);
  if (ms === null) throw new DomainError('02000007', `parameter ${field} must be a real date-time yyyy-MM-dd HH:mm:ss (UTC)`);
  return ms;
}

/** Checks the "Restrict VDN Calling Number" allow-list, when one is configured for the VDN. */
export function checkCallerAllowed(ctx: DomainContext, vdnId: number, codes: readonly string[]): void {
  const allowed = ctx.config.callerNoAllowList.get(vdnId);
  if (!allowed) return;
  const bad = codes.find((c) => !allowed.has(c));
  if (bad !== undefined) throw paramError(`calling number ${bad} is not an access code of VDN ${vdnId}`);
}

function checkDeviceParams(ctx: DomainContext, deviceType: number, ivr?: IvrParam, skill?: SkillParam): void {
  if (SKILL_DEVICE_TYPES.has(deviceType)) {
    if (!skill) throw new DomainError('02000001', `parameter skillParam is required for deviceType ${deviceType}`);
    if (ctx.config.skillQueues.size > 0 && !ctx.config.skillQueues.has(skill.skillId)) {
      throw new DomainError('0200017', `skill queue ${skill.skillId} does not exist`);
    }
  }
  if (IVR_DEVICE_TYPES.has(deviceType)) {
    if (!ivr) throw new DomainError('02000001', `parameter ivrParam is required for deviceType ${deviceType}`);
    if (ctx.config.ivrFlows.size > 0 && !ctx.config.ivrFlows.has(ivr.deviceSign)) {
      throw paramError(`IVR flow access code ${ivr.deviceSign} is not declared`);
    }
  }
}

/** Add campaign v1. Returns the new campaign id. */
export async function createCampaign(ctx: DomainContext, vdnId: number, body: CampaignAddV1): Promise<number> {
  const now = ctx.clock.now();
  const begin = parseTimeField('strBeginTime', body.strBeginTime);
  const end = parseTimeField('strEndTime', body.strEndTime);
  if (begin < startOfUtcDay(now)) {
    throw new DomainError('0200002', `strBeginTime ${body.strBeginTime} is earlier than 00:00 today (UTC)`);
  }
  if (end <= begin) throw paramError('strEndTime must be later than strBeginTime');
  checkMaxAlertingTime(body.deviceType, body.maxAlertingTime);
  checkDeviceParams(ctx, body.deviceType, body.ivrParam, body.skillParam);
  checkSchedule(body.scheduleParam as Record<string, string | undefined>);
  checkCallerAllowed(ctx, vdnId, [body.callerNo]);

  const isSkill = SKILL_DEVICE_TYPES.has(body.deviceType);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const group = isSkill ? [...SKILL_DEVICE_TYPES] : [...IVR_DEVICE_TYPES];
      const live = await countLiveCampaigns(trx, vdnId, group, now);
      if (isSkill && live >= ctx.config.skillCampaignQuota) {
        throw new DomainError('0200003', `VDN ${vdnId} already has ${live} skill-queue campaigns (limit ${ctx.config.skillCampaignQuota})`);
      }
      if (!isSkill && live >= ctx.config.ivrCampaignQuota) {
        throw new DomainError('0200004', `VDN ${vdnId} already has ${live} IVR campaigns (limit ${ctx.config.ivrCampaignQuota})`);
      }
      if (await campaignNameTaken(trx, vdnId, body.name)) {
        throw new DomainError('0200005', `a campaign named "${body.name}" already exists`);
      }
      const id = await insertCampaign(trx, {
        vdn_id: vdnId,
        name: body.name,
        description: body.description ?? null,
        device_type: body.deviceType,
        begin_time: begin,
        end_time: end,
        max_alerting_time: body.maxAlertingTime,
        schedule_param: JSON.stringify(normalizeSchedule(body.scheduleParam as Record<string, string | undefined>)),
        ivr_param: body.ivrParam ? JSON.stringify(body.ivrParam) : null,
        skill_param: body.skillParam ? JSON.stringify(body.skillParam) : null,
        init_status: body.initStatus ?? 0,
        suspended: body.initStatus === 1 ? 1 : 0,
        call_back_url: body.callBackUrl || null,
        priority: body.priority ?? null,
        created_at: now,
        updated_at: now,
      });
      await insertCallerNumbers(trx, id, [{ accessCode: body.callerNo, priority: 1 }], now);
      return id;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('0200005', `a campaign named "${body.name}" already exists`);
    throw e;
  }
}

export interface CampaignDetails {
  id: number;
  name: string;
  description: string | null;
  status: 2 | 3 | 4;
  strBeginTime: string;
  strEndTime: string;
  deviceType: number;
  callerNo: { accessCode: string; priority: number }[];
  maxAlertingTime: number;
  scheduleParam: Record<string, string | null>;
  ivrParam: unknown;
  skillParam: unknown;
  initStatus: number;
  callBackUrl: string | null;
  priority: number | null;
}

/** Campaign details as the wire shows them (row → API mapping lives here, once). */
export async function getCampaignDetails(ctx: DomainContext, vdnId: number, campaignId: number): Promise<CampaignDetails> {
  const c = await requireCampaign(ctx.db, vdnId, campaignId);
  const pool = await listCallerNumbers(ctx.db, campaignId);
  return {
    id: Number(c.id),
    name: c.name,
    description: c.description,
    status: wireStatus(stateOf(c, ctx.clock.now())),
    strBeginTime: formatDateTime(Number(c.begin_time)),
    strEndTime: formatDateTime(Number(c.end_time)),
    deviceType: c.device_type,
    callerNo: pool.map((p) => ({ accessCode: p.access_code, priority: p.priority })),
    maxAlertingTime: c.max_alerting_time,
    scheduleParam: JSON.parse(c.schedule_param) as Record<string, string | null>,
    ivrParam: c.ivr_param ? (JSON.parse(c.ivr_param) as unknown) : null,
    skillParam: c.skill_param ? (JSON.parse(c.skill_param) as unknown) : null,
    initStatus: c.init_status,
    callBackUrl: c.call_back_url,
    priority: c.priority,
  };
}
