/**
 * Numbers compared by subscriber, not by string (PRODUCT.md "Numbers are compared by
 * subscriber"): `13800000501`, `8613800000501`, `008613800000501` and `+86 138 0000 0501` are
 * the same subscriber in region `CN`. Blocklist membership, blocklist frequency limits, rule-pack
 * caps and contact caps compare the canonical form computed here with libphonenumber-js; the
 * numbers themselves are still stored and returned exactly as sent.
 *
 * Region: `CAMPAIGND_DEFAULT_REGION` (ISO 3166 alpha-2, default `CN`), overridden per campaign by
 * the extension field `region`.
 */
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Whether libphonenumber-js knows `region` (upper-case ISO 3166-1 alpha-2, e.g. `CN`, `FR`). */
export function isKnownRegion(region: string): boolean {
  return /^[A-Z]{2}$/.test(region) && isSupportedCountry(region);
}

const cache = new Map<string, string>();

/**
 * The canonical form of `raw` dialled from `region`: E.164 (`+8613800000501`) when
 * libphonenumber-js can parse it, otherwise its digits alone (`*#12` → `12`; a number that
 * cannot be parsed compares as its digit string).
 *
 * @example canonicalNumber('008613800000501', 'CN') // '+8613800000501'
 */
export function canonicalNumber(raw: string, region: string): string {
  const key = `${region}|${raw}`;
  let c = cache.get(key);
  if (c === undefined) {
    let parsed: ReturnType<typeof parsePhoneNumberFromString>;
    try {
      parsed = parsePhoneNumberFromString(raw, region as CountryCode);
    } catch {
      parsed = undefined;
    }
    c = parsed ? parsed.number : raw.replace(/\D/g, '');
    if (cache.size > 50_000) cache.clear();
    cache.set(key, c);
  }
  return c;
}

/**
 * A region-independent lookup key: the last 8 digits of the number (all of them when shorter).
 * Two spellings of one subscriber always share it, so a store can index it and compare the
 * few candidates by `canonicalNumber`.
 */
export function numberTail(raw: string): string {
  return raw.replace(/\D/g, '').slice(-8);
}

/** Whether `a` and `b` are the same subscriber in `region`. */
export function sameSubscriber(a: string, b: string, region: string): boolean {
  return a === b || canonicalNumber(a, region) === canonicalNumber(b, region);
}
