/**
 * Jurisdiction rule packs (campaignd extension, off by default): calling hours and contact caps
 * that hold **every** attempt campaignd makes — first calls, retries, business-result re-calls
 * and automatic reservations (which skip the campaign's own windows) — and that no campaign
 * setting can widen: they are checked in addition to the campaign's windows, never instead.
 *
 * A campaign names its pack with the extension field `rulePack`; `CAMPAIGND_RULE_PACK` names
 * the server default (a campaign's `rulePack: "none"` does not lift the default: a campaign
 * cannot widen the rules). Hours are read in the pack's own zone when it has one (FR:
 * Europe/Paris), otherwise in the campaign's time zone (the called party's zone is not known).
 * Public holidays come from `date-holidays` (type `public`), not a hand-written list.
 *
 * Sources: France, Code de la consommation art. L223-1 and décret 2022-1313 (Mon–Fri
 * 10:00–13:00 and 14:00–20:00, no weekends or public holidays, at most 4 calls per 30 days);
 * US, TCPA 47 CFR 64.1200(c)(1) (08:00–21:00 local); Florida, Telephone Solicitation Act
 * §501.616(6) (08:00–20:00, at most 3 calls per 24 h on the same subject).
 */
import { createRequire } from 'node:module';
import type HolidaysType from 'date-holidays';
import { windowDecision, type ScheduleWindows } from './calling-windows.js';
import { limitReachedUntil, type ContactLimit } from './contact-limits.js';
import type { GateResult } from './gates.js';
import type { LocalDate } from './local-time.js';

export interface RulePack {
  name: string;
  /** Local windows (minutes after midnight) on allowed days. */
  windows: ReadonlyArray<{ begin: number; end: number }>;
  /** ISO weekdays on which calling is allowed (1 Monday … 7 Sunday). */
  weekdays: readonly number[];
  /** date-holidays country whose public holidays are closed, if any. */
  holidays?: string;
  /** Fixed zone of the hours; absent = the campaign's zone. */
  timeZone?: string;
  /** Per number, per VDN, counted over every campaign. */
  caps: readonly ContactLimit[];
  /** One line for the trail and the README. */
  summary: string;
}

const H = (h: number, m = 0) => h * 60 + m;
const DAY = 86_400_000;

export const RULE_PACKS: Readonly<Record<string, RulePack>> = {
  FR: {
    name: 'FR',
    windows: [
      { begin: H(10), end: H(13) },
      { begin: H(14), end: H(20) },
    ],
    weekdays: [1, 2, 3, 4, 5],
    holidays: 'FR',
    timeZone: 'Europe/Paris',
    caps: [{ max: 4, periodMs: 30 * DAY, label: '4 calls per 30 days' }],
    summary: 'Mon–Fri 10:00–13:00 and 14:00–20:00 Europe/Paris, not on French public holidays; at most 4 calls per number per 30 days',
  },
  US: {
    name: 'US',
    windows: [{ begin: H(8), end: H(21) }],
    weekdays: [1, 2, 3, 4, 5, 6, 7],
    caps: [],
    summary: '08:00–21:00 local',
  },
  'US-FL': {
    name: 'US-FL',
    windows: [{ begin: H(8), end: H(20) }],
    weekdays: [1, 2, 3, 4, 5, 6, 7],
    caps: [{ max: 3, periodMs: DAY, label: '3 calls per 24 h' }],
    summary: '08:00–20:00 local; at most 3 calls per number per 24 h',
  },
};

/** Whether `name` is a shipped pack. */
export function isRulePack(name: string): boolean {
  return Object.hasOwn(RULE_PACKS, name);
}

const holidayCalendars = new Map<string, { hd: HolidaysType; years: Map<number, Set<string>> }>();

/** date-holidays carries every country's data (≈1 s to load): loaded on the first holiday question only. */
let HolidaysCtor: typeof HolidaysType | undefined;
function holidaysOf(country: string): HolidaysType {
  if (!HolidaysCtor) {
    const m = createRequire(import.meta.url)('date-holidays') as typeof HolidaysType & { default?: typeof HolidaysType };
    HolidaysCtor = m.default ?? m;
  }
  return new HolidaysCtor(country);
}

/** Whether local date `d` is a public holiday of `country` (date-holidays, type `public`). */
export function isPublicHoliday(country: string, d: { year: number; month: number; day: number }): boolean {
  let cal = holidayCalendars.get(country);
  if (!cal) {
    cal = { hd: holidaysOf(country), years: new Map() };
    holidayCalendars.set(country, cal);
  }
  let set = cal.years.get(d.year);
  if (!set) {
    set = new Set(
      cal.hd
        .getHolidays(d.year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    cal.years.set(d.year, set);
  }
  return set.has(`${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`);
}

/** The zone a pack's hours are read in. */
export function packZone(pack: RulePack, campaignTz: string): string {
  return pack.timeZone ?? campaignTz;
}

/** The pack's hours as calling windows: closed days are "special days" without windows. */
function packWindows(pack: RulePack): { windows: ScheduleWindows; closed: (d: LocalDate) => boolean } {
  return {
    windows: { workday: pack.windows, holiday: [] },
    closed: (d) => !pack.weekdays.includes(d.weekday) || (pack.holidays !== undefined && isPublicHoliday(pack.holidays, d)),
  };
}

/** Whether the pack's hours allow a call at `nowMs` (epoch ms); when not, from when. */
export function packHours(pack: RulePack, nowMs: number, campaignTz: string): { open: boolean; opensAt?: number } {
  const { windows, closed } = packWindows(pack);
  const d = windowDecision(nowMs, packZone(pack, campaignTz), windows, closed);
  return d.open ? { open: true } : { open: false, ...(d.opensAt !== undefined ? { opensAt: d.opensAt } : {}) };
}

/**
 * The pack gate at the moment of an attempt: its hours, then its caps over `callsAt` (instants
 * of earlier calls to the same subscriber in the VDN, any campaign). The hold names the pack
 * and the rule.
 */
export function packGate(pack: RulePack | null, nowMs: number, campaignTz: string, callsAt: readonly number[]): GateResult {
  if (!pack) return { go: true };
  const h = packHours(pack, nowMs, campaignTz);
  if (!h.open) return { go: false, gate: 'rule-pack', until: h.opensAt ?? null, reason: `rule pack ${pack.name}: outside its calling hours (${pack.summary})` };
  for (const cap of pack.caps) {
    const until = limitReachedUntil(cap, callsAt, nowMs);
    if (until !== null) return { go: false, gate: 'rule-pack', until, reason: `rule pack ${pack.name}: at most ${cap.label} to one number` };
  }
  return { go: true };
}

/**
 * The pack in force for a campaign: its own `rulePack`, else the server default. The server
 * default cannot be lifted by a campaign; when both name a pack, both apply (returned in order).
 */
export function packsFor(campaignPack: string | null, serverDefault: string | null): RulePack[] {
  // Neither names a pack (the usual case, once per appoint/create): nothing to build.
  if ((campaignPack === null || campaignPack === 'none') && (serverDefault === null || serverDefault === 'none')) return [];
  const names = [...new Set([serverDefault, campaignPack].filter((n): n is string => n !== null && n !== 'none'))];
  return names.map((n) => RULE_PACKS[n]).filter((p): p is RulePack => p !== undefined);
}

/** The largest cap period of the packs (how far back attempts must be read), ms. */
export function longestPeriod(limits: readonly ContactLimit[]): number {
  return limits.reduce((a, l) => Math.max(a, l.periodMs), 0);
}
