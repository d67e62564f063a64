/**
 * Call data (the records a campaign dials), their numbers, number types, the rate-limit gates of
 * the call-data interfaces, and the recording of an attempt's result. State machine and
 * columns: schema/call-data.ts.
 *
 * @example const ids = await insertCallData(trx, records)
 */
import { sql, type ExpressionBuilder, type Insertable, type Selectable } from 'kysely';
import type { DB, Db, ReservationResultTable } from './db.js';
import { insertRows } from './bulk-insert.js';
import { notifyNodes, reserveSerialIds } from './dialect.js';
import type { CallDataNumberTable, CallDataTable, CallResultTable } from './schema/call-data.js';

export type CallDataRow = Selectable<CallDataTable>;
export type CallDataNumberRow = Selectable<CallDataNumberTable>;

/** States that count as "uncompleted" (the 200 000 limit, `totalSize`). */
export const UNCOMPLETED_STATES = ['ready', 'dialing'] as const;

/** A record to insert and its called numbers, in dialling order. */
export interface NewCallData {
  row: Insertable<CallDataTable>;
  numbers: Array<{ calledNo: string; delayTime: number; type: string | null }>;
}

/**
 * The earliest `due_at` of records about to be inserted (epoch ms), for the engines' wake-up
 * notice; undefined (= now) when there are none.
 */
export function earliestDue(records: ReadonlyArray<{ row: { due_at?: number | bigint | null } }>): number | undefined {
  let t = Number.POSITIVE_INFINITY;
  for (const r of records) t = Math.min(t, Number(r.row.due_at));
  return Number.isFinite(t) ? t : undefined;
}

/**
 * The columns a record added through the interface is written with; the others (attempt,
 * lease and business-result columns, none of which has a default) start NULL.
 */
const ADDED_COLUMNS = [
  'vdn_id',
  'campaign_id',
  'batch_id',
  'session_id',
  'caller',
  'custom_field',
  'call_data',
  'recycle_time',
  'priority',
  'state',
  'due_at',
  'number_index',
  'attempts',
  'succeeded',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof CallDataTable>;

/** A record added through the interface: every column of {@link ADDED_COLUMNS}, given. */
export interface AddedCallData {
  row: { [K in (typeof ADDED_COLUMNS)[number]]-?: Exclude<Insertable<CallDataTable>[K], undefined> };
  numbers: Array<{ calledNo: string; delayTime: number; type: string | null }>;
}

/** Rows per multi-row INSERT: keeps the bound parameters far below SQLite's limit. */
const CHUNK = 400;

/** `id` (reserved beforehand), then {@link ADDED_COLUMNS}. */
const DATA_COLUMNS = ['id', ...ADDED_COLUMNS] as const;
const NUMBER_COLUMNS = ['data_id', 'idx', 'called_no', 'delay_time', 'type', 'attempts'] as const satisfies ReadonlyArray<keyof CallDataNumberTable>;

/**
 * Inserts records and their numbers; returns the new dataIds in input order (ascending). Call
 * inside the write transaction that checked the limits, so a refused request writes nothing.
 * The ids are reserved first (dialect.ts `reserveSerialIds`: the ones the serial key would have
 * given) and named in multi-row INSERTs of {@link CHUNK} records or numbers (bulk-insert.ts:
 * the statement of a full chunk is compiled once), instead of one INSERT … RETURNING per record.
 *
 * @example const [dataId] = await insertCallData(trx, [{ row, numbers: [{ calledNo: '13800000000', delayTime: 0, type: null }] }])
 */
export async function insertCallData(db: Db, records: readonly AddedCallData[]): Promise<number[]> {
  if (records.length === 0) return [];
  const ids = await reserveSerialIds(db, 'call_data', records.length);
  // Parameters are written chunk by chunk into arrays of their final size: one array for all
  // 10,000 records would be too large for V8's fast elements, and slicing it copies again.
  const width = DATA_COLUMNS.length;
  let numbers: unknown[] = [];
  for (let start = 0; start < records.length; start += CHUNK) {
    const end = Math.min(records.length, start + CHUNK);
    const data: unknown[] = new Array((end - start) * width);
    let j = 0;
    for (let i = start; i < end; i++) {
      const { row, numbers: called } = records[i]!;
      const id = ids[i]!;
      // In DATA_COLUMNS order, spelt out: a loop over the names would look each one up by key.
      data[j++] = id;
      data[j++] = row.vdn_id;
      data[j++] = row.campaign_id;
      data[j++] = row.batch_id;
      data[j++] = row.session_id;
      data[j++] = row.caller;
      data[j++] = row.custom_field;
      data[j++] = row.call_data;
      data[j++] = row.recycle_time;
      data[j++] = row.priority;
      data[j++] = row.state;
      data[j++] = row.due_at;
      data[j++] = row.number_index;
      data[j++] = row.attempts;
      data[j++] = row.succeeded;
      data[j++] = row.created_at;
      data[j++] = row.updated_at;
      for (let idx = 0; idx < called.length; idx++) {
        const n = called[idx]!;
        numbers.push(id, idx, n.calledNo, n.delayTime, n.type, 0);
        if (numbers.length === CHUNK * NUMBER_COLUMNS.length) {
          await insertRows(db, 'call_data_numbers', NUMBER_COLUMNS, numbers, true);
          numbers = [];
        }
      }
    }
    await insertRows(db, 'call_data', DATA_COLUMNS, data, end - start === CHUNK);
  }
  await insertRows(db, 'call_data_numbers', NUMBER_COLUMNS, numbers, false);
  // The engines (this node's and the others') wake for the earliest record if it falls due before
  // their next planned pass.
  await notifyNodes(db, 'work', earliestDue(records));
  return ids;
}

/**
 * Uncompleted (ready or dialing) records of a campaign.
 *
 * @example if (await countUncompleted(trx, 46) + n > 200000) …
 */
export async function countUncompleted(db: Db, campaignId: number): Promise<number> {
  const r = await db
    .selectFrom('call_data')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('state', 'in', [...UNCOMPLETED_STATES])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * Try-set timestamp: stamps `key` with `nowMs` unless it was stamped less than `intervalMs`
 * ago, in one statement (an upsert whose update is conditional), so two nodes or two
 * concurrent requests cannot both pass. Returns whether this call passed. A stamp in the future
 * (the engine clock was moved back) does not block.
 *
 * @example if (!(await trySetGate(trx, 'calldata:46', now, 1000))) throw tooFast()
 */
export async function trySetGate(db: Db, key: string, nowMs: number, intervalMs: number): Promise<boolean> {
  const r = await db
    .insertInto('call_data_gates')
    .values({ gate_key: key, last_at: nowMs })
    .onConflict((oc) =>
      oc
        .column('gate_key')
        .doUpdateSet({ last_at: (eb) => eb.ref('excluded.last_at') })
        .where((eb) => eb.or([eb('call_data_gates.last_at', '<=', nowMs - intervalMs), eb('call_data_gates.last_at', '>', nowMs)])),
    )
    .returning('gate_key')
    .executeTakeFirst();
  return r !== undefined;
}

/**
 * One record of a campaign that the API can still see (not archived), with its numbers.
 *
 * @example const found = await findCallData(db, 46, 1001)
 */
export async function findCallData(db: Db, campaignId: number, dataId: number): Promise<{ row: CallDataRow; numbers: CallDataNumberRow[] } | undefined> {
  const row = await db.selectFrom('call_data').selectAll().where('id', '=', dataId).where('campaign_id', '=', campaignId).where('state', '<>', 'archived').executeTakeFirst();
  if (!row) return undefined;
  const numbers = await db.selectFrom('call_data_numbers').selectAll().where('data_id', '=', dataId).orderBy('idx').execute();
  return { row, numbers };
}

/** Filters of the call-data delete; every given field must match (AND). */
export interface CallDataFilter {
  campaignId: number;
  sessionId?: string;
  /** Matches a record having this number among its called numbers. */
  called?: string;
  customField?: string;
  batchId?: string;
  /** recycle_time window: `>= from` and `< to`, or `= exact`. */
  recycle?: { from?: number; to?: number; exact?: number };
}

function matches(eb: ExpressionBuilder<DB, 'call_data'>, f: CallDataFilter) {
  const parts = [eb('call_data.campaign_id', '=', f.campaignId)];
  if (f.sessionId !== undefined) parts.push(eb('call_data.session_id', '=', f.sessionId));
  if (f.customField !== undefined) parts.push(eb('call_data.custom_field', '=', f.customField));
  if (f.batchId !== undefined) parts.push(eb('call_data.batch_id', '=', f.batchId));
  if (f.recycle?.exact !== undefined) parts.push(eb('call_data.recycle_time', '=', f.recycle.exact));
  if (f.recycle?.from !== undefined) parts.push(eb('call_data.recycle_time', '>=', f.recycle.from));
  if (f.recycle?.to !== undefined) parts.push(eb('call_data.recycle_time', '<', f.recycle.to));
  if (f.called !== undefined) {
    parts.push(eb.exists(eb.selectFrom('call_data_numbers as n').select('n.data_id').whereRef('n.data_id', '=', 'call_data.id').where('n.called_no', '=', f.called)));
  }
  return eb.and(parts);
}

/**
 * How many matching records are in each state (archived ones excluded).
 *
 * @example const { dialing, ready } = await countMatching(trx, { campaignId: 46, sessionId: 's1' })
 */
export async function countMatching(db: Db, f: CallDataFilter): Promise<{ ready: number; dialing: number; done: number }> {
  const rows = await db
    .selectFrom('call_data')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where((eb) => matches(eb, f))
    .groupBy('state')
    .execute();
  const by = new Map(rows.map((r) => [r.state, Number(r.n)]));
  return { ready: by.get('ready') ?? 0, dialing: by.get('dialing') ?? 0, done: by.get('done') ?? 0 };
}

/**
 * Removes the matching `ready` records: deletes them with their numbers, or (archive) moves them
 * to `archived`, where they stay for audit but are never dialled, counted or returned again.
 * Records being dialled or already done are not touched. Returns how many were removed.
 *
 * @example const n = await removeReadyCallData(trx, { campaignId: 46, customField: 'May' }, false, Date.now())
 */
export async function removeReadyCallData(db: Db, f: CallDataFilter, archive: boolean, nowMs: number): Promise<number> {
  if (archive) {
    const r = await db
      .updateTable('call_data')
      .set({ state: 'archived', updated_at: nowMs, completed_at: nowMs })
      .where((eb) => eb.and([matches(eb, f), eb('call_data.state', '=', 'ready')]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
  // Ids first: the `called` filter reads call_data_numbers, so neither table can go first by
  // filter. At most the 200 000 uncompleted records of a campaign, deleted in chunks.
  const rows = await db
    .selectFrom('call_data')
    .select('call_data.id')
    .where((eb) => eb.and([matches(eb, f), eb('call_data.state', '=', 'ready')]))
    .execute();
  const ids = rows.map((r) => Number(r.id));
  let removed = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    await db.deleteFrom('call_data_numbers').where('data_id', 'in', chunk).execute();
    const r = await db.deleteFrom('call_data').where('id', 'in', chunk).where('state', '=', 'ready').executeTakeFirst();
    removed += Number(r.numDeletedRows);
  }
  return removed;
}

/**
 * The VDN's number types, in the order they were added.
 *
 * @example const names = await numberTypeNames(db, 1) // ['st', 'OD']
 */
export async function numberTypeNames(db: Db, vdnId: number): Promise<string[]> {
  const rows = await db.selectFrom('number_types').select('name').where('vdn_id', '=', vdnId).orderBy('seq').orderBy('name').execute();
  return rows.map((r) => r.name);
}

/**
 * Which of `names` already exist in the VDN.
 *
 * @example const known = await existingNumberTypes(db, 1, ['st', 'xx'])
 */
export async function existingNumberTypes(db: Db, vdnId: number, names: readonly string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db
    .selectFrom('number_types')
    .select('name')
    .where('vdn_id', '=', vdnId)
    .where('name', 'in', [...new Set(names)])
    .execute();
  return new Set(rows.map((r) => r.name));
}

/**
 * Adds number types to a VDN (a duplicate violates the primary key).
 *
 * @example await insertNumberTypes(trx, 1, ['st', 'OD'], Date.now())
 */
export async function insertNumberTypes(db: Db, vdnId: number, names: readonly string[], nowMs: number): Promise<void> {
  if (names.length === 0) return;
  const last = await db
    .selectFrom('number_types')
    .select((eb) => eb.fn.max('seq').as('m'))
    .where('vdn_id', '=', vdnId)
    .executeTakeFirst();
  const base = Number(last?.m ?? 0);
  await db
    .insertInto('number_types')
    .values(names.map((name, i) => ({ vdn_id: vdnId, name, seq: base + i + 1, created_at: nowMs })))
    .execute();
}

/** What the engine learnt from one attempt, and what happens to the record next. */
export interface AttemptResult {
  dataId: number;
  /** The lease owner that claimed the record; null skips the ownership check (tools, reaper). */
  owner: string | null;
  callId: string;
  calledNo: string;
  callerNo: string | null;
  /** OBS fail code; `00000` (or `0`) is a connected call. */
  failCode: string;
  /** External result mapped from the fail code, if any. */
  resultCode: string | null;
  /** 6 connected, 5 failed. */
  callStatus: 5 | 6;
  ackBeginTime: number | null;
  callBeginTime: number | null;
  callEndTime: number | null;
  recordPath?: string | null;
  /** Retry later on the same number, move to the next number now, or finish the record. */
  next: { kind: 'retry'; dueAt: number } | { kind: 'next-number'; dueAt: number } | { kind: 'done' };
  /** The retry counters (JSON) after this attempt; left unchanged when omitted. */
  retryState?: string | null;
  nowMs: number;
}

/**
 * Records an attempt's result: settles the `dialing` record (state, due time, number index,
 * counters, lease released) and appends the row to `call_results`, in one transaction (the
 * caller's, when `db` already is one). `attempts` and `last_call_at` are not touched: they are
 * counted when the attempt is handed to the dialer. Returns false, writing nothing, when the
 * record is no longer `dialing` (or no longer leased by `owner`): someone else settled it.
 *
 * @example await recordAttemptResult(db, { dataId: 1001, owner: 'node-a', callId: 'c1', calledNo: '13800000000', callerNo: '4001', failCode: '00000', resultCode: null, callStatus: 6, ackBeginTime: t0, callBeginTime: t1, callEndTime: t2, next: { kind: 'done' }, nowMs: t2 })
 */
export async function recordAttemptResult(db: Db, a: AttemptResult, batch?: ResultRowsBatch): Promise<boolean> {
  if (!db.isTransaction) return db.transaction().execute((trx) => recordAttemptResult(trx, a, batch));
  const done = a.next.kind === 'done';
  const upd = await db
    .updateTable('call_data')
    .set({
      state: done ? 'done' : 'ready',
      due_at: a.next.kind === 'done' ? a.nowMs : a.next.dueAt,
      ...(a.next.kind === 'next-number' ? { number_index: sql<number>`number_index + 1` } : {}),
      ...(done ? { completed_at: a.nowMs } : {}),
      ...(a.retryState !== undefined ? { retry_state: a.retryState } : {}),
      last_fail_code: a.failCode,
      last_result_code: a.resultCode,
      ...(a.callStatus === 6 ? { succeeded: 1 } : {}),
      lease_owner: null,
      lease_until: null,
      dispatched_at: null,
      updated_at: a.nowMs,
    })
    .where('id', '=', a.dataId)
    .where('state', '=', 'dialing')
    .$if(a.owner !== null, (q) => q.where('lease_owner', '=', a.owner!))
    .returning(['vdn_id', 'campaign_id', 'batch_id', 'session_id', 'custom_field'])
    .executeTakeFirst();
  if (!upd) return false;
  const row: Insertable<CallResultTable> = {
    call_id: a.callId,
    vdn_id: upd.vdn_id,
    campaign_id: upd.campaign_id,
    data_id: a.dataId,
    reservation_id: null,
    batch_id: upd.batch_id,
    session_id: upd.session_id,
    custom_field: upd.custom_field,
    called_no: a.calledNo,
    caller_no: a.callerNo,
    call_status: a.callStatus,
    fail_code: a.failCode,
    result_code: a.resultCode,
    ack_begin_time: a.ackBeginTime,
    call_begin_time: a.callBeginTime,
    call_end_time: a.callEndTime,
    record_path: a.recordPath ?? null,
    created_at: a.nowMs,
  };
  if (batch) {
    batch.callResults.push(row);
    batch.numberAttempts.push({ dataId: a.dataId, calledNo: a.calledNo });
    return true;
  }
  await db.insertInto('call_results').values(row).execute();
  await db.updateTable('call_data_numbers').set({ attempts: sql<number>`attempts + 1` }).where('data_id', '=', a.dataId).where('called_no', '=', a.calledNo).execute();
  return true;
}

/**
 * Rows of several settled attempts written together at the end of their transaction (issue
 * #12): the call results (and reservation results) in multi-row INSERTs, the numbers' attempt counts in one UPDATE per
 * 200 attempts. Same rows as one {@link recordAttemptResult} at a time.
 */
export interface ResultRowsBatch {
  callResults: Array<Insertable<CallResultTable>>;
  reservationResults: Array<Insertable<ReservationResultTable>>;
  numberAttempts: Array<{ dataId: number; calledNo: string }>;
}

export function resultRowsBatch(): ResultRowsBatch {
  return { callResults: [], reservationResults: [], numberAttempts: [] };
}

/** Writes a {@link ResultRowsBatch} (in the caller's transaction) and empties it. */
export async function flushResultRows(db: Db, batch: ResultRowsBatch): Promise<void> {
  for (let i = 0; i < batch.reservationResults.length; i += 500) {
    await db
      .insertInto('reservation_results')
      .values(batch.reservationResults.slice(i, i + 500))
      .execute();
  }
  for (let i = 0; i < batch.callResults.length; i += 500)
    await db
      .insertInto('call_results')
      .values(batch.callResults.slice(i, i + 500))
      .execute();
  for (let i = 0; i < batch.numberAttempts.length; i += 200) {
    const part = batch.numberAttempts.slice(i, i + 200);
    await db
      .updateTable('call_data_numbers')
      .set({ attempts: sql<number>`attempts + 1` })
      .where((eb) => eb.or(part.map((p) => eb.and([eb('data_id', '=', p.dataId), eb('called_no', '=', p.calledNo)]))))
      .execute();
  }
  batch.callResults = [];
  batch.reservationResults = [];
  batch.numberAttempts = [];
}

/**
 * Applies a business-result policy decision to a record (in the caller's transaction): stop
 * calling, or make it due again on the next or the same number. A record being dialled is
 * left alone (its attempt settles first). Leaves a trail entry.
 *
 * @example await applyBusinessDecision(trx, rec, { kind: 'same-number', at: now + 600_000 }, now)
 */
export async function applyBusinessDecision(
  db: Db,
  rec: { id: number; vdn_id: number; campaign_id: number; number_index: number },
  decision: { kind: 'none' } | { kind: 'stop' } | { kind: 'next-number'; at: number } | { kind: 'same-number'; at: number },
  nowMs: number,
): Promise<void> {
  if (decision.kind === 'none') return;
  const count = await db
    .selectFrom('call_data_numbers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('data_id', '=', Number(rec.id))
    .executeTakeFirstOrThrow();
  const hasNext = rec.number_index + 1 < Number(count.n);
  const patch =
    decision.kind === 'stop' || (decision.kind === 'next-number' && !hasNext)
      ? { state: 'done', completed_at: nowMs }
      : decision.kind === 'next-number'
        ? { state: 'ready', due_at: decision.at, number_index: rec.number_index + 1, completed_at: null }
        : { state: 'ready', due_at: decision.at, completed_at: null };
  const upd = await db
    .updateTable('call_data')
    .set({ ...patch, updated_at: nowMs })
    .where('id', '=', Number(rec.id))
    .where('state', 'in', ['ready', 'done'])
    .executeTakeFirst();
  if (Number(upd.numUpdatedRows) === 0) return;
  await db
    .insertInto('engine_trail')
    .values({
      vdn_id: rec.vdn_id,
      campaign_id: rec.campaign_id,
      data_id: Number(rec.id),
      reservation_id: null,
      at: nowMs,
      kind: 'busi-policy',
      gate: null,
      until: patch.state === 'ready' ? (patch as { due_at: number }).due_at : null,
      call_id: null,
      called_no: null,
      caller_no: null,
      fail_code: null,
      detail: patch.state === 'done' ? 'business result: stop calling' : `business result: call the ${decision.kind === 'next-number' ? 'next' : 'same'} number again`,
    })
    .execute();
}
