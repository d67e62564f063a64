/**
 * The blocklist gate as the workers apply it at the moment of an attempt: the number's entry
 * (if any) and, in the frequency-limited mode, how often it was called in the current period.
 */
import { blocklistGate, periodStart, type GateResult } from '../domain/gates.js';
import type { Db } from '../store/db.js';

export async function blocklistAtDial(db: Db, vdnId: number, number: string, nowMs: number, tz: string): Promise<GateResult> {
  const entry = await db
    .selectFrom('blocklist')
    .select(['expires_at', 'restrict_times', 'restrict_period'])
    .where('vdn_id', '=', vdnId)
    .where('number', '=', number)
    .executeTakeFirst();
  if (!entry) return { go: true };
  let calls = 0;
  if (entry.restrict_times !== null && entry.restrict_period !== null) {
    const { start } = periodStart(entry.restrict_period, nowMs, tz);
    const n = await db
      .selectFrom('call_results')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('vdn_id', '=', vdnId)
      .where('called_no', '=', number)
      .where('created_at', '>=', start)
      .executeTakeFirstOrThrow();
    calls = Number(n.n);
  }
  return blocklistGate(
    { expiresAt: entry.expires_at === null ? null : Number(entry.expires_at), restrictTimes: entry.restrict_times, restrictPeriod: entry.restrict_period },
    calls,
    nowMs,
    tz,
  );
}
