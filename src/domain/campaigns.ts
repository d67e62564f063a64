/**
 * Campaign use cases: add and modify, v1 and v2. Both versions are mapped onto one
 * `CampaignInput` and checked by one function (`checkCampaignInput`), so the versions differ
 * only where the wire differs (the calling-number field and the v2 policies). Rules live in
 * campaign-rules.ts; SQL in store/campaigns.repository.ts; this module orders them and owns the
 * transaction. Details and list: campaign-views.ts; pause, resume, delete: campaign-lifecycle.ts.
 */
import { writeTransaction } from '../store/group-commit.js';
import { urlRefusal } from './outbound-policy.js';
import type { CampaignAddV1, CampaignModifyV1, CampaignV2, IvrParam, ScheduleParam, SkillParam } from '../contract/campaigns.js';
import { assertCampaignOperation, checkMaxAlertingTime, checkSchedule, IVR_DEVICE_TYPES, normalizeSchedule, SKILL_DEVICE_TYPES } from './campaign-rules.js';
import { checkPolicyReferences, policyUpdateFrom, saveCampaignPolicies, type PolicyUpdate } from './campaign-policies.js';
import type { DomainContext } from './context.js';
import { isValidTimeZone } from './calling-windows.js';
import { isKnownRegion } from './phone-numbers.js';
import { isRulePack } from './rule-packs.js';
import { DomainError, paramError } from './errors.js';
import type { RetryPolicyInput } from './retry-policy.js';
import { parseDateTime, startOfUtcDay } from './time.js';
import {
  campaignNameTaken,
  countLiveCampaigns,
  deleteCallerNumbers,
  insertCallerNumbers,
  insertCampaign,
  listCallerNumbers,
  setCallerNumberPriority,
  updateCampaign,
  type CampaignRow,
} from '../store/campaigns.repository.js';
import { isUniqueViolation } from '../store/errors.js';
import type { Db } from '../store/db.js';

// Looking a campaign up lives in campaign-lookup.ts, so that campaign-policies.ts can use it
// without importing this module (which imports it): no import cycle.
import { requireCampaign, stateOf } from './campaign-lookup.js';
export { requireCampaign, stateOf };

/** A `yyyy-MM-dd HH:mm:ss` (UTC) field → epoch ms; a date that does not exist → 02000007. */
export function parseCampaignTime(field: string, v: string): number {
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

/** A campaign as add/modify v1/v2 describe it, after the wire differences are mapped away. */
export interface CampaignInput {
  name: string;
  description?: string;
  /** Optional only in modify v1 (the stored time is kept). */
  strBeginTime?: string;
  strEndTime?: string;
  deviceType: number;
  maxAlertingTime: number;
  scheduleParam: ScheduleParam;
  ivrParam?: IvrParam;
  skillParam?: SkillParam;
  initStatus?: 0 | 1;
  callBackUrl?: string;
  priority?: number;
  callerNumbers: Array<{ accessCode: string; priority: number }>;
  /**
   * `ensure` (v1: one number that must be in the pool; the rest of the pool is kept) or
   * `replace` (v2: the list is the whole pool).
   */
  poolMode: 'ensure' | 'replace';
  retryPolicy?: RetryPolicyInput;
  callPolicy?: object;
  busiPolicy?: unknown;
  callOrder?: number;
  /** campaignd extension: the campaign's own time zone. */
  timeZone?: string;
  /** campaignd extension: region of its numbers (phone-numbers.ts). */
  region?: string;
  /** campaignd extension: jurisdiction rule pack (rule-packs.ts); `none` clears it. */
  rulePack?: string;
}

/** v1 body → input: the single `callerNo` string becomes a priority-1 pool entry. */
export function inputFromV1(body: CampaignAddV1 | CampaignModifyV1): CampaignInput {
  const { callerNo, ...rest } = body;
  return { ...rest, callerNumbers: [{ accessCode: callerNo, priority: 1 }], poolMode: 'ensure' };
}

/** v2 body → input. */
export function inputFromV2(body: CampaignV2): CampaignInput {
  const { callerNo, ...rest } = body;
  return { ...rest, callerNumbers: callerNo, poolMode: 'replace' };
}

interface CheckedInput {
  begin: number;
  end: number;
  policies: PolicyUpdate;
}

/**
 * Every check of add and modify that needs no lock: times (0200002 when the start is before
 * today 00:00 UTC — on modify only when the start changes, so a running campaign stays
 * editable), ring timeout, device sub-objects (0200017), schedule, calling numbers and the
 * v2 policies. `existing` is the stored campaign when modifying.
 */
export function checkCampaignInput(ctx: DomainContext, vdnId: number, input: CampaignInput, now: number, existing?: CampaignRow): CheckedInput {
  const begin = input.strBeginTime !== undefined ? parseCampaignTime('strBeginTime', input.strBeginTime) : Number(existing!.begin_time);
  const end = input.strEndTime !== undefined ? parseCampaignTime('strEndTime', input.strEndTime) : Number(existing!.end_time);
  const beginChanged = !existing || begin !== Number(existing.begin_time);
  if (beginChanged && begin < startOfUtcDay(now)) {
    throw new DomainError('0200002', `strBeginTime ${input.strBeginTime ?? ''} is earlier than 00:00 today (UTC)`);
  }
  if (end <= begin) throw paramError('strEndTime must be later than strBeginTime');
  // Outbound destination policy (issue #9): a refused callBackUrl is named at add/modify.
  const refusal = input.callBackUrl ? urlRefusal(input.callBackUrl, ctx.config.outbound.policy) : null;
  if (refusal !== null) throw new DomainError('02000002', `parameter callBackUrl ${refusal}`);
  checkMaxAlertingTime(input.deviceType, input.maxAlertingTime);
  checkDeviceParams(
    ctx,
    input.deviceType,
    input.ivrParam ?? (existing?.ivr_param ? (JSON.parse(existing.ivr_param) as IvrParam) : undefined),
    input.skillParam ?? (existing?.skill_param ? (JSON.parse(existing.skill_param) as SkillParam) : undefined),
  );
  checkSchedule(input.scheduleParam as Record<string, string | undefined>);
  if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) {
    throw new DomainError('02000007', `parameter timeZone ${input.timeZone} is not a known IANA time zone`);
  }
  if (input.region !== undefined && !isKnownRegion(input.region)) {
    throw new DomainError('02000007', `parameter region ${input.region} is not a region libphonenumber-js knows`);
  }
  if (input.rulePack !== undefined && input.rulePack !== 'none' && !isRulePack(input.rulePack)) {
    throw new DomainError('02000007', `parameter rulePack ${input.rulePack} is not one of FR, US, US-FL, none`);
  }
  const seen = new Set<string>();
  for (const n of input.callerNumbers) {
    if (seen.has(n.accessCode)) throw paramError(`calling number ${n.accessCode} appears twice in callerNo`);
    seen.add(n.accessCode);
  }
  if (seen.size > ctx.config.maxCallerNumbers) {
    throw new DomainError('02000011', `callerNo holds ${seen.size} calling numbers (limit ${ctx.config.maxCallerNumbers})`);
  }
  checkCallerAllowed(ctx, vdnId, [...seen]);
  return { begin, end, policies: policyUpdateFrom(input.retryPolicy, input.busiPolicy, 'retryPolicy.') };
}

async function checkQuota(ctx: DomainContext, db: Db, vdnId: number, deviceType: number, now: number): Promise<void> {
  const isSkill = SKILL_DEVICE_TYPES.has(deviceType);
  const group = isSkill ? [...SKILL_DEVICE_TYPES] : [...IVR_DEVICE_TYPES];
  const live = await countLiveCampaigns(db, vdnId, group, now);
  if (isSkill && live >= ctx.config.skillCampaignQuota) {
    throw new DomainError('0200003', `VDN ${vdnId} already has ${live} skill-queue campaigns (limit ${ctx.config.skillCampaignQuota})`);
  }
  if (!isSkill && live >= ctx.config.ivrCampaignQuota) {
    throw new DomainError('0200004', `VDN ${vdnId} already has ${live} IVR campaigns (limit ${ctx.config.ivrCampaignQuota})`);
  }
}

const duplicateName = (name: string) => new DomainError('0200005', `a campaign named "${name}" already exists`);

/** Add campaign (v1 or v2, through `inputFromV1`/`inputFromV2`). Returns the new campaign id. */
export async function addCampaign(ctx: DomainContext, vdnId: number, input: CampaignInput): Promise<number> {
  const now = ctx.clock.now();
  const { begin, end, policies } = checkCampaignInput(ctx, vdnId, input, now);
  try {
    return await writeTransaction(ctx.db, async (trx) => {
      await checkQuota(ctx, trx, vdnId, input.deviceType, now);
      if (await campaignNameTaken(trx, vdnId, input.name)) throw duplicateName(input.name);
      await checkPolicyReferences(trx, vdnId, policies);
      const id = await insertCampaign(trx, {
        vdn_id: vdnId,
        name: input.name,
        description: input.description || null,
        device_type: input.deviceType,
        begin_time: begin,
        end_time: end,
        max_alerting_time: input.maxAlertingTime,
        schedule_param: JSON.stringify(normalizeSchedule(input.scheduleParam as Record<string, string | undefined>)),
        ivr_param: input.ivrParam ? JSON.stringify(input.ivrParam) : null,
        skill_param: input.skillParam ? JSON.stringify(input.skillParam) : null,
        init_status: input.initStatus ?? 0,
        suspended: input.initStatus === 1 ? 1 : 0,
        call_back_url: input.callBackUrl || null,
        priority: input.priority ?? null,
        call_policy: input.callPolicy ? JSON.stringify(input.callPolicy) : null,
        call_order: input.callOrder ?? null,
        time_zone: input.timeZone ?? null,
        region: input.region ?? null,
        rule_pack: input.rulePack !== undefined && input.rulePack !== 'none' ? input.rulePack : null,
        created_at: now,
        updated_at: now,
      });
      await insertCallerNumbers(trx, id, input.callerNumbers, now);
      await saveCampaignPolicies(trx, vdnId, id, policies, now);
      return id;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(input.name);
    throw e;
  }
}

/** Add campaign v1 (kept for callers of the original signature). Returns the new campaign id. */
export async function createCampaign(ctx: DomainContext, vdnId: number, body: CampaignAddV1): Promise<number> {
  return addCampaign(ctx, vdnId, inputFromV1(body));
}

/** Brings the pool in line with the input: v1 adds its number if absent; v2 makes the pool the list. */
async function syncPool(db: Db, campaignId: number, input: CampaignInput, maxNumbers: number, now: number): Promise<void> {
  const pool = await listCallerNumbers(db, campaignId);
  const current = new Map(pool.map((p) => [p.access_code, p.priority]));
  if (input.poolMode === 'replace') {
    const wanted = new Set(input.callerNumbers.map((n) => n.accessCode));
    await deleteCallerNumbers(
      db,
      campaignId,
      pool.map((p) => p.access_code).filter((c) => !wanted.has(c)),
    );
  }
  const added: Array<{ accessCode: string; priority: number }> = [];
  for (const n of input.callerNumbers) {
    const had = current.get(n.accessCode);
    if (had === undefined) added.push(n);
    // v1 names no priority, so an existing number keeps its own; v2 states it.
    else if (input.poolMode === 'replace' && had !== n.priority) await setCallerNumberPriority(db, campaignId, n.accessCode, n.priority);
  }
  if (input.poolMode === 'ensure' && pool.length + added.length > maxNumbers) {
    throw new DomainError('02000011', `the pool would hold ${pool.length + added.length} calling numbers (limit ${maxNumbers})`);
  }
  await insertCallerNumbers(db, campaignId, added, now);
}

/**
 * Modify campaign (v1 or v2). The campaign must exist (0200007) and not have ended (0200016);
 * `deviceType` cannot change (0200001). Optional fields that are absent keep their stored
 * value; `initStatus` is stored but does not pause or resume (pause/resume do that).
 */
export async function modifyCampaign(ctx: DomainContext, vdnId: number, campaignId: number, input: CampaignInput): Promise<void> {
  const now = ctx.clock.now();
  try {
    await writeTransaction(ctx.db, async (trx) => {
      const c = await requireCampaign(trx, vdnId, campaignId);
      assertCampaignOperation('modify', stateOf(c, now), campaignId);
      if (input.deviceType !== c.device_type) {
        throw paramError(`deviceType cannot change after creation (campaign ${campaignId} has deviceType ${c.device_type})`);
      }
      const { begin, end, policies } = checkCampaignInput(ctx, vdnId, input, now, c);
      if (await campaignNameTaken(trx, vdnId, input.name, campaignId)) throw duplicateName(input.name);
      await checkPolicyReferences(trx, vdnId, policies);
      await updateCampaign(trx, campaignId, {
        name: input.name,
        ...(input.description !== undefined ? { description: input.description || null } : {}),
        begin_time: begin,
        end_time: end,
        max_alerting_time: input.maxAlertingTime,
        schedule_param: JSON.stringify(normalizeSchedule(input.scheduleParam as Record<string, string | undefined>)),
        ...(input.ivrParam ? { ivr_param: JSON.stringify(input.ivrParam) } : {}),
        ...(input.skillParam ? { skill_param: JSON.stringify(input.skillParam) } : {}),
        ...(input.initStatus !== undefined ? { init_status: input.initStatus } : {}),
        ...(input.callBackUrl !== undefined ? { call_back_url: input.callBackUrl || null } : {}),
        ...(input.priority !== undefined ? { priority: input.priority } : {}),
        ...(input.callPolicy !== undefined ? { call_policy: JSON.stringify(input.callPolicy) } : {}),
        ...(input.callOrder !== undefined ? { call_order: input.callOrder } : {}),
        ...(input.timeZone !== undefined ? { time_zone: input.timeZone } : {}),
        ...(input.region !== undefined ? { region: input.region } : {}),
        ...(input.rulePack !== undefined ? { rule_pack: input.rulePack === 'none' ? null : input.rulePack } : {}),
        updated_at: now,
      });
      await syncPool(trx, campaignId, input, ctx.config.maxCallerNumbers, now);
      await saveCampaignPolicies(trx, vdnId, campaignId, policies, now);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateName(input.name);
    throw e;
  }
}
