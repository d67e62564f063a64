/**
 * Configuration of the interface invocation journal (calllogs). Kept apart from config.ts so the
 * journal owns its switches; read once when the HTTP server is built.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `CAMPAIGND_CALLLOG_PARAMS` | `on` | `off` stops recording request parameters in the journal (`request` is then null); the rest of each entry is still kept |
 * | `CAMPAIGND_CALLLOG_RETENTION_DAYS` | `30` | journal entries, decision-trail entries and finished callbacks older than this are deleted in the background (hourly); `0` keeps them for ever |
 */
import { envInt, envOneOf, type Env } from './env.js';

export interface CallLogConfig {
  /** Record each request's parameters (secrets redacted). */
  recordParams: boolean;
  /** Flush the buffered journal rows at least this often (ms). */
  flushIntervalMs: number;
  /**
   * …or as soon as this many rows are buffered. 192, three whole chunks of `flushChunkRows`
   * (issue #12): at 2,000 req/s the size trigger comes first (~96 ms) and each flush is three
   * 64-row INSERTs; with 200 it was 64+64+64+8, a fourth statement and COMMIT for 8 rows
   * (~70 µs of fixed cost, ~0.35 µs per row; bench/profile-journal-rate.ts counts 15.6 instead
   * of 20 statements per 1,000 entries).
   */
  flushRows: number;
  /**
   * Rows a flush builds and inserts per event-loop turn; it yields between chunks so that a
   * flush never holds the loop for long (issue #12: ~0.5 ms per 64 rows instead of ~2.6 ms per
   * 200). 64 rows is one INSERT statement; chunks of 32 cost ~1.5 µs more per row (measured,
   * SQLite, min of 45 interleaved rounds: 32 → 9–10 µs/row, 64, 128 and 200 → ~8).
   */
  flushChunkRows: number;
  /** Rows kept in memory while the database is unreachable; beyond this, entries are dropped. */
  maxBufferedRows: number;
  /** Age (ms, engine clock) beyond which journal, trail and finished callback rows are pruned; 0 = never. */
  retentionMs: number;
  /** How often the pruning job runs (ms, real time). */
  pruneIntervalMs: number;
}

/**
 * @example const cfg = loadCallLogConfig({ CAMPAIGND_CALLLOG_PARAMS: 'off' }) // cfg.recordParams === false
 */
export function loadCallLogConfig(env: Env = process.env): CallLogConfig {
  const params = envOneOf(env, 'CAMPAIGND_CALLLOG_PARAMS', ['on', 'off'] as const, 'on');
  const days = envInt(env, 'CAMPAIGND_CALLLOG_RETENTION_DAYS', 30, 0, 36500);
  return {
    recordParams: params === 'on',
    flushIntervalMs: 100,
    flushRows: 192,
    flushChunkRows: 64,
    maxBufferedRows: 20_000,
    retentionMs: days * 86400_000,
    pruneIntervalMs: 3600_000,
  };
}
