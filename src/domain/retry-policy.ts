/**
 * Retry policies: the pure parser shared by the interfaces that set a policy (retryPolicy set,
 * campaign add/modify v2) and by the engine that applies it. No I/O here; checks that need the
 * store (do the named external and business results exist?) live in campaign-policies.ts.
 *
 * Wire shape (isales-api.md §4.6, isales-gaps.md §3.5/§3.7):
 * - `policyType` 0 global (exactly one entry) or 1 by number type (one entry per `dataType`);
 * - `policyJson`: a JSON *string* holding a list of entries. The vendor's own sample writes it
 *   with single quotes (`"[{'dataType':'SI','type':1,...}]"`), so a string that is not JSON is
 *   read once more with single-quoted strings allowed. An array (not a string) is accepted too;
 * - entry `type` 0 ordinary: a number of days × attempts per day. The two vendor pages name
 *   these differently. Older pages and the query output: `retryDay` = days, `retryTimes` =
 *   attempts per day. The 2025-11 set page, inside `policy`: `retryTime` = days, `retryDay` =
 *   attempts per day. Disambiguation is by the key set, wherever the keys sit (entry or
 *   `policy`): `retryTimes` present → older naming; `retryTime` present → 2025-11 naming; both
 *   → 02000009; neither → 02000001;
 * - entry `type` 1 result-based: `policy` is a list of `{result, retryNumber, callInterval}`;
 * - `noRetryPolicy`: external result codes never retried (not with policyType 1: 02000009);
 * - `busiPolicy`: `{busiResultCode, busiResultSubCode?, busiResultPolicy 0 stop | 1 next number
 *   | 2 same number, callInterval 1–3600 s unless the policy is 0}`.
 */
import { DomainError, paramError, type ResultCode } from './errors.js';

/** Type 0: try on `retryDays` days, at most `retryTimesPerDay` attempts a day. */
export interface OrdinaryRetry {
  type: 0;
  /** Number type the entry applies to; null for a global policy without one. */
  dataType: string | null;
  retryDays: number;
  retryTimesPerDay: number;
}

/** One rule of a result-based entry: after `result`, retry `retryNumber` times, `callIntervalSec` apart. */
export interface ResultRetryRule {
  /** The result as given (the vendor sample uses small integers); kept as a string. */
  result: string;
  retryNumber: number;
  callIntervalSec: number;
}

export interface ResultRetry {
  type: 1;
  dataType: string | null;
  rules: ResultRetryRule[];
}

export type RetryEntry = OrdinaryRetry | ResultRetry;

/** What to do after a business result is written back. */
export interface BusiPolicyRule {
  busiResultCode: string;
  busiResultSubCode: string | null;
  /** 0 stop calling, 1 call the next number, 2 call the current number again. */
  busiResultPolicy: 0 | 1 | 2;
  /** Seconds before the next call; null when the policy is 0. */
  callIntervalSec: number | null;
}

/** A campaign's retry policy, typed for the engine. */
export interface RetryPolicy {
  policyType: 0 | 1;
  entries: RetryEntry[];
  /** External result codes (`resultCode`) never retried. */
  noRetryResultCodes: string[];
  busiPolicy: BusiPolicyRule[];
}

/** The policy of a campaign that never had one set: every number is tried once. */
export const NO_RETRY_POLICY: RetryPolicy = Object.freeze({ policyType: 0, entries: [], noRetryResultCodes: [], busiPolicy: [] }) as RetryPolicy;

/** The stored form, which is also the `data` of the retryPolicy query (all strings but the type). */
export interface StoredRetryPolicy {
  policyType: number;
  policyJson: string;
  /** JSON array text. */
  noRetryPolicy: string;
  /** JSON array text. */
  busiPolicy: string;
}

export const MAX_POLICY_ENTRIES = 100;
export const MAX_RULES = 100;
export const MAX_CODES = 100;
const MAX_POLICY_JSON = 8192;
const CODE = /^[0-9A-Za-z_-]*$/;
const BUSI_CODE = /^[0-9A-Za-z-]*$/;

const fail = (code: ResultCode, desc: string) => new DomainError(code, desc);

/**
 * JSON, or failing that JSON written with single-quoted strings (the vendor sample). Returns
 * undefined when neither reading works.
 */
export function parseLooseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // fall through to the single-quote reading
  }
  let out = '';
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === null) {
      if (ch === "'") {
        quote = "'";
        out += '"';
      } else {
        if (ch === '"') quote = '"';
        out += ch;
      }
    } else if (ch === '\\') {
      const next = text[i + 1] ?? '';
      i++;
      // \' is not a JSON escape: inside a single-quoted string it is a plain quote.
      out += next === "'" ? "'" : `\\${next}`;
    } else if (ch === quote) {
      quote = null;
      out += '"';
    } else if (quote === "'" && ch === '"') {
      out += '\\"';
    } else {
      out += ch;
    }
  }
  try {
    return JSON.parse(out);
  } catch {
    return undefined;
  }
}

/** `a.b` for a key, `a[0]` for an index key. */
const join = (path: string, key: string) => (key.startsWith('[') ? `${path}${key}` : `${path}.${key}`);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads an integer field the loose-scalar way (number or numeric string). */
function intField(o: Record<string, unknown>, key: string, path: string, min: number, max: number, required: true): number;
function intField(o: Record<string, unknown>, key: string, path: string, min: number, max: number, required: false): number | undefined;
function intField(o: Record<string, unknown>, key: string, path: string, min: number, max: number, required: boolean): number | undefined {
  const v = o[key];
  const field = join(path, key);
  if (v === undefined || v === null || v === '') {
    if (required) throw fail('02000001', `parameter ${field} is required`);
    return undefined;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n)) throw fail('02000006', `parameter ${field} must be of type integer`);
  if (n < min || n > max) throw fail('02000007', `parameter ${field} must be between ${min} and ${max}`);
  return n;
}

/** Reads a string field (numbers are taken as their decimal text). */
function strField(o: Record<string, unknown>, key: string, path: string, maxLen: number, pattern: RegExp | null, required: boolean): string | undefined {
  const v = o[key];
  const field = join(path, key);
  if (v === undefined || v === null || v === '') {
    if (required) throw fail('02000001', `parameter ${field} is required`);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw fail('02000006', `parameter ${field} must be of type string`);
  const s = String(v);
  if (s.length > maxLen) throw fail('02000003', `parameter ${field} must have at most ${maxLen} characters`);
  if (pattern && !pattern.test(s)) throw fail('02000002', `parameter ${field} contains invalid characters or has the wrong format`);
  return s;
}

/** A list given as an array or as the JSON text of one (what the query hands back). */
function listOf(raw: unknown, field: string, maxItems: number): unknown[] {
  let v = raw;
  if (typeof v === 'string') {
    if (v.trim() === '') return [];
    v = parseLooseJson(v);
    if (v === undefined) throw paramError(`parameter ${field} is not valid JSON`);
  }
  if (!Array.isArray(v)) throw fail('02000006', `parameter ${field} must be of type array`);
  if (v.length > maxItems) throw fail('02000011', `parameter ${field} must have at most ${maxItems} items`);
  return v;
}

function ordinaryEntry(entry: Record<string, unknown>, dataType: string | null, path: string): OrdinaryRetry {
  let src = entry;
  let srcPath = path;
  if (entry.policy !== undefined && entry.policy !== null && entry.policy !== '') {
    const p = typeof entry.policy === 'string' ? parseLooseJson(entry.policy) : entry.policy;
    const one = Array.isArray(p) && p.length === 1 ? p[0] : p;
    if (!isObject(one)) throw fail('02000006', `parameter ${path}.policy must be an object for type 0`);
    src = one;
    srcPath = `${path}.policy`;
  }
  const older = src.retryTimes !== undefined;
  const newer = src.retryTime !== undefined;
  if (older && newer) {
    throw fail('02000009', `parameter ${srcPath} must name its counts either retryDay/retryTimes or retryTime/retryDay, not both`);
  }
  if (!older && !newer) throw fail('02000001', `parameter ${srcPath}.retryTimes (or retryTime) is required`);
  const days = intField(src, older ? 'retryDay' : 'retryTime', srcPath, 1, 365, true);
  const perDay = intField(src, older ? 'retryTimes' : 'retryDay', srcPath, 1, 100, true);
  return { type: 0, dataType, retryDays: days, retryTimesPerDay: perDay };
}

function resultEntry(entry: Record<string, unknown>, dataType: string | null, path: string): ResultRetry {
  const rules = listOf(entry.policy ?? [], `${path}.policy`, MAX_RULES);
  if (rules.length === 0) throw fail('02000001', `parameter ${path}.policy must list at least one result rule`);
  const seen = new Set<string>();
  const out = rules.map((r, i) => {
    const rp = `${path}.policy[${i}]`;
    if (!isObject(r)) throw fail('02000006', `parameter ${rp} must be an object`);
    const result = strField(r, 'result', rp, 16, CODE, true)!;
    if (seen.has(result)) throw paramError(`result ${result} appears twice in ${path}.policy`);
    seen.add(result);
    return {
      result,
      retryNumber: intField(r, 'retryNumber', rp, 0, 100, true),
      callIntervalSec: intField(r, 'callInterval', rp, 0, 86400, true),
    };
  });
  return { type: 1, dataType, rules: out };
}

/**
 * Reads `policyJson` for the given policyType. `strict` (set time) refuses an empty list;
 * stored rows may hold "[]" (a campaign that has only a busiPolicy).
 */
export function parsePolicyJson(policyType: 0 | 1, raw: unknown, field: string, strict: boolean): RetryEntry[] {
  if (typeof raw === 'string' && raw.length > MAX_POLICY_JSON) {
    throw fail('02000003', `parameter ${field} must have at most ${MAX_POLICY_JSON} characters`);
  }
  if (raw === undefined || raw === null || raw === '') {
    if (strict) throw fail('02000001', `parameter ${field} is required`);
    return [];
  }
  let v: unknown = typeof raw === 'string' ? parseLooseJson(raw) : raw;
  if (v === undefined) throw paramError(`parameter ${field} is not valid JSON`);
  if (isObject(v)) v = [v];
  if (!Array.isArray(v)) throw fail('02000006', `parameter ${field} must be a JSON list of policy entries`);
  if (v.length === 0) {
    if (strict) throw fail('02000001', `parameter ${field} must hold at least one policy entry`);
    return [];
  }
  if (policyType === 0 && v.length > 1) throw fail('02000011', `parameter ${field} must hold exactly one entry for a global policy (policyType 0)`);
  if (v.length > MAX_POLICY_ENTRIES) throw fail('02000011', `parameter ${field} must have at most ${MAX_POLICY_ENTRIES} items`);
  const types = new Set<string>();
  return v.map((e, i) => {
    const path = `${field}[${i}]`;
    if (!isObject(e)) throw fail('02000006', `parameter ${path} must be an object`);
    const dataType = strField(e, 'dataType', path, 64, null, policyType === 1) ?? null;
    if (dataType !== null) {
      if (types.has(dataType)) throw paramError(`dataType ${dataType} appears twice in ${field}`);
      types.add(dataType);
    }
    const type = intField(e, 'type', path, 0, 1, true);
    return type === 0 ? ordinaryEntry(e, dataType, path) : resultEntry(e, dataType, path);
  });
}

/** Reads `noRetryPolicy`: distinct external result codes (≤ 7 characters each). */
export function parseNoRetryPolicy(raw: unknown, field: string): string[] {
  if (raw === undefined || raw === null) return [];
  const list = listOf(raw, field, MAX_CODES);
  const seen = new Set<string>();
  list.forEach((c, i) => {
    const code = strField({ [`[${i}]`]: c }, `[${i}]`, field, 7, CODE, true)!;
    if (seen.has(code)) throw paramError(`external result code ${code} appears twice in ${field}`);
    seen.add(code);
  });
  return [...seen];
}

/** Reads a busiPolicy list. */
export function parseBusiPolicy(raw: unknown, field: string): BusiPolicyRule[] {
  if (raw === undefined || raw === null) return [];
  const list = listOf(raw, field, MAX_RULES);
  const seen = new Set<string>();
  return list.map((r, i) => {
    const path = `${field}[${i}]`;
    if (!isObject(r)) throw fail('02000006', `parameter ${path} must be an object`);
    const code = strField(r, 'busiResultCode', path, 50, BUSI_CODE, true)!;
    const sub = strField(r, 'busiResultSubCode', path, 50, BUSI_CODE, false) ?? null;
    const key = `${code}\u0000${sub ?? ''}`;
    if (seen.has(key)) throw paramError(`business result ${code}${sub ? `/${sub}` : ''} appears twice in ${field}`);
    seen.add(key);
    const policy = intField(r, 'busiResultPolicy', path, 0, 2, true) as 0 | 1 | 2;
    // "omit when 0": an interval sent with policy 0 has nothing to time and is dropped.
    const interval = policy === 0 ? null : intField(r, 'callInterval', path, 1, 3600, true);
    return { busiResultCode: code, busiResultSubCode: sub, busiResultPolicy: policy, callIntervalSec: interval };
  });
}

/** The wire (and stored) form of busiPolicy rules. */
export function busiPolicyToWire(rules: readonly BusiPolicyRule[]): Array<Record<string, string | number>> {
  return rules.map((r) => ({
    busiResultCode: r.busiResultCode,
    ...(r.busiResultSubCode !== null ? { busiResultSubCode: r.busiResultSubCode } : {}),
    busiResultPolicy: r.busiResultPolicy,
    ...(r.callIntervalSec !== null ? { callInterval: r.callIntervalSec } : {}),
  }));
}

export interface RetryPolicyInput {
  policyType: number;
  policyJson?: unknown;
  noRetryPolicy?: unknown;
}

/**
 * Validates a retry policy as sent (set interface, or `retryPolicy` of campaign v2). `prefix`
 * names the enclosing field in error texts (`retryPolicy.`). Returns the typed policy parts.
 */
export function checkRetryPolicyInput(input: RetryPolicyInput, prefix = ''): Pick<RetryPolicy, 'policyType' | 'entries' | 'noRetryResultCodes'> {
  if (input.policyType !== 0 && input.policyType !== 1) throw fail('02000007', `parameter ${prefix}policyType must be one of [0,1]`);
  const policyType = input.policyType;
  const entries = parsePolicyJson(policyType, input.policyJson, `${prefix}policyJson`, true);
  const noRetry = parseNoRetryPolicy(input.noRetryPolicy, `${prefix}noRetryPolicy`);
  if (policyType === 1 && noRetry.length > 0) {
    throw fail('02000009', `parameter ${prefix}noRetryPolicy is not allowed with policyType 1 (by number type)`);
  }
  return { policyType, entries, noRetryResultCodes: noRetry };
}

/**
 * The stored policy as the engine needs it. `undefined` (never set) gives NO_RETRY_POLICY.
 *
 * @example const p = parseRetryPolicy({ policyType: 0, policyJson: "[{'type':0,'retryDay':2,'retryTimes':3}]", noRetryPolicy: '[]', busiPolicy: '[]' })
 *          // p.entries[0] → { type: 0, dataType: null, retryDays: 2, retryTimesPerDay: 3 }
 */
export function parseRetryPolicy(stored: StoredRetryPolicy | undefined): RetryPolicy {
  if (!stored) return NO_RETRY_POLICY;
  const policyType = stored.policyType === 1 ? 1 : 0;
  return {
    policyType,
    entries: parsePolicyJson(policyType, stored.policyJson, 'policyJson', false),
    noRetryResultCodes: parseNoRetryPolicy(stored.noRetryPolicy, 'noRetryPolicy'),
    busiPolicy: parseBusiPolicy(stored.busiPolicy, 'busiPolicy'),
  };
}

/**
 * The entry that governs a called number of the given type: the only entry of a global policy,
 * or the entry with the same `dataType` (undefined: that type is not retried).
 */
export function retryEntryFor(policy: RetryPolicy, dataType: string | null): RetryEntry | undefined {
  if (policy.policyType === 0) return policy.entries[0];
  return policy.entries.find((e) => e.dataType === dataType);
}
