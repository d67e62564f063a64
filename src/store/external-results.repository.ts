/**
 * External (display) results and their OBS-code mappings. One OBS code maps to at most one
 * external result per VDN: the mapping table's primary key (vdn_id, obs_code) enforces it, so
 * two concurrent writers cannot both win.
 *
 * @example const row = await findExternalResult(db, 1, 12)
 */
import type { Insertable, Selectable } from 'kysely';
import type { Db, ExternalResultCodeTable, ExternalResultTable } from './db.js';

export type ExternalResultRow = Selectable<ExternalResultTable>;
export type ExternalResultCodeRow = Selectable<ExternalResultCodeTable>;

/** @example const row = await findExternalResult(db, 1, 12) */
export async function findExternalResult(db: Db, vdnId: number, defId: number): Promise<ExternalResultRow | undefined> {
  return db.selectFrom('external_results').selectAll().where('vdn_id', '=', vdnId).where('def_id', '=', defId).executeTakeFirst();
}

/** The external result of the VDN carrying `resultCode`, if any. @example await findExternalResultByCode(db, 1, '007') */
export async function findExternalResultByCode(db: Db, vdnId: number, resultCode: string): Promise<ExternalResultRow | undefined> {
  return db.selectFrom('external_results').selectAll().where('vdn_id', '=', vdnId).where('result_code', '=', resultCode).executeTakeFirst();
}

/** @example const defId = await insertExternalResult(trx, { vdn_id: 1, result_code: '007', display_result: 'x', created_at: now, updated_at: now }) */
export async function insertExternalResult(db: Db, row: Insertable<ExternalResultTable>): Promise<number> {
  const r = await db.insertInto('external_results').values(row).returning('def_id').executeTakeFirstOrThrow();
  return Number(r.def_id);
}

/** @example await setDisplayResult(trx, 12, 'No answer', now) */
export async function setDisplayResult(db: Db, defId: number, displayResult: string, nowMs: number): Promise<void> {
  await db.updateTable('external_results').set({ display_result: displayResult, updated_at: nowMs }).where('def_id', '=', defId).execute();
}

/** Deletes the external result and its mappings; false when it did not exist. @example await deleteExternalResult(trx, 1, 12) */
export async function deleteExternalResult(db: Db, vdnId: number, defId: number): Promise<boolean> {
  await db.deleteFrom('external_result_codes').where('vdn_id', '=', vdnId).where('def_id', '=', defId).execute();
  const r = await db.deleteFrom('external_results').where('vdn_id', '=', vdnId).where('def_id', '=', defId).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/**
 * The first of `codes` already mapped in the VDN to an external result other than `exceptDefId`.
 *
 * @example const taken = await mappedElsewhere(trx, 1, ['00602'], 12)
 */
export async function mappedElsewhere(db: Db, vdnId: number, codes: readonly string[], exceptDefId?: number): Promise<ExternalResultCodeRow | undefined> {
  if (codes.length === 0) return undefined;
  let q = db
    .selectFrom('external_result_codes')
    .selectAll()
    .where('vdn_id', '=', vdnId)
    .where('obs_code', 'in', [...codes]);
  if (exceptDefId !== undefined) q = q.where('def_id', '<>', exceptDefId);
  return q.orderBy('obs_code').executeTakeFirst();
}

/** Replaces the OBS codes mapped to `defId`. @example await replaceMappings(trx, 1, 12, ['00602', '00606']) */
export async function replaceMappings(db: Db, vdnId: number, defId: number, codes: readonly string[]): Promise<void> {
  await db.deleteFrom('external_result_codes').where('vdn_id', '=', vdnId).where('def_id', '=', defId).execute();
  if (codes.length === 0) return;
  await db
    .insertInto('external_result_codes')
    .values(codes.map((c) => ({ def_id: defId, vdn_id: vdnId, obs_code: c })))
    .execute();
}

/** @example const rows = await mappingsOf(db, 1, 12) */
export async function mappingsOf(db: Db, vdnId: number, defId: number): Promise<ExternalResultCodeRow[]> {
  return db.selectFrom('external_result_codes').selectAll().where('vdn_id', '=', vdnId).where('def_id', '=', defId).orderBy('obs_code').execute();
}

/** One page (oldest first) and the VDN's total. @example const { rows, total } = await listExternalResults(db, 1, 0, 50) */
export async function listExternalResults(db: Db, vdnId: number, offset: number, limit: number): Promise<{ rows: ExternalResultRow[]; total: number }> {
  const base = db.selectFrom('external_results').where('vdn_id', '=', vdnId);
  const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const total = Number(count.n);
  if (offset >= total) return { rows: [], total };
  const rows = await base.selectAll().orderBy('def_id').limit(limit).offset(offset).execute();
  return { rows, total };
}

/**
 * The external result code an OBS fail code maps to in the VDN: `undefined` when the code is
 * not mapped, `null` when it maps to a result defined without a code.
 *
 * @example const code = await mappedResultCode(db, 1, '00602') // '007'
 */
export async function mappedResultCode(db: Db, vdnId: number, obsCode: string): Promise<string | null | undefined> {
  const row = await db
    .selectFrom('external_result_codes as m')
    .innerJoin('external_results as r', 'r.def_id', 'm.def_id')
    .select('r.result_code')
    .where('m.vdn_id', '=', vdnId)
    .where('m.obs_code', '=', obsCode)
    .executeTakeFirst();
  return row === undefined ? undefined : row.result_code;
}

/**
 * Live campaigns of the VDN whose retry policy names `resultCode` in `noRetryPolicy`. The LIKE
 * narrows the rows; the JSON is then read to rule out partial matches.
 *
 * @example const ids = await campaignsNamingNoRetry(db, 1, '007')
 */
export async function campaignsNamingNoRetry(db: Db, vdnId: number, resultCode: string): Promise<number[]> {
  const rows = await db
    .selectFrom('retry_policies as p')
    .innerJoin('campaigns as c', 'c.id', 'p.campaign_id')
    .select(['p.campaign_id', 'p.no_retry_policy'])
    .where('p.vdn_id', '=', vdnId)
    .where('c.deleted_at', 'is', null)
    .where('p.no_retry_policy', 'like', `%${resultCode}%`)
    .orderBy('p.campaign_id')
    .execute();
  return rows
    .filter((r) => {
      try {
        const list: unknown = JSON.parse(r.no_retry_policy);
        return Array.isArray(list) && list.some((c) => String(c) === resultCode);
      } catch {
        return false;
      }
    })
    .map((r) => Number(r.campaign_id));
}
