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
import type { FastifyInstance, FastifyRequest } from 'fastify';
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

/**
 * The envelope's resultCode read from the serialised answer ('' when the answer is not an
 * envelope): the envelope puts resultCode first, so no parse is needed.
 */
export function metricsResult(payload: string | undefined): string {
  // Anchored: never reads past the first field.
  return payload === undefined ? '' : (RESULT_CODE.exec(payload)?.[1] ?? '');
}

/**
 * Records one answered request in the HTTP metrics (`/metrics` itself is left out). Called by
 * the server's one onResponse hook (http/server.ts); `payload` is the serialised answer seen
 * by onSend, `seconds` the latency.
 */
export function observeAnswer(metrics: Metrics, req: FastifyRequest, status: number, payload: string | undefined, seconds: number): void {
  const route = req.routeOptions.url ?? 'unmatched';
  if (route !== '/metrics') metrics.observeRequest(req.method, route, status, metricsResult(payload), seconds);
}

/**
 * Adds the `/metrics` and `/readyz` routes to the root instance. The per-request parts (the
 * `x-request-id` reply header, {@link observeAnswer}) are called from the server's own hooks,
 * one per phase (issue #12: each hook is a call through Fastify's hook runner).
 */
export function installOperations(app: FastifyInstance, deps: OperationsDeps): void {
  // Routes are added in a child scope, registered after the OpenAPI generator, so the document
  // lists them.
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
