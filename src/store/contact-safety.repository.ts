/**
 * Contact-safety SQL: blocklist lookups by subscriber, the record of every dispatched attempt
 * per canonical number, and the dispatch transaction that counts and records in one step.
 */
import type { GateResult } from '../domain/gates.js';
import { canonicalNumber, numberTail } from '../domain/phone-numbers.js';
import type { BlocklistTable, Db } from './db.js';
import { rowLockTransaction, type DialectCaps } from './dialect.js';
import type { Insertable, Selectable } from 'kysely';
import { appendTrails, CallerPools } from './engine.repository.js';
import { insertRowsJson } from './engine-batch.repository.js';
import type { TrailTable } from './schema/engine.js';
import type { ContactAttemptTable } from './schema/contact-safety.js';

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

/** One attempt of a {@link dispatchMany} batch. */
export interface DispatchAttempt {
  vdnId: number;
  numberKey: string;
  campaignId: number;
  dataId: number | null;
  reservationId: string | null;
  callId: string;
  /** How far back the counted limits look, ms (0: none, nothing to lock or count). */
  lookbackMs: number;
  check: (callsAt: number[]) => GateResult;
  /**
   * Called, in order, for each attempt that passed its check, before the claimed work is marked:
   * `pickCaller` hands out the campaign's next calling number (engine.repository.ts `CallerPools`).
   */
  pick?: (pickCaller: () => string | null) => void;
  /** The trail row of a dispatched attempt (written in the same transaction), or null. */
  trail?: () => Insertable<TrailTable> | null;
}

/**
 * Marks the claimed work of `attempts` as dispatched, in the dispatch transaction `trx`, in as
 * few statements as it can (engine-batch.repository.ts); returns the attempts it did NOT mark
 * because their lease was lost meanwhile.
 */
export type MarkDispatched = (trx: Db, attempts: ReadonlyArray<DispatchAttempt>) => Promise<ReadonlySet<DispatchAttempt>>;

/** Rows per multi-row INSERT of contact attempts (7 columns). */
const ATTEMPT_CHUNK = 1000;

/**
 * A slice of attempts dispatched in ONE transaction (issue #12), with exactly the rules of
 * {@link dispatchCountingContacts} for each, in the order given:
 *
 *   lock every (VDN, number) row the slice counts (one multi-row upsert, in key order, so two
 *   nodes lock in the same order) → read the attempts to those numbers in the look-back (one
 *   query per VDN) → per attempt: `check` on the attempts so far (earlier attempts of this slice
 *   to the same number included) → `pick` (calling number from the pools read once) → `mark`
 *   for all that passed, in one statement → the contact attempts and trail rows in multi-row
 *   INSERTs → the pools' stamps.
 *
 * An attempt to a number that an earlier attempt of the slice already passed for is checked
 * only after that one was marked (the marks go in segments), so a lost lease never counts
 * toward a later attempt's limits, as one attempt after the other would have it.
 *
 * Returns one outcome per attempt, in the order given. Nothing is written when it throws.
 * `now` is the engine clock (epoch ms) shared by the slice.
 */
export async function dispatchMany(db: Db, caps: DialectCaps, now: number, attempts: ReadonlyArray<DispatchAttempt>, mark: MarkDispatched): Promise<DispatchOutcome[]> {
  if (attempts.length === 0) return [];
  return rowLockTransaction(db).execute(async (trx) => {
    const counted = attempts.filter((a) => a.lookbackMs > 0);
    const keyOf = (vdnId: number, numberKey: string) => `${vdnId}\u0000${numberKey}`;
    const times = new Map<string, number[]>();
    if (counted.length > 0) {
      const locks = new Map<string, { vdn_id: number; number_key: string; touched_at: number }>();
      for (const a of counted) locks.set(keyOf(a.vdnId, a.numberKey), { vdn_id: a.vdnId, number_key: a.numberKey, touched_at: now });
      const ordered = [...locks.values()].sort((x, y) => x.vdn_id - y.vdn_id || (x.number_key < y.number_key ? -1 : x.number_key > y.number_key ? 1 : 0));
      for (let i = 0; i < ordered.length; i += ATTEMPT_CHUNK) {
        await trx
          .insertInto('contact_locks')
          .values(ordered.slice(i, i + ATTEMPT_CHUNK))
          .onConflict((oc) => oc.columns(['vdn_id', 'number_key']).doUpdateSet({ touched_at: now }))
          .execute();
      }
      const maxLookback = Math.max(...counted.map((a) => a.lookbackMs));
      const byVdn = new Map<number, string[]>();
      for (const l of ordered) {
        const keys = byVdn.get(l.vdn_id);
        if (keys) keys.push(l.number_key);
        else byVdn.set(l.vdn_id, [l.number_key]);
      }
      for (const [vdnId, keys] of byVdn) {
        for (let i = 0; i < keys.length; i += ATTEMPT_CHUNK) {
          const rows = await trx
            .selectFrom('contact_attempts')
            .select(['number_key', 'at'])
            .where('vdn_id', '=', vdnId)
            .where('number_key', 'in', keys.slice(i, i + ATTEMPT_CHUNK))
            .where('at', '>', now - maxLookback)
            .execute();
          for (const r of rows) {
            const k = keyOf(vdnId, r.number_key);
            const list = times.get(k);
            if (list) list.push(Number(r.at));
            else times.set(k, [Number(r.at)]);
          }
        }
      }
    }
    const pools = await CallerPools.load(
      trx,
      caps,
      attempts.map((a) => a.campaignId),
    );
    const out: DispatchOutcome[] = [];
    const made: Array<Insertable<ContactAttemptTable>> = [];
    const trail: Array<Insertable<TrailTable>> = [];
    // Segments of attempts whose numbers differ: checked in order, then marked together.
    for (let start = 0; start < attempts.length; ) {
      const passed: DispatchAttempt[] = [];
      const keys = new Set<string>();
      let end = start;
      for (; end < attempts.length; end++) {
        const a = attempts[end]!;
        const k = keyOf(a.vdnId, a.numberKey);
        if (keys.has(k)) break;
        const callsAt = a.lookbackMs > 0 ? (times.get(k) ?? []).filter((t) => t > now - a.lookbackMs) : [];
        const gate = a.check(callsAt);
        if (!gate.go) {
          out.push({ kind: 'held', gate });
          continue;
        }
        keys.add(k);
        a.pick?.(() => pools.pick(a.campaignId, now));
        passed.push(a);
        out.push({ kind: 'dispatched' });
      }
      const lost = passed.length > 0 ? await mark(trx, passed) : new Set<DispatchAttempt>();
      for (let i = start; i < end; i++) {
        const a = attempts[i]!;
        if (out[i]!.kind !== 'dispatched') continue;
        if (lost.has(a)) {
          out[i] = { kind: 'lost' };
          continue;
        }
        if (a.lookbackMs > 0) {
          const k = keyOf(a.vdnId, a.numberKey);
          const list = times.get(k);
          if (list) list.push(now);
          else times.set(k, [now]);
        }
        made.push({ vdn_id: a.vdnId, number_key: a.numberKey, campaign_id: a.campaignId, data_id: a.dataId, reservation_id: a.reservationId, call_id: a.callId, at: now });
        const t = a.trail?.();
        if (t) trail.push(t);
      }
      start = end;
    }
    await insertRowsJson(trx, 'contact_attempts', ['vdn_id', 'number_key', 'campaign_id', 'data_id', 'reservation_id', 'call_id', 'at'], made);
    await appendTrails(trx, trail);
    await pools.save(trx);
    return out;
  });
}
