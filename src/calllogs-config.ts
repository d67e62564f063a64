/**
 * Configuration of the interface invocation journal (calllogs). Kept apart from config.ts so the
 * journal owns its switches; read once when the HTTP server is built.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `CAMPAIGND_CALLLOG_PARAMS` | `on` | `off` stops recording request parameters in the journal (`request` is then null); the rest of each entry is still kept |
 */
import { ConfigError } from './config-error.js';

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

type Env = Record<string, string | undefined>;

/**
 * @example const cfg = loadCallLogConfig({ CAMPAIGND_CALLLOG_PARAMS: 'off' }) // cfg.recordParams === false
 */
export function loadCallLogConfig(env: Env = process.env): CallLogConfig {
  const raw = (env.CAMPAIGND_CALLLOG_PARAMS ?? '').trim().toLowerCase();
  if (raw !== '' && raw !== 'on' && raw !== 'off') {
    throw new ConfigError(`CAMPAIGND_CALLLOG_PARAMS must be "on" or "off", got "${env.CAMPAIGND_CALLLOG_PARAMS}"`);
  }
  return { recordParams: raw !== 'off', flushIntervalMs: 100, flushRows: 200, maxBufferedRows: 20_000 };
}
