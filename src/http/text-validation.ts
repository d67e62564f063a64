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
/** Any character the checks below could refuse (surrogate pairs included); most text has none. */
const SUSPECT = /[\u0000-\u001F\uD800-\uDFFF]/;

function isNameField(key: string | number): boolean {
  return typeof key === 'string' && (key === 'name' || /[a-z0-9]Name$/.test(key));
}

function child(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

/** What is wrong with `s` (null when nothing); `asName` selects the rule of names. */
function problemOf(s: string, asName: boolean): string | null {
  if (!SUSPECT.test(s)) return null;
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
  // Field names are built only for a refusal or a nested value (issue #12: most requests have
  // no bad text, and a name per field was most of this function's cost).
  const stack: Array<[unknown, string, number]> = [[root, '', 1]];
  while (stack.length > 0) {
    const [node, path, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return envelope('0200001', `the request ${where === 'parameter' ? 'body' : 'query'} is nested deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(node)) {
      for (let k = 0; k < node.length; k++) {
        const v: unknown = node[k];
        if (typeof v === 'string') {
          const why = problemOf(v, false);
          if (why !== null) return envelope('02000002', `${where} ${child(path, k)} ${why}`);
        } else if (v !== null && typeof v === 'object') {
          stack.push([v, child(path, k), depth + 1]);
        }
      }
      continue;
    }
    const o = node as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const keyWhy = problemOf(k, true);
      if (keyWhy !== null) return envelope('02000002', `${where} name ${JSON.stringify(k)} ${keyWhy}`);
      const v = o[k];
      if (typeof v === 'string') {
        const why = SUSPECT.test(v) ? problemOf(v, isNameField(k)) : null;
        if (why !== null) return envelope('02000002', `${where} ${child(path, k)} ${why}`);
      } else if (v !== null && typeof v === 'object') {
        stack.push([v, child(path, k), depth + 1]);
      }
    }
  }
  return null;
}
