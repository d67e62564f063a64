/**
 * Read-side campaign use cases: details and the paged list. The row → wire mapping of a
 * campaign lives here, once.
 */
import type { CampaignListQuery } from '../contract/campaigns.js';
import { countLiveCampaigns, listCallerNumbers, listCampaigns, primaryCallerNumbers } from '../store/campaigns.repository.js';
import { findRetryPolicy } from '../store/policies.repository.js';
import { IVR_DEVICE_TYPES, SKILL_DEVICE_TYPES, wireStatus } from './campaign-rules.js';
import { retryPolicyRowToApi } from './campaign-policies.js';
import { parseCampaignTime, requireCampaign, stateOf } from './campaigns.js';
import type { DomainContext } from './context.js';
import { paramError } from './errors.js';
import { formatDateTime } from './time.js';

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
  callOrder: number | null;
  /** campaignd extension: the campaign's own time zone, null = the server default. */
  timeZone: string | null;
  /** campaignd extensions: numbers' region and rule pack, null = the server defaults. */
  region: string | null;
  rulePack: string | null;
  callPolicy: unknown;
  /** The business-result policy as v2 takes it (`[]` when none). */
  busiPolicy: Array<Record<string, unknown>>;
  /** The retry policy as v2 takes it, with its id; null when none was set. */
  retryPolicy: { retryPolicyId: string; policyType: number; policyJson: string; noRetryPolicy: string } | null;
}

/** Campaign details (v1 fields, the pool as `[{accessCode, priority}]`, and the v2 policies). */
export async function getCampaignDetails(ctx: DomainContext, vdnId: number, campaignId: number): Promise<CampaignDetails> {
  const c = await requireCampaign(ctx.db, vdnId, campaignId);
  const pool = await listCallerNumbers(ctx.db, campaignId);
  const policyRow = await findRetryPolicy(ctx.db, campaignId);
  const policy = policyRow ? retryPolicyRowToApi(policyRow) : null;
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
    callOrder: c.call_order,
    timeZone: c.time_zone,
    region: c.region,
    rulePack: c.rule_pack,
    callPolicy: c.call_policy ? (JSON.parse(c.call_policy) as unknown) : null,
    busiPolicy: policy ? (JSON.parse(policy.busiPolicy) as Array<Record<string, unknown>>) : [],
    retryPolicy: policy ? { retryPolicyId: policy.retryPolicyId, policyType: policy.policyType, policyJson: policy.policyJson, noRetryPolicy: policy.noRetryPolicy } : null,
  };
}

export interface CampaignListItem {
  id: number;
  name: string;
  status: 2 | 3 | 4;
  strBeginTime: string;
  strEndTime: string;
  deviceType: number;
  /** The pool's first choice (best priority, then oldest); "" for an empty pool. */
  callerNo: string;
}

export interface CampaignListPage {
  curPage: number;
  totalSize: number;
  rowsPerPage: number;
  curSkillQueueCount: number;
  curIvrCount: number;
  data: CampaignListItem[];
}

/**
 * Campaign list: filters (name substring, case-insensitive; status 0 all / 2 / 3 / 4;
 * deviceType 0 all; strBeginTime ≥ beginTime; strEndTime ≤ endTime), newest first. `curPage`
 * below 1 is corrected to 1; `rowsPerPage` defaults to 10. The quota counters are the VDN's
 * live skill-queue and IVR campaigns, whatever the filter.
 */
export async function listCampaignPage(ctx: DomainContext, vdnId: number, q: CampaignListQuery): Promise<CampaignListPage> {
  const now = ctx.clock.now();
  const curPage = Math.max(1, q.curPage ?? 1);
  const rowsPerPage = q.rowsPerPage ?? 10;
  const beginFrom = q.beginTime ? parseCampaignTime('beginTime', q.beginTime) : undefined;
  const endTo = q.endTime ? parseCampaignTime('endTime', q.endTime) : undefined;
  if (beginFrom !== undefined && endTo !== undefined && beginFrom > endTo) throw paramError('beginTime must not be later than endTime');
  const { rows, total } = await listCampaigns(ctx.db, {
    vdnId,
    nowMs: now,
    name: q.name || undefined,
    status: q.status === 0 ? undefined : q.status,
    deviceType: q.deviceType === 0 ? undefined : q.deviceType,
    beginFrom,
    endTo,
    offset: (curPage - 1) * rowsPerPage,
    limit: rowsPerPage,
  });
  const first = await primaryCallerNumbers(
    ctx.db,
    rows.map((r) => Number(r.id)),
  );
  return {
    curPage,
    totalSize: total,
    rowsPerPage,
    curSkillQueueCount: await countLiveCampaigns(ctx.db, vdnId, [...SKILL_DEVICE_TYPES], now),
    curIvrCount: await countLiveCampaigns(ctx.db, vdnId, [...IVR_DEVICE_TYPES], now),
    data: rows.map((c) => ({
      id: Number(c.id),
      name: c.name,
      status: wireStatus(stateOf(c, now)),
      strBeginTime: formatDateTime(Number(c.begin_time)),
      strEndTime: formatDateTime(Number(c.end_time)),
      deviceType: c.device_type,
      callerNo: first.get(Number(c.id)) ?? '',
    })),
  };
}
