/**
 * WAL checkpoints off the event loop (issue #12): a worker thread with its own better-sqlite3
 * connection to the store's file copies the WAL back into the database file, so no request and
 * no COMMIT of the main connection waits for a checkpoint's page copies and fsyncs (a checkpoint
 * run on the event loop took ~16 ms every second under load).
 *
 * - Every `intervalMs` the worker runs `wal_checkpoint(PASSIVE)`: it never waits for, nor blocks,
 *   the main connection's readers and writers (WAL lets a checkpoint from another connection run
 *   while the main one writes).
 * - The WAL starts over from its beginning (SQLite's WAL reset, at the next write transaction)
 *   only once every frame in it was copied back. Under steady writes a pass never gets there: the
 *   main connection appends frames while the pass copies and fsyncs. So when the pass ended
 *   behind, the worker asks the main thread for a moment without statements (a
 *   {@link ConnectionGate} given as `gate`): the main thread grants it as soon as its connection
 *   is idle (at once, or when the transaction in progress ends), holds back the next statements
 *   (asynchronously: the event loop keeps parsing and validating requests), and the worker copies
 *   what the pass missed — the frames of the last few ms, plus its two fsyncs — and hands the
 *   connection back. The WAL then restarts and stays bounded: its pages stay in the page cache
 *   and the file stops growing. Measured on this project's 2-core machine at 2,000
 *   appoint/create per second: a gate holds the connection ~5-10 ms (fsync ~3 ms each; 10-20 ms
 *   on a busy machine); without it the WAL grew ~13 MB/s until the TRUNCATE bound below held
 *   every writer for ~30 ms. The worker asks only once the WAL holds `restartPages` frames: a
 *   gate every pass (every second) delayed ~1 % of the requests at that rate by the length of a
 *   gate, which alone put p99 latency above 5 ms; one every few seconds delays a few in a
 *   thousand.
 *   The gate is held at most {@link GATE_MAX_MS}; past that the main thread goes on (the pass
 *   then simply ends behind, and the next one tries again). A gate not granted within
 *   `intervalMs` (a long transaction holds the connection) does not stop the passes nor the
 *   bound below: they go on, without a second request, and the grant still gets its pass.
 * - Bound: if the WAL still holds more than `limitPages` frames (no gate, or a reader in another
 *   process kept the pass behind), one `wal_checkpoint(TRUNCATE)` is run; it waits (at most the
 *   worker's busy timeout) for the writer to finish and holds new writers back for the copy of
 *   what was left.
 * - Durability is unchanged: a COMMIT is durable (WAL) as before; the worker's connection uses the
 *   store's `synchronous` setting, so checkpoints fsync the WAL and the database file as before.
 * - {@link Checkpointer.close} stops the worker and closes its connection (awaited before the
 *   main connection closes, whose close runs SQLite's last checkpoint and removes the WAL).
 * - The main connection runs with `wal_autocheckpoint = 0` while the worker runs. Should the
 *   worker fail (it cannot open the file, it throws), `onFailure` is called once, and the store
 *   falls back to checkpoints on the main connection (connect.ts).
 *
 * @example const cp = await startCheckpointer({ file, synchronous: 'normal', intervalMs: 1000, limitPages: 16384, gate })
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
  /**
   * WAL frames (pages) from which the worker asks for the gate to restart the WAL (default 1:
   * whenever a pass ended behind). Each gate holds the main connection back for a few ms, so a
   * store under steady writes uses a larger figure and restarts its WAL every few seconds
   * instead of every pass.
   */
  restartPages?: number;
  /** Called once if the worker fails after it started (the store then checkpoints itself). */
  onFailure?: (e: unknown) => void;
  /** The main connection's gate (see the file header); without it the WAL restarts only when a pass happens to catch up. */
  gate?: ConnectionGate;
}

/** How long the main thread holds its connection back for one catch-up pass at most, ms. */
export const GATE_MAX_MS = 100;

/**
 * A moment without statements on a connection, asked for by the checkpoint worker and granted
 * by the connection's driver (connect.ts): the driver calls {@link enter} once it acquired the
 * connection (awaiting the promise it may return) and {@link leave} when it releases it.
 */
export class ConnectionGate {
  #busy = false;
  #wanted: Array<(open: () => void) => void> = [];
  #held: Promise<void> | undefined;
  /** Gates granted, and the longest one, ms (for tests and the bench). */
  readonly stats = { granted: 0, maxMs: 0, totalMs: 0 };

  /** The driver acquired the connection: a promise while the gate is held (await it, then call again), else undefined. */
  enter(): Promise<void> | undefined {
    if (this.#held !== undefined) return this.#held;
    this.#busy = true;
    return undefined;
  }

  /** The driver released the connection: a waiting request for the gate is granted now. */
  leave(): void {
    this.#busy = false;
    this.#grant();
  }

  /** Resolves, once the connection is idle, with the function that opens it again (idempotent). */
  hold(): Promise<() => void> {
    return new Promise((resolve) => {
      this.#wanted.push(resolve);
      if (!this.#busy) this.#grant();
    });
  }

  #grant(): void {
    if (this.#held !== undefined) return;
    const granted = this.#wanted.shift();
    if (granted === undefined) return;
    let open!: () => void;
    this.#held = new Promise<void>((r) => (open = r));
    const since = performance.now();
    let done = false;
    granted(() => {
      if (done) return;
      done = true;
      const ms = performance.now() - since;
      this.stats.granted++;
      this.stats.totalMs += ms;
      this.stats.maxMs = Math.max(this.stats.maxMs, ms);
      this.#held = undefined;
      open();
      if (!this.#busy) this.#grant();
    });
  }
}

export interface CheckpointStats {
  /** PASSIVE passes run. */
  passive: number;
  /** TRUNCATE checkpoints run (the WAL grew past its limit). */
  truncate: number;
  /** Frames in the WAL after the latest pass (0 after a reset). */
  walFrames: number;
  /** Catch-up passes run while the main connection was held back (its gate). */
  gated: number;
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
const stats = { passive: 0, truncate: 0, walFrames: 0, gated: 0 };
let timer = null;
let stopped = false;
let lastLog = -1;
let awaiting = null;
let requested = false;
function pass() {
  timer = null;
  if (stopped) return;
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    stats.passive++;
    // The pass copied up to the WAL's end as it was when it began (r.log), and the main
    // connection may have appended since. Unless nothing was written since the previous pass,
    // catch up behind the gate: then the WAL restarts at the next write.
    const changed = r.log !== lastLog;
    lastLog = r.log;
    // One request at a time: while one waits for its grant, the passes go on without another.
    if (workerData.gate && r.log > 0 && r.log >= workerData.restartPages && changed && !requested) {
      requested = true;
      parentPort.postMessage({ stats });
      parentPort.postMessage({ gate: true });
      // Not granted within an interval (a long transaction holds the connection): go on with
      // the passes and the bound; the grant, when it comes, still gets its catch-up pass.
      awaiting = { r, timer: setTimeout(giveUp, workerData.intervalMs) };
      return;
    }
    finish(r);
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
}
function finish(r) {
  // The WAL has not restarted for limitPages frames (no gate, or it timed out): bound it.
  if (r.log > workerData.limitPages) {
    r = db.pragma('wal_checkpoint(TRUNCATE)')[0];
    stats.truncate++;
  }
  stats.walFrames = Math.max(0, r.log);
  parentPort.postMessage({ stats });
  timer = setTimeout(pass, workerData.intervalMs);
}
function giveUp() {
  const a = awaiting;
  awaiting = null;
  if (a === null || stopped) return;
  try {
    finish(a.r);
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
}
function caughtUp() {
  requested = false;
  if (stopped) return parentPort.postMessage({ released: true });
  const a = awaiting;
  awaiting = null;
  if (a !== null) clearTimeout(a.timer);
  try {
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    stats.passive++;
    stats.gated++;
    lastLog = r.log;
    parentPort.postMessage({ released: true });
    // A late grant (the worker gave up waiting): the next pass is already planned.
    if (a !== null) finish(r);
    else parentPort.postMessage({ stats });
  } catch (e) {
    parentPort.postMessage({ released: true });
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
}
parentPort.on('message', (m) => {
  if (m === 'granted') return caughtUp();
  if (m !== 'stop') return;
  stopped = true;
  if (timer) clearTimeout(timer);
  if (awaiting) clearTimeout(awaiting.timer);
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
    workerData: {
      driver,
      file: opts.file,
      synchronous: opts.synchronous === 'full' ? 'FULL' : 'NORMAL',
      intervalMs: opts.intervalMs,
      limitPages: opts.limitPages,
      restartPages: opts.restartPages ?? 1,
      busyMs: 1000,
      gate: opts.gate !== undefined,
    },
  });
  const stats: CheckpointStats = { passive: 0, truncate: 0, walFrames: 0, gated: 0 };
  // The open function of the gate the worker holds, if any (released on its answer, its time limit, a failure or close).
  let opening: (() => void) | undefined;
  const reopen = () => {
    const o = opening;
    opening = undefined;
    o?.();
  };
  let closing: Promise<void> | undefined;
  let failed = false;
  return new Promise<Checkpointer>((resolve, reject) => {
    let started = false;
    const fail = (e: unknown) => {
      if (!started) return reject(e instanceof Error ? e : new Error(String(e)));
      if (failed || closing) return;
      failed = true;
      reopen();
      void worker.terminate();
      opts.onFailure?.(e);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closing) fail(new Error(`the checkpoint worker exited (${code})`));
    });
    worker.on('message', (m: { ready?: true; stats?: CheckpointStats; error?: string; gate?: true; released?: true }) => {
      if (m.gate && opts.gate) {
        void opts.gate.hold().then((open) => {
          if (failed || closing) return open();
          opening = open;
          const limit = setTimeout(reopen, GATE_MAX_MS);
          opening = () => {
            clearTimeout(limit);
            open();
          };
          worker.postMessage('granted');
        });
        return;
      }
      if (m.released) return reopen();
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
                  reopen();
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
