/**
 * Retry policies (one per campaign), business-result definitions and the external-result codes
 * a retry policy may name.
 *
 * @example const row = await findRetryPolicy(db, 46)
 */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from './db.js';
import type { BusinessResultTable, RetryPolicyTable } from './schema/policies.js';

export type RetryPolicyRow = Selectable<RetryPolicyTable>;
export type BusinessResultRow = Selectable<BusinessResultTable>;

/** @example const row = await findRetryPolicy(db, 46) */
export async function findRetryPolicy(db: Db, campaignId: number): Promise<RetryPolicyRow | undefined> {
  return db.selectFrom('retry_policies').selectAll().where('campaign_id', '=', campaignId).executeTakeFirst();
}

export type RetryPolicyFields = Pick<RetryPolicyTable, 'policy_type' | 'policy_json' | 'no_retry_policy' | 'busi_policy'>;

/**
 * Creates or replaces the campaign's retry policy; the row (and so `retryPolicyId`) is kept
 * across later sets.
 *
 * @example await upsertRetryPolicy(trx, 1, 46, { policy_type: 0, policy_json: '[]', no_retry_policy: '[]', busi_policy: '[]' }, now)
 */
export async function upsertRetryPolicy(db: Db, vdnId: number, campaignId: number, fields: RetryPolicyFields, nowMs: number): Promise<number> {
  const existing = await findRetryPolicy(db, campaignId);
  if (existing) {
    await db
      .updateTable('retry_policies')
      .set({ ...fields, updated_at: nowMs })
      .where('id', '=', existing.id)
      .execute();
    return Number(existing.id);
  }
  const row: Insertable<RetryPolicyTable> = { ...fields, campaign_id: campaignId, vdn_id: vdnId, created_at: nowMs, updated_at: nowMs };
  const r = await db.insertInto('retry_policies').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/**
 * The given external result codes that exist in the VDN.
 *
 * @example const known = await existingExternalResultCodes(db, 1, ['007', 'X1'])
 */
export async function existingExternalResultCodes(db: Db, vdnId: number, codes: readonly string[]): Promise<Set<string>> {
  if (codes.length === 0) return new Set();
  const rows = await db
    .selectFrom('external_results')
    .select('result_code')
    .where('vdn_id', '=', vdnId)
    .where('result_code', 'in', [...codes])
    .execute();
  return new Set(rows.map((r) => r.result_code).filter((c): c is string => c !== null));
}

/**
 * Business results of the VDN whose code is among `codes` (either level).
 *
 * @example const rows = await businessResultsByCode(db, 1, ['INT', 'INT-1'])
 */
export async function businessResultsByCode(db: Db, vdnId: number, codes: readonly string[]): Promise<BusinessResultRow[]> {
  if (codes.length === 0) return [];
  return db
    .selectFrom('business_results')
    .selectAll()
    .where('vdn_id', '=', vdnId)
    .where('code', 'in', [...codes])
    .execute();
}

/**
 * Top-level business results of the VDN with one of the names (duplicate checks).
 *
 * @example const taken = await topLevelBusinessResultNamed(db, 1, 'Interested')
 */
export async function topLevelBusinessResultNamed(db: Db, vdnId: number, name: string): Promise<BusinessResultRow | undefined> {
  return db.selectFrom('business_results').selectAll().where('vdn_id', '=', vdnId).where('parent_id', 'is', null).where('name', '=', name).executeTakeFirst();
}

/** @example const id = await insertBusinessResult(trx, { vdn_id: 1, parent_id: null, name: 'Interested', code: 'INT', description: null, created_at: now }) */
export async function insertBusinessResult(db: Db, row: Insertable<BusinessResultTable>): Promise<number> {
  const r = await db.insertInto('business_results').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/**
 * One page of top-level business results (oldest first) with their children, and the number of
 * top-level results.
 *
 * @example const { parents, children, total } = await listBusinessResults(db, 1, 0, 10)
 */
export async function listBusinessResults(
  db: Db,
  vdnId: number,
  offset: number,
  limit: number,
): Promise<{ parents: BusinessResultRow[]; children: BusinessResultRow[]; total: number }> {
  const top = db.selectFrom('business_results').where('vdn_id', '=', vdnId).where('parent_id', 'is', null);
  const count = await top.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const parents = await top.selectAll().orderBy('id').limit(limit).offset(offset).execute();
  const children =
    parents.length === 0
      ? []
      : await db
          .selectFrom('business_results')
          .selectAll()
          .where(
            'parent_id',
            'in',
            parents.map((p) => Number(p.id)),
          )
          .orderBy('id')
          .execute();
  return { parents, children, total: Number(count.n) };
}
