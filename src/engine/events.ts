/**
 * Typed engine events. Tests wait for them instead of sleeping; metrics and logs listen to the
 * same stream. A listener that throws cannot break the engine (`safeEmit`).
 */
import { EventEmitter } from 'node:events';

export interface EngineEventMap {
  /** A call was handed to the dialer. */
  'attempt:dispatched': { callId: string; campaignId: number; dataId?: number; reservationId?: string; calledNo: string; callerNo: string };
  /** An attempt's outcome was recorded. */
  'attempt:settled': { callId: string; campaignId: number; dataId?: number; reservationId?: string; failCode: string };
  /** A record was skipped by a gate until a later time. */
  'record:skipped': { campaignId: number; dataId?: number; reservationId?: string; gate: string; until: number | null };
  /** A manual reservation reached its appointTime: the agent's software should act. */
  'reservation:due': { reservationId: string; vdnId: number; campaignId: number; calledNo: string; userAccount: string | null; workNo: string | null; appointTime: number };
  /** A reservation passed its grace period without being carried out. */
  'reservation:timeout': { reservationId: string; campaignId: number };
  /** Abandoned work was returned (lease expired). */
  'lease:reaped': { kind: 'reservation' | 'call-data'; id: string; settledAs: string | null };
  /** A result callback was delivered, or gave up. */
  'callback:delivered': { id: number; url: string; attempts: number };
  'callback:failed': { id: number; url: string; attempts: number; error: string };
  /** One pass over due work finished. */
  /** An answered call of a skill-queue campaign found no agent within the grace time: the dialer plays the recorded message and releases it. */
  'call:abandoned': { callId: string; campaignId: number; dataId?: number; reservationId?: string; calledNo: string; handoff: 'recorded-message' };
  'tick:done': { now: number; dispatched: number };
}

export class EngineEvents {
  readonly #emitter = new EventEmitter();
  #onListenerError: (e: unknown) => void;

  constructor(onListenerError: (e: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
    this.#emitter.setMaxListeners(100);
  }

  on<K extends keyof EngineEventMap>(event: K, fn: (payload: EngineEventMap[K]) => void): () => void {
    this.#emitter.on(event, fn);
    return () => this.#emitter.off(event, fn);
  }

  /** Resolves with the first event that satisfies `pred`. */
  waitFor<K extends keyof EngineEventMap>(event: K, pred: (p: EngineEventMap[K]) => boolean = () => true, timeoutMs = 10_000): Promise<EngineEventMap[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out waiting for ${event}`));
      }, timeoutMs);
      const off = this.on(event, (p) => {
        if (!pred(p)) return;
        clearTimeout(timer);
        off();
        resolve(p);
      });
    });
  }

  /** Emits without letting a throwing listener reach the engine. */
  emit<K extends keyof EngineEventMap>(event: K, payload: EngineEventMap[K]): void {
    for (const fn of this.#emitter.listeners(event)) {
      try {
        (fn as (p: EngineEventMap[K]) => void)(payload);
      } catch (e) {
        this.#onListenerError(e);
      }
    }
  }
}
