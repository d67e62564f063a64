/**
 * Configuration of the interface invocation journal (calllogs). Kept apart from config.ts so the
 * journal owns its switches; read once when the HTTP server is built.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `CAMPAIGND_CALLLOG_PARAMS` | `on` | `off` stops recording request parameters in the journal (`request` is then null); the rest of each entry is still kept |
 */
import { envOneOf, type Env } from './config-env.js';

export interface CallLogConfig {
  /** Record each request's parameters (secrets redacted). */
  recordParams: boolean;
  /** Flush the buffered journal rows at least this often (ms). */
  flushIntervalMs: number;
  /** …or as soon as this many rows are buffered (one INSERT per batch). */
  flushRows: number;
  /** Rows kept in memory while the database is unreachable; beyond this, entries are dropped. */
  maxBufferedRows: number;
}


/**
 * @example const cfg = loadCallLogConfig({ CAMPAIGND_CALLLOG_PARAMS: 'off' }) // cfg.recordParams === false
 */
export function loadCallLogConfig(env: Env = process.env): CallLogConfig {
  const params = envOneOf(env, 'CAMPAIGND_CALLLOG_PARAMS', ['on', 'off'] as const, 'on');
  return { recordParams: params === 'on', flushIntervalMs: 100, flushRows: 200, maxBufferedRows: 20_000 };
}
