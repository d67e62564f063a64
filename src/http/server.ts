/**
 * The HTTP server: Fastify with the raw-body JSON parser, the C2 signature check on every
 * `/rest/isales/...` request, one error handler that maps everything to the envelope, and the
 * interface plugins.
 *
 * Request path: parse (raw bytes kept) → preValidation: signature (401) → VDN binding (403) →
 * malformed-JSON check (0200001) → schema validation (validation codes) → handler → domain.
 */
import fs from 'node:fs';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { verify } from '../auth/c2.js';
import type { KeyStore } from '../auth/keys.js';
import type { DomainContext } from '../domain/context.js';
import { isDomainError } from '../domain/errors.js';
import { envelope, validationEnvelope, type FieldCodes } from './envelope.js';
import { installCallLogJournal } from './calllogs-journal.js';
import { appointRoutes } from './routes/appoint.js';
import { batchRoutes } from './routes/batches.js';
import { callerNoRoutes } from './routes/caller-numbers.js';
import { campaignRoutes } from './routes/campaigns.js';
import { externalResultRoutes } from './routes/external-results.js';
import { blocklistRoutes } from './routes/blocklist.js';
import { callDataRoutes } from './routes/call-data.js';
import { callLogRoutes } from './routes/calllogs.js';
import { resultRoutes } from './routes/results.js';
import { specialDateRoutes } from './routes/special-dates.js';
import { extensionRoutes } from './routes/extensions.js';
import type { Engine } from '../engine/engine.js';
import type { Metrics } from '../ops/metrics.js';
import { registerOpenApi } from './openapi.js';
import { installOperations, requestId } from './operations.js';

export interface AppDeps extends DomainContext {
  keys: KeyStore;
  logger?: Logger;
  /** The campaign engine, for the extensions (clock, trail, external call results). */
  engine?: Engine;
  /** Metrics and readiness (`/metrics`, `/readyz`); absent in servers built without them. */
  operations?: { metrics: Metrics; pendingMigrations: () => Promise<string[]> };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The body bytes exactly as received (the signature covers these). */
    rawBody?: Buffer;
    /** Set when the body was not valid JSON; answered after the signature check. */
    bodyParseError?: string;
    /** The AK that signed the request. */
    accessKey?: string;
  }
  interface FastifyInstance {
    /** Every route registered (HEAD left out), in registration order. */
    routeTable: ReadonlyArray<{ method: string; url: string }>;
  }
  interface FastifyContextConfig {
    /** Interface-specific codes that win over the generic validation codes. */
    fieldCodes?: FieldCodes;
  }
}

/**
 * Removes null-valued properties (in objects at any depth): a null field counts as absent.
 * Iterative, so a deeply nested body cannot exhaust the stack.
 */
function stripNulls(root: unknown): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const item of v) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (x === null) delete o[k];
      else if (typeof x === 'object') stack.push(x);
    }
  }
}

const EMPTY = Buffer.alloc(0);

export function buildServer(deps: AppDeps) {
  const { config } = deps;
  const callLogConfig = config.callLog;
  const https =
    config.tlsCert && config.tlsKey
      ? { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey) }
      : undefined;
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger | undefined,
    // Per-request lines are off for throughput; the invocation journal records requests.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    ...(https ? { https } : {}),
    ajv: { customOptions: { coerceTypes: true, allErrors: false, removeAdditional: false } },
    requestIdHeader: false,
    genReqId: requestId,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Every route, as registered (method, URL pattern): the OpenAPI test compares it with the document.
  const routeTable: Array<{ method: string; url: string }> = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: r.url });
  });
  // The document generator must see every route, so it is registered before them.
  void app.register(registerOpenApi);
  if (deps.operations) installOperations(app, { db: deps.db, engine: deps.engine, engineEnabled: config.engine.enabled, ...deps.operations });

  // Keep the raw bytes for the signature; parse afterwards. A parse failure is remembered and
  // answered only once the signature is known to be good.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    req.rawBody = buf;
    if (buf.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(buf.toString('utf8')));
    } catch (e) {
      req.bodyParseError = e instanceof Error ? e.message : 'malformed JSON';
      done(null, undefined);
    }
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(envelope('0200001', `no interface ${req.method} ${req.url.split('?')[0]}`));
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      const input = err.validationContext === 'params' ? req.params : err.validationContext === 'querystring' ? req.query : req.body;
      return reply.code(200).send(validationEnvelope(err, err.validationContext, input, req.routeOptions.config.fieldCodes));
    }
    if (isDomainError(err)) {
      return reply.code(err.httpStatus).send(envelope(err.code, err.message));
    }
    const status = err.statusCode ?? 500;
    if (status === 413) {
      return reply.code(413).send(envelope('0200001', `the request body exceeds ${config.bodyLimit} bytes`));
    }
    if (status === 415) {
      return reply.code(415).send(envelope('0200001', 'Content-Type must be application/json; charset=UTF-8'));
    }
    if (status >= 400 && status < 500) {
      return reply.code(status).send(envelope('0200001', err.message));
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send(envelope('0200006', 'internal error; the request may be retried'));
  });

  void app.register(async (root) => {
    root.get('/healthz', async () => ({ status: 'UP' }));
  });

  void app.register(
    async (isales) => {
      // Journal hooks first: every request of this scope is journaled, refused ones included.
      installCallLogJournal(isales, deps, callLogConfig);
      isales.addHook('preValidation', async (req, reply) => checkRequest(deps, req, reply));
      await isales.register(campaignRoutes(deps));
      await isales.register(batchRoutes(deps));
      await isales.register(appointRoutes(deps));
      await isales.register(callerNoRoutes(deps));
      await isales.register(externalResultRoutes(deps));
      await isales.register(callDataRoutes(deps));
      await isales.register(blocklistRoutes(deps));
      await isales.register(specialDateRoutes(deps));
      await isales.register(resultRoutes(deps));
      await isales.register(callLogRoutes(deps));
    },
    { prefix: '/rest/isales' },
  );

  // campaignd's own extensions: same signature and VDN checks, outside the vendor's surface.
  void app.register(
    async (ext) => {
      ext.addHook('preValidation', async (req, reply) => checkRequest(deps, req, reply));
      await ext.register(extensionRoutes(deps));
    },
    { prefix: '/campaignd' },
  );

  return app;
}

/**
 * Signature (401), VDN binding (403) and malformed JSON (0200001), in that order: nothing about
 * a request is acted on, or even judged, before its signature is known to be good.
 */
async function checkRequest(deps: AppDeps, req: FastifyRequest, reply: import('fastify').FastifyReply) {
  const result = verify({
    authorization: req.headers.authorization,
    method: req.method,
    rawUrl: req.raw.url ?? req.url,
    headers: req.headers,
    body: req.rawBody ?? EMPTY,
    // Signatures are about real time: the engine clock may be a manual one moved days ahead.
    nowMs: Date.now(),
    maxSkewMs: deps.config.clockSkewMs,
    lookupSecret: (ak) => deps.keys.secretFor(ak),
  });
  if (!result.ok) {
    req.log.info({ reason: result.reason, url: req.url }, 'signature rejected');
    return reply.code(401).send(envelope('0200001', `authentication failed: ${result.reason}`));
  }
  req.accessKey = result.accessKey;
  const rawVdn = (req.params as Record<string, string | undefined>).vdnId;
  const vdn = rawVdn !== undefined && /^\d{1,4}$/.test(rawVdn) ? Number(rawVdn) : NaN;
  if (rawVdn !== undefined && !deps.keys.allows(result.accessKey, vdn)) {
    return reply.code(403).send(envelope('0200001', `access key ${result.accessKey} is not allowed on VDN ${rawVdn}`));
  }
  if (req.bodyParseError !== undefined) {
    return reply.code(200).send(envelope('0200001', `the request body is not valid JSON: ${req.bodyParseError}`));
  }
  if (req.body !== undefined) stripNulls(req.body);
}
