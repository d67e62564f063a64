/**
 * Special dates (CC-iSales "holiday"): pure rules, no I/O.
 *
 * A campaign's special dates say which local days are holidays; on those days the engine uses
 * the campaign's `holidayBeginTimeN`/`holidayEndTimeN` windows instead of the workday ones
 * (see calling-windows.ts). Three kinds (api §6.14):
 * - type 1 weekly: `week` is a comma list of ISO weekdays, "6,7" = Saturday and Sunday;
 * - type 2 date range: `beginTime`/`endTime` are `yyyy-MM-dd`, both days included;
 * - type 3 yearly range: `beginTime`/`endTime` are `MM-dd`, repeating every year.
 *
 * Dates are calendar dates in the campaign's time zone, compared as zero-padded strings, so no
 * instant arithmetic (and no DST) is involved.
 */
import type { LocalDate } from './calling-windows.js';
import { DomainError } from './errors.js';

export const WEEKLY = 1;
export const DATE_RANGE = 2;
export const YEARLY = 3;

/** At most this many special dates per campaign (add page: "fewer than 20 existing"). */
export const MAX_SPECIAL_DATES = 20;

/** A special date as the wire shows it (and as `isSpecialDate` reads it). */
export interface SpecialDateRule {
  type: number;
  week: string | null;
  beginTime: string | null;
  endTime: string | null;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Whether `[begin, end]` (inclusive, zero-padded strings) contains `key`; a yearly range may wrap the year end. */
function inRange(key: string, begin: string | null, end: string | null, mayWrap: boolean): boolean {
  if (begin === null || end === null) return false;
  if (begin <= end) return begin <= key && key <= end;
  // Only reachable for rows written by something other than the API (which refuses end < begin):
  // read a yearly "12-24 … 01-02" as the range across New Year rather than as nothing.
  return mayWrap && (key >= begin || key <= end);
}

/**
 * Whether the local day `d` is covered by any of `dates`.
 *
 * @example isSpecialDate([{ type: 1, week: '6,7', beginTime: null, endTime: null }], { year: 2026, month: 1, day: 17, weekday: 6 }) // true
 */
export function isSpecialDate(dates: readonly SpecialDateRule[], d: LocalDate): boolean {
  const ymd = `${String(d.year).padStart(4, '0')}-${pad(d.month)}-${pad(d.day)}`;
  const md = `${pad(d.month)}-${pad(d.day)}`;
  for (const s of dates) {
    if (s.type === WEEKLY) {
      if (s.week?.split(',').some((w) => Number(w) === d.weekday)) return true;
    } else if (s.type === DATE_RANGE) {
      if (inRange(ymd, s.beginTime, s.endTime, false)) return true;
    } else if (s.type === YEARLY) {
      if (inRange(md, s.beginTime, s.endTime, true)) return true;
    }
  }
  return false;
}

/** What a client sends for one special date (add, and modify without the id). */
export interface SpecialDateInput {
  type: number;
  week?: string;
  beginTime?: string;
  endTime?: string;
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const MD = /^(\d{2})-(\d{2})$/;

function realDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
}

function checkDate(field: string, v: string, type: number): void {
  if (type === DATE_RANGE) {
    const m = YMD.exec(v);
    if (m && realDate(Number(m[1]), Number(m[2]), Number(m[3]))) return;
    throw new DomainError('0200030', `parameter ${field} must be a real date yyyy-MM-dd for type 2`);
  }
  const m = MD.exec(v);
  // 2000 is a leap year: "02-29" is a valid yearly date (it matches in leap years only).
  if (m && realDate(2000, Number(m[1]), Number(m[2]))) return;
  throw new DomainError('0200030', `parameter ${field} must be a real date MM-dd for type 3`);
}

/** "7,6,6" → "6,7"; anything but ISO weekdays 1..7 is refused. */
function normalizeWeek(week: string): string {
  const days = new Set<number>();
  for (const token of week.split(',')) {
    const t = token.trim();
    if (!/^\d+$/.test(t)) throw new DomainError('02000002', 'parameter week must be a comma-separated list of weekdays 1..7');
    const n = Number(t);
    if (n < 1 || n > 7) throw new DomainError('02000007', `parameter week contains ${t}; weekdays are 1 (Monday) … 7 (Sunday)`);
    days.add(n);
  }
  return [...days].sort((a, b) => a - b).join(',');
}

/**
 * Checks one special date and returns the rule to store. Fields that do not belong to the type
 * are dropped (a client may send the whole form), never stored.
 */
export function checkSpecialDate(input: SpecialDateInput): SpecialDateRule {
  if (input.type === WEEKLY) {
    if (input.week === undefined || input.week === '') {
      throw new DomainError('02000001', 'parameter week is required for type 1 (weekly)');
    }
    return { type: WEEKLY, week: normalizeWeek(input.week), beginTime: null, endTime: null };
  }
  const what = input.type === DATE_RANGE ? 'type 2 (date range)' : 'type 3 (yearly)';
  if (input.beginTime === undefined || input.beginTime === '') throw new DomainError('02000001', `parameter beginTime is required for ${what}`);
  if (input.endTime === undefined || input.endTime === '') throw new DomainError('02000001', `parameter endTime is required for ${what}`);
  checkDate('beginTime', input.beginTime, input.type);
  checkDate('endTime', input.endTime, input.type);
  if (input.endTime < input.beginTime) {
    throw new DomainError(
      '0200001',
      input.type === YEARLY ? 'endTime must not be earlier than beginTime (split a range across New Year into two special dates)' : 'endTime must not be earlier than beginTime',
    );
  }
  return { type: input.type, week: null, beginTime: input.beginTime, endTime: input.endTime };
}
