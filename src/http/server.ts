/**
 * The HTTP server: Fastify with the raw-body JSON parser, the C2 signature check on every
 * `/rest/isales/...` request, one error handler that maps everything to the envelope, and the
 * interface plugins.
 *
 * Request path: onRequest: one Host header (400), Authorization parsed, timestamp fresh and AK
 * known (401) — all before any body byte is read → parse (raw bytes kept; a charset other than
 * UTF-8 is 415) → preValidation: signature over the body (401) → VDN binding (403) →
 * malformed JSON (0200001) → ill-formed text (02000002) → schema validation (validation codes)
 * → handler → domain.
 *
 * Protocol limits (issue #9): headers, request and idle timeouts, a connection cap and a header
 * size cap (config/http-limits.ts); what Node itself refuses (malformed HTTP 400, timeout 408,
 * headers too large 431) is answered in the envelope too.
 */
import fs from 'node:fs';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { precheck, verify, verifyBody, type Prechecked } from '../auth/c2.js';
import { parseQuery, QUERY_PROBLEM } from '../auth/query.js';
import { maskUrl } from '../domain/secrets.js';
import { badText } from './text-validation.js';
import type { KeyStore } from '../auth/keys.js';
import type { DomainContext } from '../domain/context.js';
import { isDomainError } from '../domain/errors.js';
import { envelope, validationEnvelope, type FieldCodes } from './envelope.js';
import { installCallLogJournal, type JournalHooks } from './calllogs-journal.js';
import { bodyRecordableAsReceived } from '../domain/calllogs.js';
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
import { installResultCodeLog } from './result-code-log.js';
import { agentRoutes } from './routes/agents.js';
import { eventRoutes } from './routes/events.js';
import { consoleViewRoutes } from './routes/console-views.js';
import { surfaceRoutes, templateExtensionRoutes } from './routes/surface.js';
import { existenceFirst, unknownDeferredCampaign } from './existence-first.js';
import type { ImportWorker } from '../engine/import-worker.js';
import { sipCallRoutes } from './routes/sip-calls.js';
import type { Engine } from '../engine/engine.js';
import type { Metrics } from '../ops/metrics.js';
import { registerOpenApi } from './openapi.js';
import { registerConsole } from './console.js';
import { installOperations, observeAnswer, requestId } from './operations.js';

export interface AppDeps extends DomainContext {
  keys: KeyStore;
  logger?: Logger;
  /** The campaign engine, for the extensions (clock, trail, external call results). */
  engine?: Engine;
  /** The file-import worker, nudged by uploads. */
  importWorker?: ImportWorker;
  /** Metrics and readiness (`/metrics`, `/readyz`); absent in servers built without them. */
  operations?: { metrics: Metrics; pendingMigrations: () => Promise<string[]> };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The body bytes exactly as received (the signature covers these). */
    rawBody?: Buffer;
    /** Set when the body was not valid UTF-8 JSON (`is not valid …`); answered after the signature check. */
    bodyParseError?: string;
    /** The body's text when the body parser found it recordable as received (domain/calllogs.ts `bodyRecordableAsReceived`): the journal does not parse it again. */
    bodyText?: string;
    /** The AK that signed the request. */
    accessKey?: string;
    /** The Authorization header as judged before the body was read (auth/c2.ts `precheck`). */
    c2?: Prechecked;
    /** The serialised answer as onSend saw it (metrics and journal read its resultCode). */
    answerText?: string;
  }
  interface FastifyInstance {
    /** Every route registered (HEAD left out), in registration order. */
    routeTable: ReadonlyArray<{ method: string; url: string }>;
  }
  interface FastifyContextConfig {
    /** Interface-specific codes that win over the generic validation codes. */
    fieldCodes?: FieldCodes;
    /**
     * Query parameters a route reads itself (not validated by Fastify as `querystring`), listed
     * in the OpenAPI document and so in the typed client (http/openapi.ts).
     */
    documentedQuery?: import('@sinclair/typebox').TObject;
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

type LogFn = (...args: unknown[]) => void;

/**
 * A request's logger (`req.log`), made on its first use: pino's child with the request id is
 * what Fastify would make for every request, but per-request lines are off and a request
 * rarely logs, so most requests never pay for it (issue #12). Same bindings, options and lines
 * as Fastify's default child once made.
 */
class LazyRequestLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Record<string, unknown>;
  readonly #opts: Record<string, unknown>;
  #real: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Record<string, unknown>, opts: Record<string, unknown>) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#opts = opts;
  }

  get #log(): FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean } {
    this.#real ??= this.#parent.child(this.#bindings, this.#opts);
    return this.#real;
  }
  get level(): string {
    return this.#log.level;
  }
  set level(level: string) {
    this.#log.level = level;
  }
  isLevelEnabled(level: string): boolean {
    const log = this.#log;
    return log.isLevelEnabled?.(level) ?? true;
  }
  fatal(...args: unknown[]): void {
    (this.#log as unknown as Record<string, LogFn>).fatal!(...args);
  }
  error(...args: unknown[]): void {
    (this.#log as unknown as Record<string, LogFn>).error!(...args);
  }
  warn(...args: unknown[]): void {
    (this.#log as unknown as Record<string, LogFn>).warn!(...args);
  }
  info(...args: unknown[]): void {
    (this.#log as unknown as Record<string, LogFn>).info!(...args);
  }
  debug(...args: unknown[]): void {
    (this.#log as unknown as Record<string, LogFn>).debug!(...args);
  }
  trace(...args: unknown[]): void {
    (this.#log as unknown as Record<string, LogFn>).trace!(...args);
  }
  silent(...args: unknown[]): void {
    (this.#log as unknown as Record<string, LogFn>).silent!(...args);
  }
  child(bindings: Record<string, unknown>, opts?: Record<string, unknown>): FastifyBaseLogger {
    return this.#log.child(bindings, opts);
  }
}

/**
 * The server's logger as Fastify's `loggerInstance`: the logger itself (as prototype), except
 * that a child with bindings (the per-request one, `{reqId}`) is a {@link LazyRequestLogger};
 * a child without bindings (the one Fastify makes once to add its serializers) is a real one,
 * wrapped the same way. Fastify makes the per-request child with its default factory,
 * `logger.child(bindings, opts)`; a `childLoggerFactory` of our own would instead make it
 * validate every child it returns (an array and a closure per request, ~0.5 µs, issue #12).
 */
function withLazyChildren(logger: FastifyBaseLogger): FastifyBaseLogger {
  const wrapped = Object.create(logger) as FastifyBaseLogger;
  wrapped.child = (bindings: Record<string, unknown>, opts?: Record<string, unknown>) => {
    for (const _ in bindings) return new LazyRequestLogger(logger, bindings, opts ?? {}) as unknown as FastifyBaseLogger;
    return withLazyChildren(logger.child(bindings, opts));
  };
  return wrapped;
}

/** Strict UTF-8: a body that is not UTF-8 is refused, never read with replacement characters. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The `charset` parameter of a Content-Type, lower case, or undefined when absent. */
function charsetOf(contentType: string | undefined): string | undefined {
  // A client sends the same Content-Type with every request: the last reading is kept.
  if (contentType !== undefined && contentType === lastContentType.text) return lastContentType.charset;
  const m = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '');
  const charset = m?.[1]?.toLowerCase();
  if (contentType !== undefined && contentType.length <= 128) lastContentType = { text: contentType, charset };
  return charset;
}

let lastContentType: { text: string | undefined; charset: string | undefined } = { text: undefined, charset: undefined };

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (malformed HTTP → 400,
 * request or headers timeout → 408, headers over the size cap → 431) with the envelope, then
 * closes the connection (Fastify's default answers `{"error": …}`).
 */
function protocolError(err: NodeJS.ErrnoException, socket: Duplex, maxHeaderBytes: number): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, desc] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request did not arrive completely within the time allowed']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, `the request line and headers exceed ${maxHeaderBytes} bytes`]
        : [400, 'malformed HTTP request'];
  const body = JSON.stringify(envelope('0200001', desc));
  const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json;charset=UTF-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function buildServer(deps: AppDeps) {
  const { config } = deps;
  const callLogConfig = config.callLog;
  const limits = config.httpLimits;
  // Node checks the request and headers timeouts on this interval, so it bounds their precision.
  const nodeHttp = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)),
    maxHeaderSize: limits.maxHeaderBytes,
    // Checked by the onRequest hook below, so that the answer is in the envelope.
    requireHostHeader: false,
  };
  const https = config.tlsCert && config.tlsKey ? { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey), ...nodeHttp } : undefined;
  const app = Fastify({
    // req.log is made on its first use (LazyRequestLogger).
    loggerInstance: deps.logger === undefined ? undefined : withLazyChildren(deps.logger as unknown as FastifyBaseLogger),
    // Per-request lines are off for throughput; the invocation journal records requests.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    ...(https ? { https } : { http: nodeHttp }),
    // One reading of the query for the router and the signature (auth/query.ts).
    routerOptions: { querystringParser: (q: string) => parseQuery(q) },
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Duplex) => protocolError(err, socket, limits.maxHeaderBytes),
    // The router's own refusals (a malformed escape in the path 400, a path segment over 100
    // characters 414) in the envelope too.
    frameworkErrors: (err, _req, reply) => {
      const status: 400 | 414 = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
      const desc = status === 414 ? 'a path segment is longer than 100 characters' : 'the path has a malformed percent-escape';
      void (reply as unknown as FastifyReply).code(status).send(envelope('0200001', desc));
    },
    ajv: { customOptions: { coerceTypes: true, allErrors: false, removeAdditional: false } },
    requestIdHeader: false,
    genReqId: requestId,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.server.maxConnections = limits.maxConnections;
  // Every route, as registered (method, URL pattern): the OpenAPI test compares it with the document.
  const routeTable: Array<{ method: string; url: string }> = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: r.url });
  });
  // The document generator must see every route, so it is registered before them.
  void app.register(registerOpenApi);
  installResultCodeLog(app);
  const metrics = deps.operations?.metrics;
  if (deps.operations) installOperations(app, { db: deps.db, engine: deps.engine, engineEnabled: config.engine.enabled, ...deps.operations });
  /** The `/rest/isales` scope's journal, made when that plugin loads (before any request). */
  let journal: JournalHooks | undefined;
  // One hook per phase on the root (issue #12: each hook is a call through Fastify's hook runner
  // and its `next` closure): the request id echo, the Host check; the answer's text; metrics
  // and journal once answered.
  app.addHook('onRequest', (req, reply, done) => {
    if (metrics !== undefined) void reply.header('x-request-id', req.id);
    // One Host header (HTTP/1.1 requires it): a duplicated one is a request smuggling tool.
    let hosts = 0;
    const raw = req.raw.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') hosts++;
    if (hosts > 1 || (hosts === 0 && req.raw.httpVersion === '1.1')) {
      void reply
        .code(400)
        .header('connection', 'close')
        .send(envelope('0200001', hosts > 1 ? 'the Host header is given more than once' : 'the Host header is missing'));
      return;
    }
    done();
  });
  app.addHook('onSend', (req, _reply, payload, done) => {
    req.answerText = typeof payload === 'string' ? payload : undefined;
    done(null, payload);
  });
  app.addHook('onResponse', (req, reply, done) => {
    const ms = reply.elapsedTime;
    if (metrics !== undefined) observeAnswer(metrics, req, reply.statusCode, req.answerText, ms / 1000);
    journal?.answered(req, reply.statusCode, req.answerText, ms);
    done();
  });
  // The idle timeout guards receiving the request and sending the answer, not the work in
  // between: a clock move or a large import may take longer than it without a byte exchanged.
  // An idle connection is answered 408 in the envelope (unless an answer is already under way),
  // then closed; one whose request has arrived in full and whose answer is not yet sent is at
  // work, and its timeout is let pass: writing the answer re-arms the socket's timer (Node
  // refreshes it on every read and write). This replaces a socket.setTimeout(0) before the
  // handler and a socket.setTimeout(idle) in onSend (~1 µs per request, issue #12).
  app.server.on('timeout', (socket: Duplex) => {
    const res = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (res != null && !res.headersSent && res.req?.complete === true) return;
    protocolError(Object.assign(new Error('idle'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket, limits.maxHeaderBytes);
  });

  // Keep the raw bytes for the signature; parse afterwards. A parse failure is remembered and
  // answered only once the signature is known to be good.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const charset = charsetOf(req.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      const err = Object.assign(new Error(`charset ${charset} is not supported: send the body as UTF-8 (Content-Type: application/json;charset=UTF-8)`), {
        statusCode: 415,
        code: 'CAMPAIGND_CHARSET',
      });
      return done(err, undefined);
    }
    const buf = body as Buffer;
    req.rawBody = buf;
    if (buf.length === 0) return done(null, undefined);
    let text: string;
    try {
      text = UTF8.decode(buf);
    } catch {
      req.bodyParseError = 'is not valid UTF-8';
      return done(null, undefined);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      req.bodyParseError = `is not valid JSON: ${e instanceof Error ? e.message : 'malformed'}`;
      return done(null, undefined);
    }
    // Judged on this first parse, before a handler can change the object (issue #12).
    if (bodyRecordableAsReceived(parsed, text, buf.length)) req.bodyText = text;
    done(null, parsed);
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send(envelope('0200001', `no interface ${req.method} ${req.url.split('?')[0]}`));
  });

  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    if (err.validation) {
      // appoint/create defers its existence check to the domain (existence-first.ts).
      const unknown = req.existenceDeferred === undefined ? undefined : await unknownDeferredCampaign(deps, req);
      if (unknown !== undefined) return reply.code(200).send(unknown);
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
      const desc = err.code === 'CAMPAIGND_CHARSET' ? err.message : 'Content-Type must be application/json; charset=UTF-8';
      return reply.code(415).send(envelope('0200001', desc));
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
  // The operator console's static files (unsigned; the page signs every call it makes).
  void app.register(registerConsole);

  void app.register(
    async (isales) => {
      // The journal first: every request of this scope is journaled, refused ones included.
      const journaled = installCallLogJournal(isales, deps, callLogConfig);
      journal = journaled;
      // One hook per phase (issue #12): arrival time, then the header part of the signature;
      // the signature and the checks after it, then existence first.
      isales.addHook('onRequest', (req, reply, done) => {
        journaled.arrived(req);
        if (checkBeforeBody(deps, req, reply)) done();
      });
      const existence = existenceFirst(deps);
      isales.addHook('preValidation', (req, reply, done) => {
        if (checkRequest(deps, req, reply)) existence(req, reply, done);
      });
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
      await isales.register(surfaceRoutes(deps, () => deps.importWorker?.kick()));
    },
    { prefix: '/rest/isales' },
  );

  // campaignd's own extensions: same signature and VDN checks, outside the vendor's surface.
  void app.register(
    async (ext) => {
      ext.addHook('onRequest', (req, reply, done) => {
        if (checkBeforeBody(deps, req, reply)) done();
      });
      ext.addHook('preValidation', (req, reply, done) => {
        if (checkRequest(deps, req, reply)) done();
      });
      await ext.register(extensionRoutes(deps));
      await ext.register(eventRoutes(deps));
      await ext.register(consoleViewRoutes(deps));
      await ext.register(templateExtensionRoutes(deps));
      await ext.register(sipCallRoutes(deps));
      await ext.register(agentRoutes(deps));
    },
    { prefix: '/campaignd' },
  );

  return app;
}

/** Bodies up to this size (bytes) behind a refused request are drained rather than the connection closed. */
const UNREAD_BODY_DRAINED = 64 * 1024;

/**
 * 401 for a request whose signature failed: logged at debug level only (an anonymous client
 * must not grow the log either), the URL's secret-named query values masked. When a large body
 * is still on its way the connection is closed after the answer, so it is never read.
 */
function refuseUnsigned(req: FastifyRequest, reply: FastifyReply, reason: string) {
  if ((req.log as unknown as Partial<Logger>).isLevelEnabled?.('debug') ?? true) req.log.debug({ reason, url: maskUrl(req.raw.url ?? req.url) }, 'signature rejected');
  // A small announced body is drained by Node (the connection stays usable); a large or chunked
  // one is never read: the connection is closed after the answer.
  const announced = Number(req.headers['content-length'] ?? '0');
  if (req.rawBody === undefined && (!(announced <= UNREAD_BODY_DRAINED) || req.headers['transfer-encoding'] !== undefined)) {
    void reply.header('connection', 'close');
  }
  return reply.code(401).send(envelope('0200001', `authentication failed: ${reason}`));
}

/**
 * Everything about the signature that needs no body (auth/c2.ts `precheck`), before the body
 * is read: an unsigned client, or one with an unknown AK, cannot make the server buffer a body.
 * True when the request goes on; false when it was answered (401). Synchronous, as a
 * callback-style hook (no promise per request).
 */
function checkBeforeBody(deps: AppDeps, req: FastifyRequest, reply: FastifyReply): boolean {
  const pre = precheck({
    authorization: req.headers.authorization,
    headers: req.headers,
    nowMs: Date.now(),
    maxSkewMs: deps.config.clockSkewMs,
    lookupSecret: (ak) => deps.keys.secretFor(ak),
  });
  if (!pre.ok) {
    refuseUnsigned(req, reply, pre.reason);
    return false;
  }
  req.c2 = pre;
  return true;
}

/** A check's answer: sent here; false tells the hook not to go on. */
function answered(reply: FastifyReply, envelopeBody: unknown, status = 200): false {
  void reply.code(status).send(envelopeBody);
  return false;
}

/**
 * Signature (401), VDN binding (403), malformed JSON or query (0200001) and ill-formed text
 * (02000002), in that order: nothing about a request is acted on, or even judged, before its
 * signature is known to be good. True when the request goes on; false when it was answered.
 */
function checkRequest(deps: AppDeps, req: FastifyRequest, reply: FastifyReply): boolean {
  const common = {
    method: req.method,
    rawUrl: req.raw.url ?? req.url,
    body: req.rawBody ?? EMPTY,
    // Signatures are about real time: the engine clock may be a manual one moved days ahead.
    nowMs: Date.now(),
    maxSkewMs: deps.config.clockSkewMs,
    lookupSecret: (ak: string) => deps.keys.secretFor(ak),
  };
  // The header part was judged by checkBeforeBody (onRequest) and is not parsed again.
  const result = req.c2 !== undefined ? verifyBody(req.c2, common) : verify({ ...common, authorization: req.headers.authorization, headers: req.headers });
  if (!result.ok) {
    refuseUnsigned(req, reply, result.reason);
    return false;
  }
  req.accessKey = result.accessKey;
  const rawVdn = (req.params as Record<string, string | undefined>).vdnId;
  const vdn = rawVdn !== undefined && /^\d{1,4}$/.test(rawVdn) ? Number(rawVdn) : NaN;
  if (rawVdn !== undefined && !deps.keys.allows(result.accessKey, vdn)) {
    return answered(reply, envelope('0200001', `access key ${result.accessKey} is not allowed on VDN ${rawVdn}`), 403);
  }
  if (req.bodyParseError !== undefined) {
    return answered(reply, envelope('0200001', `the request body ${req.bodyParseError}`));
  }
  const queryProblem = (req.query as Record<symbol, string | undefined> | undefined)?.[QUERY_PROBLEM];
  if (queryProblem !== undefined) return answered(reply, envelope('0200001', queryProblem));
  const bad = badText(req.query, 'query parameter') ?? badText(req.body, 'parameter');
  if (bad !== null) return answered(reply, bad);
  if (req.body !== undefined) stripNulls(req.body);
  return true;
}
