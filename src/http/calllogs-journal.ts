/**
 * The interface invocation journal writer and the Fastify hooks that feed it.
 *
 * Every request to a `/rest/isales/...` route whose signature verified is journaled after its
 * answer was sent (onResponse), so journaling adds no database round trip to any request.
 * Unsigned requests and requests whose signature failed (401) are not journaled at all: an
 * anonymous client cannot grow the store (issue #9). A valid key refused on another VDN (403)
 * is journaled in the VDN it tried with only its path variables as `request`, never what the
 * refused caller sent (413 and 415 are never journaled: their body is not read, so their
 * signature cannot be verified). Unknown paths (404) have no route
 * and no VDN, and are not journaled. Each row is built on its own (a value that cannot be
 * serialised loses only its own entry) and a batch the database refuses is retried row by
 * row, so no entry can fail another.
 *
 * Trade-off: rows wait in memory and are written every ~100 ms or per 192 rows (`flushRows`),
 * and on close. A crash (kill -9) can therefore lose the last ~100 ms of journal entries. That
 * is acceptable for an audit trail of calls whose effects are already durable: the data the
 * interfaces acknowledge (campaigns, call data, results …) is committed by the handler before
 * its answer is sent and never passes through this buffer — only the journal does. A write per
 * request instead would add a synchronous SQLite commit to every request's event-loop turn.
 * Measured on the 2-core dev VM (20 000 appoint/create-sized entries): ~13 µs per entry to build
 * its JSON and insert it in batches of 200 (~10 µs with parameters off), against ~57 µs per
 * entry with one INSERT each; a signed, persisted appoint/create costs ~500 µs, so the journal
 * adds a few percent of CPU and no latency.
 * When the database is unavailable, failed batches are logged and dropped, and at most
 * `maxBufferedRows` entries are held, so the journal can never take the server down with it.
 *
 * A flush writes at most `flushChunkRows` (64) entries per event-loop turn and yields
 * (setImmediate) between chunks: building and inserting 200 rows at once held the loop for
 * ~2.6 ms, a visible share of the p99 at 2,000 req/s (issue #12); a chunk holds it ~0.5 ms. Order, one flush at a time,
 * the row-by-row retry of a refused chunk and the drain on close are unchanged.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Insertable } from 'kysely';
import type { Logger } from 'pino';
import type { CallLogConfig } from '../config/calllogs.js';
import { recordedRequest } from '../domain/calllogs.js';
import { newLongId } from '../domain/ids.js';
import type { Clock } from '../engine/clock.js';
import { insertCallLogs } from '../store/calllogs.repository.js';
import type { Db } from '../store/db.js';
import type { CallLogTable } from '../store/schema/journal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Engine-clock time the request arrived (journal `operTime`); set only in journaled scopes. */
    journalAt?: number;
  }
}

/** One journal entry as captured on the request path; the JSON is built later, at flush. */
interface PendingEntry {
  vdnId: number | null;
  accessKey: string | null;
  operTime: number;
  method: string;
  url: string;
  httpStatus: number;
  durationMs: number;
  resultCode: string | null;
  resultDesc: string | null;
  params: unknown;
  query: unknown;
  rawBody: Buffer | undefined;
  /** The body's text when the body parser found it recordable as received (server.ts, `req.bodyText`). */
  bodyText?: string;
  authenticated: boolean;
}

/** Refused requests: only their path variables are journaled. */
const REFUSED = new Set([401, 403, 413, 415]);
const MAX_URL = 1024;
const MAX_DESC = 2000;

/** Buffers journal entries and writes them in batches (see the file header for the trade-off). */
export class CallLogJournal {
  readonly #db: Db;
  readonly #cfg: CallLogConfig;
  readonly #log: Logger | undefined;
  #buf: PendingEntry[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  #dropped = 0;

  constructor(db: Db, cfg: CallLogConfig, log?: Logger) {
    this.#db = db;
    this.#cfg = cfg;
    this.#log = log;
  }

  /** Entries dropped because the buffer was full (database down or too slow). */
  get dropped(): number {
    return this.#dropped;
  }

  push(e: PendingEntry): void {
    if (this.#buf.length >= this.#cfg.maxBufferedRows) {
      this.#dropped++;
      return;
    }
    this.#buf.push(e);
    if (this.#buf.length >= this.#cfg.flushRows) this.#kick();
    else if (this.#timer === null && this.#flushing === null) this.#arm();
  }

  /**
   * Writes everything buffered, including what is pushed while it runs; resolves when the
   * buffer is empty and no write is under way (one flush runs at a time). Used on close.
   */
  async flush(): Promise<void> {
    this.#disarm();
    while (this.#flushing !== null || this.#buf.length > 0) await (this.#flushing ?? this.#start());
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#kick();
    }, this.#cfg.flushIntervalMs);
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  /** Starts a flush of what is buffered now, unless one is under way. */
  #kick(): void {
    this.#disarm();
    if (this.#flushing === null && this.#buf.length > 0) void this.#start();
  }

  #start(): Promise<void> {
    const run = this.#drain().finally(() => {
      this.#flushing = null;
      // Entries pushed while the last chunks were being written wait for the next turn.
      if (this.#buf.length > 0 && this.#timer === null) {
        if (this.#buf.length >= this.#cfg.flushRows) this.#kick();
        else this.#arm();
      }
    });
    this.#flushing = run;
    return run;
  }

  /**
   * Writes the entries buffered when it starts, oldest first, `flushChunkRows` per event-loop
   * turn: one chunk's JSON is built and inserted, then the loop is given back (setImmediate)
   * before the next chunk.
   */
  async #drain(): Promise<void> {
    let left = this.#buf.length;
    while (left > 0) {
      const batch = this.#buf.splice(0, Math.min(left, this.#cfg.flushChunkRows));
      left -= batch.length;
      const rows: Insertable<CallLogTable>[] = [];
      for (const e of batch) {
        try {
          rows.push(this.#toRow(e));
        } catch (err) {
          this.#log?.warn({ err, url: e.url }, 'interface journal: entry not serialisable, dropped');
        }
      }
      try {
        await insertCallLogs(this.#db, rows);
      } catch (err) {
        // One row the database refuses must not take the others with it.
        let lost = 0;
        for (const row of rows) {
          try {
            await insertCallLogs(this.#db, [row]);
          } catch {
            lost++;
          }
        }
        if (lost > 0) this.#log?.warn({ err, rows: lost }, 'interface journal: entries not written');
      }
      if (left > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  #toRow(e: PendingEntry): Insertable<CallLogTable> {
    // The common case keeps the body text as received and leaves the vendor's `request` text
    // to the calllogs query (domain/calllogs.ts `recordedRequest`, `composeRequest`).
    const recorded = this.#cfg.recordParams ? recordedRequest(e) : null;
    return {
      id: newLongId(e.operTime),
      vdn_id: e.vdnId,
      access_key: e.accessKey,
      oper_time: e.operTime,
      method: e.method,
      url: e.url,
      request: recorded === null ? null : recorded.request,
      request_params: recorded === null ? null : recorded.requestParams,
      result_code: e.resultCode,
      result_desc: e.resultDesc,
      http_status: e.httpStatus,
      duration_ms: e.durationMs,
    };
  }
}

const CODE_RE = /"resultCode":"([^"\\]{0,16})"/;
const DESC_RE = /"resultDesc":"((?:[^"\\]|\\.){0,4000})"/;

/** resultDesc as found in the serialized text: unescaped only when it holds an escape. */
function descOf(rawDesc: string | undefined): string | null {
  if (rawDesc === undefined) return null;
  let desc = rawDesc;
  if (rawDesc.includes('\\')) {
    try {
      desc = JSON.parse(`"${rawDesc}"`) as string;
    } catch {
      desc = rawDesc;
    }
  }
  return desc.length > MAX_DESC ? desc.slice(0, MAX_DESC) : desc;
}

function vdnOf(params: unknown): number | null {
  const raw = (params as Record<string, unknown> | undefined)?.vdnId;
  const s = typeof raw === 'number' ? String(raw) : raw;
  return typeof s === 'string' && /^\d{1,4}$/.test(s) ? Number(s) : null;
}

/** The journal of a route scope and what the server's hooks call (see {@link installCallLogJournal}). */
export interface JournalHooks {
  readonly journal: CallLogJournal;
  /** onRequest of the journaled scope: notes the arrival time (engine clock). */
  arrived(req: FastifyRequest): void;
  /**
   * onResponse (of the root: one hook for metrics and journal): journals the request when it
   * arrived in the journaled scope and its signature verified. `payload` is the serialized
   * answer seen by onSend, `elapsedMs` the latency.
   */
  answered(req: FastifyRequest, status: number, payload: string | undefined, elapsedMs: number): void;
}

/**
 * Creates the journal of a route scope (the `/rest/isales` plugin) and flushes it when the
 * server closes. The server calls `arrived` from the scope's onRequest hook and `answered`
 * from its onResponse hook (one hook per phase, issue #12).
 */
export function installCallLogJournal(scope: FastifyInstance, deps: { db: Db; clock: Clock; logger?: Logger }, cfg: CallLogConfig): JournalHooks {
  const journal = new CallLogJournal(deps.db, cfg, deps.logger);
  const clock = deps.clock;
  scope.addHook('onClose', async () => {
    await journal.flush();
  });
  return {
    journal,
    arrived(req) {
      req.journalAt = clock.now();
    },
    answered(req, status, payload, elapsedMs) {
      // Only requests of the scope whose signature verified: unsigned ones add nothing to the store.
      if (req.journalAt === undefined || req.accessKey === undefined) return;
      const rawUrl = req.raw.url ?? req.url;
      const q = rawUrl.indexOf('?');
      const url = q < 0 ? rawUrl : rawUrl.slice(0, q);
      let code: string | null = null;
      let desc: string | null = null;
      if (payload !== undefined) {
        const head = payload.length > 8192 ? payload.slice(0, 8192) : payload;
        code = CODE_RE.exec(head)?.[1] ?? null;
        desc = descOf(DESC_RE.exec(head)?.[1]);
      }
      journal.push({
        vdnId: vdnOf(req.params),
        accessKey: req.accessKey,
        operTime: req.journalAt,
        method: req.method,
        url: url.length > MAX_URL ? url.slice(0, MAX_URL) : url,
        httpStatus: status,
        durationMs: Math.max(0, Math.round(elapsedMs)),
        resultCode: code,
        resultDesc: desc,
        params: req.params,
        query: req.query,
        rawBody: req.rawBody,
        bodyText: req.bodyText,
        authenticated: !REFUSED.has(status),
      });
    },
  };
}
