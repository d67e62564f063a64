/**
 * Campaign rules: pure functions over campaign data, no I/O.
 *
 * State machine (PRODUCT.md "Campaign states"):
 *
 *   not-started ──(strBeginTime reached)──▶ executing ──(no callable data left)──▶ call-completed
 *        │                                    │  ▲                                     │
 *        └──────────── pause ─────────────▶ suspended ◀──────────── pause ─────────────┘
 *                                              └── resume ──▶ (back to the time-derived state)
 *   any state ──(strEndTime passed)──▶ expired (terminal)
 *
 * Only `suspended` is stored; the others are derived from the clock (and, for call-completed,
 * from the engine's knowledge of remaining data). On the wire not-started, executing and
 * call-completed all report status 2, suspended 3, expired 4.
 *
 * Operations by state (`campaignOperationAllowed`):
 *
 *   operation  | not-started | executing | call-completed | suspended | expired
 *   pause      |     yes     |    yes    |      yes       |  0200011  | 0200011
 *   resume     |   0200011   |  0200011  |    0200011     |    yes    | 0200011
 *   modify     |     yes     |    yes    |      yes       |    yes    | 0200016
 *   delete     |   0200011   |  0200011  |    0200011     |    yes    |   yes
 *
 * Delete follows the vendor's "refused while status = 2": only a suspended or expired campaign
 * can be deleted, so a campaign is never removed while it may be dialling.
 */
import { DomainError } from './errors.js';
import { HHMM, minutesOf } from './time.js';

export type CampaignState = 'not-started' | 'executing' | 'call-completed' | 'suspended' | 'expired';

export interface CampaignTimes {
  beginTime: number;
  endTime: number;
  suspended: boolean;
}

export function campaignState(c: CampaignTimes, nowMs: number, hasCallableData = true): CampaignState {
  if (nowMs >= c.endTime) return 'expired';
  if (c.suspended) return 'suspended';
  if (nowMs < c.beginTime) return 'not-started';
  return hasCallableData ? 'executing' : 'call-completed';
}

export function wireStatus(state: CampaignState): 2 | 3 | 4 {
  switch (state) {
    case 'suspended':
      return 3;
    case 'expired':
      return 4;
    default:
      return 2;
  }
}

export type CampaignOperation = 'pause' | 'resume' | 'modify' | 'delete';

const ALLOWED: Record<CampaignOperation, ReadonlySet<CampaignState>> = {
  pause: new Set(['not-started', 'executing', 'call-completed']),
  resume: new Set(['suspended']),
  modify: new Set(['not-started', 'executing', 'call-completed', 'suspended']),
  delete: new Set(['suspended', 'expired']),
};

/** Whether the operation may run in the state (see the table in the header). */
export function campaignOperationAllowed(op: CampaignOperation, state: CampaignState): boolean {
  return ALLOWED[op].has(state);
}

/** Throws the operation's code when the state forbids it: 0200016 for modify, else 0200011. */
export function assertCampaignOperation(op: CampaignOperation, state: CampaignState, campaignId: number): void {
  if (campaignOperationAllowed(op, state)) return;
  if (op === 'modify') throw new DomainError('0200016', `campaign ${campaignId} has already ended and cannot be modified`);
  const hint = op === 'delete' ? '; pause it first (only a suspended or expired campaign can be deleted)' : op === 'resume' ? '; only a suspended campaign can be resumed' : '';
  throw new DomainError('0200011', `${op} is not allowed while campaign ${campaignId} is ${state}${hint}`);
}

/** Device types: 1 intelligent IVR, 2 predictive, 3 automatic IVR, 5 preview, 6 preempted. */
export const SKILL_DEVICE_TYPES: ReadonlySet<number> = new Set([2, 5, 6]);
export const IVR_DEVICE_TYPES: ReadonlySet<number> = new Set([1, 3]);
export const PREVIEW_DEVICE_TYPE = 5;

/** Ring timeout: preview 9–120 s, others 5–120 s (add v1 page). */
export function checkMaxAlertingTime(deviceType: number, seconds: number): void {
  const min = deviceType === PREVIEW_DEVICE_TYPE ? 9 : 5;
  if (seconds < min || seconds > 120) {
    throw new DomainError('02000007', `parameter maxAlertingTime must be between ${min} and 120 for deviceType ${deviceType}`);
  }
}

export type ScheduleSlots = Partial<Record<string, string | undefined>>;

export interface Window {
  /** minutes after midnight, inclusive */
  begin: number;
  /** minutes after midnight, exclusive */
  end: number;
}

/**
 * Checks a scheduleParam and returns its workday and holiday windows. A begin without its end
 * (or the reverse) is an incorrect combination (02000009); a window must end after it begins.
 */
export function checkSchedule(s: ScheduleSlots): { workday: Window[]; holiday: Window[] } {
  const read = (kind: 'workday' | 'holiday'): Window[] => {
    const out: Window[] = [];
    for (const i of [1, 2, 3]) {
      const b = s[`${kind}BeginTime${i}`] ?? '';
      const e = s[`${kind}EndTime${i}`] ?? '';
      if (b === '' && e === '') continue;
      if (b === '' || e === '') {
        throw new DomainError('02000009', `parameter scheduleParam.${kind}BeginTime${i} and ${kind}EndTime${i} must be given together`);
      }
      if (!HHMM.test(b) || !HHMM.test(e)) {
        throw new DomainError('02000002', `parameter scheduleParam.${kind}BeginTime${i} must be HH:mm`);
      }
      const w = { begin: minutesOf(b), end: minutesOf(e) };
      if (w.end <= w.begin) {
        throw new DomainError('0200001', `scheduleParam.${kind}EndTime${i} must be later than ${kind}BeginTime${i}`);
      }
      out.push(w);
    }
    return out;
  };
  return { workday: read('workday'), holiday: read('holiday') };
}

/** The scheduleParam as stored and echoed: every slot present, unset ones null (details sample). */
export function normalizeSchedule(s: ScheduleSlots): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const kind of ['workday', 'holiday']) {
    for (const i of [1, 2, 3]) {
      for (const edge of ['Begin', 'End']) {
        const k = `${kind}${edge}Time${i}`;
        const v = s[k];
        out[k] = v === undefined || v === '' ? null : v;
      }
    }
  }
  return out;
}
