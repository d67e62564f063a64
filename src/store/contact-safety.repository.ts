/**
 * Contact-safety SQL: blocklist lookups by subscriber, the record of every dispatched attempt
 * per canonical number, and the dispatch transaction that counts and records in one step.
 */
import type { GateResult } from '../domain/gates.js';
import { canonicalNumber, numberTail } from '../domain/phone-numbers.js';
import type { BlocklistTable, Db } from './db.js';
import { rowLockTransaction } from './dialect.js';
import type { Selectable } from 'kysely';

export type BlocklistEntryRow = Pick<Selectable<BlocklistTable>, 'number' | 'expires_at' | 'restrict_times' | 'restrict_period'>;

/**
 * The blocklist rows of the VDN that are the same subscriber as `number` in `region`, whatever
 * their spelling (`13800000501` matches `8613800000501`, `+86 138…`, `0086…`).
 *
 * @example await blocklistEntriesFor(db, 1, '008613800000501', 'CN')
 */
export async function blocklistEntriesFor(db: Db, vdnId: number, number: string, region: string): Promise<BlocklistEntryRow[]> {
  const rows = await db
    .selectFrom('blocklist')
    .select(['number', 'expires_at', 'restrict_times', 'restrict_period'])
    .where('vdn_id', '=', vdnId)
    .where('number_tail', '=', numberTail(number))
    .execute();
  const key = canonicalNumber(number, region);
  return rows.filter((r) => r.number === number || canonicalNumber(r.number, region) === key);
}

/** Instants (epoch ms) of the attempts to canonical number `key` in the VDN after `sinceMs`. */
export async function contactTimes(db: Db, vdnId: number, key: string, sinceMs: number): Promise<number[]> {
  const rows = await db.selectFrom('contact_attempts').select('at').where('vdn_id', '=', vdnId).where('number_key', '=', key).where('at', '>', sinceMs).execute();
  return rows.map((r) => Number(r.at));
}

export type DispatchOutcome = { kind: 'dispatched' } | { kind: 'held'; gate: Extract<GateResult, { go: false }> } | { kind: 'lost' };

/**
 * One attempt's dispatch, in one transaction: lock the (VDN, number) row, read the attempts to
 * the number in the last `lookbackMs`, let `check` decide (rule-pack caps, contact caps), then
 * `mark` the claimed work as dispatched (false = the lease was lost) and record the attempt.
 * Two nodes can therefore not both use the last unit of a cap.
 */
export async function dispatchCountingContacts(
  db: Db,
  o: {
    vdnId: number;
    numberKey: string;
    campaignId: number;
    dataId: number | null;
    reservationId: string | null;
    callId: string;
    now: number;
    lookbackMs: number;
    check: (callsAt: number[]) => GateResult;
    mark: (trx: Db) => Promise<boolean>;
  },
): Promise<DispatchOutcome> {
  return rowLockTransaction(db).execute(async (trx) => {
    // Without counted limits there is nothing to serialise: only the attempt is recorded.
    if (o.lookbackMs > 0) {
      await trx
        .insertInto('contact_locks')
        .values({ vdn_id: o.vdnId, number_key: o.numberKey, touched_at: o.now })
        .onConflict((oc) => oc.columns(['vdn_id', 'number_key']).doUpdateSet({ touched_at: o.now }))
        .execute();
    }
    const callsAt = o.lookbackMs > 0 ? await contactTimes(trx, o.vdnId, o.numberKey, o.now - o.lookbackMs) : [];
    const gate = o.check(callsAt);
    if (!gate.go) return { kind: 'held', gate };
    if (!(await o.mark(trx))) return { kind: 'lost' };
    await trx
      .insertInto('contact_attempts')
      .values({ vdn_id: o.vdnId, number_key: o.numberKey, campaign_id: o.campaignId, data_id: o.dataId, reservation_id: o.reservationId, call_id: o.callId, at: o.now })
      .execute();
    return { kind: 'dispatched' };
  });
}
