/**
 * The contact rules of one campaign at dial time, shared by both workers and the preflight:
 * the numbers' region, the rule packs in force (campaign's own and the server default) and the
 * VDN's contact caps. Hours are checked before an attempt is prepared; counted limits (pack
 * caps, contact caps) are checked again inside the dispatch transaction
 * (store/contact-safety.repository.ts `dispatchCountingContacts`).
 */
import { capGate, capsFor } from '../domain/contact-caps.js';
import type { ContactLimit } from '../domain/contact-limits.js';
import { firstHold, type GateResult } from '../domain/gates.js';
import { canonicalNumber } from '../domain/phone-numbers.js';
import { longestPeriod, packGate, packsFor, type RulePack } from '../domain/rule-packs.js';
import { contactTimes } from '../store/contact-safety.repository.js';
import type { Db } from '../store/db.js';
import type { EngineConfig } from '../config/engine.js';

export interface ContactRules {
  vdnId: number;
  region: string;
  /** The campaign's IANA zone (pack hours without a zone of their own). */
  tz: string;
  packs: readonly RulePack[];
  caps: readonly ContactLimit[];
  /** How far back (ms) attempts must be read for the counted limits; 0 = none. */
  lookbackMs: number;
}

/** The rules in force for a campaign row. */
export function contactRulesFor(engine: EngineConfig, c: { vdn_id: number; region: string | null; rule_pack: string | null; time_zone: string | null }): ContactRules {
  const packs = packsFor(c.rule_pack, engine.rulePack);
  const caps = capsFor(engine.contactCaps, c.vdn_id);
  return {
    vdnId: c.vdn_id,
    region: c.region ?? engine.defaultRegion,
    tz: c.time_zone ?? engine.timeZone,
    packs,
    caps,
    lookbackMs: longestPeriod([...packs.flatMap((p) => p.caps), ...caps]),
  };
}

/** The packs' calling hours at `nowMs` (no counting). */
export function packHoursGate(rules: ContactRules, nowMs: number): GateResult {
  return firstHold(...rules.packs.map((p) => packGate({ ...p, caps: [] }, nowMs, rules.tz, [])));
}

/** The counted limits over the instants of earlier attempts to the subscriber. */
export function countedLimits(rules: ContactRules, nowMs: number, callsAt: readonly number[]): GateResult {
  return firstHold(...rules.packs.map((p) => packGate(p, nowMs, rules.tz, callsAt)), capGate(rules.caps, callsAt, nowMs));
}

/** Hours and counted limits, read outside a dispatch (the preflight). */
export async function contactGates(db: Db, rules: ContactRules, number: string, nowMs: number): Promise<GateResult> {
  const hours = packHoursGate(rules, nowMs);
  if (!hours.go || rules.lookbackMs === 0) return hours;
  const callsAt = await contactTimes(db, rules.vdnId, canonicalNumber(number, rules.region), nowMs - rules.lookbackMs);
  return countedLimits(rules, nowMs, callsAt);
}
