/**
 * Secret masking by pattern (issue #9 item 7): a field, query parameter or log property is
 * secret when one of the words of its name — split at camelCase humps, `_`, `-`, `.` and any
 * other non-alphanumeric character — is or begins with `secret`, `password`, `passwd`, `pwd`,
 * `token`, `key`, `auth`, `credential` or `pin`, or is exactly `sk` or `pass`.
 * So `accessToken`, `apiKey`, `serverPwd`, `pinCode`, `SK`, `Authorization`, `x-api-key` are
 * masked; `taskId`, `mapping`, `skillId` and `passport` are not. (`pass` is the one word added
 * to the list: it named `pass` among the names found in clear.)
 *
 * Pure functions; used by the calllogs journal (domain/calllogs.ts), the logger (app.ts) and
 * log lines that carry a URL.
 */

export const MASK = '******';

const PREFIXES = ['secret', 'password', 'passwd', 'pwd', 'token', 'key', 'auth', 'credential', 'pin'];
const EXACT = new Set(['sk', 'pass']);

/**
 * The lower-case words of a name: `apiKey` → [api, key], `APIKey` → [api, key],
 * `server_pwd` → [server, pwd], `x-auth-token` → [x, auth, token].
 */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/**
 * True when a field of this name holds a secret (see the file header for the rule).
 *
 * @example isSecretName('accessToken') // true
 * @example isSecretName('taskId') // false
 */
export function isSecretName(name: string): boolean {
  const known = verdicts.get(name);
  if (known !== undefined) return known;
  let secret = false;
  outer: for (const w of nameWords(name)) {
    if (EXACT.has(w)) {
      secret = true;
      break;
    }
    for (const p of PREFIXES) {
      if (w.startsWith(p)) {
        secret = true;
        break outer;
      }
    }
  }
  // Names repeat on every request (the journal judges every field of every body): remember the
  // verdict for short names, a bounded number of them (issue #12: the journal's cost).
  if (name.length <= 64 && verdicts.size < MAX_VERDICTS) verdicts.set(name, secret);
  return secret;
}

const MAX_VERDICTS = 4096;
const verdicts = new Map<string, boolean>();

function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `v` with every secret-named property (at any depth, in plain objects) replaced by
 * `******`; arrays and plain objects are copied, anything else (Errors, Buffers) is kept as
 * it is. Iterative, so a deep value cannot overflow the stack. null/undefined values stay.
 *
 * @example redact({ user: 'a', apiKey: 'k', list: [{ pinCode: 1 }] }) // { user: 'a', apiKey: '******', list: [{ pinCode: '******' }] }
 */
export function redact<T>(v: T): T {
  if (!Array.isArray(v) && !isPlain(v)) return v;
  const root: unknown = Array.isArray(v) ? [...(v as unknown[])] : { ...(v as object) };
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown> | unknown[];
    const keys: Array<string | number> = Array.isArray(node) ? [...node.keys()] : Object.keys(node);
    for (const k of keys) {
      const rec = node as Record<string | number, unknown>;
      const x = rec[k];
      if (typeof k === 'string' && x !== null && x !== undefined && isSecretName(k)) {
        rec[k] = MASK;
      } else if (Array.isArray(x) || isPlain(x)) {
        const copy = Array.isArray(x) ? [...(x as unknown[])] : { ...x };
        rec[k] = copy;
        stack.push(copy);
      }
    }
  }
  return root as T;
}

/**
 * A URL (path and raw query) with the values of secret-named query parameters masked, for log
 * lines. Names are read percent-decoded (`api%4Bey` is `apiKey`); the rest is kept as sent.
 *
 * @example maskUrl('/p?token=abc&taskId=7') // '/p?token=******&taskId=7'
 */
export function maskUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const rawName = eq < 0 ? part : part.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: judge the name as sent
      }
      return eq >= 0 && isSecretName(name) ? `${rawName}=${MASK}` : part;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}
