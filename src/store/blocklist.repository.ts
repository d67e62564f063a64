/**
 * The VDN-wide blocklist.
 *
 * @example if (await isBlocked(db, 1, '66660001', Date.now())) …
 */
import type { Insertable } from 'kysely';
import type { BlocklistTable, Db } from './db.js';

/**
 * Whether a number is refused outright at `nowMs`: listed, not expired, and not in the
 * frequency-limited mode (a frequency-limited number may still be called a few times per
 * period; the engine checks that at dial time).
 */
export async function isBlocked(db: Db, vdnId: number, number: string, nowMs: number): Promise<boolean> {
  const r = await db
    .selectFrom('blocklist')
    .select('number')
    .where('vdn_id', '=', vdnId)
    .where('number', '=', number)
    .where('restrict_times', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowMs)]))
    .executeTakeFirst();
  return r !== undefined;
}

export async function insertBlocklistEntry(db: Db, row: Insertable<BlocklistTable>): Promise<void> {
  await db.insertInto('blocklist').values(row).execute();
}

/** Which of `numbers` are refused outright at `nowMs` (same rule as `isBlocked`). */
export async function blockedNumbers(db: Db, vdnId: number, numbers: readonly string[], nowMs: number): Promise<Set<string>> {
  if (numbers.length === 0) return new Set();
  const rows = await db
    .selectFrom('blocklist')
    .select('number')
    .where('vdn_id', '=', vdnId)
    .where('number', 'in', [...new Set(numbers)])
    .where('restrict_times', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowMs)]))
    .execute();
  return new Set(rows.map((r) => r.number));
}
