/**
 * The engine's SQL: claims with leases, settling with ownership checks, the reaper, the
 * decision trail and the callback outbox. Time is always a parameter (`now`), never SQL's clock.
 *
 * Claims are one conditional `UPDATE … WHERE id IN (SELECT … LIMIT n) AND state = <claimable>
 * RETURNING *`: the repeated state predicate is the test-and-set that keeps two claimers (two
 * nodes, or a node and its restarted self) from taking the same row, with or without row locks
 * (STYLE.md guideline 5). Settling repeats `lease_owner = :me AND state = 'dialing'`, so a slow
 * worker cannot overwrite a row that was already reaped and claimed again (guideline 6).
 */
import { sql, type CompiledQuery, type Insertable } from 'kysely';
import type { Db } from './db.js';
import { claimedIn, independentReads, stateOutsideIndex, statementsHoldTheLoop, type DialectCaps } from './dialect.js';
import { insertRowsJson } from './engine-batch.repository.js';
import { expiredLeaseProbe } from './engine-call-data.repository.js';
import { queryTemplate } from './query-template.js';
import type { CallbackOutboxTable, TrailTable } from './schema/engine.js';
import type { ReservationRow } from './reservations.repository.js';

export interface ClaimOptions {
  now: number;
  owner: string;
  leaseMs: number;
  limit: number;
}

/**
 * Whether `probe` finds a row: on SQLite ({@link statementsHoldTheLoop}) the engine's claims
 * and marks below read one row of what they would change first, and write only when it finds
 * one (issue #12, the idle pass). Why: on SQLite an `UPDATE … WHERE id IN (SELECT …) RETURNING *`
 * that changes nothing still cost ~60-250 µs (claim of reservations ~190, manual reservations
 * due ~60, callback claim ~100; measured on 100,000 reservations pending tomorrow), the one-row
 * read of the same condition ~5-10 µs, and an idle engine ran these on every pass. The write
 * repeats the whole condition (it stays the test-and-set), so the read only saves work: what
 * falls due after it is found by the next pass, as when it falls due after the UPDATE. On
 * PostgreSQL the read would be one more round trip for busy passes: it always writes at once.
 */
async function probeFinds(db: Db, probe: CompiledQuery<unknown>): Promise<boolean> {
  if (!statementsHoldTheLoop(db)) return true;
  return (await db.executeQuery(probe)).rows.length > 0;
}

/** One automatic reservation {@link claimDueReservations} would claim at `now` (its condition, without the order). */
const dueReservationProbe = queryTemplate((db, now: number) =>
  db
    .selectFrom('reservations as r')
    .innerJoin('campaigns as c', 'c.id', 'r.campaign_id')
    .select('r.id')
    .where('r.state', '=', 'pending')
    .where('r.call_type', '=', 2)
    .where('r.due_at', '<=', now)
    .where('c.suspended', '=', 0)
    .where('c.begin_time', '<=', now)
    .where('c.end_time', '>', now)
    .limit(1),
);

/** Automatic reservations due at `now` whose campaign is running (begun, not expired, not suspended). */
export async function claimDueReservations(db: Db, caps: DialectCaps, o: ClaimOptions): Promise<ReservationRow[]> {
  if (!(await probeFinds(db, dueReservationProbe(db, o.now)))) return [];
  return db
    .updateTable('reservations')
    .set({ state: 'dialing', lease_owner: o.owner, lease_until: o.now + o.leaseMs, attempts: sql`attempts + 1`, updated_at: o.now })
    .where((eb) =>
      claimedIn(
        caps,
        eb.ref('id'),
        eb
          .selectFrom('reservations as r')
          .innerJoin('campaigns as c', 'c.id', 'r.campaign_id')
          .select('r.id')
          .where('r.state', '=', 'pending')
          .where('r.call_type', '=', 2)
          .where('r.due_at', '<=', o.now)
          .where('c.suspended', '=', 0)
          .where('c.begin_time', '<=', o.now)
          .where('c.end_time', '>', o.now)
          .orderBy('r.due_at')
          .orderBy('r.id')
          .limit(o.limit)
          .$if(caps.skipLocked, (q) => q.forUpdate('r').skipLocked()),
      ),
    )
    .where(stateOutsideIndex(), '=', 'pending')
    .returningAll()
    .execute();
}

/** Records the hand-off to the dialer; false when the lease was lost meanwhile. */
export async function markReservationDispatched(db: Db, id: string, owner: string, callId: string, callerNo: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('reservations')
    .set({ call_id: callId, caller_no: callerNo, dispatched_at: now, updated_at: now })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'dialing')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Gives a claimed reservation back without an attempt (a gate held it). */
export async function releaseReservation(db: Db, id: string, owner: string, dueAt: number, now: number): Promise<void> {
  await db
    .updateTable('reservations')
    .set({ state: 'pending', due_at: dueAt, lease_owner: null, lease_until: null, attempts: sql`attempts - 1`, updated_at: now })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'dialing')
    .execute();
}

/** One manual reservation {@link markManualReservationsDue} would mark at `now`. */
const manualDueProbe = queryTemplate((db, now: number) =>
  db.selectFrom('reservations').select('id').where('state', '=', 'pending').where('call_type', '=', 1).where('due_at', '<=', now).limit(1),
);

/** Manual reservations whose appointTime has come: pending → due (the agent's turn). */
export async function markManualReservationsDue(db: Db, now: number, limit: number): Promise<ReservationRow[]> {
  if (!(await probeFinds(db, manualDueProbe(db, now)))) return [];
  return db
    .updateTable('reservations')
    .set({ state: 'due', updated_at: now })
    .where('id', 'in', (eb) =>
      eb.selectFrom('reservations').select('id').where('state', '=', 'pending').where('call_type', '=', 1).where('due_at', '<=', now).orderBy('due_at').limit(limit),
    )
    .where(stateOutsideIndex(), '=', 'pending')
    .returningAll()
    .execute();
}

/** One reservation {@link markReservationTimeouts} would mark, appointed at or before `latest` (now − grace). */
const timeoutProbe = queryTemplate((db, latest: number) =>
  db.selectFrom('reservations').select('id').where('timeout', '=', 0).where('state', 'in', ['pending', 'due']).where('appoint_time', '<=', latest).limit(1),
);

/**
 * Reservations not carried out within the grace period get `timeout = 1`. Automatic ones stop
 * there (state 'timeout': a call long after the agreed time is not what the customer chose);
 * manual ones stay with the agent, who may still report a result.
 */
export async function markReservationTimeouts(db: Db, now: number, graceMs: number): Promise<ReservationRow[]> {
  if (!(await probeFinds(db, timeoutProbe(db, now - graceMs)))) return [];
  const rows = await db
    .updateTable('reservations')
    .set({ timeout: 1, updated_at: now })
    .where('timeout', '=', 0)
    .where('state', 'in', ['pending', 'due'])
    .where('appoint_time', '<=', now - graceMs)
    .returningAll()
    .execute();
  const auto = rows.filter((r) => r.call_type === 2).map((r) => r.id);
  if (auto.length > 0) {
    await db.updateTable('reservations').set({ state: 'timeout' }).where('id', 'in', auto).where('state', '=', 'pending').execute();
  }
  return rows;
}

/** Reservations whose lease expired: back to pending if never dispatched, else returned for settling. */
export async function reapReservations(db: Db, now: number): Promise<{ undispatched: string[]; dispatched: ReservationRow[] }> {
  // A one-row probe in index order first (engine-call-data.repository.ts `expiredLeaseProbe`: no bitmap scan over dead index entries).
  if ((await expiredLeaseProbe(db, 'reservations', now)) === undefined) return { undispatched: [], dispatched: [] };
  const expired = await db.selectFrom('reservations').selectAll().where('state', '=', 'dialing').where('lease_until', '<', now).execute();
  const candidates = expired.filter((r) => r.dispatched_at === null).map((r) => r.id);
  let undispatched: string[] = [];
  if (candidates.length > 0) {
    // Checked again in the UPDATE (handed over or claimed afresh since the read: not given back).
    undispatched = (
      await db
        .updateTable('reservations')
        .set({ state: 'pending', lease_owner: null, lease_until: null, updated_at: now })
        .where('id', 'in', candidates)
        .where('state', '=', 'dialing')
        .where('dispatched_at', 'is', null)
        .where('lease_until', '<', now)
        .returning('id')
        .execute()
    ).map((r) => r.id);
  }
  return { undispatched, dispatched: expired.filter((r) => r.dispatched_at !== null) };
}

export async function appendTrail(db: Db, row: Insertable<TrailTable>): Promise<void> {
  await db.insertInto('engine_trail').values(row).execute();
}

const TRAIL_COLUMNS = ['vdn_id', 'campaign_id', 'data_id', 'reservation_id', 'at', 'kind', 'gate', 'until', 'call_id', 'called_no', 'caller_no', 'fail_code', 'detail'] as const;

/**
 * Trail rows, in order, all or none (engine-batch.repository.ts `insertRowsJson`: one statement on
 * PostgreSQL, bound multi-row INSERTs of up to 64 rows on SQLite).
 */
export async function appendTrails(db: Db, rows: ReadonlyArray<Insertable<TrailTable>>): Promise<void> {
  await insertRowsJson(db, 'engine_trail', TRAIL_COLUMNS, rows);
}

interface PoolEntry {
  access_code: string;
  priority: number;
  last: number;
  seq: number;
  dirty: boolean;
}

/**
 * The calling-number pools of some campaigns, read once inside a dispatch transaction, picked
 * from in memory and written back before it commits ({@link CallerPools.save}). Each pick is
 * the best priority first, least recently used among equals, then `seq` (a round-robin that
 * survives restarts), and the number is stamped used (stamps strictly increasing per campaign,
 * so several picks in the same millisecond still rotate): n picks rotate the pool one by one. On PostgreSQL the pool rows are locked
 * (`FOR UPDATE`, in campaign and access-code order) until the transaction ends, so two nodes
 * never hand out the same rotation step; the rotation stays in the database, shared by all nodes.
 */
export class CallerPools {
  readonly #pools = new Map<number, { rows: PoolEntry[]; max: number }>();

  private constructor() {}

  static async load(db: Db, caps: DialectCaps, campaignIds: Iterable<number>): Promise<CallerPools> {
    const pools = new CallerPools();
    const ids = [...new Set(campaignIds)].sort((a, b) => a - b);
    if (ids.length === 0) return pools;
    const rows = await db
      .selectFrom('caller_numbers')
      .select(['campaign_id', 'access_code', 'priority', 'last_used_at', 'seq'])
      .where('campaign_id', 'in', ids)
      .orderBy('campaign_id')
      .orderBy('access_code')
      .$if(caps.skipLocked, (q) => q.forUpdate())
      .execute();
    for (const id of ids) pools.#pools.set(id, { rows: [], max: 0 });
    for (const r of rows) {
      const p = pools.#pools.get(Number(r.campaign_id))!;
      const last = r.last_used_at === null ? 0 : Number(r.last_used_at);
      p.rows.push({ access_code: r.access_code, priority: Number(r.priority), last, seq: Number(r.seq), dirty: false });
      if (r.last_used_at !== null && last > p.max) p.max = last;
    }
    return pools;
  }

  /** The campaign's next calling number at `now` (epoch ms), or null when it has none (or was not loaded). */
  pick(campaignId: number, now: number): string | null {
    const p = this.#pools.get(campaignId);
    if (!p || p.rows.length === 0) return null;
    let best = p.rows[0]!;
    for (const r of p.rows) {
      if (r.priority < best.priority || (r.priority === best.priority && (r.last < best.last || (r.last === best.last && r.seq < best.seq)))) best = r;
    }
    const stamp = Math.max(now, p.max + 1);
    best.last = stamp;
    best.dirty = true;
    p.max = stamp;
    return best.access_code;
  }

  /** Writes the stamps of the numbers picked (one UPDATE per number used). */
  async save(db: Db): Promise<void> {
    for (const [campaignId, p] of this.#pools) {
      for (const r of p.rows) {
        if (!r.dirty) continue;
        await db.updateTable('caller_numbers').set({ last_used_at: r.last }).where('campaign_id', '=', campaignId).where('access_code', '=', r.access_code).execute();
        r.dirty = false;
      }
    }
  }
}

export async function enqueueCallback(db: Db, row: Omit<Insertable<CallbackOutboxTable>, 'attempts' | 'state' | 'last_error' | 'updated_at'>): Promise<void> {
  await db
    .insertInto('callback_outbox')
    .values({ ...row, attempts: 0, state: 'pending', last_error: null, updated_at: row.created_at })
    .execute();
}

const CALLBACK_COLUMNS = ['vdn_id', 'campaign_id', 'url', 'payload', 'attempts', 'next_at', 'state', 'last_error', 'created_at', 'updated_at'] as const;

/**
 * Several callbacks, in order, all or none (engine-batch.repository.ts `insertRowsJson`: one
 * statement on PostgreSQL, bound multi-row INSERTs of up to 64 rows on SQLite).
 */
export async function enqueueCallbacks(db: Db, rows: ReadonlyArray<Omit<Insertable<CallbackOutboxTable>, 'attempts' | 'state' | 'last_error' | 'updated_at'>>): Promise<void> {
  const full = rows.map((row) => ({ ...row, attempts: 0, state: 'pending', last_error: null, updated_at: row.created_at }));
  await insertRowsJson(db, 'callback_outbox', CALLBACK_COLUMNS, full);
}

/** One callback {@link claimCallbacks} would claim at `now`. */
const dueCallbackProbe = queryTemplate((db, now: number) => db.selectFrom('callback_outbox').select('id').where('state', '=', 'pending').where('next_at', '<=', now).limit(1));

/** Callbacks due for (re)delivery, claimed by pushing next_at forward by the lease. */
export async function claimCallbacks(db: Db, now: number, leaseMs: number, limit: number) {
  if (!(await probeFinds(db, dueCallbackProbe(db, now)))) return [];
  return db
    .updateTable('callback_outbox')
    .set({ next_at: now + leaseMs, updated_at: now })
    .where('id', 'in', (eb) => eb.selectFrom('callback_outbox').select('id').where('state', '=', 'pending').where('next_at', '<=', now).orderBy('next_at').limit(limit))
    .where(stateOutsideIndex(), '=', 'pending')
    .where('next_at', '<=', now)
    .returningAll()
    .execute();
}

export async function settleCallback(db: Db, id: number, patch: { state: string; attempts: number; next_at: number; last_error: string | null; now: number }): Promise<void> {
  await db
    .updateTable('callback_outbox')
    .set({ state: patch.state, attempts: patch.attempts, next_at: patch.next_at, last_error: patch.last_error, updated_at: patch.now })
    .where('id', '=', id)
    .execute();
}

/** The earliest due instant of a pending reservation after `now`. */
const nextDueQuery = queryTemplate((db, now: number) =>
  db
    .selectFrom('reservations')
    .select((eb) => eb.fn.min('due_at').as('t'))
    .where('state', '=', 'pending')
    .where('due_at', '>', now),
);

/** The earliest appointTime after `after` (now − grace) of a reservation in `state` not yet timed out: a single index seek (reservations_timeout, migration 014). */
const nextTimeoutQuery = queryTemplate((db, state: string, after: number) =>
  db
    .selectFrom('reservations')
    .select((eb) => eb.fn.min('appoint_time').as('t'))
    .where('timeout', '=', 0)
    .where('state', '=', state)
    .where('appoint_time', '>', after),
);

/** The earliest begin of a campaign after `now`. */
const nextBeginQuery = queryTemplate((db, now: number) =>
  db
    .selectFrom('campaigns')
    .select((eb) => eb.fn.min('begin_time').as('t'))
    .where('begin_time', '>', now),
);

/**
 * The earliest instant after `now` at which reservation work becomes due (manual-clock stepping).
 * Four independent reads ({@link independentReads}: sent together on PostgreSQL, each on its own
 * pooled connection; on SQLite one at a time with a turn of the event loop between them, issue
 * #12), each compiled once (query-template.ts).
 */
export async function nextReservationEvent(db: Db, now: number, graceMs: number): Promise<number | null> {
  const first = async <R>(q: CompiledQuery<R>) => (await db.executeQuery(q)).rows[0];
  const [due, pending, dueState, begin] = await independentReads(db, [
    () => first(nextDueQuery(db, now)),
    // One lookup per state: each is a single index seek.
    () => first(nextTimeoutQuery(db, 'pending', now - graceMs)),
    () => first(nextTimeoutQuery(db, 'due', now - graceMs)),
    () => first(nextBeginQuery(db, now)),
  ]);
  let timeout: { t: unknown } | undefined;
  for (const r of [pending, dueState]) {
    if (r?.t != null && (timeout?.t == null || Number(r.t) < Number(timeout.t))) timeout = r;
  }
  const candidates: Array<unknown> = [due?.t, timeout?.t == null ? null : Number(timeout.t) + graceMs, begin?.t];
  const times = candidates.filter((t) => t !== null && t !== undefined).map(Number);
  return times.length > 0 ? Math.min(...times) : null;
}

export async function readEngineState(db: Db, key: string): Promise<string | undefined> {
  return (await db.selectFrom('engine_state').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

export async function writeEngineState(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('engine_state')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
