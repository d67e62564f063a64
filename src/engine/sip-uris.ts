/** Values placed into SIP URIs by the SIP dialer (numbers as user parts, the transfer URI template). */

/**
 * A value as the user part of a SIP URI (RFC 3261 §25.1 `user`): unreserved and user-unreserved
 * characters stay (`+4930…` stays a `+`), everything else is %-escaped (`#` → `%23`).
 */
export function sipUser(v: string): string {
  return [...new TextEncoder().encode(v)]
    .map((b) => (/[A-Za-z0-9\-_.!~*'()&=+$,;?/]/.test(String.fromCharCode(b)) && b < 0x80 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** Fills `{field}` placeholders; a field without a value leaves the template unusable (null). */
export function fillTemplate(template: string, values: Record<string, string | number | null | undefined>): string | null {
  let missing = false;
  const out = template.replace(/\{([^}]*)\}/g, (_, k: string) => {
    const v = values[k];
    if (v === undefined || v === null || v === '') {
      missing = true;
      return '';
    }
    return sipUser(String(v));
  });
  return missing ? null : out;
}
