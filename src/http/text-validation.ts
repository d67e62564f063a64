/**
 * Text validation shared by every interface (PRODUCT.md "Text is never altered", issue #9
 * item 6), applied to the parsed body and query of every signed request before its schema:
 *
 * - ill-formed UTF-16 (a lone surrogate such as `"\ud800"`) anywhere, in values or in member
 *   names → `02000002`: stored as UTF-8 it would silently become U+FFFD;
 * - NUL and the other C0 controls (U+0000–U+001F) in names (`name`, `…Name`) → `02000002`;
 * - the same in any other text, except TAB, LF and CR, which free text may hold → `02000002`.
 *
 * The first offending field is named as the validation errors name it (`callDataList[0].name`).
 * Iterative, so a deeply nested body cannot exhaust the stack; a body nested deeper than
 * `MAX_DEPTH` levels is refused with `0200001` (no interface takes one, and recursive code
 * further on — `JSON.stringify` of a stored policy — could not handle it).
 */
import { envelope, type Envelope } from './envelope.js';

/** Objects/arrays nested deeper than this are refused. */
export const MAX_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const CONTROL_IN_NAME = /[\u0000-\u001F]/;
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

function isNameField(key: string | number): boolean {
  return typeof key === 'string' && (key === 'name' || /[a-z0-9]Name$/.test(key));
}

function child(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

function problemOf(s: string, asName: boolean): string | null {
  if (LONE_SURROGATE.test(s)) return 'contains ill-formed UTF-16 (a lone surrogate)';
  const m = (asName ? CONTROL_IN_NAME : CONTROL_IN_TEXT).exec(s);
  if (m !== null) return `contains the control character U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return null;
}

/**
 * The envelope refusing the first ill-formed text in `root`, or null when all text is fine.
 * `where` prefixes the field name (`parameter`, `query parameter`).
 *
 * @example badText({ remark: 'a\ud800b' }, 'parameter')?.resultDesc // 'parameter remark contains ill-formed UTF-16 (a lone surrogate)'
 */
export function badText(root: unknown, where: string): Envelope | null {
  if (typeof root === 'string') {
    const why = problemOf(root, false);
    return why === null ? null : envelope('02000002', `${where} body ${why}`);
  }
  if (root === null || typeof root !== 'object') return null;
  const stack: Array<[unknown, string, number]> = [[root, '', 1]];
  while (stack.length > 0) {
    const [node, path, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return envelope('0200001', `the request ${where === 'parameter' ? 'body' : 'query'} is nested deeper than ${MAX_DEPTH} levels`);
    const keys: Array<string | number> = Array.isArray(node) ? [...(node as unknown[]).keys()] : Object.keys(node as object);
    for (const k of keys) {
      const field = child(path, k);
      if (typeof k === 'string') {
        const keyWhy = problemOf(k, true);
        if (keyWhy !== null) return envelope('02000002', `${where} name ${JSON.stringify(k)} ${keyWhy}`);
      }
      const v = (node as Record<string | number, unknown>)[k];
      if (typeof v === 'string') {
        const why = problemOf(v, isNameField(k));
        if (why !== null) return envelope('02000002', `${where} ${field} ${why}`);
      } else if (v !== null && typeof v === 'object') {
        stack.push([v, field, depth + 1]);
      }
    }
  }
  return null;
}
