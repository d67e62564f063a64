/**
 * Dialing modes of skill-queue (agent) campaigns and the dispatch budget of one engine tick.
 *
 * Mode of a campaign (decision; the vendor's task types, reference isales-api.md §4.1 and
 * isales-gaps.md §3.4): `deviceType` 5 (preview outbound) → `preview`; 6 (pre-occupied
 * outbound: an agent is seized before the call) → `progressive`; 2 (predictive outbound) →
 * `predictive`. `skillParam.outBoundType` is kept on the wire as sent; its one documented value,
 * 2 ("predictive outbound"), agrees with deviceType 2, and the other values are not published, so
 * the device type decides. IVR types (1, 3) have no mode: they keep `callCount` per `callInterval`.
 *
 * - preview: nothing is dialled by the engine; an agent asks for the next record, then calls it
 *   or skips it (the reservation due list is the model). Budget 0; each accepted record is one call.
 * - progressive: one call per free agent, optionally × a fixed ratio; the calls beyond one per
 *   agent are bounded by the abandon headroom like predictive ones (ratio 1 never abandons).
 * - predictive: predictive-controller.ts.
 */
import { predictiveDials, type PredictiveInput } from './predictive-controller.js';

export type DialingMode = 'preview' | 'progressive' | 'predictive';

/** The mode of a campaign by its `deviceType`, or null for IVR campaigns (see the module comment). */
export function dialingModeOf(deviceType: number): DialingMode | null {
  if (deviceType === 5) return 'preview';
  if (deviceType === 6) return 'progressive';
  if (deviceType === 2) return 'predictive';
  return null;
}

/** What the budget of one tick depends on: the controller's inputs plus the progressive ratio (≥ 1). */
export interface BudgetInput extends PredictiveInput {
  mode: DialingMode;
  /** Progressive calls per free agent, ≥ 1 (default 1). */
  ratio?: number;
}

/**
 * How many calls a skill-queue campaign may start in this tick (≥ 0): preview 0 (agents pull
 * their records), progressive ⌊free × ratio⌋ minus the calls already pending, the part beyond
 * one per agent capped by the abandon headroom; predictive as decided by the controller.
 */
export function dispatchBudget(s: BudgetInput): number {
  if (s.mode === 'preview') return 0;
  if (s.mode === 'predictive') return predictiveDials(s).dials;
  const free = Math.max(0, Math.floor(s.freeAgents));
  const pending = Math.max(0, s.inFlight) + Math.max(0, s.waiting);
  const ratio = Math.max(1, s.ratio ?? 1);
  const wanted = Math.max(0, Math.floor(free * ratio) - pending);
  const guarded = Math.max(0, Math.floor(s.headroom) + free - pending);
  const base = Math.max(0, free - pending);
  return Math.min(s.maxNew ?? Number.POSITIVE_INFINITY, Math.max(base, Math.min(wanted, guarded)));
}
