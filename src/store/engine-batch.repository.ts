/**
 * Set-based engine writes (issue #12): a slice's dispatch marks and its settles, each ONE
 * conditional `UPDATE … FROM` a table of the slice's rows sent as a single JSON parameter
 * (dialect.ts `jsonRows`), instead of one UPDATE per attempt. Every row keeps exactly the
 * condition of the per-row statement it replaces (lease owner, `state = 'dialing'`), so an
 * attempt whose lease was lost is neither marked nor settled (STYLE.md guidelines 5, 6); the
 * statements are compiled once (query-template.ts), and their SQL text does not depend on the
 * number of rows, so SQLite prepares each once.
 *
 * Rows are sent in id order, so two statements that touch the same rows on PostgreSQL lock them
 * in one order. The state test is written `coalesce(state, '') = 'dialing'` (state is never
 * null) so that SQLite, which has no statistics on the JSON table, cannot drive the join from
 * the state index (every row being dialled, each matched against the whole JSON table) and
 * looks each JSON row up by its primary key instead; PostgreSQL plans it the same way either way.
 */
import { CompiledQuery, createQueryId, sql, type Compilable, type Insertable, type RawBuilder } from 'kysely';
import type { DB, Db, ReservationResultTable } from './db.js';
import { executeCompiled, jsonRecords, jsonRows, rowsAsOneStatement } from './dialect.js';
import { queryTemplate } from './query-template.js';
import type { CallResultTable } from './schema/call-data.js';

/** A raw statement as a `Compilable` for {@link queryTemplate}. */
function compilable<O>(db: Db, q: RawBuilder<O>): Compilable<O> {
  return { compile: () => q.compile(db) };
}

const insertTemplates = new Map<string, { encode: (rows: ReadonlyArray<object>) => string; query: (db: Db, json: string) => CompiledQuery<unknown> }>();

/**
 * Inserts `rows` into `table`, in the order given, all or none; a column a row lacks (or holds
 * undefined) is NULL. Issue #12: the engine's trail, contact attempts, call results, reservation
 * results and callbacks, hundreds of rows per slice.
 * - PostgreSQL: ONE statement whose rows travel as one JSON parameter (dialect.ts
 *   `jsonRecords`; one round trip), as {@link insertRowsOneStatement}.
 * - SQLite: bound multi-row INSERTs of a power of two of rows each (at most 64, and at most
 *   32766 bound values), largest first (e.g. 200 rows = 64 + 64 + 64 + 8), each compiled once
 *   and prepared once (its SQL text depends only on its row count): binding the values is
 *   cheaper than SQLite reading them from JSON (measured on the trail, call results,
 *   reservation results, contact attempts and callbacks at 16-500 rows: 1.1-3x less per row).
 *   When the rows need more than one statement they are written inside `SAVEPOINT
 *   campaignd_rows` (in the caller's transaction), or a transaction of their own (outside one),
 *   so a failing row undoes the call's other rows too, as one statement would. Not for a write
 *   held by group-commit.ts `deferBatchWrite` (one statement there: {@link insertRowsOneStatement}).
 *   Calls in one transaction must not overlap (await each before the next, as every caller
 *   does): a failing call's ROLLBACK TO would also undo the rows an overlapping call wrote
 *   after its SAVEPOINT, and that call would still succeed.
 *   The statements run through dialect.ts `executeCompiled`.
 * Errors: the database's (constraint violations), after the call's rows were undone.
 */
export async function insertRowsJson<T extends keyof DB & string>(
  db: Db,
  table: T,
  columns: ReadonlyArray<keyof Insertable<DB[T]> & string>,
  rows: ReadonlyArray<Insertable<DB[T]>>,
): Promise<void> {
  if (rows.length === 0) return;
  if (rowsAsOneStatement(db)) return insertRowsOneStatement(db, table, columns, rows);
  const bound = boundInsertsOf(db, table, columns);
  if (rows.length <= bound.max && (rows.length & (rows.length - 1)) === 0) {
    await executeCompiled(db, bound.query(rows, 0, rows.length));
    return;
  }
  if (!db.isTransaction) {
    await db.transaction().execute((trx) => insertChunks(trx, bound, rows));
    return;
  }
  await executeCompiled(db, SAVEPOINT);
  try {
    await insertChunks(db, bound, rows);
  } catch (e) {
    await executeCompiled(db, ROLLBACK_TO);
    await executeCompiled(db, RELEASE);
    throw e;
  }
  await executeCompiled(db, RELEASE);
}

const SAVEPOINT = CompiledQuery.raw('savepoint campaignd_rows');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint campaignd_rows');
const RELEASE = CompiledQuery.raw('release savepoint campaignd_rows');

/** The rows in statements of a power of two of rows each, largest first. */
async function insertChunks(db: Db, bound: BoundInserts, rows: ReadonlyArray<object>): Promise<void> {
  let at = 0;
  for (let size = bound.max; at < rows.length; size >>= 1) {
    while (rows.length - at >= size) {
      await executeCompiled(db, bound.query(rows, at, size));
      at += size;
    }
  }
}

/** Rows per bound statement on SQLite: powers of two up to this (and to SQLite's bound-variable limit). */
const MAX_BOUND_ROWS = 64;
/** SQLite's default maximum number of bound variables in one statement (SQLITE_MAX_VARIABLE_NUMBER). */
const SQLITE_MAX_VARIABLES = 32_766;

interface BoundInserts {
  /** The largest row count of a statement: a power of two. */
  max: number;
  /** The statement inserting `rows[from .. from + size)`, `size` a power of two up to {@link max}. */
  query(rows: ReadonlyArray<object>, from: number, size: number): CompiledQuery<unknown>;
}

const boundTemplates = new Map<string, BoundInserts>();

/**
 * The bound multi-row INSERTs of `columns` into `table` (SQLite), by row count, each built and
 * compiled by Kysely once; a call then only fills the parameter array, row by row in column
 * order (plain loops: `flatMap` cost ~1.5 µs a row).
 */
function boundInsertsOf(db: Db, table: string, columns: ReadonlyArray<string>): BoundInserts {
  const key = `${db.getExecutor().adapter.constructor.name} ${table}(${columns.join(',')})`;
  let b = boundTemplates.get(key);
  if (b !== undefined) return b;
  const width = columns.length;
  let max = 1;
  while (max * 2 <= MAX_BOUND_ROWS && max * 2 * width <= SQLITE_MAX_VARIABLES) max *= 2;
  const shells = new Map<number, { sql: string; query: CompiledQuery['query'] }>();
  const shellOf = (size: number) => {
    let s = shells.get(size);
    if (s === undefined) {
      // Built with the values 0, 1, 2, … so that the compiled parameters can be checked to be
      // exactly the values, row by row in column order.
      const values = Array.from({ length: size }, (_, r) => Object.fromEntries(columns.map((c, i) => [c, r * width + i])));
      const c = db
        .insertInto(table as keyof DB)
        .values(values as never)
        .compile();
      if (c.parameters.length !== size * width || c.parameters.some((p, i) => p !== i)) throw new Error(`bound insert into ${table}: unexpected parameter order`);
      s = { sql: c.sql, query: c.query };
      shells.set(size, s);
    }
    return s;
  };
  b = {
    max,
    query(rows, from, size) {
      const shell = shellOf(size);
      const parameters: unknown[] = new Array(size * width);
      let k = 0;
      for (let r = from; r < from + size; r++) {
        const row = rows[r] as Record<string, unknown>;
        for (let i = 0; i < width; i++) parameters[k++] = row[columns[i]!] ?? null;
      }
      return { sql: shell.sql, query: shell.query, queryId: createQueryId(), parameters } as CompiledQuery<unknown>;
    },
  };
  boundTemplates.set(key, b);
  return b;
}

/**
 * Inserts `rows` into `table` in ONE statement whose rows travel as one JSON parameter
 * (dialect.ts `jsonRecords`), in the order given: the same rows as a Kysely multi-row INSERT of
 * `columns`, without building and binding a parameter per value; a column a row lacks (or holds
 * undefined) is NULL. Atomic by itself, on either database. {@link insertRowsJson} uses it on
 * PostgreSQL; on SQLite it is for writes that must be one statement (group-commit.ts
 * `deferBatchWrite`).
 */
export async function insertRowsOneStatement<T extends keyof DB & string>(
  db: Db,
  table: T,
  columns: ReadonlyArray<keyof Insertable<DB[T]> & string>,
  rows: ReadonlyArray<Insertable<DB[T]>>,
): Promise<void> {
  if (rows.length === 0) return;
  const key = `${db.getExecutor().adapter.constructor.name} ${table}(${columns.join(',')})`;
  let template = insertTemplates.get(key);
  if (template === undefined) {
    const t = jsonRecords(db, table, columns);
    template = {
      encode: t.encode,
      query: queryTemplate((db, json: string) =>
        compilable(
          db,
          sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.id(c)))}) select ${sql.join(columns.map((c) => sql.ref(`v.${c}`)))} from ${t.from(json)} as v order by v.ord`,
        ),
      ),
    };
    insertTemplates.set(key, template);
  }
  await db.executeQuery(template.query(db, template.encode(rows)));
}

const CALL_RESULT_COLUMNS = [
  'call_id',
  'vdn_id',
  'campaign_id',
  'data_id',
  'reservation_id',
  'batch_id',
  'session_id',
  'custom_field',
  'called_no',
  'caller_no',
  'call_status',
  'fail_code',
  'result_code',
  'ack_begin_time',
  'call_begin_time',
  'call_end_time',
  'record_path',
  'created_at',
] as const;

const RESERVATION_RESULT_COLUMNS = [
  'reservation_id',
  'source',
  'user_account',
  'work_no',
  'caller_no',
  'fail_code',
  'call_id',
  'busi_result',
  'busi_sub_status',
  'call_begin_time',
  'call_end_time',
  'created_at',
] as const;

const countNumberAttemptsSql = queryTemplate((db, rows: string) =>
  compilable(
    db,
    sql`update call_data_numbers set attempts = attempts + 1
      from ${jsonRows(
        db,
        [
          ['v_id', 'bigint'],
          ['v_no', 'text'],
        ],
        rows,
      )} as v
      where call_data_numbers.data_id = v.v_id and call_data_numbers.called_no = v.v_no`,
  ),
);

const byId = <T extends { id: number | string }>(rows: ReadonlyArray<T>): T[] => [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

const markCallDataSql = queryTemplate((db, rows: string, owner: string, now: number) =>
  compilable(
    db,
    sql<{ id: number }>`update call_data set call_id = v.v_call_id, dispatched_at = ${now}, attempts = attempts + 1, last_call_at = ${now}, updated_at = ${now}
      from ${jsonRows(
        db,
        [
          ['v_id', 'bigint'],
          ['v_call_id', 'text'],
        ],
        rows,
      )} as v
      where call_data.id = v.v_id and call_data.lease_owner = ${owner} and coalesce(call_data.state, '') = 'dialing'
      returning call_data.id`,
  ),
);

/**
 * Records the hand-off of several claimed records (engine-call-data.repository.ts
 * `markCallDataDispatched`, one statement for all): each gets its call id, an attempt more, and
 * `dispatched_at`/`last_call_at` = `now` (epoch ms), when `owner` still holds its lease. Returns
 * the ids marked; a record missing from it lost its lease meanwhile.
 */
export async function markCallDataDispatchedMany(db: Db, owner: string, now: number, rows: ReadonlyArray<{ id: number; callId: string }>): Promise<Set<number>> {
  if (rows.length === 0) return new Set();
  const json = JSON.stringify(byId(rows).map((r) => [r.id, r.callId]));
  const res = await db.executeQuery(markCallDataSql(db, json, owner, now));
  return new Set(res.rows.map((r) => Number(r.id)));
}

const markReservationsSql = queryTemplate((db, rows: string, owner: string, now: number) =>
  compilable(
    db,
    sql<{ id: string }>`update reservations set call_id = v.v_call_id, caller_no = v.v_caller_no, dispatched_at = ${now}, updated_at = ${now}
      from ${jsonRows(
        db,
        [
          ['v_id', 'text'],
          ['v_call_id', 'text'],
          ['v_caller_no', 'text'],
        ],
        rows,
      )} as v
      where reservations.id = v.v_id and reservations.lease_owner = ${owner} and coalesce(reservations.state, '') = 'dialing'
      returning reservations.id`,
  ),
);

/**
 * Records the hand-off of several claimed automatic reservations (engine.repository.ts
 * `markReservationDispatched`, one statement for all) when `owner` still holds their lease.
 * Returns the ids marked.
 */
export async function markReservationsDispatchedMany(
  db: Db,
  owner: string,
  now: number,
  rows: ReadonlyArray<{ id: string; callId: string; callerNo: string }>,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const json = JSON.stringify(byId(rows).map((r) => [r.id, r.callId, r.callerNo]));
  const res = await db.executeQuery(markReservationsSql(db, json, owner, now));
  return new Set(res.rows.map((r) => String(r.id)));
}

/** A call-data attempt's settle, as call-data.repository.ts `recordAttemptResult` takes it. */
export interface CallDataSettle {
  dataId: number;
  /** The lease owner that must still hold the record; null: any (the reaper, external results). */
  owner: string | null;
  callId: string;
  calledNo: string;
  callerNo: string | null;
  failCode: string;
  resultCode: string | null;
  callStatus: number;
  ackBeginTime: number | null;
  callBeginTime: number | null;
  callEndTime: number | null;
  recordPath: string | null;
  next: { kind: 'retry'; dueAt: number } | { kind: 'next-number'; dueAt: number } | { kind: 'done' };
  retryState: string;
}

/** An automatic reservation's settle (reservation-worker.ts). */
export interface ReservationSettle {
  reservationId: string;
  /** The lease owner that must still hold the reservation; null: any. */
  owner: string | null;
  vdnId: number;
  campaignId: number;
  calledNo: string;
  userAccount: string | null;
  workNo: string | null;
  callId: string;
  callerNo: string | null;
  failCode: string;
  resultCode: string | null;
  callStatus: number;
  ackBeginTime: number | null;
  callBeginTime: number | null;
  callEndTime: number | null;
  recordPath: string | null;
}

/**
 * The settles of one transaction, gathered first (settle-attempt.ts) and written together by
 * {@link writeSettles}; `items` keeps the order they were staged in.
 */
export class SettleBatch {
  readonly items: Array<{ kind: 'data'; row: CallDataSettle } | { kind: 'reservation'; row: ReservationSettle }> = [];
  callData(row: CallDataSettle): void {
    this.items.push({ kind: 'data', row });
  }
  reservation(row: ReservationSettle): void {
    this.items.push({ kind: 'reservation', row });
  }
}

const settleCallDataSql = queryTemplate((db, rows: string, now: number) =>
  compilable(
    db,
    sql<{ id: number; vdn_id: number; campaign_id: number; batch_id: string | null; session_id: string | null; custom_field: string | null }>`update call_data set
        state = v.v_state,
        due_at = v.v_due_at,
        number_index = number_index + v.v_step,
        completed_at = case when v.v_state = 'done' then ${now} else completed_at end,
        retry_state = v.v_retry_state,
        last_fail_code = v.v_fail_code,
        last_result_code = v.v_result_code,
        succeeded = case when v.v_success = 1 then 1 else succeeded end,
        lease_owner = null, lease_until = null, dispatched_at = null, updated_at = ${now}
      from ${jsonRows(
        db,
        [
          ['v_id', 'bigint'],
          ['v_owner', 'text'],
          ['v_state', 'text'],
          ['v_due_at', 'bigint'],
          ['v_step', 'integer'],
          ['v_retry_state', 'text'],
          ['v_fail_code', 'text'],
          ['v_result_code', 'text'],
          ['v_success', 'integer'],
        ],
        rows,
      )} as v
      where call_data.id = v.v_id and coalesce(call_data.state, '') = 'dialing' and (v.v_owner is null or call_data.lease_owner = v.v_owner)
      returning call_data.id, call_data.vdn_id, call_data.campaign_id, call_data.batch_id, call_data.session_id, call_data.custom_field`,
  ),
);

const settleReservationsSql = queryTemplate((db, rows: string, now: number) =>
  compilable(
    db,
    sql<{ id: string }>`update reservations set
        state = 'done', fail_code = v.v_fail_code, call_id = v.v_call_id, caller_no = v.v_caller_no,
        call_begin_time = v.v_begin, call_end_time = v.v_end, lease_owner = null, lease_until = null, updated_at = ${now}
      from ${jsonRows(
        db,
        [
          ['v_id', 'text'],
          ['v_owner', 'text'],
          ['v_fail_code', 'text'],
          ['v_call_id', 'text'],
          ['v_caller_no', 'text'],
          ['v_begin', 'bigint'],
          ['v_end', 'bigint'],
        ],
        rows,
      )} as v
      where reservations.id = v.v_id and coalesce(reservations.state, '') = 'dialing' and (v.v_owner is null or reservations.lease_owner = v.v_owner)
      returning reservations.id`,
  ),
);

/**
 * Writes a {@link SettleBatch} in the caller's transaction at engine time `now` (epoch ms): one
 * conditional UPDATE for the call-data records and one for the reservations (each row exactly as
 * `recordAttemptResult` / the reservation worker's settle would change it), then, for the rows
 * those matched, the reservation results and call results ({@link insertRowsJson}: multi-row INSERTs) and the
 * numbers' attempt counts (one UPDATE). Returns, per staged item in order, whether it was written (false: the lease
 * was lost, nothing of it is written).
 */
export async function writeSettles(db: Db, batch: SettleBatch, now: number): Promise<boolean[]> {
  const data = batch.items.flatMap((i) => (i.kind === 'data' ? [i.row] : []));
  const reservations = batch.items.flatMap((i) => (i.kind === 'reservation' ? [i.row] : []));
  const dataRows = new Map<number, { vdn_id: number; campaign_id: number; batch_id: string | null; session_id: string | null; custom_field: string | null }>();
  if (data.length > 0) {
    const json = JSON.stringify(
      [...data]
        .sort((a, b) => a.dataId - b.dataId)
        .map((a) => [
          a.dataId,
          a.owner,
          a.next.kind === 'done' ? 'done' : 'ready',
          a.next.kind === 'done' ? now : a.next.dueAt,
          a.next.kind === 'next-number' ? 1 : 0,
          a.retryState,
          a.failCode,
          a.resultCode,
          a.callStatus === 6 ? 1 : 0,
        ]),
    );
    for (const r of (await db.executeQuery(settleCallDataSql(db, json, now))).rows) dataRows.set(Number(r.id), r);
  }
  const reservationIds = new Set<string>();
  if (reservations.length > 0) {
    const json = JSON.stringify(
      [...reservations]
        .sort((a, b) => (a.reservationId < b.reservationId ? -1 : a.reservationId > b.reservationId ? 1 : 0))
        .map((a) => [a.reservationId, a.owner, a.failCode, a.callId, a.callerNo, a.callBeginTime, a.callEndTime]),
    );
    for (const r of (await db.executeQuery(settleReservationsSql(db, json, now))).rows) reservationIds.add(String(r.id));
  }
  const callResults: Array<Insertable<CallResultTable>> = [];
  const reservationResults: Array<Insertable<ReservationResultTable>> = [];
  const numbers: Array<[number, string]> = [];
  const out: boolean[] = [];
  for (const item of batch.items) {
    if (item.kind === 'data') {
      const a = item.row;
      const upd = dataRows.get(a.dataId);
      out.push(upd !== undefined);
      if (!upd) continue;
      callResults.push(callResultRow(a, { ...upd, data_id: a.dataId, reservation_id: null }, now));
      numbers.push([a.dataId, a.calledNo]);
    } else {
      const a = item.row;
      const ok = reservationIds.has(a.reservationId);
      out.push(ok);
      if (!ok) continue;
      reservationResults.push({
        reservation_id: a.reservationId,
        source: 'engine',
        user_account: a.userAccount,
        work_no: a.workNo,
        caller_no: a.callerNo,
        fail_code: a.failCode,
        call_id: a.callId,
        busi_result: null,
        busi_sub_status: null,
        call_begin_time: a.callBeginTime,
        call_end_time: a.callEndTime,
        created_at: now,
      });
      callResults.push(
        callResultRow(a, { vdn_id: a.vdnId, campaign_id: a.campaignId, data_id: null, reservation_id: a.reservationId, batch_id: null, session_id: null, custom_field: null }, now),
      );
    }
  }
  await insertRowsJson(db, 'reservation_results', RESERVATION_RESULT_COLUMNS, reservationResults);
  await insertRowsJson(db, 'call_results', CALL_RESULT_COLUMNS, callResults);
  // The numbers' attempt counts (a number dialled twice in the batch counts once, as before).
  if (numbers.length > 0) await db.executeQuery(countNumberAttemptsSql(db, JSON.stringify(numbers.sort((x, y) => x[0] - y[0]))));
  return out;
}

function callResultRow(
  a: Pick<CallDataSettle, 'callId' | 'calledNo' | 'callerNo' | 'callStatus' | 'failCode' | 'resultCode' | 'ackBeginTime' | 'callBeginTime' | 'callEndTime' | 'recordPath'>,
  of: Pick<CallResultTable, 'vdn_id' | 'campaign_id' | 'data_id' | 'reservation_id' | 'batch_id' | 'session_id' | 'custom_field'>,
  now: number,
): Insertable<CallResultTable> {
  return {
    call_id: a.callId,
    vdn_id: of.vdn_id,
    campaign_id: of.campaign_id,
    data_id: of.data_id,
    reservation_id: of.reservation_id,
    batch_id: of.batch_id,
    session_id: of.session_id,
    custom_field: of.custom_field,
    called_no: a.calledNo,
    caller_no: a.callerNo,
    call_status: a.callStatus,
    fail_code: a.failCode,
    result_code: a.resultCode,
    ack_begin_time: a.ackBeginTime,
    call_begin_time: a.callBeginTime,
    call_end_time: a.callEndTime,
    record_path: a.recordPath,
    created_at: now,
  };
}
