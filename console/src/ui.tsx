/** Small shared pieces: progress bar, messages, async data hook, field with server message. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export function ProgressBar(props: { done: number; total: number; label: string; testId?: string }) {
  const pct = props.total > 0 ? Math.round((props.done / props.total) * 100) : 0;
  return (
    <div class="progress" role="progressbar" aria-label={props.label} aria-valuemin={0} aria-valuemax={props.total} aria-valuenow={props.done} data-testid={props.testId}>
      <div class="progress-fill" style={{ width: `${pct}%` }} />
      <span class="progress-text">
        {props.done} / {props.total} ({pct}%)
      </span>
    </div>
  );
}

export function ErrorText(props: { error: unknown }) {
  if (!props.error) return null;
  const e = props.error;
  const text = e instanceof ApiError ? `${e.code}: ${e.desc}` : e instanceof Error ? e.message : String(e);
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

/** Loads data, re-loads on `reload()` and whenever `deps` change. */
export function useData<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: unknown; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  const current = useRef(0);
  useEffect(() => {
    const n = ++current.current;
    load().then(
      (d) => {
        if (n === current.current) {
          setData(d);
          setError(undefined);
        }
      },
      (e: unknown) => n === current.current && setError(e),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload };
}

/** Runs `fn` at most once per `ms` while called repeatedly (trailing call kept). */
export function useThrottled(fn: () => void, ms: number): () => void {
  const last = useRef(0);
  const timer = useRef<number | undefined>(undefined);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current !== undefined) return;
    const wait = Math.max(0, last.current + ms - Date.now());
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      last.current = Date.now();
      fnRef.current();
    }, wait);
  }, [ms]);
}

export function Section(props: { title: string; children: ComponentChildren; actions?: ComponentChildren; id?: string }) {
  return (
    <section class="card" aria-labelledby={props.id ? `${props.id}-h` : undefined}>
      <header class="card-head">
        <h2 id={props.id ? `${props.id}-h` : undefined}>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

export function fmtTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
