/**
 * Rows of an imported file (isales-gaps §8.2, §8.8) → the records the JSON interfaces take,
 * checked by the same schema as those interfaces (`CallDataItemV2` for call data, the
 * blocklist-add rules for numbers). Pure: no I/O; the import worker feeds it one row at a time.
 *
 * File layout (the vendor's Excel templates, CSV alike): the first row is a header. When every
 * header cell names a known column (English field names, case-insensitive) the columns are read
 * by name, in any order; otherwise by position in the template's order:
 * - call data: `sessionId, called, caller, callData, customField, recycleTime, priority`;
 * - blocklist: `number, expiryTime, validityTime (hours 1–120), restrictTimes, restrictPeriod`.
 * `called` is the template's JSON array `[{calledNo, delayTime, type}]` (single quotes and
 * numeric `calledNo`, as in the vendor's sample `[{'calledNo':1234566}]`, are read too) or a
 * plain number.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CallDataItemV2 } from '../contract/call-data.js';
import { instantAt } from './local-time.js';

export { isoTime, scheduledStart } from './import-schedule.js';

export const CALL_DATA_COLUMNS = ['sessionId', 'called', 'caller', 'callData', 'customField', 'recycleTime', 'priority'] as const;
export const BLOCKLIST_COLUMNS = ['number', 'expiryTime', 'validityTime', 'restrictTimes', 'restrictPeriod'] as const;

/** Header aliases: the blocklist template's columns as the add interface names them. */
const ALIASES: Record<string, string> = {
  blocknum: 'number',
  blocklistno: 'number',
  validityexpirationtime: 'expiryTime',
  expirytime: 'expiryTime',
  validitytime: 'validityTime',
};

/**
 * Which column holds which field. `header` is the first row of the file.
 *
 * @example columnMap(['called', 'sessionId'], CALL_DATA_COLUMNS) // Map { 'called' → 0, 'sessionId' → 1 }
 */
export function columnMap(header: readonly string[], columns: readonly string[]): Map<string, number> {
  const byLower = new Map(columns.map((c) => [c.toLowerCase(), c] as const));
  const named = header.map((h) => {
    const k = h.trim().toLowerCase();
    return byLower.get(k) ?? (ALIASES[k] && columns.includes(ALIASES[k]) ? ALIASES[k] : undefined);
  });
  const nonEmpty = header.filter((h) => h.trim() !== '').length;
  const m = new Map<string, number>();
  if (nonEmpty > 0 && named.filter((n) => n !== undefined).length === nonEmpty) {
    named.forEach((n, i) => n !== undefined && !m.has(n) && m.set(n, i));
  } else {
    columns.forEach((c, i) => m.set(c, i));
  }
  return m;
}

/** A row outcome: a record, or a reason the row is refused (counted in `failNum`). */
export type RowResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const cell = (row: readonly string[], m: Map<string, number>, name: string): string => {
  const i = m.get(name);
  return i === undefined ? '' : (row[i] ?? '').trim();
};

const checkItem = TypeCompiler.Compile(CallDataItemV2);

/** One call-data record as `P2/calldata` takes it. */
export interface ImportedCallData {
  sessionId?: string;
  called: Array<{ calledNo: string; delayTime?: number; type?: string }>;
  caller?: string;
  callData?: string;
  customField?: string;
  recycleTime?: string;
  priority?: number;
}

function parseCalled(raw: string): unknown {
  if (/^[0-9*#]+$/.test(raw)) return [{ calledNo: raw }];
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    try {
      v = JSON.parse(raw.replace(/'/g, '"'));
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(v)) return v;
  return v.map((o: unknown) => {
    if (o === null || typeof o !== 'object') return o;
    const r = { ...(o as Record<string, unknown>) };
    if (typeof r.calledNo === 'number') r.calledNo = String(r.calledNo);
    if (typeof r.delayTime === 'string' && /^\d+$/.test(r.delayTime)) r.delayTime = Number(r.delayTime);
    if (r.type === null || r.type === '') delete r.type;
    if (r.delayTime === null) delete r.delayTime;
    return r;
  });
}

/**
 * One data row of a call-data file → a record, by the v2 add schema. `recycleTime` must also lie
 * after `nowMs` (as on `calldata`).
 *
 * @example parseCallDataRow(['s1', "[{'calledNo':1380001}]"], columnMap([], CALL_DATA_COLUMNS), Date.now())
 */
export function parseCallDataRow(row: readonly string[], m: Map<string, number>, nowMs: number, parseDateTime: (s: string) => number | null): RowResult<ImportedCallData> {
  const calledRaw = cell(row, m, 'called');
  if (calledRaw === '') return { ok: false, reason: 'called is empty' };
  const called = parseCalled(calledRaw);
  if (called === undefined) return { ok: false, reason: 'called is neither a number nor a JSON list of {calledNo, delayTime, type}' };
  const item: Record<string, unknown> = { called };
  for (const f of ['sessionId', 'caller', 'callData', 'customField', 'recycleTime'] as const) {
    const v = cell(row, m, f);
    if (v !== '') item[f] = v;
  }
  const priority = cell(row, m, 'priority');
  if (priority !== '') item.priority = /^-?\d+$/.test(priority) ? Number(priority) : priority;
  const err = checkItem.Errors(item).First();
  if (err) {
    const field =
      err.path
        .replace(/^\//, '')
        .replace(/\/(\d+)\//g, '[$1].')
        .replace(/\//g, '.') || 'row';
    return { ok: false, reason: `${field}: ${err.message}` };
  }
  const rec = item as unknown as ImportedCallData;
  if (rec.recycleTime !== undefined) {
    const t = parseDateTime(rec.recycleTime);
    if (t === null || t <= nowMs) return { ok: false, reason: `recycleTime ${rec.recycleTime} is not a future date-time yyyy-MM-dd HH:mm:ss (UTC)` };
  }
  return { ok: true, value: rec };
}

/** One blocklist entry of a file. */
export interface ImportedBlock {
  number: string;
  /** null = permanent. */
  expiresAt: number | null;
  validityTime: number | null;
  restrictTimes: number | null;
  restrictPeriod: string | null;
}

const LOCAL_DT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** `yyyy-MM-dd HH:mm[:ss]` read in `tz` → epoch ms, or null when malformed or not a real date. */
export function parseLocalDateTime(s: string, tz: string): number | null {
  const m = LOCAL_DT.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const se = Number(m[6] ?? 0);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return null;
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return null;
  return instantAt({ year: y, month: mo, day: d }, h * 60 + mi, tz, 'compatible') + se * 1000;
}

/**
 * One data row of a blocklist file → an entry, by the blocklist-add rules: number ≤ 24 of
 * `[0-9*#]`; the expiry (read in `tz`, the tenant's zone) wins over the validity in hours
 * (1–120) and must lie after `nowMs`; `restrictTimes` (1–100) and `restrictPeriod` (`0` hourly,
 * `1` daily) come together.
 */
export function parseBlockRow(row: readonly string[], m: Map<string, number>, nowMs: number, tz: string): RowResult<ImportedBlock> {
  const number = cell(row, m, 'number');
  if (number === '') return { ok: false, reason: 'number is empty' };
  if (number.length > 24 || !/^[0-9*#]+$/.test(number)) return { ok: false, reason: `number ${number} is not 1-24 characters of 0-9 * #` };
  const expiry = cell(row, m, 'expiryTime');
  const hours = cell(row, m, 'validityTime');
  const times = cell(row, m, 'restrictTimes');
  const period = cell(row, m, 'restrictPeriod');
  let expiresAt: number | null = null;
  let validityTime: number | null = null;
  if (expiry !== '') {
    expiresAt = parseLocalDateTime(expiry, tz);
    if (expiresAt === null) return { ok: false, reason: `expiry time ${expiry} is not a date-time yyyy-MM-dd HH:mm:ss` };
    if (expiresAt <= nowMs) return { ok: false, reason: `expiry time ${expiry} is not in the future` };
  } else if (hours !== '') {
    if (!/^\d+$/.test(hours) || Number(hours) < 1 || Number(hours) > 120) return { ok: false, reason: `validity ${hours} is not 1-120 hours` };
    validityTime = Number(hours);
    expiresAt = nowMs + validityTime * 3600_000;
  }
  if ((times === '') !== (period === '')) return { ok: false, reason: 'restrictTimes and restrictPeriod must be given together' };
  if (times !== '' && (!/^\d+$/.test(times) || Number(times) < 1 || Number(times) > 100)) return { ok: false, reason: `restrictTimes ${times} is not 1-100` };
  if (period !== '' && period !== '0' && period !== '1') return { ok: false, reason: `restrictPeriod ${period} is not 0 (hourly) or 1 (daily)` };
  return {
    ok: true,
    value: { number, expiresAt, validityTime, restrictTimes: times === '' ? null : Number(times), restrictPeriod: period === '' ? null : period },
  };
}

/** Appends a row error to the task's message, keeping it short (first 20 reasons). */
export function appendErr(cur: string, rowNo: number, reason: string, count: number): string {
  if (count > 20) return cur;
  const line = count === 20 ? '…' : `row ${rowNo}: ${reason}`;
  return (cur === '' ? line : `${cur}; ${line}`).slice(0, 2000);
}
