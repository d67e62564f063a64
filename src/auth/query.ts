/**
 * The one reading of a raw query string, shared by the C2 verifier and the router (issue #9
 * item 5), so that what is signed is what is used. `+` is a space (the form-encoding reading
 * every router uses); a literal plus must be sent as `%2B`. Components are percent-decoded down
 * to bytes: the verifier re-encodes those bytes, the router reads them as UTF-8 text.
 */

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Percent-decodes one raw query component to BYTES (`+` → space), so that re-encoding
 * reproduces the client's input exactly even when it is not valid UTF-8. Null on a malformed
 * escape (`%`, `%4`, `%zz`).
 *
 * @example decodeComponent('a+b%2B') // bytes of 'a b+'
 */
export function decodeComponent(raw: string): Uint8Array | null {
  const src = Buffer.from(raw, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let j = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25) {
      const hi = i + 2 < src.length ? hexVal(src[i + 1]!) : -1;
      const lo = hi >= 0 ? hexVal(src[i + 2]!) : -1;
      if (lo < 0) return null;
      out[j++] = (hi << 4) | lo;
      i += 2;
    } else {
      out[j++] = b === 0x2b ? 0x20 : b;
    }
  }
  return out.subarray(0, j);
}

/**
 * The decoded `[name, value]` byte pairs of a raw query (without the `?`), in order; empty
 * parts (`a=1&&b=2`, a trailing `&`) are skipped and `a` alone is `a=` . Null when any component
 * has a malformed escape.
 */
export function queryPairs(rawQuery: string): Array<[Uint8Array, Uint8Array]> | null {
  const out: Array<[Uint8Array, Uint8Array]> = [];
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const v = decodeComponent(eq < 0 ? '' : part.slice(eq + 1));
    if (k === null || v === null) return null;
    out.push([k, v]);
  }
  return out;
}

/** Set on a parsed query whose text cannot be read as the client meant (see `parseQuery`). */
export const QUERY_PROBLEM = Symbol('campaignd.queryProblem');

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The router's query object (Fastify's `querystringParser`): name → value, or → array of values
 * when a name repeats. Never alters a value silently: a malformed escape or bytes that are not
 * UTF-8 are reported on the non-enumerable `QUERY_PROBLEM` property (a sentence naming the
 * parameter), which the request check answers after the signature.
 *
 * @example parseQuery('name=a+b&x=%2B') // { name: 'a b', x: '+' }
 */
export function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const out = Object.create(null) as Record<string, string | string[]>;
  const problem = (why: string) => Object.defineProperty(out, QUERY_PROBLEM, { value: why, enumerable: false });
  const pairs = queryPairs(rawQuery);
  if (pairs === null) {
    problem('the query string has a malformed percent-escape');
    return out;
  }
  for (const [kb, vb] of pairs) {
    let k: string;
    let v: string;
    try {
      k = utf8.decode(kb);
    } catch {
      problem('a query parameter name is not valid UTF-8');
      continue;
    }
    try {
      v = utf8.decode(vb);
    } catch {
      problem(`query parameter ${k} is not valid UTF-8`);
      continue;
    }
    const had = out[k];
    if (had === undefined) out[k] = v;
    else if (Array.isArray(had)) had.push(v);
    else out[k] = [had, v];
  }
  return out;
}
