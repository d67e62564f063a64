/**
 * A campaign's retry and business-result policies: the retryPolicy set/query interfaces, the
 * store checks the pure parser (retry-policy.ts) cannot make, and the one place that writes the
 * policy row (used by retryPolicy set and by campaign add/modify v2).
 *
 * The set interface and v2's inline `retryPolicy`/`busiPolicy` write the same row; a part that
 * a request leaves out keeps its stored value (a v2 modify without `busiPolicy` does not wipe
 * the business-result policy set earlier).
 */
import { writeTransaction } from '../store/group-commit.js';
import type { RetryPolicySet } from '../contract/campaigns.js';
import { businessResultsByCode, existingExternalResultCodes, findRetryPolicy, upsertRetryPolicy, type RetryPolicyRow } from '../store/policies.repository.js';
import type { Db } from '../store/db.js';
import { requireCampaign } from './campaign-lookup.js';
import type { DomainContext } from './context.js';
import { paramError } from './errors.js';
import { busiPolicyToWire, checkRetryPolicyInput, parseBusiPolicy, parseRetryPolicy, type BusiPolicyRule, type RetryPolicy, type StoredRetryPolicy } from './retry-policy.js';

/** The policy parts one request sets; an absent part keeps its stored value. */
export interface PolicyUpdate {
  retry?: Pick<RetryPolicy, 'policyType' | 'entries' | 'noRetryResultCodes'> & { policyJsonText: string };
  busi?: BusiPolicyRule[];
}

/** The policyJson text to store: a string verbatim (a query returns what was set), else its JSON. */
function policyJsonText(raw: unknown): string {
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

/**
 * Named external results (`noRetryPolicy`) must exist in the VDN, and business results named
 * by `busiPolicy` must exist with the sub-result under its parent. Unknown names → 0200001
 * naming them, nothing stored.
 */
export async function checkPolicyReferences(db: Db, vdnId: number, p: PolicyUpdate): Promise<void> {
  const codes = p.retry?.noRetryResultCodes ?? [];
  if (codes.length > 0) {
    const known = await existingExternalResultCodes(db, vdnId, codes);
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length > 0) {
      throw paramError(`noRetryPolicy names external result codes that do not exist in VDN ${vdnId}: ${unknown.join(', ')}`);
    }
  }
  const rules = p.busi ?? [];
  if (rules.length > 0) {
    const names = new Set<string>();
    for (const r of rules) {
      names.add(r.busiResultCode);
      if (r.busiResultSubCode !== null) names.add(r.busiResultSubCode);
    }
    const rows = await businessResultsByCode(db, vdnId, [...names]);
    const byCode = new Map(rows.map((r) => [r.code, r]));
    for (const r of rules) {
      const parent = byCode.get(r.busiResultCode);
      if (!parent || parent.parent_id !== null) {
        throw paramError(`busiPolicy names business result ${r.busiResultCode}, which is not a business result of VDN ${vdnId}`);
      }
      if (r.busiResultSubCode !== null) {
        const child = byCode.get(r.busiResultSubCode);
        if (!child || Number(child.parent_id) !== Number(parent.id)) {
          throw paramError(`busiPolicy names sub-result ${r.busiResultSubCode}, which is not a sub-result of ${r.busiResultCode}`);
        }
      }
    }
  }
}

/** Writes the parts of `p` that are present into the campaign's policy row. */
export async function saveCampaignPolicies(db: Db, vdnId: number, campaignId: number, p: PolicyUpdate, nowMs: number): Promise<void> {
  if (!p.retry && !p.busi) return;
  const existing = await findRetryPolicy(db, campaignId);
  await upsertRetryPolicy(
    db,
    vdnId,
    campaignId,
    {
      policy_type: p.retry?.policyType ?? existing?.policy_type ?? 0,
      policy_json: p.retry?.policyJsonText ?? existing?.policy_json ?? '[]',
      no_retry_policy: p.retry ? JSON.stringify(p.retry.noRetryResultCodes) : (existing?.no_retry_policy ?? '[]'),
      busi_policy: p.busi ? JSON.stringify(busiPolicyToWire(p.busi)) : (existing?.busi_policy ?? '[]'),
    },
    nowMs,
  );
}

/** Reads the retry/business parts of a request body (set interface or v2) into an update. */
export function policyUpdateFrom(retry: { policyType: number; policyJson?: unknown; noRetryPolicy?: unknown } | undefined, busiPolicy: unknown, prefix: string): PolicyUpdate {
  const out: PolicyUpdate = {};
  if (retry) out.retry = { ...checkRetryPolicyInput(retry, prefix), policyJsonText: policyJsonText(retry.policyJson) };
  if (busiPolicy !== undefined) out.busi = parseBusiPolicy(busiPolicy, 'busiPolicy');
  return out;
}

/** Retry policy set: validates, checks references, stores. Campaign missing → 0200007. */
export async function setRetryPolicy(ctx: DomainContext, vdnId: number, campaignId: number, body: RetryPolicySet): Promise<void> {
  const now = ctx.clock.now();
  const update = policyUpdateFrom(body, body.busiPolicy, '');
  await writeTransaction(ctx.db, async (trx) => {
    await requireCampaign(trx, vdnId, campaignId);
    await checkPolicyReferences(trx, vdnId, update);
    await saveCampaignPolicies(trx, vdnId, campaignId, update, now);
  });
}

/** The `data` of the retryPolicy query. */
export interface RetryPolicyData extends StoredRetryPolicy {
  retryPolicyId: string;
}

/** Row → wire. A campaign without a stored policy answers the "dial once, never retry" default. */
export function retryPolicyRowToApi(row: RetryPolicyRow | undefined): RetryPolicyData {
  if (!row) return { retryPolicyId: '', policyType: 0, policyJson: '[]', noRetryPolicy: '[]', busiPolicy: '[]' };
  return {
    retryPolicyId: String(row.id),
    policyType: row.policy_type,
    policyJson: row.policy_json,
    noRetryPolicy: row.no_retry_policy,
    busiPolicy: row.busi_policy,
  };
}

/** Retry policy query. Campaign missing → 0200007. */
export async function queryRetryPolicy(ctx: DomainContext, vdnId: number, campaignId: number): Promise<RetryPolicyData> {
  await requireCampaign(ctx.db, vdnId, campaignId);
  return retryPolicyRowToApi(await findRetryPolicy(ctx.db, campaignId));
}

/**
 * The campaign's policy, typed, for the engine (NO_RETRY_POLICY when none was set).
 *
 * @example const policy = await retryPolicyOf(db, 46); const entry = retryEntryFor(policy, 'SI')
 */
export async function retryPolicyOf(db: Db, campaignId: number): Promise<RetryPolicy> {
  const row = await findRetryPolicy(db, campaignId);
  return parseRetryPolicy(row ? retryPolicyRowToApi(row) : undefined);
}
