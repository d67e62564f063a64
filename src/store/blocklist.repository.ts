/**
 * The VDN-wide blocklist. An entry is refused outright while `expires_at` is null (permanent)
 * or in the future, unless it is frequency-limited (`restrict_times` per `restrict_period`),
 * which only the engine's dial-time gate enforces. Expired rows stay until they are overwritten
 * or deleted, so a membership query can still say "listed, but lapsed".
 *
 * @example if (await isBlocked(db, 1, '66660001', Date.now())) …
 */
import { sql, type Insertable, type Selectable } from 'kysely';
import { canonicalNumber, numberTail } from '../domain/phone-numbers.js';
import type { BlocklistTable, Db } from './db.js';
import { queryTemplate } from './query-template.js';
import { executeCompiled } from './dialect.js';
import { batchPrefetch, forgetBatchReads, readOncePerBatch, type WriteOptions } from './group-commit.js';

/** Rows as stored: the lookup tail is derived here, so every writer sets it. */
const withTail = (row: Insertable<BlocklistTable>): Insertable<BlocklistTable> => ({ ...row, number_tail: numberTail(row.number) });

/**
 * Whether a number is refused outright at `nowMs`: listed, not expired, and not in the
 * frequency-limited mode (a frequency-limited number may still be called a few times per
 * period; the engine checks that at dial time). Numbers are compared by subscriber in `region`
 * (PRODUCT.md; `8613800000501` is `13800000501` in `CN`).
 */
export async function isBlocked(db: Db, vdnId: number, number: string, nowMs: number, region: string): Promise<boolean> {
  const key = prefetchKey(vdnId);
  const announced = batchPrefetch(db, key);
  let rows: ReadonlyArray<{ number: string }>;
  if (announced.includes(number)) {
    // PostgreSQL, in a batch whose requests announced their numbers (blocklistPrefetch): one
    // statement reads the entries of all their tails; each request keeps those of its own tail
    // in force at its own `nowMs`. Every blocklist write forgets it (forgetBatchReads).
    const tail = numberTail(number);
    const all = await readOncePerBatch(db, key, async () => {
      const tails = [...new Set(announced.map((n) => numberTail(String(n))))];
      return (await db.executeQuery(blockedByTails(db, vdnId, tails))).rows;
    });
    rows = all.filter((r) => r.number_tail === tail && (r.expires_at === null || Number(r.expires_at) > nowMs));
  } else {
    rows = (await executeCompiled(db, blockedByTail(db, vdnId, numberTail(number), nowMs))).rows;
  }
  if (rows.length === 0) return false;
  const wanted = canonicalNumber(number, region);
  return rows.some((r) => canonicalNumber(r.number, region) === wanted);
}

const prefetchKey = (vdnId: number) => `blocklist:${vdnId}`;

/**
 * What a group-committed request that will call {@link isBlocked} for `number` announces to its
 * batch ({@link WriteOptions.prefetch}): on PostgreSQL the batch then reads the entries for all
 * announced numbers in one statement instead of one per request.
 *
 * @example writeTransaction(db, fn, { prefetch: blocklistPrefetch(1, '13800000000') })
 */
export function blocklistPrefetch(vdnId: number, number: string): { key: string; value: string } {
  return { key: prefetchKey(vdnId), value: number };
}

/** The unrestricted entries (expired ones included) of any of `tails`. */
const blockedByTails = queryTemplate((db: Db, vdnId: number, tails: string[]) =>
  db
    .selectFrom('blocklist')
    .select(['number', 'number_tail', 'expires_at'])
    .where('vdn_id', '=', vdnId)
    .where('number_tail', '=', sql<string>`any(${tails})`)
    .where('restrict_times', 'is', null),
);

/** `isBlocked`'s query (one number, so one tail), compiled once (store/query-template.ts). */
const blockedByTail = queryTemplate((db: Db, vdnId: number, tail: string, nowMs: number) =>
  db
    .selectFrom('blocklist')
    .select('number')
    .where('vdn_id', '=', vdnId)
    .where('number_tail', '=', tail)
    .where('restrict_times', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowMs)])),
);

export async function insertBlocklistEntry(db: Db, row: Insertable<BlocklistTable>): Promise<void> {
  forgetBatchReads(db);
  await db.insertInto('blocklist').values(withTail(row)).execute();
}

/** Which of `numbers` (as given) are refused outright at `nowMs` (same rule as `isBlocked`, by subscriber in `region`). */
export async function blockedNumbers(db: Db, vdnId: number, numbers: readonly string[], nowMs: number, region: string): Promise<Set<string>> {
  if (numbers.length === 0) return new Set();
  const unique = [...new Set(numbers)];
  const out = new Set<string>();
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = await db
      .selectFrom('blocklist')
      .select('number')
      .where('vdn_id', '=', vdnId)
      .where('number_tail', 'in', [...new Set(chunk.map(numberTail))])
      .where('restrict_times', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowMs)]))
      .execute();
    if (rows.length === 0) continue;
    const listed = new Set(rows.map((r) => canonicalNumber(r.number, region)));
    for (const n of chunk) if (listed.has(canonicalNumber(n, region))) out.add(n);
  }
  return out;
}

export type BlocklistRow = Selectable<BlocklistTable>;

/** Optional group/type filters of blocklist/query. */
export interface BlocklistFilter {
  categoryId?: string;
  typeId?: string;
}

/**
 * The rows (expired ones included) of the given numbers, in no particular order.
 *
 * @example const rows = await findBlocklistEntries(db, 1, ['13800000000'])
 */
export async function findBlocklistEntries(db: Db, vdnId: number, numbers: readonly string[], f: BlocklistFilter = {}): Promise<BlocklistRow[]> {
  if (numbers.length === 0) return [];
  return db
    .selectFrom('blocklist')
    .selectAll()
    .where('vdn_id', '=', vdnId)
    .where('number', 'in', [...new Set(numbers)])
    .$if(f.categoryId !== undefined, (q) => q.where('category_id', '=', f.categoryId!))
    .$if(f.typeId !== undefined, (q) => q.where('type_id', '=', f.typeId!))
    .execute();
}

/**
 * Inserts the rows, replacing any row of the same (vdn, number): the caller has already decided
 * that replacing is allowed (an expired entry, or `isCoverDupNo` 1).
 *
 * @example await upsertBlocklistEntries(trx, [{ vdn_id: 1, number: '138', expires_at: null, … }])
 */
export async function upsertBlocklistEntries(db: Db, rows: Insertable<BlocklistTable>[]): Promise<void> {
  if (rows.length === 0) return;
  forgetBatchReads(db);
  await db
    .insertInto('blocklist')
    .values(rows.map(withTail))
    .onConflict((oc) =>
      oc.columns(['vdn_id', 'number']).doUpdateSet((eb) => ({
        expires_at: eb.ref('excluded.expires_at'),
        restrict_times: eb.ref('excluded.restrict_times'),
        restrict_period: eb.ref('excluded.restrict_period'),
        category_id: eb.ref('excluded.category_id'),
        type_id: eb.ref('excluded.type_id'),
        validity_time: eb.ref('excluded.validity_time'),
        validity_time_unit: eb.ref('excluded.validity_time_unit'),
        created_at: eb.ref('excluded.created_at'),
        number_tail: eb.ref('excluded.number_tail'),
      })),
    )
    .execute();
}

/** Removes one number (expired or not); false when it was not listed. @example await deleteBlocklistEntry(db, 1, '138') */
export async function deleteBlocklistEntry(db: Db, vdnId: number, number: string): Promise<boolean> {
  forgetBatchReads(db);
  const r = await db.deleteFrom('blocklist').where('vdn_id', '=', vdnId).where('number', '=', number).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** Empties a VDN's blocklist; returns how many rows went. @example await deleteAllBlocklistEntries(db, 1) */
export async function deleteAllBlocklistEntries(db: Db, vdnId: number): Promise<number> {
  forgetBatchReads(db);
  const r = await db.deleteFrom('blocklist').where('vdn_id', '=', vdnId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * One page of the entries in effect at `nowMs` (not expired), in insertion order, and how many
 * there are in all.
 *
 * @example const { total, rows } = await pageBlocklist(db, 1, Date.now(), {}, 0, 20)
 */
export async function pageBlocklist(db: Db, vdnId: number, nowMs: number, f: BlocklistFilter, offset: number, limit: number): Promise<{ total: number; rows: BlocklistRow[] }> {
  const base = db
    .selectFrom('blocklist')
    .where('vdn_id', '=', vdnId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowMs)]))
    .$if(f.categoryId !== undefined, (q) => q.where('category_id', '=', f.categoryId!))
    .$if(f.typeId !== undefined, (q) => q.where('type_id', '=', f.typeId!));
  const count = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('created_at').orderBy('number').limit(limit).offset(offset).execute();
  return { total: Number(count.n), rows };
}
