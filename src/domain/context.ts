import type { Config } from '../config/index.js';
import type { Clock } from '../engine/clock.js';
import type { Db } from '../store/db.js';

/** What a domain service needs: the store, the engine clock and the configuration. */
export interface DomainContext {
  db: Db;
  clock: Clock;
  config: Config;
}
