/**
 * The quiet period after an abandoned call, checked at the moment of every call-data attempt
 * like the other contact rules: a number (compared by subscriber, within its VDN) whose answered
 * call was abandoned is not dialled again within `CAMPAIGND_ABANDON_QUIET_HOURS` (72 h default;
 * Ofcom's rule, domain/abandon.ts). The trail names the gate `abandon-quiet` and the instant it opens.
 */
import type { GateResult } from '../domain/gates.js';
import { lastAbandonOf } from '../store/agents.repository.js';
import type { Db } from '../store/db.js';

export async function abandonQuietAtDial(db: Db, vdnId: number, numberKey: string, now: number, quietMs: number): Promise<GateResult> {
  if (quietMs <= 0) return { go: true };
  const last = await lastAbandonOf(db, vdnId, numberKey, now - quietMs);
  if (last === null) return { go: true };
  return {
    go: false,
    gate: 'abandon-quiet',
    until: last + quietMs,
    reason: `a call to this number was abandoned at ${new Date(last).toISOString()}; not called again within ${quietMs / 3_600_000} h`,
  };
}
