/**
 * The VDN-wide blocklist: add, delete one, delete all, query.
 *
 * An entry is one of (isales-gaps §2.1):
 * - permanent: no validity sent;
 * - expiring: `validityExpirationTime` (absolute, UTC; wins) or `validityTime` × `validityTimeUnit`
 *   (1 year, 2 month, 3 day, 4 hour = default) from the moment of the add;
 * - frequency-limited (either of the above plus `restrictTimes` per `restrictPeriod`): the
 *   engine may still dial the number that many times per hour/day. Such an entry is "listed"
 *   for add and query, but `isBlocked` (reservations, call data) does not refuse it.
 *
 * Add is all or nothing. A number whose entry is still in effect is "already listed": the add
 * is refused with 0200007 unless `isCoverDupNo` is 1, which overwrites the entry. An expired
 * entry never counts as listed and is silently replaced.
 */
import { writeTransaction } from '../store/group-commit.js';
import type { BlocklistAdd, BlocklistItem, BlocklistQuery } from '../contract/calendar.js';
import {
  deleteAllBlocklistEntries,
  deleteBlocklistEntry,
  findBlocklistEntries,
  pageBlocklist,
  upsertBlocklistEntries,
  type BlocklistFilter,
  type BlocklistRow,
} from '../store/blocklist.repository.js';
import { assertGroupAndType } from './blocklist-groups.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { formatDateTime, parseDateTime } from './time.js';

/** Numbers per add (0200029 above) and per membership query (02000011 above, by schema). */
export const MAX_NUMBERS_PER_ADD = 20;

export const UNIT_YEAR = 1;
export const UNIT_MONTH = 2;
export const UNIT_DAY = 3;
export const UNIT_HOUR = 4;

/** `ms` plus `n` calendar months in UTC; the day is clamped (31 Jan + 1 month = 28/29 Feb). */
function addMonths(ms: number, n: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

/**
 * When an entry added at `nowMs` with `validityTime` of `unit` expires.
 *
 * @example expiryAfter(Date.UTC(2020, 11, 31, 10, 6, 25), 120, UNIT_HOUR) // 2021-01-05 10:06:25
 */
export function expiryAfter(nowMs: number, validityTime: number, unit: number): number {
  switch (unit) {
    case UNIT_YEAR:
      return addMonths(nowMs, 12 * validityTime);
    case UNIT_MONTH:
      return addMonths(nowMs, validityTime);
    case UNIT_DAY:
      return nowMs + validityTime * 86400_000;
    default:
      return nowMs + validityTime * 3600_000;
  }
}

interface Validity {
  expiresAt: number | null;
  validityTime: number | null;
  unit: number | null;
}

function validityOf(body: BlocklistAdd, nowMs: number): Validity {
  if (body.validityExpirationTime) {
    const at = parseDateTime(body.validityExpirationTime);
    if (at === null) throw new DomainError('02000007', 'parameter validityExpirationTime must be a real date-time yyyy-MM-dd HH:mm:ss (UTC)');
    if (at <= nowMs) throw paramError(`validityExpirationTime ${body.validityExpirationTime} is not in the future`);
    return { expiresAt: at, validityTime: null, unit: null };
  }
  if (body.validityTime !== undefined) {
    const unit = body.validityTimeUnit ?? UNIT_HOUR;
    return { expiresAt: expiryAfter(nowMs, body.validityTime, unit), validityTime: body.validityTime, unit };
  }
  return { expiresAt: null, validityTime: null, unit: null };
}

const inEffect = (r: Pick<BlocklistRow, 'expires_at'>, nowMs: number) => r.expires_at === null || Number(r.expires_at) > nowMs;

/** `POST P/blocklist/add`. */
export async function addToBlocklist(ctx: DomainContext, vdnId: number, body: BlocklistAdd): Promise<void> {
  const now = ctx.clock.now();
  if (body.blocklist.length > MAX_NUMBERS_PER_ADD) {
    throw new DomainError('0200029', `at most ${MAX_NUMBERS_PER_ADD} numbers may be added per request (got ${body.blocklist.length})`);
  }
  const seen = new Set<string>();
  for (const n of body.blocklist) {
    if (seen.has(n)) throw new DomainError('0200018', `number ${n} appears more than once in blocklist`);
    seen.add(n);
  }
  if ((body.restrictTimes === undefined) !== (body.restrictPeriod === undefined)) {
    throw new DomainError('02000009', 'parameters restrictTimes and restrictPeriod must be given together');
  }
  const v = validityOf(body, now);
  await writeTransaction(ctx.db, async (trx) => {
    await assertGroupAndType(trx, vdnId, body.relCategoryId, body.typeId);
    const listed = (await findBlocklistEntries(trx, vdnId, body.blocklist)).filter((r) => inEffect(r, now)).map((r) => r.number);
    if (listed.length > 0 && body.isCoverDupNo !== 1) {
      throw new DomainError('0200007', `already in the blocklist: ${listed.sort().join(', ')} (isCoverDupNo 1 overwrites)`);
    }
    await upsertBlocklistEntries(
      trx,
      body.blocklist.map((number) => ({
        vdn_id: vdnId,
        number,
        expires_at: v.expiresAt,
        restrict_times: body.restrictTimes ?? null,
        restrict_period: body.restrictPeriod ?? null,
        category_id: body.relCategoryId || null,
        type_id: body.typeId || null,
        validity_time: v.validityTime,
        validity_time_unit: v.unit,
        created_at: now,
      })),
    );
  });
}

/** `POST P/blocklist/delete`: one number; an unlisted number is a parameter error. */
export async function removeFromBlocklist(ctx: DomainContext, vdnId: number, number: string): Promise<void> {
  await writeTransaction(ctx.db, async (trx) => {
    if (!(await deleteBlocklistEntry(trx, vdnId, number))) throw paramError(`number ${number} is not in the blocklist`);
  });
}

/** `DELETE P/blocklist`: the whole VDN's list. */
export async function clearBlocklist(ctx: DomainContext, vdnId: number): Promise<number> {
  return deleteAllBlocklistEntries(ctx.db, vdnId);
}

/** Row → wire. `flag` only in a membership query: true while the entry is in effect. */
export function blocklistRowToApi(r: BlocklistRow, nowMs: number, withFlag: boolean): BlocklistItem {
  const item: BlocklistItem = {
    blockNum: r.number,
    validityExpirationTime: r.expires_at === null ? '' : formatDateTime(Number(r.expires_at)),
  };
  if (r.validity_time !== null) {
    item.validityTime = r.validity_time;
    item.validityTimeUnit = r.validity_time_unit ?? UNIT_HOUR;
  }
  if (r.restrict_times !== null) item.restrictTimes = r.restrict_times;
  if (r.restrict_period !== null) item.restrictPeriod = r.restrict_period;
  if (r.category_id !== null) item.relCategoryId = r.category_id;
  if (r.type_id !== null) item.typeId = r.type_id;
  if (withFlag) item.flag = inEffect(r, nowMs);
  return item;
}

/**
 * `POST P/blocklist/query`: either a membership check of up to 20 numbers (listed ones are
 * returned, expired entries included with `flag: false`; unlisted numbers are left out) or a
 * page of the entries in effect; never both (02000009).
 */
export async function queryBlocklist(ctx: DomainContext, vdnId: number, body: BlocklistQuery): Promise<{ totalCount: number; data: BlocklistItem[] }> {
  const now = ctx.clock.now();
  const paging = body.offset !== undefined || body.limit !== undefined;
  const f: BlocklistFilter = { categoryId: body.relCategoryId || undefined, typeId: body.typeId || undefined };
  if (body.blocklist !== undefined && paging) {
    throw new DomainError('02000009', 'send either blocklist or offset and limit, not both');
  }
  await assertGroupAndType(ctx.db, vdnId, f.categoryId, f.typeId);
  if (body.blocklist !== undefined) {
    const order = new Map(body.blocklist.map((n, i) => [n, i] as const));
    const rows = (await findBlocklistEntries(ctx.db, vdnId, body.blocklist, f)).sort((a, b) => order.get(a.number)! - order.get(b.number)!);
    return { totalCount: rows.length, data: rows.map((r) => blocklistRowToApi(r, now, true)) };
  }
  if (body.offset === undefined || body.limit === undefined) {
    throw new DomainError('02000009', paging ? 'parameters offset and limit must be given together' : 'send either blocklist or offset and limit');
  }
  const { total, rows } = await pageBlocklist(ctx.db, vdnId, now, f, body.offset, body.limit);
  return { totalCount: total, data: rows.map((r) => blocklistRowToApi(r, now, false)) };
}
