/**
 * Limits of the call-data and statistics interfaces, from the environment. Read once when the
 * route plugin is built (that is, at server start), so a bad value stops the server with the
 * variable's name instead of surfacing later. Kept apart from config.ts so the call-data area
 * owns its own knobs; every variable is listed in the README's configuration table.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | CAMPAIGND_CALLDATA_MAX | 20 | records per call-data add (vendor `isales.api.calldata.max`; it recommends ≤ 2000) → 0200029 above |
 * | CAMPAIGND_MAX_UNCOMPLETED | 200000 | uncompleted records a campaign may hold → 0200020 |
 * | CAMPAIGND_STATISTICS_INTERVAL_SECONDS | 300 | one statistics query per VDN + query per interval → HTTP 429; 0 = no limit |
 *
 * @example const cfg = loadCallDataConfig({ CAMPAIGND_CALLDATA_MAX: '100' }) // cfg.maxPerRequest === 100
 */
import { envInt as int, type Env } from './env.js';

export interface CallDataConfig {
  /** Most records one call-data add may carry (0200029 above). */
  maxPerRequest: number;
  /** Most uncompleted (ready + dialing) records per campaign (0200020 above). */
  maxUncompleted: number;
  /** Least time between two accepted call-data adds on one campaign (0200022 below). Fixed by the vendor at 1 s. */
  addIntervalMs: number;
  /** Least time between two statistics queries with the same VDN and parameters (HTTP 429 below); 0 = off. */
  statisticsIntervalMs: number;
}

/** Reads the call-data limits; throws a ConfigError naming the variable for an unusable value. */
export function loadCallDataConfig(env: Env = process.env): CallDataConfig {
  return {
    maxPerRequest: int(env, 'CAMPAIGND_CALLDATA_MAX', 20, 1, 10000),
    maxUncompleted: int(env, 'CAMPAIGND_MAX_UNCOMPLETED', 200000, 1, 100_000_000),
    addIntervalMs: 1000,
    statisticsIntervalMs: int(env, 'CAMPAIGND_STATISTICS_INTERVAL_SECONDS', 300, 0, 86400) * 1000,
  };
}
