/**
 * Reservations (appointments) and the history of their results.
 *
 * @example const r = await findReservation(db, 1, '174712034211433247704877116507')
 */
import { deferBatchWrite, writeTransaction } from './group-commit.js';
import { insertRowsOneStatement } from './engine-batch.repository.js';
import { createQueryId, type CompiledQuery, type Insertable, type Selectable, type Updateable } from 'kysely';
import { queryTemplate } from './query-template.js';
import type { Db, ReservationResultTable, ReservationTable } from './db.js';
import { executeCompiled, notifyNodes } from './dialect.js';

export type ReservationRow = Selectable<ReservationTable>;

/** The columns a new reservation is written with (`dispatched_at` starts null). */
const NEW_COLUMNS = [
  'id',
  'vdn_id',
  'campaign_id',
  'call_type',
  'called_no',
  'user_account',
  'work_no',
  'appoint_time',
  'call_data',
  'remark',
  'state',
  'due_at',
  'timeout',
  'caller_no',
  'fail_code',
  'call_id',
  'busi_result',
  'busi_sub_status',
  'call_begin_time',
  'call_end_time',
  'lease_owner',
  'lease_until',
  'attempts',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof Insertable<ReservationTable>>;

/** A new reservation: every column of {@link NEW_COLUMNS} (the nullable ones may be left out: null). */
export type NewReservation = Pick<Insertable<ReservationTable>, (typeof NEW_COLUMNS)[number]>;

/**
 * Inserts a reservation with the columns of {@link NEW_COLUMNS}, left-out ones null, and tells
 * the other nodes. The insert is compiled once (store/query-template.ts).
 */
export async function insertReservation(db: Db, row: NewReservation): Promise<void> {
  // PostgreSQL, in a batch of appoint/create requests: held and written with theirs in one
  // statement (group-commit.ts deferBatchWrite); otherwise at once.
  await deferBatchWrite(db, 'reservations', row, insertReservationRows);
  // The engines (this node's and the others') wake for it if it falls due before their next
  // planned pass; one due tomorrow wakes none (engine.ts nudge).
  await notifyNodes(db, 'work', Number(row.due_at));
}

/**
 * Inserts new reservations in order: one row as a compiled INSERT, several in one statement
 * (their values as one JSON parameter, engine-batch.repository.ts `insertRowsOneStatement`, on
 * SQLite too: a write held by group-commit.ts `deferBatchWrite` must be one statement there).
 */
async function insertReservationRows(db: Db, rows: NewReservation[]): Promise<void> {
  if (rows.length === 1) {
    const q = insertShell(db);
    await executeCompiled(db, { sql: q.sql, query: q.query, queryId: createQueryId(), parameters: newReservationValues(rows[0]!) });
    return;
  }
  await insertRowsOneStatement(db, 'reservations', NEW_COLUMNS, rows);
}

/**
 * The values of {@link NEW_COLUMNS} in their order, left-out ones null, read by name (issue #12:
 * a loop over the column names with a keyed read each, and a template call spreading 25
 * arguments, cost ~1 µs per appoint/create).
 */
function newReservationValues(r: NewReservation): unknown[] {
  return [
    r.id,
    r.vdn_id,
    r.campaign_id,
    r.call_type,
    r.called_no,
    r.user_account ?? null,
    r.work_no ?? null,
    r.appoint_time,
    r.call_data ?? null,
    r.remark ?? null,
    r.state,
    r.due_at,
    r.timeout,
    r.caller_no ?? null,
    r.fail_code ?? null,
    r.call_id ?? null,
    r.busi_result ?? null,
    r.busi_sub_status ?? null,
    r.call_begin_time ?? null,
    r.call_end_time ?? null,
    r.lease_owner ?? null,
    r.lease_until ?? null,
    r.attempts,
    r.created_at,
    r.updated_at,
  ];
}

const insertNewReservation = queryTemplate((d: Db, ...values: unknown[]) =>
  d.insertInto('reservations').values(Object.fromEntries(NEW_COLUMNS.map((c, i) => [c, values[i]])) as unknown as Insertable<ReservationTable>),
);

/** The compiled INSERT of one row, per store adapter (a transaction shares its store's). */
const insertShells = new WeakMap<object, CompiledQuery>();

/**
 * The one-row INSERT of {@link NEW_COLUMNS}, compiled once per store; its parameters are to be
 * the row's values in column order ({@link newReservationValues}). Checked when compiled: a
 * dialect that bound them in another order would store values in the wrong columns.
 */
function insertShell(db: Db): CompiledQuery {
  const adapter = db.getExecutor().adapter;
  let q = insertShells.get(adapter);
  if (q === undefined) {
    q = insertNewReservation(db, ...NEW_COLUMNS.map((_, i) => i));
    if (q.parameters.length !== NEW_COLUMNS.length || q.parameters.some((v, i) => v !== i))
      throw new Error(`insertReservation: the INSERT does not bind the columns in order: ${q.sql}`);
    insertShells.set(adapter, q);
  }
  return q;
}

export async function findReservation(db: Db, vdnId: number, id: string): Promise<ReservationRow | undefined> {
  return db.selectFrom('reservations').selectAll().where('id', '=', id).where('vdn_id', '=', vdnId).executeTakeFirst();
}

export async function updateReservation(db: Db, id: string, patch: Updateable<ReservationTable>): Promise<void> {
  await db.updateTable('reservations').set(patch).where('id', '=', id).execute();
}

export async function insertReservationResult(db: Db, row: Insertable<ReservationResultTable>): Promise<void> {
  await db.insertInto('reservation_results').values(row).execute();
}

export async function listReservationResults(db: Db, reservationId: string) {
  return db.selectFrom('reservation_results').selectAll().where('reservation_id', '=', reservationId).orderBy('id').execute();
}

/** States in which a reservation has not been carried out yet (see domain/reservations.ts). */
export const OPEN_STATES = ['pending', 'due'] as const;

/**
 * Updates a reservation only while it is still open (`pending` or `due`): the state predicate
 * is the test-and-set against the engine and a concurrent result report. False when the row
 * was no longer open (or is gone).
 *
 * @example await updateOpenReservation(db, id, { appoint_time: t, due_at: t, state: 'pending' })
 */
export async function updateOpenReservation(db: Db, id: string, patch: Updateable<ReservationTable>): Promise<boolean> {
  const r = await db
    .updateTable('reservations')
    .set(patch)
    .where('id', '=', id)
    .where('state', 'in', [...OPEN_STATES])
    .executeTakeFirst();
  const updated = Number(r.numUpdatedRows) === 1;
  // A rescheduled reservation may now fall due before the engines' next planned pass.
  if (updated && patch.due_at !== undefined && patch.due_at !== null) await notifyNodes(db, 'work', Number(patch.due_at));
  return updated;
}

/**
 * Deletes a reservation and its result history unless the engine is dialling it right now, in
 * one group-committed write transaction (store/group-commit.ts; inside a transaction already,
 * runs in it). False when the row was being dialled (or is gone).
 *
 * @example if (!(await deleteReservationUnlessDialing(db, id))) …
 */
export async function deleteReservationUnlessDialing(db: Db, id: string): Promise<boolean> {
  return writeTransaction(db, async (trx) => {
    const r = await trx.deleteFrom('reservations').where('id', '=', id).where('state', '!=', 'dialing').executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) return false;
    await trx.deleteFrom('reservation_results').where('reservation_id', '=', id).execute();
    return true;
  });
}

/** Filters of appoint/list; every one optional. */
export interface ReservationFilter {
  calledNo?: string;
  /** Agent accounts or work numbers: a reservation matches by either (ZH 0781). */
  userAccounts?: readonly string[];
  campaignId?: number;
  /** Inclusive bounds on appoint_time. */
  from?: number;
  to?: number;
}

/** A reservation with its campaign's name and times (null when the campaign is gone). */
export type ReservationListRow = ReservationRow & {
  campaign_name: string | null;
  campaign_begin: number | null;
  campaign_end: number | null;
  campaign_suspended: number | null;
};

/**
 * One page of a VDN's reservations ordered by appointment time, and the total count.
 *
 * @example const { total, rows } = await pageReservations(db, 1, { calledNo: '138' }, 0, 20)
 */
export async function pageReservations(db: Db, vdnId: number, f: ReservationFilter, offset: number, limit: number): Promise<{ total: number; rows: ReservationListRow[] }> {
  const base = db
    .selectFrom('reservations as r')
    .where('r.vdn_id', '=', vdnId)
    .$if(f.calledNo !== undefined, (q) => q.where('r.called_no', '=', f.calledNo!))
    .$if(f.userAccounts !== undefined, (q) => q.where((eb) => eb.or([eb('r.user_account', 'in', [...f.userAccounts!]), eb('r.work_no', 'in', [...f.userAccounts!])])))
    .$if(f.campaignId !== undefined, (q) => q.where('r.campaign_id', '=', f.campaignId!))
    .$if(f.from !== undefined, (q) => q.where('r.appoint_time', '>=', f.from!))
    .$if(f.to !== undefined, (q) => q.where('r.appoint_time', '<=', f.to!));
  const count = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base
    .leftJoin('campaigns as c', 'c.id', 'r.campaign_id')
    .selectAll('r')
    .select(['c.name as campaign_name', 'c.begin_time as campaign_begin', 'c.end_time as campaign_end', 'c.suspended as campaign_suspended'])
    .orderBy('r.appoint_time')
    .orderBy('r.id')
    .limit(limit)
    .offset(offset)
    .execute();
  return { total: Number(count.n), rows };
}
