/**
 * The import worker: runs file import tasks (domain/file-imports.ts) in the background.
 *
 * One task at a time per node. A task is claimed with a lease (real time, renewed with every
 * chunk), its file is fetched from the registered SFTP server and read row by row
 * (engine/file-rows.ts), and every `CAMPAIGND_IMPORT_CHUNK_ROWS` rows are loaded in one
 * transaction together with the task's progress (`rows_done` and the counters). A restarted
 * node (or another node, once the lease lapses) re-fetches the file and skips the first
 * `rows_done` data rows, so no row is ever loaded twice and none is lost. Empty rows are skipped
 * (and not counted). Beyond 500,000 data rows the task ends as failed, keeping what was loaded.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import type { DomainContext } from '../domain/context.js';
import { sftpTargetOf } from '../domain/file-servers.js';
import {
  claimImportTask,
  dueImportTaskIds,
  findImportTask,
  forgetSeen,
  STATUS_DONE,
  STATUS_FAILED,
  updateOwnedImportTask,
  type ImportTaskRow,
} from '../store/import-tasks.repository.js';
import { fileKindOf, readRows } from './file-rows.js';
import type { ImportCounters, NumberedRow } from './import-loaders.js';
import { openSftpFile } from './sftp-source.js';

const LEASE_MS = 60_000;

class LeaseLost extends Error {}

export class ImportWorker {
  readonly owner = `import-${randomUUID()}`;
  #timer: NodeJS.Timeout | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #again = false;

  constructor(
    private readonly ctx: DomainContext,
    private readonly log?: Logger,
  ) {}

  /** Starts polling for due tasks every `CAMPAIGND_IMPORT_POLL_MS`. */
  start(): void {
    this.#stopping = false;
    this.#schedule(0);
  }

  /** Looks for due tasks now (after an upload), instead of at the next poll. */
  kick(): void {
    if (this.#stopping) return;
    if (this.#loop) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  /** Stops after the chunk in progress; a running task keeps its progress and resumes later. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#loop;
  }

  /** Runs due tasks until none is left (tests: after moving the manual clock). */
  async runDue(): Promise<void> {
    while (this.#loop) await this.#loop;
    this.#loop = this.#pass();
    try {
      await this.#loop;
    } finally {
      this.#loop = undefined;
    }
  }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#loop || this.#stopping) return;
      this.#loop = this.#pass()
        .catch((e: unknown) => this.log?.error({ err: e }, 'import pass failed'))
        .finally(() => {
          this.#loop = undefined;
          if (!this.#stopping) this.#schedule(this.#again ? 0 : this.ctx.config.fileImport.pollMs);
          this.#again = false;
        });
    }, ms);
    this.#timer.unref();
  }

  async #pass(): Promise<void> {
    for (;;) {
      if (this.#stopping) return;
      const ids = await dueImportTaskIds(this.ctx.db, this.ctx.clock.now(), Date.now(), 1);
      const id = ids[0];
      if (id === undefined) return;
      if (!(await claimImportTask(this.ctx.db, id, this.owner, Date.now(), Date.now() + LEASE_MS, this.ctx.clock.now()))) return;
      const task = await findImportTask(this.ctx.db, id);
      if (task) await this.#run(task);
    }
  }

  async #finish(task: ImportTaskRow, status: number, c: ImportCounters | undefined, errMsg: string): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.db.transaction().execute(async (trx) => {
      await updateOwnedImportTask(trx, task.id, this.owner, {
        status,
        end_time: now,
        updated_at: now,
        err_msg: errMsg.slice(0, 2000),
        lease_owner: null,
        lease_until: null,
        ...(c ? { succ_num: c.succ, repeat_num: c.repeat, fail_num: c.fail, black_num: c.black } : {}),
      });
      await forgetSeen(trx, task.id);
    });
    this.log?.info({ importTask: task.id, status, succ: c?.succ, fail: c?.fail }, 'import finished');
  }

  async #release(task: ImportTaskRow): Promise<void> {
    await updateOwnedImportTask(this.ctx.db, task.id, this.owner, { lease_owner: null, lease_until: null });
  }

  async #run(task: ImportTaskRow): Promise<void> {
    // The row rules and loaders are loaded on the first import, not at start.
    const { BLOCKLIST_COLUMNS, CALL_DATA_COLUMNS, columnMap } = await import('../domain/import-rows.js');
    const { ImportAbort, loadBlocklistChunk, loadCallDataChunk } = await import('./import-loaders.js');
    const cfg = this.ctx.config.fileImport;
    const c: ImportCounters = {
      succ: Number(task.succ_num),
      repeat: Number(task.repeat_num),
      fail: Number(task.fail_num),
      black: Number(task.black_num),
      errMsg: task.err_msg,
    };
    const kind = fileKindOf(task.file_name);
    let target;
    try {
      target = await sftpTargetOf(this.ctx, task.vdn_id, task.server_id);
    } catch (e) {
      return this.#finish(task, STATUS_FAILED, c, `cannot open the file server's password: ${(e as Error).message}`);
    }
    if (!target) return this.#finish(task, STATUS_FAILED, c, `file server ${task.server_id} no longer exists`);
    if (!kind) return this.#finish(task, STATUS_FAILED, c, `unsupported file type: ${task.file_name}`);
    const folder = path.posix.normalize(path.posix.join(target.folder, task.file_path ?? ''));
    const remote = path.posix.join(folder, task.file_name);
    let file;
    try {
      file = await openSftpFile(target, remote, cfg.sftpTimeoutMs, this.ctx.config.outbound.policy);
    } catch (e) {
      return this.#finish(task, STATUS_FAILED, c, (e as Error).message);
    }
    const done = Number(task.rows_done);
    let columns: Map<string, number> | undefined;
    let dataNo = 0;
    let chunk: NumberedRow[] = [];
    const flush = async () => {
      if (chunk.length === 0) return;
      const rows = chunk;
      chunk = [];
      const now = this.ctx.clock.now();
      const next = { ...c };
      await this.ctx.db.transaction().execute(async (trx) => {
        if (task.kind === 'calldata') await loadCallDataChunk(trx, task, columns!, rows, next, now, this.ctx.config);
        else await loadBlocklistChunk(trx, task, columns!, rows, next, now, this.ctx.config.engine.timeZone);
        const owned = await updateOwnedImportTask(trx, task.id, this.owner, {
          rows_done: rows[rows.length - 1]!.no,
          succ_num: next.succ,
          repeat_num: next.repeat,
          fail_num: next.fail,
          black_num: next.black,
          err_msg: next.errMsg,
          lease_until: Date.now() + LEASE_MS,
          updated_at: now,
        });
        if (!owned) throw new LeaseLost(`import ${task.id} was taken over by another node`);
      });
      Object.assign(c, next);
    };
    try {
      let tooMany = false;
      for await (const cells of readRows(file.stream, kind)) {
        if (columns === undefined) {
          columns = columnMap(cells, task.kind === 'calldata' ? CALL_DATA_COLUMNS : BLOCKLIST_COLUMNS);
          continue;
        }
        if (cells.every((x) => x.trim() === '')) continue;
        dataNo += 1;
        if (dataNo <= done) continue;
        if (dataNo > cfg.maxRows) {
          tooMany = true;
          break;
        }
        chunk.push({ no: dataNo, cells });
        if (chunk.length >= cfg.chunkRows) {
          await flush();
          if (this.#stopping) return await this.#release(task);
        }
      }
      await flush();
      if (tooMany) return await this.#finish(task, STATUS_FAILED, c, `the file has more than ${cfg.maxRows} data rows; the first ${cfg.maxRows} were imported`);
      if (columns === undefined) return await this.#finish(task, STATUS_FAILED, c, 'the file is empty (not even a header row)');
      await this.#finish(task, STATUS_DONE, c, c.errMsg);
    } catch (e) {
      if (e instanceof LeaseLost) {
        this.log?.warn({ importTask: task.id }, e.message);
        return;
      }
      const msg = e instanceof ImportAbort ? e.message : `the file could not be read: ${(e as Error).message}`;
      if (!(e instanceof ImportAbort)) this.log?.warn({ importTask: task.id, err: e }, 'import failed');
      await this.#finish(task, STATUS_FAILED, c, c.errMsg === '' ? msg : `${msg}; ${c.errMsg}`);
    } finally {
      // Pending reads fail once the connection closes: nobody waits for them any more.
      file.stream.on('error', () => {});
      file.stream.destroy();
      file.close();
    }
  }
}
