/**
 * External (display) results: a tenant code + label grouping OBS fail codes. One OBS code maps
 * to at most one external result per VDN (PRODUCT.md "External results"), so a fail code always
 * has an unambiguous external result.
 */
import type { ObResultCreate } from '../http/schemas.js';
import { isUniqueViolation } from '../store/errors.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { isKnownObsCode } from './obs-codes.js';

/** Creates an external result; returns its defId (a numeric string). */
export async function createExternalResult(ctx: DomainContext, vdnId: number, body: ObResultCreate): Promise<string> {
  const now = ctx.clock.now();
  const codes = new Set<string>();
  for (const [i, c] of body.obsCodes.entries()) {
    if (!isKnownObsCode(c)) throw new DomainError('02000007', `parameter obsCodes[${i}] ${c} is not a known OBS result code`);
    if (codes.has(c)) throw paramError(`OBS code ${c} appears twice in obsCodes`);
    codes.add(c);
  }
  const resultCode = body.resultCode || null;
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      if (resultCode !== null) {
        const taken = await trx
          .selectFrom('external_results')
          .select('def_id')
          .where('vdn_id', '=', vdnId)
          .where('result_code', '=', resultCode)
          .executeTakeFirst();
        if (taken) throw paramError(`external result code ${resultCode} already exists (defId ${taken.def_id})`);
      }
      const mapped = await trx
        .selectFrom('external_result_codes')
        .select(['obs_code', 'def_id'])
        .where('vdn_id', '=', vdnId)
        .where('obs_code', 'in', [...codes])
        .executeTakeFirst();
      if (mapped) throw paramError(`OBS code ${mapped.obs_code} is already mapped to external result ${mapped.def_id}`);
      const row = await trx
        .insertInto('external_results')
        .values({ vdn_id: vdnId, result_code: resultCode, display_result: body.displayResult, created_at: now, updated_at: now })
        .returning('def_id')
        .executeTakeFirstOrThrow();
      const defId = Number(row.def_id);
      await trx
        .insertInto('external_result_codes')
        .values([...codes].map((c) => ({ def_id: defId, vdn_id: vdnId, obs_code: c })))
        .execute();
      return String(defId);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw paramError('the external result code or one of the OBS codes is already defined');
    throw e;
  }
}
