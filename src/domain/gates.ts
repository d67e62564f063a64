/**
 * Dial-time gates: the rules checked at the moment of every attempt, whatever path the work
 * came by (first attempt, retry, automatic reservation). Each gate is a pure function that says
 * "go" or "not before <instant>" (null = not until something else changes, e.g. a resume).
 *
 * Order of evaluation (the first gate that holds decides, and is named in the trail):
 *   campaign-state → batch → validity → recycle-time → attempt-budget → calling-window →
 *   number-delay → blocklist → rule-pack → contact-cap
 * Automatic reservations skip attempt-budget, calling-window and number-delay (the customer
 * chose the time; one reservation is one attempt) but no other gate: rule packs and contact
 * caps hold every attempt (rule-packs.ts, contact-caps.ts).
 */
import { campaignState, type CampaignTimes } from './campaign-rules.js';
import { windowDecision, type IsSpecialDay, type ScheduleWindows } from './calling-windows.js';
import { nextLocalMidnight, startOfLocalDay } from './local-time.js';

export type GateName =
  | 'campaign-state'
  | 'batch-paused'
  | 'validity'
  | 'recycle-time'
  | 'calling-window'
  | 'number-delay'
  | 'blocklist'
  | 'attempt-budget'
  | 'rule-pack'
  | 'contact-cap'
  | 'abandon-quiet';

export type GateResult = { go: true } | { go: false; gate: GateName; until: number | null; reason: string };

const GO: GateResult = { go: true };

/** Suspended holds (until resumed); not-started holds until strBeginTime; expired never again. */
export function campaignGate(c: CampaignTimes, nowMs: number): GateResult {
  const state = campaignState(c, nowMs);
  if (state === 'suspended') return { go: false, gate: 'campaign-state', until: null, reason: 'campaign suspended' };
  if (state === 'expired') return { go: false, gate: 'validity', until: null, reason: 'campaign expired' };
  if (state === 'not-started') return { go: false, gate: 'campaign-state', until: c.beginTime, reason: 'campaign not started' };
  return GO;
}

export function batchGate(batchStatus: number | null): GateResult {
  if (batchStatus === 2) return { go: false, gate: 'batch-paused', until: null, reason: 'batch suspended' };
  return GO;
}

/** A record's recycleTime: it is not called after that moment. */
export function recycleGate(recycleTime: number | null, nowMs: number): GateResult {
  if (recycleTime !== null && nowMs >= recycleTime) return { go: false, gate: 'recycle-time', until: null, reason: 'recycle time passed' };
  return GO;
}

export function windowGate(nowMs: number, tz: string, windows: ScheduleWindows, isSpecial: IsSpecialDay): GateResult {
  const d = windowDecision(nowMs, tz, windows, isSpecial);
  if (d.open) return GO;
  return { go: false, gate: 'calling-window', until: d.opensAt ?? null, reason: 'outside the calling windows' };
}

/** A called number's `delayTime` (seconds) after the record was loaded or last tried. */
export function delayGate(notBefore: number, nowMs: number): GateResult {
  if (nowMs < notBefore) return { go: false, gate: 'number-delay', until: notBefore, reason: 'number delay time' };
  return GO;
}

export interface BlocklistEntry {
  expiresAt: number | null;
  restrictTimes: number | null;
  /** "0" per hour, "1" per day. */
  restrictPeriod: string | null;
}

/**
 * Start of the current frequency period (epoch ms) and of the next one: the whole UTC hour
 * (`period` "0"), or the local day in `tz` ("1"; its first instant as the time-zone library
 * gives it, so a 23- or 25-hour day is one period).
 */
export function periodStart(period: string, nowMs: number, tz: string): { start: number; next: number } {
  if (period === '0') {
    const start = Math.floor(nowMs / 3600_000) * 3600_000;
    return { start, next: start + 3600_000 };
  }
  return { start: startOfLocalDay(nowMs, tz), next: nextLocalMidnight(nowMs, tz) };
}

/**
 * Blocklist at dial time: a listed, unexpired number is never dialled; in the frequency-limited
 * mode it may be dialled `restrictTimes` times per period (`callsInPeriod` counts attempts to
 * that number since the period began).
 */
export function blocklistGate(entry: BlocklistEntry | undefined, callsInPeriod: number, nowMs: number, tz: string): GateResult {
  if (!entry) return GO;
  if (entry.expiresAt !== null && entry.expiresAt <= nowMs) return GO;
  if (entry.restrictTimes === null || entry.restrictPeriod === null) {
    return { go: false, gate: 'blocklist', until: entry.expiresAt, reason: 'number is blocklisted' };
  }
  if (callsInPeriod < entry.restrictTimes) return GO;
  const { next } = periodStart(entry.restrictPeriod, nowMs, tz);
  return { go: false, gate: 'blocklist', until: next, reason: `frequency limit of ${entry.restrictTimes} calls per ${entry.restrictPeriod === '0' ? 'hour' : 'day'} reached` };
}

/** The first gate that holds, or go. */
export function firstHold(...results: GateResult[]): GateResult {
  for (const r of results) if (!r.go) return r;
  return GO;
}
