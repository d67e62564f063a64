/**
 * Wiring: configuration → store → keys → HTTP server. Used by `campaignd serve` and by the
 * tests, which start the real server on a fresh data directory and port 0.
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { ensureBootstrapKey, KeyStore } from './auth/keys.js';
import type { Config } from './config/index.js';
import { LATEST_CLOCK_MS, ManualClock, systemClock, type Clock } from './engine/clock.js';
import type { Engine } from './engine/engine.js';
import { createEngine } from './engine/factory.js';
import { ImportWorker } from './engine/import-worker.js';
import { assertSecretsKeyUsable } from './domain/file-servers.js';
import { buildServer } from './http/server.js';
import { redact } from './domain/secrets.js';
import { RetentionJob, retentionFloors } from './engine/retention-job.js';
import { createMetrics } from './ops/metrics.js';
import { openStore, pendingMigrations, type Store } from './store/connect.js';
import { notifyNodes, onLocalNotice } from './store/dialect.js';
import { listenToNodes, type NodeSignals } from './store/signals.js';
import { readEngineState, writeEngineState } from './store/engine.repository.js';

export interface RunningApp {
  /** Base URL the server listens on, e.g. `http://127.0.0.1:28080`. */
  url: string;
  store: Store;
  keys: KeyStore;
  clock: Clock;
  /** The campaign engine, unless CAMPAIGND_ENGINE=off. */
  engine?: Engine;
  /** Prunes old journal, trail and callback rows (CAMPAIGND_CALLLOG_RETENTION_DAYS). */
  retention: RetentionJob;
  /** The file-import worker (runs whether or not the engine dials). */
  imports: ImportWorker;
  app: ReturnType<typeof buildServer>;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  logger?: Logger;
  /** Called once with a generated key pair (first start without a configured key). */
  onGeneratedKey?: (pair: { accessKey: string; secretKey: string }) => void;
}

/** The server's logger: JSON lines on `destination` (stdout by default), secrets masked. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  // Secrets never reach the log: the Authorization header is redacted wherever it appears, and
  // every secret-named property (domain/secrets.ts: token, apiKey, pinCode, …) at any depth.
  return pino(
    {
      level,
      redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.secretKey'], censor: '[redacted]' },
      formatters: { log: (obj) => redact(obj) },
    },
    destination,
  );
}

/** How often (real time) access keys are reloaded from the store, whatever else happens. */
const KEY_RELOAD_MS = 2000;

async function restoreManualClock(store: Store): Promise<ManualClock> {
  const saved = Number(await readEngineState(store.db, 'manual_clock'));
  // A reading outside the clock's range (possible only before moves were bounded) is not resumed.
  const usable = Number.isFinite(saved) && saved > 0 && saved <= LATEST_CLOCK_MS;
  // Every move is stored and announced, so all nodes on one database show one reading.
  const clock = new ManualClock(usable ? saved : Date.now(), async (ms) => {
    await writeEngineState(store.db, 'manual_clock', String(ms));
    await notifyNodes(store.db, 'clock');
  });
  await writeEngineState(store.db, 'manual_clock', String(clock.now()));
  return clock;
}

export async function startApp(config: Config, opts: StartOptions = {}): Promise<RunningApp> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const store = await openStore(config);
  let stopKeyReload = () => {};
  let signals: NodeSignals | undefined;
  try {
    // A manual clock resumes where it stood before a restart (a rehearsal survives a crash).
    const clock = opts.clock ?? (config.engine.clock === 'manual' ? await restoreManualClock(store) : systemClock);
    const keys = await KeyStore.open(store.db);
    const { generated } = await ensureBootstrapKey(keys, config, clock.now());
    if (generated) opts.onGeneratedKey?.(generated);
    // Stored file-server passwords need the key they were sealed with: refuse to start without it.
    await assertSecretsKeyUsable(store.db, config.fileImport.secretsKey);
    const engine = config.engine.enabled ? createEngine({ db: store.db, caps: store.caps, clock, config, log: logger }) : undefined;
    const imports = new ImportWorker({ db: store.db, clock, config }, logger);
    await engine?.openDialer();
    const metrics = createMetrics({ db: store.db, clock, engine });
    const app = buildServer({
      db: store.db,
      clock,
      config,
      keys,
      logger,
      engine,
      importWorker: imports,
      operations: { metrics, pendingMigrations: () => pendingMigrations(store.db, store.caps, store.schema) },
    });
    // Other nodes on the database: keys reload at once on a change, on a timer anyway (another
    // process, e.g. `campaignd keys`, may change them); a moved manual clock is read back; new
    // work falling due before the engine's next planned pass wakes it then.
    stopKeyReload = keys.reloadEvery(KEY_RELOAD_MS);
    if (store.caps.listenNotify && config.databaseUrl !== undefined) {
      signals = await listenToNodes(
        { url: config.databaseUrl, ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }) },
        (topic, dueAt) => {
          if (topic === 'keys') void keys.reload().catch(() => {});
          else if (topic === 'work') engine?.nudge(dueAt);
          else if (topic === 'clock' && clock instanceof ManualClock) {
            void readEngineState(store.db, 'manual_clock')
              .then((v) => v !== undefined && clock.observe(Number(v)))
              .catch(() => {});
          }
        },
        (e) => logger.warn({ err: e }, 'listening to the other nodes failed; reconnecting'),
      );
    } else {
      // SQLite: one process; its own writes of new work wake the engine if it falls due before
      // the engine's next planned pass.
      const off = onLocalNotice((topic, dueAt) => topic === 'work' && engine?.nudge(dueAt));
      signals = { close: async () => void off() };
    }
    const address = await app.listen({ host: config.host, port: config.port });
    const url = address.replace('[::1]', 'localhost');
    engine?.start();
    const retention = new RetentionJob(store.db, clock, config.callLog.retentionMs, config.callLog.pruneIntervalMs, logger, retentionFloors(config));
    retention.start();
    imports.start();
    logger.info(
      {
        url,
        data: config.databaseUrl === undefined ? config.databaseFile : `postgres schema ${config.databaseSchema ?? '(search_path)'}`,
        clock: clock.kind,
        dialer: config.engine.dialer,
        engine: engine ? 'on' : 'off',
      },
      'campaignd listening',
    );
    return {
      url,
      store,
      keys,
      clock,
      engine,
      retention,
      imports,
      app,
      async close() {
        // Stop claiming work (the pass in progress finishes) and stop taking requests (those in
        // flight are answered; new ones get 503) at the same time; then the background jobs, then
        // the store.
        stopKeyReload();
        await signals?.close();
        await Promise.all([app.close(), engine?.stop()]);
        await retention.stop();
        await imports.stop();
        await store.close();
      },
    };
  } catch (e) {
    stopKeyReload();
    await signals?.close();
    await store.close();
    throw e;
  }
}
