/**
 * The live event stream and the signed-in key's own view, for the operator console (issue #14)
 * and any client that wants to watch the engine without polling.
 *
 * - `GET /campaignd/v1/session` — `returnObject: {accessKey, vdnIds: '*' | number[], clock: {now, time, iso, kind},
 *   limits: {callDataMax, callDataAddIntervalMs}}`: the VDNs the signing key may use (the console offers them
 *   to choose from), the engine clock, and the call-data add limits (records per request, ms between adds).
 * - `GET /campaignd/v1/events?vdnId=` — server-sent events (`text/event-stream`), signed like
 *   every other request (so it is read with `fetch`, not `EventSource`, which cannot send the
 *   Authorization header). Without `vdnId`, the events of every VDN the key may use; with it,
 *   only that VDN's (403 `0200001` when the key may not use it; `02000007` when it is not
 *   1-9999). The events are the engine's (src/engine/events.ts) with the campaign's `vdnId` added:
 *   `attempt:dispatched`, `attempt:settled`, `record:skipped`, `reservation:due`,
 *   `reservation:timeout`; plus `clock` `{now}` after every engine pass (`tick:done`, sent to
 *   every stream, throttled to one per 250 ms of real time) and `hello` `{accessKey, vdnIds, clock}` first.
 *   A comment line every 15 s keeps proxies and the server's idle timeout from closing the stream.
 *   A reader that falls more than 4 MiB behind is disconnected (it reconnects and reloads).
 *   The stream ends when its key is removed or loses the VDN asked for (checked at every write).
 *   Without an engine (`CAMPAIGND_ENGINE=off`) the stream carries `hello` and keep-alives only.
 *
 * Decision (issue #14): SSE rather than WebSocket, because it is plain HTTP that the C2 signature
 * already covers, and the console reads it with `fetch` streaming.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { KeyStore } from '../../auth/keys.js';
import type { DomainContext } from '../../domain/context.js';
import { formatDateTime } from '../../domain/time.js';
import type { Engine } from '../../engine/engine.js';
import type { EngineEventMap } from '../../engine/events.js';
import { campaignVdn } from '../../store/campaign-vdn.repository.js';
import { envelope, ok } from '../envelope.js';
import type { RoutePlugin } from './plugin.js';

export interface EventDeps extends DomainContext {
  keys: KeyStore;
  engine?: Engine;
}

/** Engine events forwarded per campaign (each payload has `campaignId`). */
const CAMPAIGN_EVENTS = ['attempt:dispatched', 'attempt:settled', 'record:skipped', 'reservation:due', 'reservation:timeout'] as const satisfies ReadonlyArray<
  keyof EngineEventMap
>;

/** Keep-alive comment interval (ms). */
const KEEPALIVE_MS = 15_000;
/** At most one `clock` event per stream in this many ms of real time. */
const CLOCK_THROTTLE_MS = 250;
/**
 * Bytes a stream may have waiting for a slow reader before it is ended: without a bound, a
 * client that stops reading while the engine emits (thousands of `record:skipped` per pass)
 * would grow the server's memory without limit. The reader reconnects and reloads its view.
 */
export const EVENT_STREAM_MAX_BUFFER = 4 * 1024 * 1024;

const EventsQuery = Type.Object({ vdnId: Type.Optional(Type.Integer({ minimum: 1, maximum: 9999 })) });

function clockView(ms: number, kind: string) {
  return { now: ms, time: formatDateTime(ms), iso: new Date(ms).toISOString(), kind };
}

/** The VDNs a key may use, as answered (`'*'` = all). */
async function vdnsOf(keys: KeyStore, accessKey: string): Promise<'*' | number[]> {
  const info = (await keys.list()).find((k) => k.accessKey === accessKey);
  if (!info || info.vdnIds === '*') return info ? '*' : [];
  return [...info.vdnIds].sort((a, b) => a - b);
}

export function eventRoutes(deps: EventDeps): RoutePlugin {
  return async (app) => {
    /** Open streams, ended when the server closes (otherwise `close()` would wait for them). */
    const open = new Set<() => void>();
    (app as unknown as FastifyInstance).addHook('preClose', async () => {
      for (const end of [...open]) end();
    });
    // campaignId → vdnId, filled on first sight (a campaign never changes VDN).
    const vdnCache = new Map<number, number | undefined>();
    const vdnOfCampaign = async (id: number): Promise<number | undefined> => {
      if (vdnCache.has(id)) return vdnCache.get(id);
      const v = await campaignVdn(deps.db, id);
      if (v !== undefined) vdnCache.set(id, v);
      return v;
    };

    app.get('/v1/session', async (req) => {
      const accessKey = req.accessKey!;
      const limits = { callDataMax: deps.config.callData.maxPerRequest, callDataAddIntervalMs: deps.config.callData.addIntervalMs };
      return ok('success', { returnObject: { accessKey, vdnIds: await vdnsOf(deps.keys, accessKey), clock: clockView(deps.clock.now(), deps.clock.kind), limits } });
    });

    // No automatic HEAD route: a HEAD would hold the connection open like the stream itself.
    app.get('/v1/events', { schema: { querystring: EventsQuery }, exposeHeadRoute: false }, async (req, reply) => {
      const accessKey = req.accessKey!;
      const only = req.query.vdnId;
      if (only !== undefined && !deps.keys.allows(accessKey, only)) {
        return reply.code(403).send(envelope('0200001', `access key ${accessKey} is not allowed on VDN ${only}`));
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', connection: 'keep-alive' });
      req.raw.socket?.setTimeout(0);
      let seq = 0;
      let closed = false;
      // A key removed (or changed) while its stream is open: the stream ends at the next write.
      const stillValid = () => deps.keys.secretFor(accessKey) !== undefined && (only === undefined || deps.keys.allows(accessKey, only));
      const send = (event: string, data: unknown) => {
        if (closed) return;
        if (!stillValid()) return end();
        // Ending gracefully would wait for the reader to drain the buffer: cut the connection.
        if (res.writableLength > EVENT_STREAM_MAX_BUFFER) return end(true);
        res.write(`id: ${++seq}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const visible = (vdnId: number) => (only === undefined ? deps.keys.allows(accessKey, vdnId) : vdnId === only);
      const offs: Array<() => void> = [];
      const events = deps.engine?.events;
      if (events) {
        for (const name of CAMPAIGN_EVENTS) {
          offs.push(
            events.on(name, (payload) => {
              void vdnOfCampaign(payload.campaignId).then(
                (vdnId) => {
                  if (vdnId !== undefined && visible(vdnId)) send(name, { ...payload, vdnId });
                },
                () => {},
              );
            }),
          );
        }
        let lastClock = 0;
        let pending: NodeJS.Timeout | undefined;
        const sendClock = () => {
          pending = undefined;
          lastClock = Date.now();
          send('clock', clockView(deps.clock.now(), deps.clock.kind));
        };
        offs.push(
          events.on('tick:done', () => {
            if (pending) return;
            const wait = lastClock + CLOCK_THROTTLE_MS - Date.now();
            if (wait <= 0) sendClock();
            else pending = setTimeout(sendClock, wait);
          }),
          () => clearTimeout(pending),
        );
      }
      const keepalive = setInterval(() => {
        if (closed) return;
        if (!stillValid()) return end();
        res.write(': keep-alive\n\n');
      }, KEEPALIVE_MS);
      const end = (cut = false) => {
        if (closed) return;
        closed = true;
        clearInterval(keepalive);
        for (const off of offs) off();
        open.delete(end);
        if (cut) res.destroy();
        else res.end();
      };
      open.add(end);
      req.raw.on('close', () => end());
      res.on('close', () => end());
      send('hello', { accessKey, vdnIds: only !== undefined ? [only] : await vdnsOf(deps.keys, accessKey), clock: clockView(deps.clock.now(), deps.clock.kind) });
    });
  };
}
