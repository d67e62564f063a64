/**
 * Result callbacks to a campaign's `callBackUrl` (reference §6.12): a JSON array of results,
 * answered by HTTP 200 with `{"retCode": "0"}`. Results are put in an outbox in the same
 * transaction that records them, and delivered by this sender, so a callback can neither be
 * lost by a crash nor hold up dialling. A failed delivery is retried once at once (as CC-iSales
 * does) and then with doubling back-off, up to `callbackAttempts` in all.
 *
 * Deliveries go through `OutboundHttp` (engine/outbound-http.ts): the destination policy, a
 * reply size cap and timeouts apply, and one destination gets a few deliveries at a time.
 */
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { EngineConfig } from '../config/engine.js';
import type { EngineEvents } from './events.js';
import { claimCallbacks, settleCallback } from '../store/engine.repository.js';
import type { Db } from '../store/db.js';
import { betweenStatements } from '../store/dialect.js';
import { queryTemplate } from '../store/query-template.js';
import { formatDateTime } from '../domain/time.js';
import type { OutboundHttp } from './outbound-http.js';

/** One element of the callback array, as the vendor's callback page lists it. */
export interface CallbackItem {
  campaignId: number;
  sessionId: string | null;
  called: string;
  callTimeStr: string;
  callStatus: number;
  failCode: string;
  vdnId: number;
  callId: string;
  customField: string | null;
  recordPath: string | null;
}

/** A callback element from an attempt's data; `callTime` (epoch ms) becomes `callTimeStr`. */
export function callbackItem(r: Omit<CallbackItem, 'callTimeStr'> & { callTime: number }): CallbackItem {
  return {
    campaignId: r.campaignId,
    sessionId: r.sessionId,
    called: r.called,
    callTimeStr: formatDateTime(r.callTime),
    callStatus: r.callStatus,
    failCode: r.failCode,
    vdnId: r.vdnId,
    callId: r.callId,
    customField: r.customField,
    recordPath: r.recordPath,
  };
}

const nextDueQuery = queryTemplate((db, now: number) =>
  db
    .selectFrom('callback_outbox')
    .select((eb) => eb.fn.min('next_at').as('t'))
    .where('state', '=', 'pending')
    .where('next_at', '>', now),
);

export class CallbackSender {
  #running: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly config: EngineConfig,
    private readonly events: EngineEvents,
    private readonly log: Logger | undefined,
    private readonly http: OutboundHttp,
  ) {}

  /**
   * The earliest engine time (epoch ms) after `now` at which a pending callback is due for
   * another delivery (a back-off retry), or null; lets the manual clock stop there. Compiled
   * once (query-template.ts): the engine asks after every pass (issue #12).
   */
  async nextDue(now: number): Promise<number | null> {
    const r = (await this.db.executeQuery(nextDueQuery(this.db, now))).rows[0];
    return r?.t === null || r?.t === undefined ? null : Number(r.t);
  }

  /** Delivers every callback due now; concurrent calls share one pass. */
  deliverDue(): Promise<void> {
    if (!this.#running) {
      this.#running = this.#pass().finally(() => {
        this.#running = null;
      });
    }
    return this.#running;
  }

  async #pass(): Promise<void> {
    for (;;) {
      // On SQLite a turn of the event loop before each claim (store/dialect.ts
      // `betweenStatements`, issue #12): it follows an engine pass's last statement.
      await betweenStatements(this.db);
      const now = this.clock.now();
      const batch = await claimCallbacks(this.db, now, this.config.callbackTimeoutMs * 2, 20);
      if (batch.length === 0) return;
      await Promise.all(batch.map((row) => this.#deliver(row.id, row.url, row.payload, row.attempts)));
    }
  }

  async #deliver(id: number, url: string, payload: string, previousAttempts: number): Promise<void> {
    const attempts = previousAttempts + 1;
    let error: string | null = null;
    try {
      const res = await this.http.postJson(url, payload, { timeoutMs: this.config.callbackTimeoutMs });
      const text = res.text;
      if (res.status !== 200) error = `HTTP ${res.status}`;
      else {
        let retCode: unknown;
        try {
          retCode = (JSON.parse(text) as { retCode?: unknown }).retCode;
        } catch {
          retCode = undefined;
        }
        if (String(retCode) !== '0') error = `retCode ${JSON.stringify(retCode)?.slice(0, 200)} instead of "0"`;
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const now = this.clock.now();
    if (error === null) {
      await settleCallback(this.db, id, { state: 'delivered', attempts, next_at: now, last_error: null, now });
      this.events.emit('callback:delivered', { id, url, attempts });
      return;
    }
    if (attempts >= this.config.callbackAttempts) {
      await settleCallback(this.db, id, { state: 'failed', attempts, next_at: now, last_error: error, now });
      this.log?.warn({ url, attempts, error }, 'result callback failed for good');
      this.events.emit('callback:failed', { id, url, attempts, error });
      return;
    }
    // First retry at once, then back off: backoff, 2×backoff, 4×backoff …
    const delay = attempts === 1 ? 0 : this.config.callbackBackoffMs * 2 ** (attempts - 2);
    await settleCallback(this.db, id, { state: 'pending', attempts, next_at: now + delay, last_error: error, now });
  }
}
