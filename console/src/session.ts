/** The signed-in key's view (`GET /campaignd/v1/session`) and the live event bus of the tab. */
import type { StreamEvent } from './api.js';

export interface Session {
  accessKey: string;
  vdnIds: '*' | number[];
  clock: { now: number; time: string; iso: string; kind: 'system' | 'manual' };
  limits: { callDataMax: number; callDataAddIntervalMs: number };
}

type Listener = (e: StreamEvent) => void;
const listeners = new Set<Listener>();

/** Subscribes to the event stream; returns the unsubscribe function. */
export function onStream(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function publish(e: StreamEvent): void {
  for (const fn of listeners) fn(e);
}
