/**
 * The engine's SQL for call data: per-campaign claims with leases, dispatch marks, releases,
 * the reaper and the next-event query. Same claim/settle discipline as engine.repository.ts.
 */
import { sql, type Selectable } from 'kysely';
import type { Db } from './db.js';
import { claimedIn, stateOutsideIndex, statementsHoldTheLoop, type DialectCaps } from './dialect.js';
import { queryTemplate } from './query-template.js';
import type { CallDataNumberTable, CallDataTable } from './schema/call-data.js';

export type CallDataRow = Selectable<CallDataTable>;
export type CallDataNumberRow = Selectable<CallDataNumberTable>;

/** One record {@link campaignsWithDueData} would find at `now` (its condition, without DISTINCT). */
const dueDataProbe = queryTemplate((db, now: number) =>
  db
    .selectFrom('call_data as d')
    .innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
    .select('d.campaign_id')
    .where('d.state', '=', 'ready')
    .where('d.due_at', '<=', now)
    .where('c.suspended', '=', 0)
    .where('c.begin_time', '<=', now)
    .where('c.end_time', '>', now)
    .limit(1),
);

/**
 * Campaigns with call data due at `now` that may dial: running (begun, not expired, not
 * suspended). Paused batches are filtered in the claim itself. On SQLite
 * ({@link statementsHoldTheLoop}) a one-row read of the same condition first, and the DISTINCT
 * read (its temporary b-tree: ~25-70 µs even when nothing is due) only when it finds a record
 * (issue #12: the idle engine pass; engine.repository.ts `probeFinds` for the same in the claims).
 */
export async function campaignsWithDueData(db: Db, now: number, limit: number): Promise<number[]> {
  if (statementsHoldTheLoop(db) && (await db.executeQuery(dueDataProbe(db, now))).rows.length === 0) return [];
  const rows = await db
    .selectFrom('call_data as d')
    .innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
    .select('d.campaign_id')
    .distinct()
    .where('d.state', '=', 'ready')
    .where('d.due_at', '<=', now)
    .where('c.suspended', '=', 0)
    .where('c.begin_time', '<=', now)
    .where('c.end_time', '>', now)
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.campaign_id));
}

/** Claims up to `limit` due records of one campaign (batch started or no batch), best priority first. */
export async function claimDueCallData(db: Db, caps: DialectCaps, o: { campaignId: number; now: number; owner: string; leaseMs: number; limit: number }): Promise<CallDataRow[]> {
  const rows = await db
    .updateTable('call_data')
    .set({ state: 'dialing', lease_owner: o.owner, lease_until: o.now + o.leaseMs, updated_at: o.now })
    .where((eb) =>
      claimedIn(
        caps,
        eb.ref('id'),
        eb
          .selectFrom('call_data as d')
          .leftJoin('batches as b', 'b.id', 'd.batch_id')
          .select('d.id')
          .where('d.campaign_id', '=', o.campaignId)
          .where('d.state', '=', 'ready')
          .where('d.due_at', '<=', o.now)
          .where((w) => w.or([w('d.batch_id', 'is', null), w('b.status', '=', 1)]))
          .orderBy(sql`coalesce(d.priority, 1000)`)
          .orderBy('d.due_at')
          .orderBy('d.id')
          .limit(o.limit)
          .$if(caps.skipLocked, (q) => q.forUpdate('d').skipLocked()),
      ),
    )
    .where(stateOutsideIndex(), '=', 'ready')
    .returningAll()
    .execute();
  return rows;
}

export async function numbersOf(db: Db, dataId: number): Promise<CallDataNumberRow[]> {
  return db.selectFrom('call_data_numbers').selectAll().where('data_id', '=', dataId).orderBy('idx').execute();
}

/** The numbers of several records (one query per 1,000 records), each record's in `idx` order. */
export async function numbersOfMany(db: Db, dataIds: ReadonlyArray<number>): Promise<Map<number, CallDataNumberRow[]>> {
  const out = new Map<number, CallDataNumberRow[]>(dataIds.map((id) => [id, []]));
  for (let i = 0; i < dataIds.length; i += 1000) {
    const rows = await db
      .selectFrom('call_data_numbers')
      .selectAll()
      .where('data_id', 'in', dataIds.slice(i, i + 1000))
      .orderBy('data_id')
      .orderBy('idx')
      .execute();
    for (const r of rows) out.get(Number(r.data_id))?.push(r);
  }
  return out;
}

/** Records the hand-off; false when the lease was lost meanwhile. */
export async function markCallDataDispatched(db: Db, id: number, owner: string, callId: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('call_data')
    .set({ call_id: callId, dispatched_at: now, attempts: sql`attempts + 1`, last_call_at: now, updated_at: now })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'dialing')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Gives a claimed record back without an attempt, next eligible at `dueAt`, optionally on another number. */
export async function releaseCallData(db: Db, id: number, owner: string, patch: { dueAt: number; numberIndex?: number; state?: 'ready' | 'done'; now: number }): Promise<boolean> {
  const r = await db
    .updateTable('call_data')
    .set({
      state: patch.state ?? 'ready',
      due_at: patch.dueAt,
      ...(patch.numberIndex !== undefined ? { number_index: patch.numberIndex } : {}),
      ...(patch.state === 'done' ? { completed_at: patch.now } : {}),
      lease_owner: null,
      lease_until: null,
      updated_at: patch.now,
    })
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .where('state', '=', 'dialing')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Is any lease of `table` (call_data, reservations) expired at `now`? One row at most, looked up
 * in the order of the (state, due_at) index, so that PostgreSQL walks that index with a plain
 * index scan (issue #12). Why: every attempt moves a row into and out of 'dialing', which leaves a
 * dead entry under 'dialing' in that index until VACUUM runs; the unordered read of all 'dialing'
 * rows was planned as a bitmap scan, which visits every such entry and its heap page again on
 * each engine pass (after 100,000 dispatches: ~190,000 entries, 14-30 ms per pass on the engine
 * bench, the largest share of the reservations' fire lag), whereas a plain index scan marks the
 * dead entries it meets (LP_DEAD) and later scans skip them (0.6-0.9 ms there). The plan stays
 * PostgreSQL's choice: with statistics that expect almost no expired lease it may still pick the
 * bitmap scan, which is why the engine also looks only once per poll interval (engine.ts).
 * Undefined when nothing expired (nearly always).
 */
export async function expiredLeaseProbe(db: Db, table: 'call_data' | 'reservations', now: number): Promise<{ id: unknown } | undefined> {
  return (await db.executeQuery(leaseProbes[table](db, now))).rows[0];
}

/** {@link expiredLeaseProbe}'s query per table, compiled once (query-template.ts: it runs on every engine pass, issue #12). */
const leaseProbes = {
  call_data: queryTemplate((db, now: number) => db.selectFrom('call_data').select('id').where('state', '=', 'dialing').where('lease_until', '<', now).orderBy('due_at').limit(1)),
  reservations: queryTemplate((db, now: number) =>
    db.selectFrom('reservations').select('id').where('state', '=', 'dialing').where('lease_until', '<', now).orderBy('due_at').limit(1),
  ),
};

/** Expired leases: undispatched ones go back to ready; dispatched ones are returned for settling (34608). */
export async function reapCallData(db: Db, now: number): Promise<{ undispatched: number[]; dispatched: CallDataRow[] }> {
  // A one-row probe in index order first (see {@link expiredLeaseProbe}); the rows are read only when one expired.
  if ((await expiredLeaseProbe(db, 'call_data', now)) === undefined) return { undispatched: [], dispatched: [] };
  const expired = await db.selectFrom('call_data').selectAll().where('state', '=', 'dialing').where('lease_until', '<', now).execute();
  const candidates = expired.filter((r) => r.dispatched_at === null).map((r) => Number(r.id));
  let undispatched: number[] = [];
  if (candidates.length > 0) {
    // Checked again in the UPDATE: the owner may have handed the record to the dialer (or
    // another node may have claimed it afresh) since the read; such a record is not given back
    // (it would be dialled a second time).
    undispatched = (
      await db
        .updateTable('call_data')
        .set({ state: 'ready', lease_owner: null, lease_until: null, updated_at: now })
        .where('id', 'in', candidates)
        .where('state', '=', 'dialing')
        .where('dispatched_at', 'is', null)
        .where('lease_until', '<', now)
        .returning('id')
        .execute()
    ).map((r) => Number(r.id));
  }
  return { undispatched, dispatched: expired.filter((r) => r.dispatched_at !== null) };
}

const nextReadyQuery = queryTemplate((db, now: number) =>
  db
    .selectFrom('call_data')
    .select((eb) => eb.fn.min('due_at').as('t'))
    .where('state', '=', 'ready')
    .where('due_at', '>', now),
);

/** The earliest instant after `now` at which a ready record falls due (compiled once: every engine pass asks). */
export async function nextCallDataEvent(db: Db, now: number): Promise<number | null> {
  const r = (await db.executeQuery(nextReadyQuery(db, now))).rows[0];
  return r?.t === null || r?.t === undefined ? null : Number(r.t);
}

/** Records of a campaign by engine state, and its automatic reservations still to dial. */
export async function campaignProgressCounts(
  db: Db,
  campaignId: number,
): Promise<{ ready: number; dialing: number; done: number; succeeded: number; pendingReservations: number }> {
  const rows = await db
    .selectFrom('call_data')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('succeeded').as('ok')])
    .where('campaign_id', '=', campaignId)
    .groupBy('state')
    .execute();
  const by = new Map(rows.map((r) => [r.state, r]));
  const res = await db
    .selectFrom('reservations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('call_type', '=', 2)
    .where('state', 'in', ['pending', 'dialing'])
    .executeTakeFirstOrThrow();
  return {
    ready: Number(by.get('ready')?.n ?? 0),
    dialing: Number(by.get('dialing')?.n ?? 0),
    done: Number(by.get('done')?.n ?? 0),
    succeeded: [...by.values()].reduce((a, r) => a + Number(r.ok ?? 0), 0),
    pendingReservations: Number(res.n),
  };
}
