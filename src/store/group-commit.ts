/**
 * Group commit for interface writes (issue #12): the write transactions that interface requests
 * start in one event-loop turn run in ONE database transaction, each inside its own SAVEPOINT,
 * and none of them is answered before that transaction's COMMIT has returned.
 *
 * - A request whose work throws (a business error such as 04000003, or a failed statement) is
 *   rolled back to its savepoint: only its own writes are undone, the others of the batch commit.
 * - The requests of a batch run one after another on one connection, so each one's
 *   check-then-write is as atomic as in a transaction of its own (SQLite: `BEGIN IMMEDIATE`;
 *   PostgreSQL: the store's advisory write lock, taken once per batch, connect.ts). A later
 *   request of the batch sees an earlier one's writes; they commit together, so no answer ever
 *   depends on a write that is later rolled back. (On PostgreSQL the rows of consecutive
 *   requests of one declared kind may be held and written together, {@link deferBatchWrite}:
 *   only for writes no request of that kind reads; any other request runs after they were
 *   written.)
 * - SQLite (issue #12): a request's savepoint is taken just before its first statement that may
 *   write ({@link acceptWriteWatch}); a request that only reads (and fails) costs none, and one
 *   whose only write is held ({@link deferBatchWrite}, appoint/create) writes it as one statement
 *   without a savepoint.
 * - PostgreSQL round trips (issue #12): the savepoint statements ride with the next statement or
 *   the COMMIT (deferred-statements.ts), requests may announce what they will look up so that
 *   the batch reads it once ({@link batchPrefetch}), and held writes become one statement: a
 *   batch of appoint/create requests costs about 6 round trips whatever its size.
 * - When the COMMIT fails, every request of the batch is answered with that error (none of their
 *   writes is in the store); a request that had already failed keeps its own error.
 * - Durability is the store's: with SQLite `synchronous = NORMAL` a COMMIT that returned is in
 *   the WAL (survives kill -9), with `CAMPAIGND_SQLITE_SYNC=full` it has been fsynced too; on
 *   PostgreSQL it is the server's commit.
 *
 * Why: one COMMIT (one WAL append, one fsync with FULL, one round trip and one advisory lock on
 * PostgreSQL) is shared by all the requests that were waiting, instead of paid by each. A batch
 * starts at the end of the turn in which its first request arrived (`setImmediate`), after the
 * turn's other readable sockets were handled; requests arriving while a batch runs form the
 * next one. A batch holds at most {@link MAX_BATCH} requests.
 *
 * Who uses it: every interface request that writes (src/domain: campaigns, campaign
 * pause/resume/archive, calling numbers, batches, call data add up to `GROUP_COMMIT_MAX_RECORDS`
 * records and call data delete, reservations, results write-back, blocklist add/delete and its
 * groups and types, special dates, retry policies, templates, file servers, business and external
 * results, number types; agents/report). Not group-committed, each in a transaction of its own:
 * call data adds of more records and campaign purges (archiveHistory 0), whose size would hold up
 * the small requests of their batch (call-data.ts, campaign-lifecycle.ts); file imports (the
 * import worker); the engine's transactions (claims, settling, row-lock transactions on
 * PostgreSQL); the CLI and migrations. Single statements committed by themselves: a file-import
 * registration, the clearing of a VDN's whole blocklist, the statistics rate gate. Outside HTTP
 * (CLI, tests) it works the same: the batch starts on the next `setImmediate`.
 *
 * The work given to {@link writeTransaction} must use the `Db` it is handed (a transaction), never
 * the store's own handle (on SQLite that would wait for the batch's connection forever), and must
 * not open a transaction itself.
 *
 * @example const id = await writeTransaction(ctx.db, async (trx) => { await insertReservation(trx, row); return row.id; })
 */
import { CompiledQuery } from 'kysely';
import type { Db } from './db.js';
import { acceptsScripts, deferNotices, deferredNotice, executeCompiled, runDirectlyIn } from './dialect.js';
import { deferredStatements } from './deferred-statements.js';

/** Requests per batch at most (bounds the time one COMMIT makes its requests wait). */
export const MAX_BATCH = 256;

interface Job {
  fn: (db: Db) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  options: WriteOptions | undefined;
}

/**
 * What a request tells its batch (PostgreSQL only; on SQLite nothing changes): both only save
 * round trips, the answers stay those of the requests run one after another.
 */
export interface WriteOptions {
  /**
   * Requests of one kind (e.g. `appoint/create`) whose writes no later request of the same kind
   * depends on: between consecutive requests of this kind a {@link deferBatchWrite} is held and
   * merged into one statement, written before any request of another kind and before COMMIT.
   */
  kind?: string;
  /** A value this request will look up, announced so that the batch reads all of them in one statement ({@link batchPrefetch}). */
  prefetch?: { key: string; value: unknown };
}

/** Writes held by {@link deferBatchWrite}: one kind of write, rows in request order. */
interface Held {
  key: string;
  write: (db: Db, rows: unknown[]) => Promise<void>;
  rows: unknown[];
  /** Per row: the index of its request in the batch. */
  owners: number[];
}

/** The batch a group-committed transaction is running (keyed by the transaction's handle). */
interface BatchState {
  jobs: Job[];
  /** Index of the request running now. */
  index: number;
  held: Held | undefined;
  /** SQLite with a {@link WriteWatch}: the running request's savepoint is taken at its first write. */
  watched: boolean;
  /** SQLite: the running request's {@link deferBatchWrite} rows (one key, in order), written when its work has returned. */
  tail: { key: string; write: (db: Db, rows: unknown[]) => Promise<void>; rows: unknown[] } | undefined;
}

const running = new WeakMap<Db, BatchState>();

const SAVEPOINT = 'savepoint gc_request';
const RELEASE = 'release savepoint gc_request';
const ROLLBACK_TO = 'rollback to savepoint gc_request';

/** The batcher's statements and scripts, compiled once each (a handful of distinct texts). */
const rawQueries = new Map<string, CompiledQuery>();
function raw(sqlText: string): CompiledQuery {
  let q = rawQueries.get(sqlText);
  if (q === undefined) {
    q = CompiledQuery.raw(sqlText);
    if (rawQueries.size < 64) rawQueries.set(sqlText, q);
  }
  return q;
}

/**
 * A script of this batcher's savepoint statements, `; `-separated: what a store that declared
 * {@link acceptSavepointScripts} must run as one query (statement by statement, in order).
 */
export const SAVEPOINT_SCRIPT = /^(?:savepoint|release savepoint|rollback to savepoint) gc_request(?:; (?:savepoint|release savepoint|rollback to savepoint) gc_request)*$/;

/** Adapters of stores that run {@link SAVEPOINT_SCRIPT}s in one call (a transaction shares its store's adapter). */
const savepointScripts = new WeakSet<object>();

/**
 * Declares that `db`'s store runs a {@link SAVEPOINT_SCRIPT} given as one query (connect.ts does so
 * for SQLite, whose driver otherwise prepares one statement at a time): the statements between
 * two requests of a batch (one's RELEASE, the next one's SAVEPOINT) then cost one query instead
 * of two (issue #12: Kysely's per-query cost is several times SQLite's for these statements).
 */
export function acceptSavepointScripts(db: Db): void {
  savepointScripts.add(db.getExecutor().adapter);
}

/**
 * What a store's connection tells the group committer about the statements that run on it
 * (connect.ts, SQLite: every statement is prepared through its statement cache, which looks at
 * better-sqlite3's `readonly` before the statement runs).
 */
export interface WriteWatch {
  /** Until {@link end}: `savepoint gc_request` runs just before the first statement that may write, or that opens a savepoint of the request's own. */
  savepointOnWrite(): void;
  /** Until {@link end}: one statement may write; a second one throws before it runs. */
  singleWrite(): void;
  /** Stops watching; answers how many statements that may write were about to run since. */
  end(): number;
  /** Whether the connection is in a transaction (SQLite rolls a whole transaction back on some errors). */
  inTransaction(): boolean;
}

/** Stores (by their adapter, which their transactions share) that report writes ({@link acceptWriteWatch}). */
const writeWatches = new WeakMap<object, WriteWatch>();

/**
 * Declares that `db`'s store reports the statements that may write ({@link WriteWatch}; connect.ts
 * does so for SQLite). Its batches then take a request's savepoint only when the request is about
 * to write (a savepoint taken just before a request's first write undoes exactly what one taken
 * at its start would), and a request's {@link deferBatchWrite} runs after its work returned, as
 * one statement without a savepoint when the request wrote nothing else: a failed statement
 * leaves nothing behind by itself. An appoint/create then costs no savepoint statement at all
 * (issue #12: SAVEPOINT and RELEASE around an insert cost ~1.5–2 µs of SQLite alone, measured;
 * bench/profile-create.ts went from a minimum of ~18–22 to ~16 µs of CPU per create).
 */
export function acceptWriteWatch(db: Db, watch: WriteWatch): void {
  writeWatches.set(db.getExecutor().adapter, watch);
}

/** The group committer of one store (one per `Kysely` instance, see {@link groupCommitOf}). */
export class GroupCommit {
  readonly #db: Db;
  #queue: Job[] = [];
  #scheduled = false;
  #running = false;
  /** Batches committed and requests in them (for tests and the bench). */
  readonly stats = { batches: 0, requests: 0, failedCommits: 0 };

  constructor(db: Db) {
    this.#db = db;
  }

  /** Requests waiting for the next batch (not yet begun). */
  get queued(): number {
    return this.#queue.length;
  }

  /** Runs `fn` in the next batch; resolves with its value once the batch has committed. */
  run<T>(fn: (db: Db) => Promise<T>, options?: WriteOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, options });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#running || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#runBatch();
    });
  }

  async #runBatch(): Promise<void> {
    if (this.#running || this.#queue.length === 0) return;
    this.#running = true;
    const batch = this.#queue.splice(0, MAX_BATCH);
    const outcomes: Outcome[] = [];
    try {
      await this.#db.transaction().execute(async (trx) => {
        // SQLite: the batch's compiled queries run straight on the connection it holds (dialect.ts).
        const direct = runDirectlyIn(trx);
        try {
          // The batch's `work` notices become one, for the earliest due instant, sent with the
          // last statements before COMMIT (dialect.ts notifyNodes).
          deferNotices(trx);
          // The statements between two requests go in one query on SQLite (when its store said so).
          // PostgreSQL: held back by the connection and sent with the next statement, or with the
          // COMMIT (deferred-statements.ts); a request that sends no statement costs none.
          const deferred = acceptsScripts(trx);
          const scripts = deferred || savepointScripts.has(trx.getExecutor().adapter);
          let pending: string[] = [];
          const flush = async (...statements: string[]) => {
            pending.push(...statements);
            if (deferred) await trx.executeQuery(deferredStatements(pending));
            else if (scripts) await executeCompiled(trx, raw(pending.join('; ')));
            else for (const s of pending) await executeCompiled(trx, raw(s));
            pending = [];
          };
          // SQLite: savepoints only for requests that write (acceptWriteWatch).
          const watch = deferred ? undefined : writeWatches.get(trx.getExecutor().adapter);
          const state: BatchState = { jobs: batch, index: 0, held: undefined, watched: watch !== undefined, tail: undefined };
          running.set(trx, state);
          // Writes held by deferBatchWrite: all rows in one statement; when it fails, row by row,
          // each in a savepoint of its own, and only the requests whose rows failed fail.
          const writeHeld = async () => {
            const held = state.held;
            if (held === undefined) return;
            state.held = undefined;
            await flush(SAVEPOINT);
            try {
              await held.write(trx, held.rows);
              pending.push(RELEASE);
              return;
            } catch {
              pending.push(ROLLBACK_TO, RELEASE);
            }
            for (const [i, row] of held.rows.entries()) {
              await flush(SAVEPOINT);
              try {
                await held.write(trx, [row]);
                pending.push(RELEASE);
              } catch (error) {
                pending.push(ROLLBACK_TO, RELEASE);
                forgetBatchReads(trx);
                outcomes[held.owners[i]!] = { ok: false, error };
              }
            }
          };
          for (const [index, job] of batch.entries()) {
            if (watch !== undefined) {
              state.index = index;
              if (pending.length > 0) await flush();
              outcomes.push(await runWatched(trx, job, watch, state, pending));
              continue;
            }
            if (state.held !== undefined && (job.options?.kind === undefined || job.options.kind !== batch[index - 1]?.options?.kind)) await writeHeld();
            state.index = index;
            await flush(SAVEPOINT);
            try {
              const value = await job.fn(trx);
              pending.push(RELEASE);
              outcomes.push({ ok: true, value });
            } catch (error) {
              // Only this request's writes are undone; a failure here fails the whole batch.
              pending.push(ROLLBACK_TO, RELEASE);
              if (state.held !== undefined) dropHeld(state.held, index);
              // A reading shared during this request may have seen its undone writes.
              forgetBatchReads(trx);
              outcomes.push({ ok: false, error });
            }
          }
          await writeHeld();
          const notice = deferredNotice(trx);
          if (notice !== undefined) pending.push(notice);
          if (pending.length > 0) await flush();
        } finally {
          running.delete(trx);
          direct();
        }
      });
      this.stats.batches++;
      this.stats.requests += batch.length;
      batch.forEach((job, i) => {
        const o = outcomes[i]!;
        if (o.ok) job.resolve(o.value);
        else job.reject(o.error);
      });
    } catch (commitError) {
      // BEGIN, a savepoint statement or the COMMIT failed: nothing of the batch is stored.
      this.stats.failedCommits++;
      batch.forEach((job, i) => {
        const o = outcomes[i];
        job.reject(o !== undefined && !o.ok ? o.error : commitError);
      });
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }
}

/**
 * Runs one request of a batch on a store with a {@link WriteWatch} (SQLite): its savepoint is
 * taken at its first write, if any; its held write ({@link deferBatchWrite}) runs after its work,
 * inside that savepoint, or alone as one statement when it wrote nothing else. Pushes onto
 * `pending` the statements that end its savepoint. Throws (failing the whole batch) when the
 * transaction is no longer open, or when a held write ran more than one writing statement
 * without a savepoint (what it wrote could not be undone alone).
 */
async function runWatched(trx: Db, job: Job, watch: WriteWatch, state: BatchState, pending: string[]): Promise<Outcome> {
  watch.savepointOnWrite();
  let outcome: Outcome;
  try {
    outcome = { ok: true, value: await job.fn(trx) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const savepoint = watch.end() > 0;
  const tail = state.tail;
  state.tail = undefined;
  if (tail !== undefined && outcome.ok) {
    if (!savepoint) watch.singleWrite();
    try {
      await tail.write(trx, tail.rows);
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (!savepoint && watch.end() > 1) throw outcome.ok ? new Error('group commit: a held write ran more than one statement') : outcome.error;
  }
  // SQLite ends the whole transaction on some errors (SQLITE_FULL, IOERR, NOMEM): nothing of the batch holds.
  if (!watch.inTransaction()) throw outcome.ok ? new Error('group commit: the transaction ended inside a request') : outcome.error;
  if (outcome.ok) {
    if (savepoint) pending.push(RELEASE);
  } else {
    if (savepoint) pending.push(ROLLBACK_TO, RELEASE);
    // A reading shared during this request may have seen its undone writes.
    forgetBatchReads(trx);
  }
  return outcome;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const committers = new WeakMap<Db, GroupCommit>();

/** The group committer of a store handle (created on first use). */
export function groupCommitOf(db: Db): GroupCommit {
  let gc = committers.get(db);
  if (gc === undefined) {
    gc = new GroupCommit(db);
    committers.set(db, gc);
  }
  return gc;
}

/**
 * Runs an interface request's writes (and the checks they depend on) atomically, group-committed
 * with the other requests of the same turn (see the file header). Inside a transaction already
 * (`db.isTransaction`), `fn` simply runs in it.
 */
export function writeTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>, options?: WriteOptions): Promise<T> {
  if (db.isTransaction) return fn(db);
  return groupCommitOf(db).run(fn, options);
}

/** Removes the held rows of request `index` (it failed: its writes are undone). */
function dropHeld(held: Held, index: number): void {
  for (let i = held.owners.length - 1; i >= 0; i--) {
    if (held.owners[i] === index) {
      held.owners.splice(i, 1);
      held.rows.splice(i, 1);
    }
  }
}

/**
 * Writes `row` with `write(db, rows)` (which must accept any number of rows and write them in
 * order, as ONE statement): at once, except inside a group-committed request that declared a
 * {@link WriteOptions.kind}. On PostgreSQL the row is then held and written with those of the
 * following requests of the same kind, in one statement, before any request of another kind
 * runs and before COMMIT (saving a round trip per request); should that statement fail, each
 * row is written alone and the requests whose row fails get that error, the others are
 * unaffected (a request's other writes are not undone then: a request that holds a write should
 * write nothing else). On SQLite ({@link acceptWriteWatch}) it is written once the request's
 * work has returned (with the request's other rows of that key, in order, in one statement),
 * inside the request's savepoint if it wrote anything else, else without one
 * (a statement that fails undoes itself; a `write` that runs two statements there fails the
 * whole batch). So nothing the request does after it, and nothing a request of its kind does,
 * may read what it writes. One key per kind: a write of another key while rows are held is
 * written at once, before them.
 *
 * @example await deferBatchWrite(trx, 'reservations', row, (db, rows) => insertReservationRows(db, rows))
 */
export async function deferBatchWrite<R>(db: Db, key: string, row: R, write: (db: Db, rows: R[]) => Promise<void>): Promise<void> {
  const state = running.get(db);
  if (state === undefined || state.jobs[state.index]?.options?.kind === undefined) return write(db, [row]);
  if (state.watched) {
    // SQLite: written when the request's work has returned (runWatched), the rows of one key
    // together and in order (as PostgreSQL writes them); a row of another key at once.
    if (state.tail !== undefined && state.tail.key !== key) return write(db, [row]);
    state.tail ??= { key, write: write as Held['write'], rows: [] };
    state.tail.rows.push(row);
    return;
  }
  if (!acceptsScripts(db)) return write(db, [row]);
  // Another kind of write is held (the request writes several): this one is written at once.
  if (state.held !== undefined && state.held.key !== key) return write(db, [row]);
  state.held ??= { key, write: write as Held['write'], rows: [], owners: [] };
  state.held.rows.push(row);
  state.held.owners.push(state.index);
}

/**
 * The values announced under `key` ({@link WriteOptions.prefetch}) by the request running now
 * and the batch's requests after it, on PostgreSQL in a group-committed batch; empty otherwise
 * (then the caller reads for its own value alone). A read for all of them, shared with
 * {@link readOncePerBatch}, answers each of those requests without a round trip of its own.
 *
 * @example const numbers = batchPrefetch(trx, `blocklist:${vdnId}`)
 */
export function batchPrefetch(db: Db, key: string): unknown[] {
  const state = running.get(db);
  if (state === undefined || !acceptsScripts(db)) return [];
  const out: unknown[] = [];
  for (let i = state.index; i < state.jobs.length; i++) {
    const p = state.jobs[i]!.options?.prefetch;
    if (p !== undefined && p.key === key) out.push(p.value);
  }
  return out;
}

const memos = new WeakMap<Db, Map<string, Promise<unknown>>>();

/**
 * Drops the readings {@link readOncePerBatch} shared in this transaction: called by every write
 * of the rows they read (the campaign writes of campaigns.repository.ts, the blocklist writes of
 * blocklist.repository.ts), since campaign
 * create/modify/pause/archive requests share batches with appoint/create; and after a request
 * of the batch failed (its writes were undone). No-op outside a transaction.
 */
export function forgetBatchReads(db: Db): void {
  memos.delete(db);
}

/**
 * A lookup made once per group-committed transaction and shared by its requests: for rows that
 * the requests of a batch rarely write (the campaign an appoint/create names); every write of
 * those rows must call {@link forgetBatchReads}, so a later request of the batch reads again. The batch's requests were
 * all waiting when it began, so answering all of them from one reading orders them at that
 * moment; on PostgreSQL it saves a round trip per request. Outside a transaction: `load()`.
 *
 * @example const c = await readOncePerBatch(trx, `campaign:${vdnId}:${id}`, () => findCampaignEnd(trx, vdnId, id))
 */
export function readOncePerBatch<T>(db: Db, key: string, load: () => Promise<T>): Promise<T> {
  if (!db.isTransaction) return load();
  let memo = memos.get(db);
  if (memo === undefined) {
    memo = new Map();
    memos.set(db, memo);
  }
  let p = memo.get(key) as Promise<T> | undefined;
  if (p === undefined) {
    p = load();
    memo.set(key, p);
    // A failed read is not remembered (the request that made it fails; the next one reads again).
    p.catch(() => memo.delete(key));
  }
  return p;
}
