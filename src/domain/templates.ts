/**
 * Campaign templates (`GET/POST P/template`, `GET P/template/{id}`, `POST P/template/copy`,
 * `PUT P/template/{id}/update`; isales-gaps §8.4) and campaignd's extension that creates a
 * campaign from a template (the vendor does this in its console).
 *
 * A template is the v2 campaign body without its times. It is checked by the same rules as a
 * campaign (`checkCampaignInput`: ring timeout, device parameters, schedule, calling numbers,
 * retry and business-result policies, external results named by `noRetryPolicy`), so a
 * template always yields a valid campaign once times are given.
 *
 * Decisions: template ids are 30-digit strings, so `copy`'s `from` tells a campaign (an
 * integer id) from a template. Template names are unique per VDN and a copy's name may not be a
 * campaign's name either (`0200001`). An unknown template or campaign is `0200007`. `status` 1
 * draft / 9 published (default) / 3 paused; copy's `initStatus` 0 → 9, 1 → 3. Only a published
 * template makes campaigns (`0200011` otherwise). The vendor's `0200009` ("the source task is
 * still starting") never arises: campaignd has no transitional "starting" state.
 */
import { writeTransaction } from '../store/group-commit.js';
import type { CampaignFromTemplate, TemplateBody, TemplateCopy, TemplateListQuery } from '../contract/templates.js';
import type { CampaignV2 } from '../contract/campaigns.js';
import { campaignNameTaken } from '../store/campaigns.repository.js';
import type { Db } from '../store/db.js';
import { isUniqueViolation } from '../store/errors.js';
import { findTemplate, insertTemplate, pageTemplates, templateNameTaken, updateTemplate, type TemplateRow } from '../store/templates.repository.js';
import { checkPolicyReferences } from './campaign-policies.js';
import { getCampaignDetails } from './campaign-views.js';
import { addCampaign, checkCampaignInput, inputFromV2 } from './campaigns.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { newLongId } from './ids.js';
import { formatDateTime, startOfUtcDay } from './time.js';

/** What a template stores: the body without name and status. */
type Stored = Omit<TemplateBody, 'name' | 'status'>;

export const TEMPLATE_PUBLISHED = 9;

const nameTaken = (name: string) => paramError(`a template named "${name}" already exists`);

/** The campaign rules, with times that always pass (a template has none). */
async function checkTemplate(ctx: DomainContext, db: Db, vdnId: number, body: TemplateBody): Promise<void> {
  for (const k of ['strBeginTime', 'strEndTime', 'initStatus'] as const) {
    if (k in body) throw paramError(`parameter ${k} is not part of a template (times and start state are given when a campaign is made from it)`);
  }
  const now = ctx.clock.now();
  const day = startOfUtcDay(now);
  const { status: _status, ...rest } = body;
  const input = inputFromV2({ ...rest, strBeginTime: formatDateTime(day), strEndTime: formatDateTime(day + 86400_000) } as CampaignV2);
  const { policies } = checkCampaignInput(ctx, vdnId, input, now);
  await checkPolicyReferences(db, vdnId, policies);
}

async function requireTemplate(db: Db, vdnId: number, id: string): Promise<TemplateRow> {
  const t = await findTemplate(db, vdnId, id);
  if (!t) throw new DomainError('0200007', `campaign template ${id} does not exist in VDN ${vdnId}`);
  return t;
}

function stored(body: TemplateBody): Stored {
  const { name: _n, status: _s, ...rest } = body;
  return rest;
}

async function withUniqueName<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(name);
    throw e;
  }
}

/** `POST P/template` → the new template id. */
export async function createTemplate(ctx: DomainContext, vdnId: number, body: TemplateBody): Promise<string> {
  const now = ctx.clock.now();
  const id = newLongId(now);
  await withUniqueName(body.name, () =>
    writeTransaction(ctx.db, async (trx) => {
      await checkTemplate(ctx, trx, vdnId, body);
      if (await templateNameTaken(trx, vdnId, body.name)) throw nameTaken(body.name);
      await insertTemplate(trx, {
        id,
        vdn_id: vdnId,
        name: body.name,
        status: body.status ?? TEMPLATE_PUBLISHED,
        task_type: body.deviceType,
        body: JSON.stringify(stored(body)),
        created_at: now,
        updated_at: now,
      });
    }),
  );
  return id;
}

/** `PUT P/template/{id}/update`: replaces the template (status kept unless given). */
export async function editTemplate(ctx: DomainContext, vdnId: number, id: string, body: TemplateBody): Promise<void> {
  const now = ctx.clock.now();
  await withUniqueName(body.name, () =>
    writeTransaction(ctx.db, async (trx) => {
      const cur = await requireTemplate(trx, vdnId, id);
      await checkTemplate(ctx, trx, vdnId, body);
      if (await templateNameTaken(trx, vdnId, body.name, id)) throw nameTaken(body.name);
      await updateTemplate(trx, vdnId, id, {
        name: body.name,
        status: body.status ?? cur.status,
        task_type: body.deviceType,
        body: JSON.stringify(stored(body)),
        updated_at: now,
      });
    }),
  );
}

/** `GET P/template/{id}`: the stored body with `id`, `name`, `status` and `taskType`. */
export async function templateDetails(ctx: DomainContext, vdnId: number, id: string): Promise<Record<string, unknown>> {
  const t = await requireTemplate(ctx.db, vdnId, id);
  return { id: t.id, name: t.name, status: t.status, taskType: t.task_type, ...(JSON.parse(t.body) as Stored) };
}

/** `GET P/template?…` → `{data, offset, limit, totalSize}`. */
export async function listTemplates(ctx: DomainContext, vdnId: number, q: TemplateListQuery) {
  const { total, rows } = await pageTemplates(ctx.db, { vdnId, status: q.status, taskType: q.taskType, name: q.name || undefined }, q.offset, q.limit);
  return { data: rows.map((r) => ({ id: r.id, name: r.name, status: r.status, taskType: r.task_type })), offset: q.offset, limit: q.limit, totalSize: total };
}

/** A campaign's settings as a template body (times, status and id dropped). */
async function storedFromCampaign(ctx: DomainContext, vdnId: number, campaignId: number): Promise<Stored> {
  const c = await getCampaignDetails(ctx, vdnId, campaignId);
  const schedule = Object.fromEntries(Object.entries(c.scheduleParam).filter(([, v]) => v !== null)) as Stored['scheduleParam'];
  const out: Record<string, unknown> = {
    deviceType: c.deviceType,
    maxAlertingTime: c.maxAlertingTime,
    scheduleParam: schedule,
    callerNo: c.callerNo,
  };
  const put = (k: string, v: unknown) => v !== null && v !== undefined && (out[k] = v);
  put('description', c.description);
  put('ivrParam', c.ivrParam);
  put('skillParam', c.skillParam);
  put('callBackUrl', c.callBackUrl);
  put('priority', c.priority);
  put('callOrder', c.callOrder);
  put('timeZone', c.timeZone);
  put('callPolicy', c.callPolicy);
  if (c.retryPolicy) out.retryPolicy = { policyType: c.retryPolicy.policyType, policyJson: c.retryPolicy.policyJson, noRetryPolicy: c.retryPolicy.noRetryPolicy };
  if (c.busiPolicy.length > 0) out.busiPolicy = c.busiPolicy;
  return out as Stored;
}

/** `POST P/template/copy`: a template from a campaign (integer id) or a template (30 digits). */
export async function copyTemplate(ctx: DomainContext, vdnId: number, body: TemplateCopy): Promise<string> {
  const now = ctx.clock.now();
  const source: Stored =
    body.from.length === 30
      ? (JSON.parse((await requireTemplate(ctx.db, vdnId, body.from)).body) as Stored)
      : Number(body.from) >= 1 && Number(body.from) <= 2147483647
        ? await storedFromCampaign(ctx, vdnId, Number(body.from))
        : (() => {
            throw new DomainError('0200007', `no campaign or template ${body.from} in VDN ${vdnId}`);
          })();
  const copy: Stored = { ...source, ...(body.description !== undefined ? { description: body.description } : {}) };
  const id = newLongId(now);
  await withUniqueName(body.name, () =>
    writeTransaction(ctx.db, async (trx) => {
      if (await templateNameTaken(trx, vdnId, body.name)) throw nameTaken(body.name);
      if (await campaignNameTaken(trx, vdnId, body.name)) throw paramError(`"${body.name}" is the name of a campaign; a template copy needs another name`);
      await insertTemplate(trx, {
        id,
        vdn_id: vdnId,
        name: body.name,
        status: body.initStatus === 1 ? 3 : TEMPLATE_PUBLISHED,
        task_type: copy.deviceType,
        body: JSON.stringify(copy),
        created_at: now,
        updated_at: now,
      });
    }),
  );
  return id;
}

/** campaignd extension: a campaign (add v2 rules, quotas included) from a published template. */
export async function campaignFromTemplate(ctx: DomainContext, vdnId: number, templateId: string, body: CampaignFromTemplate): Promise<number> {
  const t = await requireTemplate(ctx.db, vdnId, templateId);
  if (t.status !== TEMPLATE_PUBLISHED)
    throw new DomainError('0200011', `template ${templateId} is ${t.status === 1 ? 'a draft' : 'paused'}; only a published template (status 9) makes campaigns`);
  const v2 = { ...(JSON.parse(t.body) as Stored), ...body } as CampaignV2;
  return addCampaign(ctx, vdnId, inputFromV2(v2));
}
