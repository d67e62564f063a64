/**
 * Wiring: configuration → store → keys → HTTP server. Used by `campaignd serve` and by the
 * tests, which start the real server on a fresh data directory and port 0.
 */
import { pino, type Logger } from 'pino';
import { ensureBootstrapKey, KeyStore } from './auth/keys.js';
import type { Config } from './config.js';
import { systemClock, type Clock } from './engine/clock.js';
import { buildServer } from './http/server.js';
import { openSqlite, type Store } from './store/connect.js';

export interface RunningApp {
  /** Base URL the server listens on, e.g. `http://127.0.0.1:28080`. */
  url: string;
  store: Store;
  keys: KeyStore;
  clock: Clock;
  app: ReturnType<typeof buildServer>;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** Called once with a generated key pair (first start without a configured key). */
  onGeneratedKey?: (pair: { accessKey: string; secretKey: string }) => void;
}

export function createLogger(level: string): Logger {
  // Secrets never reach the log: the Authorization header is redacted wherever it appears.
  return pino({ level, redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.secretKey'], censor: '[redacted]' } });
}

export async function startApp(config: Config, opts: StartOptions = {}): Promise<RunningApp> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const store = await openSqlite({ file: config.databaseFile, synchronous: process.env.CAMPAIGND_SQLITE_SYNC === 'full' ? 'full' : 'normal' });
  try {
    const keys = await KeyStore.open(store.db);
    const { generated } = await ensureBootstrapKey(keys, config, clock.now());
    if (generated) opts.onGeneratedKey?.(generated);
    const app = buildServer({ db: store.db, clock, config, keys, logger });
    const address = await app.listen({ host: config.host, port: config.port });
    const url = address.replace('[::1]', 'localhost');
    logger.info({ url, data: config.databaseFile }, 'campaignd listening');
    return {
      url,
      store,
      keys,
      clock,
      app,
      async close() {
        await app.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
