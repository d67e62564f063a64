/**
 * File import tasks (schema/surface.ts `import_tasks`) and their seen-keys table. A task is
 * claimed with one conditional UPDATE carrying a lease (real time), so two nodes never run the
 * same import; progress (`rows_done` and the counters) is written in the transaction that loads
 * the rows it counts.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from './db.js';
import { notifyNodes, statementsHoldTheLoop } from './dialect.js';
import { queryTemplate } from './query-template.js';
import { earliestDue, type NewCallData } from './call-data.repository.js';
import type { CallDataNumberTable } from './schema/call-data.js';
import type { ImportTaskTable } from './schema/surface.js';

export type ImportTaskRow = Selectable<ImportTaskTable>;

export const STATUS_PREPARING = 0;
export const STATUS_RUNNING = 1;
export const STATUS_DONE = 2;
export const STATUS_FAILED = 3;

/** Registers an import task (status 0, counters 0). */
export async function insertImportTask(db: Db, row: Insertable<ImportTaskTable>): Promise<void> {
  await db.insertInto('import_tasks').values(row).execute();
}

/** One task by id (any VDN: the worker's view), or undefined. */
export async function findImportTask(db: Db, id: string): Promise<ImportTaskRow | undefined> {
  return db.selectFrom('import_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Imports of a server still waiting or running. */
export async function countActiveImportsOfServer(db: Db, vdnId: number, serverId: string): Promise<number> {
  const r = await db
    .selectFrom('import_tasks')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('vdn_id', '=', vdnId)
    .where('server_id', '=', serverId)
    .where('status', 'in', [STATUS_PREPARING, STATUS_RUNNING])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** One page of a VDN's imports of one kind (and campaign), newest first. */
export async function pageImportTasks(
  db: Db,
  f: { vdnId: number; kind: string; campaignId: number | null; ids?: readonly string[] },
  offset: number,
  limit: number,
): Promise<{ total: number; rows: ImportTaskRow[] }> {
  const base = db
    .selectFrom('import_tasks')
    .where('vdn_id', '=', f.vdnId)
    .where('kind', '=', f.kind)
    .$if(f.campaignId !== null, (q) => q.where('campaign_id', '=', f.campaignId!))
    .$if(f.ids !== undefined && f.ids.length > 0, (q) => q.where('id', 'in', [...f.ids!]));
  const c = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute();
  return { total: Number(c.n), rows };
}

/** One task {@link dueImportTaskIds} would find (its condition, in no order). */
const dueTaskProbe = queryTemplate((db, nowMs: number, realNowMs: number) =>
  db
    .selectFrom('import_tasks')
    .select('id')
    .where('status', 'in', [STATUS_PREPARING, STATUS_RUNNING])
    .where('start_at', '<=', nowMs)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNowMs)]))
    .limit(1),
);

/**
 * Ids of tasks that may run at `nowMs` (start reached, not finished, lease free at `realNowMs`).
 * The import worker asks every `CAMPAIGND_IMPORT_POLL_MS` (1 s) on the event loop; on SQLite
 * ({@link statementsHoldTheLoop}) a one-row read in no order first, and the ordered read only
 * when it finds a task (issue #12, p99 latency: the ordered read sorts in a temporary b-tree,
 * ~80-300 µs with no task at all, the unordered one ~5-40 µs on this VM).
 */
export async function dueImportTaskIds(db: Db, nowMs: number, realNowMs: number, limit: number): Promise<string[]> {
  if (statementsHoldTheLoop(db) && (await db.executeQuery(dueTaskProbe(db, nowMs, realNowMs))).rows.length === 0) return [];
  const rows = await db
    .selectFrom('import_tasks')
    .select('id')
    .where('status', 'in', [STATUS_PREPARING, STATUS_RUNNING])
    .where('start_at', '<=', nowMs)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNowMs)]))
    .orderBy('start_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Claims a task for `owner` until `leaseUntil` (real time); false when another node holds it. */
export async function claimImportTask(db: Db, id: string, owner: string, realNowMs: number, leaseUntil: number, nowMs: number): Promise<boolean> {
  const r = await db
    .updateTable('import_tasks')
    .set((eb) => ({
      lease_owner: owner,
      lease_until: leaseUntil,
      status: STATUS_RUNNING,
      begin_time: eb.fn.coalesce('begin_time', eb.val(nowMs)),
      updated_at: nowMs,
    }))
    .where('id', '=', id)
    .where('status', 'in', [STATUS_PREPARING, STATUS_RUNNING])
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', realNowMs)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Writes progress or the end of a task, if `owner` still holds it; false otherwise. */
export async function updateOwnedImportTask(db: Db, id: string, owner: string, patch: Updateable<ImportTaskTable>): Promise<boolean> {
  const r = await db.updateTable('import_tasks').set(patch).where('id', '=', id).where('lease_owner', '=', owner).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Which of `keys` the task has already seen (in an earlier chunk). */
export async function findSeen(db: Db, taskId: string, keys: readonly string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  const uniq = [...new Set(keys)];
  for (let i = 0; i < uniq.length; i += 500) {
    const rows = await db
      .selectFrom('import_seen')
      .select('key')
      .where('task_id', '=', taskId)
      .where('key', 'in', uniq.slice(i, i + 500))
      .execute();
    for (const r of rows) seen.add(r.key);
  }
  return seen;
}

/** Records `keys` as seen by the task (in the transaction that loads their rows). */
export async function addSeen(db: Db, taskId: string, keys: readonly string[]): Promise<void> {
  const uniq = [...new Set(keys)];
  for (let i = 0; i < uniq.length; i += 400) {
    await db
      .insertInto('import_seen')
      .values(uniq.slice(i, i + 400).map((key) => ({ task_id: taskId, key })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/** Drops a finished task's seen keys. */
export async function forgetSeen(db: Db, taskId: string): Promise<void> {
  await db.deleteFrom('import_seen').where('task_id', '=', taskId).execute();
}

/** Records per multi-row INSERT of `insertImportedCallData` (29 columns each: ~5,800 parameters). */
const BULK = 200;

/**
 * Inserts imported call-data records and their numbers with multi-row statements (a file import
 * loads thousands per transaction; `insertCallData`'s one statement per record is the cost of
 * returning ids in order to a JSON caller). The ids of one multi-row INSERT are assigned in the
 * order of its VALUES list (SQLite rowids and PostgreSQL serials alike), so the returned ids,
 * sorted, line up with the input.
 *
 * @example await insertImportedCallData(trx, [{ row, numbers: [{ calledNo: '13800000000', delayTime: 0, type: null }] }])
 */
export async function insertImportedCallData(db: Db, records: readonly NewCallData[]): Promise<void> {
  for (let i = 0; i < records.length; i += BULK) {
    const part = records.slice(i, i + BULK);
    const ids = (
      await db
        .insertInto('call_data')
        .values(part.map((r) => r.row))
        .returning('id')
        .execute()
    )
      .map((r) => Number(r.id))
      .sort((a, b) => a - b);
    const numbers: Array<Insertable<CallDataNumberTable>> = [];
    part.forEach((r, k) => r.numbers.forEach((n, idx) => numbers.push({ data_id: ids[k]!, idx, called_no: n.calledNo, delay_time: n.delayTime, type: n.type, attempts: 0 })));
    for (let j = 0; j < numbers.length; j += 400)
      await db
        .insertInto('call_data_numbers')
        .values(numbers.slice(j, j + 400))
        .execute();
  }
  // The engines (this node's and the others') wake for the earliest record if it falls due before
  // their next planned pass.
  await notifyNodes(db, 'work', earliestDue(records));
}
