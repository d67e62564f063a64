/**
 * The one reading of a raw query string, shared by the C2 verifier and the router (issue #9
 * item 5), so that what is signed is what is used. `+` is a space (the form-encoding reading
 * every router uses); a literal plus must be sent as `%2B`. Components are percent-decoded down
 * to bytes: the verifier re-encodes those bytes, the router reads them as UTF-8 text.
 */

import { queryPairs } from './c2-sign.js';

export { decodeComponent, queryPairs } from './c2-sign.js';

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
