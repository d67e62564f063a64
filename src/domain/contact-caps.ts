/**
 * Cross-campaign contact caps (campaignd extension, per VDN): at most N calls to one number
 * (compared by subscriber) per rolling period, across every campaign of the VDN, automatic
 * reservations included. Configured with `CAMPAIGND_CONTACT_CAPS`:
 * `vdnId=max/period[,max/period];*=max/period` — e.g. `1=3/24h,10/30d;*=5/7d` (periods in
 * `m`, `h` or `d`; `*` = every VDN not listed). Counted in the dispatch transaction of each
 * attempt (store/contact-safety.repository.ts), so two nodes cannot both use the last unit.
 */
import { limitLabel, limitReachedUntil, parsePeriod, type ContactLimit } from './contact-limits.js';
import type { GateResult } from './gates.js';

export type ContactCaps = ReadonlyMap<string, readonly ContactLimit[]>;

/** Parses `CAMPAIGND_CONTACT_CAPS`; throws Error with the faulty part. */
export function parseContactCaps(s: string): ContactCaps {
  const out = new Map<string, ContactLimit[]>();
  const parts = s.split(';').map((p) => p.trim());
  // A trailing `;` is tolerated; an empty entry elsewhere (`;;`) is a typo, not "no caps".
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  for (const part of parts) {
    if (part === '') throw new Error('an empty entry (";;" or a leading ";") names no VDN');
    const m = /^(\*|[1-9]\d{0,3})=(.+)$/.exec(part);
    if (!m) throw new Error(`"${part}" is not vdnId=max/period (vdnId 1-9999 or *)`);
    if (out.has(m[1]!)) throw new Error(`VDN ${m[1]} is listed twice`);
    const limits = m[2]!.split(',').map((l) => {
      const lm = /^(\d{1,6})\/(\S+)$/.exec(l.trim());
      const periodMs = lm ? parsePeriod(lm[2]!) : null;
      if (!lm || periodMs === null || Number(lm[1]) < 1) throw new Error(`"${l.trim()}" is not max/period (e.g. 3/24h, 10/30d)`);
      return { max: Number(lm[1]), periodMs, label: limitLabel(Number(lm[1]), lm[2]!) };
    });
    out.set(m[1]!, limits);
  }
  return out;
}

/** The caps of a VDN: its own entry, else `*`, else none. */
export function capsFor(caps: ContactCaps, vdnId: number): readonly ContactLimit[] {
  return caps.get(String(vdnId)) ?? caps.get('*') ?? [];
}

/** The cap gate over the instants of earlier calls to the subscriber in the VDN. */
export function capGate(limits: readonly ContactLimit[], callsAt: readonly number[], nowMs: number): GateResult {
  for (const l of limits) {
    const until = limitReachedUntil(l, callsAt, nowMs);
    if (until !== null) return { go: false, gate: 'contact-cap', until, reason: `contact cap of the VDN: at most ${l.label} to one number` };
  }
  return { go: true };
}
