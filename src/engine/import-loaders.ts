/**
 * Loading one chunk of an imported file's rows, inside the transaction that also records the
 * task's progress (engine/import-worker.ts). Each row ends in exactly one counter:
 * - `failNum`: the row breaks the rules of the JSON interface (schema, recycleTime, unknown
 *   number type, the campaign's uncompleted-records cap);
 * - `repeatNum`: a number already met in an earlier row of the same file (call data: any of the
 *   row's called numbers; blocklist: the number), or, for the blocklist, a number whose entry is
 *   still in effect (the file never overwrites, as `isCoverDupNo` 0);
 * - `blackNum` (call data only): a called number is on the blocklist; the row is not loaded;
 * - `succNum`: loaded.
 */
import type { Config } from '../config/index.js';
import { stateOf } from '../domain/campaigns.js';
import { callDataAddAllowed } from '../domain/call-data.js';
import { assertGroupAndType } from '../domain/blocklist-groups.js';
import { appendErr, parseBlockRow, parseCallDataRow, type ImportedCallData } from '../domain/import-rows.js';
import { parseDateTime } from '../domain/time.js';
import { findBatch } from '../store/batches.repository.js';
import { blockedNumbers, findBlocklistEntries, upsertBlocklistEntries } from '../store/blocklist.repository.js';
import { countUncompleted, existingNumberTypes, type NewCallData } from '../store/call-data.repository.js';
import { findCampaign } from '../store/campaigns.repository.js';
import type { Db } from '../store/db.js';
import { addSeen, findSeen, insertImportedCallData, type ImportTaskRow } from '../store/import-tasks.repository.js';

/** The running totals of a task (written back with every chunk). */
export interface ImportCounters {
  succ: number;
  repeat: number;
  fail: number;
  black: number;
  errMsg: string;
}

/** A data row of the file with its 1-based number among the data rows. */
export interface NumberedRow {
  no: number;
  cells: string[];
}

/** The task cannot go on (campaign gone or expired, …): it ends as failed with this message. */
export class ImportAbort extends Error {}

function failRow(c: ImportCounters, no: number, reason: string): void {
  c.fail += 1;
  c.errMsg = appendErr(c.errMsg, no, reason, c.fail + c.black);
}

/** Loads call-data rows into the task's campaign. */
export async function loadCallDataChunk(
  trx: Db,
  task: ImportTaskRow,
  columns: Map<string, number>,
  rows: readonly NumberedRow[],
  c: ImportCounters,
  nowMs: number,
  config: Config,
): Promise<void> {
  const campaignId = Number(task.campaign_id);
  const campaign = await findCampaign(trx, task.vdn_id, campaignId);
  if (!campaign) throw new ImportAbort(`campaign ${campaignId} no longer exists`);
  const state = stateOf(campaign, nowMs);
  if (!callDataAddAllowed(state)) throw new ImportAbort(`campaign ${campaignId} is ${state}; no more numbers can be added`);
  if (task.batch_id !== null && !(await findBatch(trx, campaignId, task.batch_id))) throw new ImportAbort(`batch ${task.batch_id} no longer exists`);

  const valid: Array<{ no: number; rec: ImportedCallData }> = [];
  for (const r of rows) {
    const p = parseCallDataRow(r.cells, columns, nowMs, parseDateTime);
    if (p.ok) valid.push({ no: r.no, rec: p.value });
    else failRow(c, r.no, p.reason);
  }
  const seen = await findSeen(
    trx,
    task.id,
    valid.flatMap((v) => v.rec.called.map((n) => n.calledNo)),
  );
  const fresh: typeof valid = [];
  for (const v of valid) {
    const nums = v.rec.called.map((n) => n.calledNo);
    if (nums.some((n) => seen.has(n)) || new Set(nums).size !== nums.length) {
      c.repeat += 1;
      continue;
    }
    nums.forEach((n) => seen.add(n));
    fresh.push(v);
  }
  await addSeen(
    trx,
    task.id,
    fresh.flatMap((v) => v.rec.called.map((n) => n.calledNo)),
  );

  // Numbers are compared by subscriber, in the campaign's region (as the call-data add interface does).
  const blocked = await blockedNumbers(
    trx,
    task.vdn_id,
    fresh.flatMap((v) => v.rec.called.map((n) => n.calledNo)),
    nowMs,
    campaign.region ?? config.engine.defaultRegion,
  );
  const types = [...new Set(fresh.flatMap((v) => v.rec.called.map((n) => n.type)).filter((t): t is string => !!t))];
  const knownTypes = await existingNumberTypes(trx, task.vdn_id, types);
  let room = config.callData.maxUncompleted - (await countUncompleted(trx, campaignId));
  const load: NewCallData[] = [];
  for (const v of fresh) {
    if (v.rec.called.some((n) => blocked.has(n.calledNo))) {
      c.black += 1;
      continue;
    }
    const unknown = v.rec.called.find((n) => n.type && !knownTypes.has(n.type));
    if (unknown) {
      failRow(c, v.no, `number type ${unknown.type} does not exist in VDN ${task.vdn_id}`);
      continue;
    }
    if (room <= 0) {
      failRow(c, v.no, `campaign ${campaignId} has reached ${config.callData.maxUncompleted} uncompleted records`);
      continue;
    }
    room -= 1;
    const first = v.rec.called[0]!;
    load.push({
      row: {
        vdn_id: task.vdn_id,
        campaign_id: campaignId,
        batch_id: task.batch_id,
        session_id: v.rec.sessionId || null,
        caller: v.rec.caller || null,
        custom_field: v.rec.customField || null,
        call_data: v.rec.callData || null,
        recycle_time: v.rec.recycleTime ? parseDateTime(v.rec.recycleTime) : null,
        priority: v.rec.priority ?? null,
        state: 'ready',
        due_at: nowMs + (first.delayTime ?? 0) * 1000,
        number_index: 0,
        attempts: 0,
        retry_state: null,
        last_fail_code: null,
        last_result_code: null,
        last_call_at: null,
        succeeded: 0,
        busi_result: null,
        busi_sub_status: null,
        busi_result_desc: null,
        work_no: null,
        lease_owner: null,
        lease_until: null,
        created_at: nowMs,
        updated_at: nowMs,
        completed_at: null,
        call_id: null,
        dispatched_at: null,
      },
      numbers: v.rec.called.map((n) => ({ calledNo: n.calledNo, delayTime: n.delayTime ?? 0, type: n.type || null })),
    });
  }
  await insertImportedCallData(trx, load);
  c.succ += load.length;
}

/** Loads blocklist rows into the task's VDN (validity read in `tz`, the tenant's zone). */
export async function loadBlocklistChunk(
  trx: Db,
  task: ImportTaskRow,
  columns: Map<string, number>,
  rows: readonly NumberedRow[],
  c: ImportCounters,
  nowMs: number,
  tz: string,
): Promise<void> {
  try {
    await assertGroupAndType(trx, task.vdn_id, task.category_id ?? undefined, task.type_id ?? undefined);
  } catch (e) {
    throw new ImportAbort(`${(e as Error).message}: it was deleted after the upload`);
  }
  const valid = [];
  for (const r of rows) {
    const p = parseBlockRow(r.cells, columns, nowMs, tz);
    if (p.ok) valid.push(p.value);
    else failRow(c, r.no, p.reason);
  }
  const seen = await findSeen(
    trx,
    task.id,
    valid.map((v) => v.number),
  );
  const listed = new Set(
    (
      await findBlocklistEntries(
        trx,
        task.vdn_id,
        valid.map((v) => v.number),
      )
    )
      .filter((e) => e.expires_at === null || Number(e.expires_at) > nowMs)
      .map((e) => e.number),
  );
  const load = [];
  for (const v of valid) {
    if (seen.has(v.number) || listed.has(v.number)) {
      c.repeat += 1;
      continue;
    }
    seen.add(v.number);
    load.push(v);
  }
  await addSeen(
    trx,
    task.id,
    load.map((v) => v.number),
  );
  const entries = load.map((v) => ({
    vdn_id: task.vdn_id,
    number: v.number,
    expires_at: v.expiresAt,
    restrict_times: v.restrictTimes,
    restrict_period: v.restrictPeriod,
    category_id: task.category_id,
    type_id: task.type_id,
    validity_time: v.validityTime,
    validity_time_unit: v.validityTime === null ? null : 4,
    created_at: nowMs,
  }));
  // Multi-row statements of at most 400 rows keep the bound parameters under SQLite's limit.
  for (let i = 0; i < entries.length; i += 400) await upsertBlocklistEntries(trx, entries.slice(i, i + 400));
  c.succ += load.length;
}
