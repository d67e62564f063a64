/**
 * File imports (isales-gaps §8.2, §8.8): `calldatafile/uploadFileServer/{campaignId}`,
 * `blackfile/uploadFileServer` and their `queryDataImportTask` companions.
 *
 * An upload only registers an import task (status 0 "preparing") and answers its id; the import
 * worker (engine/import-worker.ts) fetches the file over SFTP and loads it in the background,
 * at once or at the next `hour:minute` in `CAMPAIGND_TIMEZONE` (the two come together:
 * `02000010`). Checks at upload, in the order a caller meets them: the campaign exists
 * (`0200007`; existence first); `hour`/`minute` together (`02000010`); the file is `.xlsx` or
 * `.csv` (`0200001`); the server is registered in the VDN (`0200001`); the campaign is not
 * expired (`0200019`); `batchId`, when given, exists (`03000004`). A blocklist import may name
 * the group and type its numbers join (`relCategoryId`/`typeId`, `02000013`/`02000015` when
 * unknown, as on `blocklist/add`; the console offers a group on its import form).
 */
import path from 'node:path';
import type { FileUpload, ImportTaskItem, ImportTaskQuery } from '../contract/files.js';
import { findBatch } from '../store/batches.repository.js';
import { findFileServer } from '../store/file-servers.repository.js';
import { insertImportTask, pageImportTasks, STATUS_PREPARING, type ImportTaskRow } from '../store/import-tasks.repository.js';
import { assertGroupAndType } from './blocklist-groups.js';
import { callDataAddAllowed } from './call-data.js';
import { requireCampaign, stateOf } from './campaigns.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { newLongId } from './ids.js';
import { isoTime, scheduledStart } from './import-schedule.js';

export type ImportKind = 'calldata' | 'blocklist';

function checkCommon(body: FileUpload): void {
  if ((body.hour === undefined) !== (body.minute === undefined)) {
    throw new DomainError('02000010', 'parameters hour and minute must be given together (a scheduled import)');
  }
  const ext = path.extname(body.fileName).toLowerCase();
  if (ext !== '.xlsx' && ext !== '.csv') throw paramError(`fileName ${body.fileName}: only .xlsx (the vendor's template) and .csv files can be imported`);
  if (body.filePath?.split(/[\\/]/).includes('..')) {
    throw new DomainError('02000002', "parameter filePath must stay inside the server's folder (no .. segments)");
  }
}

async function register(ctx: DomainContext, vdnId: number, kind: ImportKind, campaignId: number | null, body: FileUpload): Promise<string> {
  const now = ctx.clock.now();
  const id = newLongId(now);
  await insertImportTask(ctx.db, {
    id,
    vdn_id: vdnId,
    kind,
    campaign_id: campaignId,
    batch_id: body.batchId || null,
    category_id: body.relCategoryId || null,
    type_id: body.typeId || null,
    server_id: body.serverId,
    file_path: body.filePath || null,
    file_name: body.fileName,
    start_at: scheduledStart(now, body.hour, body.minute, ctx.config.engine.timeZone),
    status: STATUS_PREPARING,
    rows_done: 0,
    succ_num: 0,
    repeat_num: 0,
    fail_num: 0,
    black_num: 0,
    err_msg: '',
    begin_time: null,
    end_time: null,
    lease_owner: null,
    lease_until: null,
    created_at: now,
    updated_at: now,
  });
  return id;
}

async function requireServer(ctx: DomainContext, vdnId: number, serverId: string): Promise<void> {
  if (!(await findFileServer(ctx.db, vdnId, serverId))) throw paramError(`file server ${serverId} does not exist in VDN ${vdnId} (register it with file/addServer)`);
}

/** `POST P/calldatafile/uploadFileServer/{campaignId}` → the import task id. */
export async function uploadCallDataFile(ctx: DomainContext, vdnId: number, campaignId: number, body: FileUpload): Promise<string> {
  const campaign = await requireCampaign(ctx.db, vdnId, campaignId);
  checkCommon(body);
  if (body.relCategoryId || body.typeId) throw paramError('parameters relCategoryId and typeId belong to blocklist imports only');
  await requireServer(ctx, vdnId, body.serverId);
  const state = stateOf(campaign, ctx.clock.now());
  if (!callDataAddAllowed(state)) throw new DomainError('0200019', `numbers cannot be added while campaign ${campaignId} is ${state}`);
  if (body.batchId && !(await findBatch(ctx.db, campaignId, body.batchId))) {
    throw new DomainError('03000004', `batch ${body.batchId} does not exist in campaign ${campaignId}`);
  }
  return register(ctx, vdnId, 'calldata', campaignId, body);
}

/** `POST P/blackfile/uploadFileServer` → the import task id. */
export async function uploadBlocklistFile(ctx: DomainContext, vdnId: number, body: FileUpload): Promise<string> {
  checkCommon(body);
  if (body.batchId !== undefined) throw paramError('parameter batchId belongs to call-data imports only');
  await requireServer(ctx, vdnId, body.serverId);
  await assertGroupAndType(ctx.db, vdnId, body.relCategoryId, body.typeId);
  return register(ctx, vdnId, 'blocklist', null, body);
}

/** Row → wire: times ISO-8601 with offset, `status` a quoted digit (the vendor's sample). */
export function importTaskRowToApi(r: ImportTaskRow): ImportTaskItem {
  const item: ImportTaskItem = {
    id: r.id,
    status: String(r.status),
    beginTime: r.begin_time === null ? '' : isoTime(Number(r.begin_time)),
    endTime: r.end_time === null ? '' : isoTime(Number(r.end_time)),
    succNum: Number(r.succ_num),
    repeatNum: Number(r.repeat_num),
    failNum: Number(r.fail_num),
    errMsg: r.err_msg,
    fileName: r.file_name,
  };
  if (r.kind === 'calldata') item.blackNum = Number(r.black_num);
  return item;
}

/** `…/queryDataImportTask…` → `{count, result[]}`, newest first. */
export async function queryImportTasks(
  ctx: DomainContext,
  vdnId: number,
  kind: ImportKind,
  campaignId: number | null,
  q: ImportTaskQuery,
): Promise<{ count: number; result: ImportTaskItem[] }> {
  if (campaignId !== null) await requireCampaign(ctx.db, vdnId, campaignId);
  const { total, rows } = await pageImportTasks(ctx.db, { vdnId, kind, campaignId, ids: q.importTaskIds }, q.offset, q.limit);
  return { count: total, result: rows.map(importTaskRowToApi) };
}
