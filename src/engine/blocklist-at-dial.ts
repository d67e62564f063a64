/**
 * The blocklist gate as the workers apply it at the moment of an attempt: every entry of the
 * VDN that is the same subscriber as the number (any spelling, compared in `region`:
 * phone-numbers.ts), and, in the frequency-limited mode, how often that subscriber was called
 * in the current period (dispatched attempts in contact_attempts, by canonical number). The
 * first entry that holds decides.
 */
import { blocklistGate, firstHold, periodStart, type GateResult } from '../domain/gates.js';
import { canonicalNumber } from '../domain/phone-numbers.js';
import { blocklistEntriesFor, contactTimes } from '../store/contact-safety.repository.js';
import type { Db } from '../store/db.js';

/** `nowMs` epoch ms; `tz` the campaign's zone (per-day limits); `region` the campaign's number region. */
export async function blocklistAtDial(db: Db, vdnId: number, number: string, nowMs: number, tz: string, region: string): Promise<GateResult> {
  const entries = await blocklistEntriesFor(db, vdnId, number, region);
  if (entries.length === 0) return { go: true };
  const results: GateResult[] = [];
  for (const entry of entries) {
    let calls = 0;
    if (entry.restrict_times !== null && entry.restrict_period !== null) {
      const { start } = periodStart(entry.restrict_period, nowMs, tz);
      calls = (await contactTimes(db, vdnId, canonicalNumber(number, region), start - 1)).length;
    }
    results.push(
      blocklistGate(
        { expiresAt: entry.expires_at === null ? null : Number(entry.expires_at), restrictTimes: entry.restrict_times, restrictPeriod: entry.restrict_period },
        calls,
        nowMs,
        tz,
      ),
    );
  }
  // A permanent entry wins over a frequency-limited one of another spelling.
  return firstHold(...results.filter((r) => !r.go && r.until === null), ...results);
}
