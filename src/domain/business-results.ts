/**
 * Business-result definitions: a two-level tree per VDN (result → sub-results) that agents and
 * business systems write back per call (`callBusiResult`, `appoint/updateResult`) and that
 * `busiPolicy` rules name. A definition cannot be modified once created (there is no modify
 * interface), so codes stay stable for everything that refers to them.
 *
 * Uniqueness: a code is unique in the VDN across both levels; a top-level name is unique in the
 * VDN; a sub-result name is unique under its parent.
 */
import { writeTransaction } from '../store/group-commit.js';
import type { BusinessResultAdd } from '../contract/campaigns.js';
import { isUniqueViolation } from '../store/errors.js';
import type { Db } from '../store/db.js';
import { businessResultsByCode, insertBusinessResult, listBusinessResults, topLevelBusinessResultNamed, type BusinessResultRow } from '../store/policies.repository.js';
import type { DomainContext } from './context.js';
import { paramError } from './errors.js';

/** Creates a result with its sub-results; returns the new result's id (a numeric string). */
export async function addBusinessResult(ctx: DomainContext, vdnId: number, body: BusinessResultAdd): Promise<string> {
  const now = ctx.clock.now();
  const children = body.children ?? [];
  const codes = new Set<string>();
  const claim = (code: string | undefined, field: string) => {
    if (!code) return;
    if (codes.has(code)) throw paramError(`code ${code} (${field}) appears twice in the request`);
    codes.add(code);
  };
  claim(body.code, 'code');
  const childNames = new Set<string>();
  children.forEach((c, i) => {
    // Only two levels exist; a grandchild would be silently lost, so it is refused.
    if ((c as Record<string, unknown>).children !== undefined) {
      throw paramError(`parameter children[${i}].children is not allowed: business results have two levels`);
    }
    if (childNames.has(c.name)) throw paramError(`sub-result name "${c.name}" appears twice in children`);
    childNames.add(c.name);
    claim(c.code, `children[${i}].code`);
  });
  try {
    return await writeTransaction(ctx.db, async (trx) => {
      if (await topLevelBusinessResultNamed(trx, vdnId, body.name)) {
        throw paramError(`a business result named "${body.name}" already exists`);
      }
      const taken = await businessResultsByCode(trx, vdnId, [...codes]);
      if (taken.length > 0) {
        throw paramError(`business result codes already exist in VDN ${vdnId}: ${taken.map((t) => t.code).join(', ')}`);
      }
      const id = await insertBusinessResult(trx, {
        vdn_id: vdnId,
        parent_id: null,
        name: body.name,
        code: body.code || null,
        description: body.description || null,
        created_at: now,
      });
      for (const c of children) {
        await insertBusinessResult(trx, {
          vdn_id: vdnId,
          parent_id: id,
          name: c.name,
          code: c.code || null,
          description: c.description || null,
          created_at: now,
        });
      }
      return String(id);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw paramError('a business result code in the request already exists');
    throw e;
  }
}

export interface BusinessResultItem {
  id: string;
  name: string;
  code: string | null;
  description: string | null;
}

export interface BusinessResultTree extends BusinessResultItem {
  children: BusinessResultItem[];
}

const rowToApi = (r: BusinessResultRow): BusinessResultItem => ({ id: String(r.id), name: r.name, code: r.code, description: r.description });

/** One page of top-level results (oldest first), each with its sub-results. */
export async function queryBusinessResults(ctx: DomainContext, vdnId: number, pageNum: number, pageSize: number): Promise<{ totalCount: number; data: BusinessResultTree[] }> {
  const { parents, children, total } = await listBusinessResults(ctx.db, vdnId, (pageNum - 1) * pageSize, pageSize);
  return {
    totalCount: total,
    data: parents.map((p) => ({
      ...rowToApi(p),
      children: children.filter((c) => Number(c.parent_id) === Number(p.id)).map(rowToApi),
    })),
  };
}

/**
 * Checks a written-back business result against the definitions (for `callBusiResult` and
 * `appoint/updateResult`): `unknown` when no top-level result has the code, `sub-mismatch`
 * when the sub-status is not one of its sub-results (0200034).
 */
export async function matchBusinessResult(db: Db, vdnId: number, code: string, subCode?: string | null): Promise<'ok' | 'unknown' | 'sub-mismatch'> {
  const rows = await businessResultsByCode(db, vdnId, subCode ? [code, subCode] : [code]);
  const parent = rows.find((r) => r.code === code && r.parent_id === null);
  if (!parent) return 'unknown';
  if (!subCode) return 'ok';
  const child = rows.find((r) => r.code === subCode && Number(r.parent_id) === Number(parent.id));
  return child ? 'ok' : 'sub-mismatch';
}
