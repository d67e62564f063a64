/**
 * External (display) results: a tenant code + label grouping OBS fail codes. One OBS code maps
 * to at most one external result per VDN (PRODUCT.md "External results"), so a fail code always
 * has an unambiguous external result; `externalResultFor` is that lookup, used by the engine
 * when it records a call result.
 */
import { writeTransaction } from '../store/group-commit.js';
import type { ObResultCreate } from '../contract/common.js';
import type { ObResultUpdate } from '../contract/results.js';
import type { Db } from '../store/db.js';
import { isUniqueViolation } from '../store/errors.js';
import {
  campaignsNamingNoRetry,
  deleteExternalResult,
  findExternalResult,
  findExternalResultByCode,
  insertExternalResult,
  listExternalResults,
  mappedElsewhere,
  mappedResultCode,
  mappingsOf,
  replaceMappings,
  setDisplayResult,
  type ExternalResultRow,
} from '../store/external-results.repository.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { isSerialId } from './ids.js';
import { isKnownObsCode, isSuccessFailCode, normalizeFailCode } from './obs-codes.js';

/** The system external result reported for a successful call the VDN has not mapped. */
export const SYSTEM_SUCCESS_RESULT = 'OB99999';

/** The codes of a request, checked: known OBS codes, none twice. */
function checkObsCodes(obsCodes: readonly string[]): string[] {
  const codes = new Set<string>();
  for (const [i, c] of obsCodes.entries()) {
    if (!isKnownObsCode(c)) throw new DomainError('02000007', `parameter obsCodes[${i}] ${c} is not a known OBS result code`);
    if (codes.has(c)) throw paramError(`OBS code ${c} appears twice in obsCodes`);
    codes.add(c);
  }
  return [...codes];
}

/** A defId as stored (an integer), or the "does not exist" error for anything else. */
function defIdOf(vdnId: number, defId: string): number {
  const n = /^\d{1,15}$/.test(defId) ? Number(defId) : NaN;
  if (!isSerialId(n)) throw paramError(`external result ${defId} does not exist in VDN ${vdnId}`);
  return n;
}

async function requireExternalResult(db: Db, vdnId: number, defId: string): Promise<ExternalResultRow> {
  const row = await findExternalResult(db, vdnId, defIdOf(vdnId, defId));
  if (!row) throw paramError(`external result ${defId} does not exist in VDN ${vdnId}`);
  return row;
}

/** A unique-index race lost to a concurrent writer reads like the checks above. */
function conflict(e: unknown): never {
  if (isUniqueViolation(e)) throw paramError('the external result code or one of the OBS codes is already defined');
  throw e;
}

/** Creates an external result; returns its defId (a numeric string). */
export async function createExternalResult(ctx: DomainContext, vdnId: number, body: ObResultCreate): Promise<string> {
  const now = ctx.clock.now();
  const codes = checkObsCodes(body.obsCodes);
  const resultCode = body.resultCode || null;
  try {
    return await writeTransaction(ctx.db, async (trx) => {
      if (resultCode !== null) {
        const taken = await findExternalResultByCode(trx, vdnId, resultCode);
        if (taken) throw paramError(`external result code ${resultCode} already exists (defId ${taken.def_id})`);
      }
      const mapped = await mappedElsewhere(trx, vdnId, codes);
      if (mapped) throw paramError(`OBS code ${mapped.obs_code} is already mapped to external result ${mapped.def_id}`);
      const defId = await insertExternalResult(trx, { vdn_id: vdnId, result_code: resultCode, display_result: body.displayResult, created_at: now, updated_at: now });
      await replaceMappings(trx, vdnId, defId, codes);
      return String(defId);
    });
  } catch (e) {
    return conflict(e);
  }
}

/**
 * Replaces an external result's label and its whole OBS-code mapping in one transaction. Codes
 * it already maps stay allowed; codes mapped to another result of the VDN are refused. Its
 * `resultCode` cannot change (retry policies refer to it).
 */
export async function updateExternalResult(ctx: DomainContext, vdnId: number, body: ObResultUpdate): Promise<void> {
  const now = ctx.clock.now();
  const codes = checkObsCodes(body.obsCodes);
  try {
    await writeTransaction(ctx.db, async (trx) => {
      const row = await requireExternalResult(trx, vdnId, body.defId);
      const defId = Number(row.def_id);
      const mapped = await mappedElsewhere(trx, vdnId, codes, defId);
      if (mapped) throw paramError(`OBS code ${mapped.obs_code} is already mapped to external result ${mapped.def_id}`);
      await replaceMappings(trx, vdnId, defId, codes);
      await setDisplayResult(trx, defId, body.displayResult, now);
    });
  } catch (e) {
    conflict(e);
  }
}

/**
 * Deletes an external result and its mapping. Refused while a live campaign's retry policy
 * names its code in `noRetryPolicy`: deleting it would silently turn "never retry" into
 * "retry" for those outcomes. Results already recorded keep their code.
 */
export async function deleteExternalResultById(ctx: DomainContext, vdnId: number, defId: string): Promise<void> {
  await writeTransaction(ctx.db, async (trx) => {
    const row = await requireExternalResult(trx, vdnId, defId);
    if (row.result_code !== null) {
      const campaigns = await campaignsNamingNoRetry(trx, vdnId, row.result_code);
      if (campaigns.length > 0) {
        throw paramError(`external result ${defId} (${row.result_code}) is named in the noRetryPolicy of campaign ${campaigns.join(', ')}; change that retry policy first`);
      }
    }
    await deleteExternalResult(trx, vdnId, Number(row.def_id));
  });
}

export interface ExternalResultListItem {
  defId: string;
  resultCode: string | null;
  displayResult: string;
}

/** One page of the VDN's external results, oldest first. */
export async function listExternalResultsPage(db: Db, vdnId: number, pageNum: number, pageSize: number): Promise<{ totalCount: number; data: ExternalResultListItem[] }> {
  const { rows, total } = await listExternalResults(db, vdnId, (pageNum - 1) * pageSize, pageSize);
  return {
    totalCount: total,
    data: rows.map((r) => ({ defId: String(r.def_id), resultCode: r.result_code, displayResult: r.display_result })),
  };
}

export interface ExternalResultDetail {
  defId: string;
  displayResult: string;
  vdnId: number;
  resultCode: string | null;
  resultMapList: { mapId: string; defId: string; failCode: string; vdnId: number }[];
}

/**
 * One external result with its mappings. A mapping has no row id of its own (its key is
 * VDN + OBS code), so `mapId` is defId followed by the five-digit OBS code: unique and stable
 * for as long as the mapping exists.
 */
export async function externalResultDetail(db: Db, vdnId: number, defId: string): Promise<ExternalResultDetail> {
  const row = await requireExternalResult(db, vdnId, defId);
  const id = String(row.def_id);
  const maps = await mappingsOf(db, vdnId, Number(row.def_id));
  return {
    defId: id,
    displayResult: row.display_result,
    vdnId: Number(row.vdn_id),
    resultCode: row.result_code,
    resultMapList: maps.map((m) => ({ mapId: `${id}${m.obs_code}`, defId: id, failCode: m.obs_code, vdnId: Number(m.vdn_id) })),
  };
}

/**
 * The external result code of an OBS fail code in a VDN, as the engine records it with each
 * call result: the mapped result's code; `OB99999` for a success (`00000`, or `0` as the
 * callback sample sends it) that the VDN has not mapped; otherwise null.
 *
 * @example await externalResultFor(db, 1, '00000') // 'OB99999' unless 00000 is mapped
 */
export async function externalResultFor(db: Db, vdnId: number, failCode: string): Promise<string | null> {
  const code = normalizeFailCode(failCode);
  const mapped = await mappedResultCode(db, vdnId, code);
  if (mapped !== undefined && mapped !== null) return mapped;
  return isSuccessFailCode(code) ? SYSTEM_SUCCESS_RESULT : null;
}
