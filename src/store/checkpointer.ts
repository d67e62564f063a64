/**
 * WAL checkpoints off the event loop (issue #12): a worker thread with its own better-sqlite3
 * connection to the store's file copies the WAL back into the database file, so no request and
 * no COMMIT of the main connection waits for a checkpoint's page copies and fsyncs (a checkpoint
 * run on the event loop took ~16 ms every second under load).
 *
 * - Every `intervalMs` the worker runs `wal_checkpoint(PASSIVE)`: it never waits for, nor blocks,
 *   the main connection's readers and writers (WAL lets a checkpoint from another connection run
 *   while the main one writes). While the main connection kept writing during a pass, the pass is
 *   repeated (a few times at most) so that the WAL ends fully copied back and the main
 *   connection's next write transaction starts it over from its beginning (SQLite's WAL reset).
 * - Bound: if the WAL still holds more than `limitPages` frames (PASSIVE kept missing the
 *   moment), one `wal_checkpoint(TRUNCATE)` is run; it waits (at most the worker's busy timeout)
 *   for the writer to finish and holds new writers back only for the copy of what PASSIVE left.
 * - Durability is unchanged: a COMMIT is durable (WAL) as before; the worker's connection uses the
 *   store's `synchronous` setting, so checkpoints fsync the WAL and the database file as before.
 * - {@link Checkpointer.close} stops the worker and closes its connection (awaited before the
 *   main connection closes, whose close runs SQLite's last checkpoint and removes the WAL).
 * - The main connection runs with `wal_autocheckpoint = 0` while the worker runs. Should the
 *   worker fail (it cannot open the file, it throws), `onFailure` is called once, and the store
 *   falls back to checkpoints on the main connection (connect.ts).
 *
 * @example const cp = await startCheckpointer({ file, synchronous: 'normal', intervalMs: 1000, limitPages: 16384 })
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** The SQLite file (in WAL mode). */
  file: string;
  /** The store's `synchronous` setting (checkpoints fsync with NORMAL and FULL alike). */
  synchronous: 'normal' | 'full';
  /** Pause between checkpoint passes, ms. */
  intervalMs: number;
  /** WAL frames (pages) above which a TRUNCATE checkpoint bounds the WAL. */
  limitPages: number;
  /** Called once if the worker fails after it started (the store then checkpoints itself). */
  onFailure?: (e: unknown) => void;
}

export interface CheckpointStats {
  /** PASSIVE passes run. */
  passive: number;
  /** TRUNCATE checkpoints run (the WAL grew past its limit). */
  truncate: number;
  /** Frames in the WAL after the latest pass (0 after a reset). */
  walFrames: number;
}

export interface Checkpointer {
  /** The latest statistics the worker reported. */
  readonly stats: CheckpointStats;
  /** Stops the worker (the pass in progress finishes) and closes its connection. */
  close(): Promise<void>;
}

/** The worker's code (CommonJS, evaluated): no file of its own to resolve under tsx or in dist/. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.busyMs);
db.pragma('synchronous = ' + workerData.synchronous);
const stats = { passive: 0, truncate: 0, walFrames: 0 };
let timer = null;
let stopped = false;
function pass() {
  timer = null;
  if (stopped) return;
  try {
    let r;
    for (let i = 0; i < 4; i++) {
      r = db.pragma('wal_checkpoint(PASSIVE)')[0];
      stats.passive++;
      if (r.log <= r.checkpointed) break;
    }
    if (r.log > workerData.limitPages) {
      r = db.pragma('wal_checkpoint(TRUNCATE)')[0];
      stats.truncate++;
    }
    stats.walFrames = Math.max(0, r.log);
    parentPort.postMessage({ stats });
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
    return;
  }
  timer = setTimeout(pass, workerData.intervalMs);
}
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopped = true;
  if (timer) clearTimeout(timer);
  db.close();
  parentPort.postMessage({ closed: true });
  parentPort.close();
});
parentPort.postMessage({ ready: true });
timer = setTimeout(pass, workerData.intervalMs);
`;

/**
 * Starts the checkpoint worker on `opts.file`; resolves once its connection is open (rejects
 * when it cannot open it).
 */
export function startCheckpointer(opts: CheckpointerOptions): Promise<Checkpointer> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver, file: opts.file, synchronous: opts.synchronous === 'full' ? 'FULL' : 'NORMAL', intervalMs: opts.intervalMs, limitPages: opts.limitPages, busyMs: 1000 },
  });
  const stats: CheckpointStats = { passive: 0, truncate: 0, walFrames: 0 };
  let closing: Promise<void> | undefined;
  let failed = false;
  return new Promise<Checkpointer>((resolve, reject) => {
    let started = false;
    const fail = (e: unknown) => {
      if (!started) return reject(e instanceof Error ? e : new Error(String(e)));
      if (failed || closing) return;
      failed = true;
      void worker.terminate();
      opts.onFailure?.(e);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closing) fail(new Error(`the checkpoint worker exited (${code})`));
    });
    worker.on('message', (m: { ready?: true; stats?: CheckpointStats; error?: string }) => {
      if (m.ready) {
        started = true;
        // Between passes the worker keeps no process alive (only while it starts and closes).
        worker.unref();
        resolve({
          stats,
          close() {
            closing ??= failed
              ? Promise.resolve()
              : new Promise<void>((done) => {
                  worker.ref();
                  worker.once('exit', () => done());
                  worker.postMessage('stop');
                });
            return closing;
          },
        });
      } else if (m.stats) Object.assign(stats, m.stats);
      else if (m.error !== undefined) fail(new Error(`checkpoint failed: ${m.error}`));
    });
  });
}
