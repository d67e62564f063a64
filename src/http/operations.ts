/**
 * Operator endpoints and per-request bookkeeping, all unsigned and outside the vendor surface:
 * - `GET /metrics`: Prometheus text format (see ops/metrics.ts);
 * - `GET /readyz`: 200 `{"status":"UP","checks":{…}}` when the store answers, every migration
 *   is applied and the engine runs (or is switched off by configuration); 503 with
 *   `"status":"DOWN"` and the failing check otherwise. `/healthz` stays the liveness probe.
 * - request ids: a client's `x-request-id` (1–64 of `A-Za-z0-9._:-`) is kept, otherwise one is
 *   made; it is in every log line of the request and echoed in the `x-request-id` reply header.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine/engine.js';
import type { Metrics } from '../ops/metrics.js';
import type { Db } from '../store/db.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Fastify `genReqId`: the caller's well-formed `x-request-id`, else a fresh UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export interface OperationsDeps {
  db: Db;
  metrics: Metrics;
  engine?: Engine;
  /** False when CAMPAIGND_ENGINE=off: a missing engine is then not a failure. */
  engineEnabled: boolean;
  /** Migrations this build knows and the store has not applied. */
  pendingMigrations: () => Promise<string[]>;
}

const RESULT_CODE = /^\{"resultCode":"([0-9A-Za-z]{1,16})"/;

/** Adds the hooks and the `/metrics` and `/readyz` routes to the root instance. */
export function installOperations(app: FastifyInstance, deps: OperationsDeps): void {
  // Callback-style hooks: no promise per request.
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    // The envelope puts resultCode first; reading it from the serialised text costs no parse.
    const m = typeof payload === 'string' ? RESULT_CODE.exec(payload.slice(0, 48)) : null;
    (reply as { resultCode?: string }).resultCode = m?.[1];
    done(null, payload);
  });
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route !== '/metrics') {
      deps.metrics.observeRequest({ method: req.method, route, status: reply.statusCode, result: (reply as { resultCode?: string }).resultCode ?? '' }, reply.elapsedTime / 1000);
    }
    done();
  });

  // Routes are added in a child scope, registered after the OpenAPI generator, so the document
  // lists them; the hooks above stay on the root and see every request.
  void app.register(async (ops) => {
    ops.get('/metrics', async (_req, reply) => {
      const text = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(text);
    });

    ops.get('/readyz', async (_req, reply) => {
      const checks: Record<string, string> = {};
      let ready = true;
      try {
        await sql`select 1`.execute(deps.db);
        checks.store = 'ok';
        const pending = await deps.pendingMigrations();
        checks.migrations = pending.length === 0 ? 'ok' : `pending: ${pending.join(', ')}`;
        ready &&= pending.length === 0;
      } catch (e) {
        checks.store = `unreachable: ${e instanceof Error ? e.message : String(e)}`;
        ready = false;
      }
      if (!deps.engineEnabled) checks.engine = 'off';
      else if (deps.engine?.running) checks.engine = 'running';
      else {
        checks.engine = 'stopped';
        ready = false;
      }
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'UP' : 'DOWN', checks });
    });
  });
}
