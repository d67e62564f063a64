/**
 * The SIP dialer (`CAMPAIGND_DIALER=sip`): campaignd places each call itself, as a SIP user agent
 * client towards the configured trunk or PBX, on the `sip` npm package (transactions, UDP/TCP
 * transport, digest authentication; README "Choices").
 *
 *   engine ──dial()──▶ SipDialer: 'accepted' at once ──▶ SipCall runs (sip-call.ts)
 *   SipCall ends ──▶ sip_calls row (SIP Call-ID, status, times) ──▶ settle sink = Engine.settleExternal
 *
 * Calls in flight live only in this process: a crash loses them, and the engine's reaper settles
 * such an attempt 34608 when its lease expires, never dialling it again. A clean stop (`close`)
 * CANCELs the ringing calls and hangs up the answered ones, and settles each with what it got.
 * Keep `CAMPAIGND_ATTEMPT_LEASE_SECONDS` above the longest call (maxAlertingTime + talk time or
 * hand-off): a result that arrives after its lease expired is discarded (the attempt is 34608).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import type { SipMessage, Stack } from 'sip';
import sip from 'sip';
import { ConfigError } from '../config/error.js';
import type { Dialer, DialRequest, DialResult, SettleSink } from './dialer.js';
import { SipCall } from './sip-call.js';
import { outcomeOf, type SipCallRecord } from './sip-call-record.js';
import { fillTemplate } from './sip-uris.js';
import type { SipConfig } from '../config/sip.js';
import { SipMetrics } from './sip-metrics.js';

/** The campaign's hand-off target, for the transfer URI template. */
export interface SipTarget {
  deviceSign?: string | null;
  skillId?: number | string | null;
}

export interface SipDialerDeps {
  cfg: SipConfig;
  /** The campaign's IVR flow access code or skill queue (`ivrParam.deviceSign`, `skillParam.skillId`). */
  targetOf(vdnId: number, campaignId: number): Promise<SipTarget>;
  /** Keeps what campaignd knows of a finished call (table `sip_calls`); failures are logged, never fatal. */
  record?(r: SipCallRecord): Promise<void>;
  log?: Logger;
}

/** Whether `port` can be bound on `address` for this transport right now. */
function portFree(address: string, port: number, transport: 'udp' | 'tcp' | 'tls'): Promise<number | null> {
  return new Promise((resolve) => {
    if (transport === 'udp') {
      const s = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
      s.once('error', () => resolve(null));
      s.bind(port, address, () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    } else {
      const s = net.createServer();
      s.once('error', () => resolve(null));
      s.listen(port, address, () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    }
  });
}

export class SipDialer implements Dialer {
  readonly name = 'sip';
  readonly metrics = new SipMetrics();
  readonly #deps: SipDialerDeps;
  #stack: Stack | null = null;
  #port = 0;
  #opening: Promise<void> | null = null;
  #settle: SettleSink | null = null;
  /** Calls in progress by SIP Call-ID. */
  readonly #calls = new Map<string, SipCall>();
  readonly #running = new Set<Promise<void>>();

  constructor(deps: SipDialerDeps) {
    this.#deps = deps;
  }

  /** The local port the stack is bound to (0 before `open`). */
  get port(): number {
    return this.#port;
  }

  attach(settle: SettleSink): void {
    this.#settle = settle;
  }

  /**
   * Binds the stack on `CAMPAIGND_SIP_BIND`:`CAMPAIGND_SIP_PORT` (port 0: a free one). The port is
   * probed first, since the `sip` package would otherwise crash the process on a bind error.
   */
  open(): Promise<void> {
    this.#opening ??= (async () => {
      const { bind, trunk, publicAddress } = this.#deps.cfg;
      const port = await portFree(bind.address, bind.port, trunk.transport);
      if (port === null) throw new ConfigError(`CAMPAIGND_SIP_PORT: ${trunk.transport.toUpperCase()} port ${bind.port} on ${bind.address} (CAMPAIGND_SIP_BIND) cannot be bound`);
      this.#port = port;
      const log = this.#deps.log;
      this.#stack = sip.create(
        {
          address: bind.address,
          port,
          publicAddress,
          udp: trunk.transport === 'udp',
          tcp: trunk.transport === 'tcp',
          // TLS: the stack connects with these options and listens on tls_port for the far end's
          // own connections (in-dialog requests); the same port as UDP/TCP would use.
          ...(trunk.transport === 'tls' ? { tls: { ca: this.#deps.cfg.tlsCa, minVersion: 'TLSv1.2' as const }, tls_port: port } : {}),
          logger: {
            error: (e) => log?.warn({ err: e }, 'sip stack error'),
            recv: (m) => {
              if (m.status !== undefined) this.#calls.get(m.headers['call-id'] ?? '')?.onWire(m);
            },
          },
        },
        (rq) => this.#onRequest(rq),
      );
      log?.info({ address: bind.address, port, publicAddress, transport: trunk.transport, trunk: `${trunk.host}:${trunk.port}` }, 'sip dialer ready');
    })();
    return this.#opening;
  }

  async dial(req: DialRequest): Promise<DialResult> {
    await this.open();
    const stack = this.#stack!;
    const template = this.#deps.cfg.transferUri;
    let transferUri: string | null = null;
    if (template) {
      const t = await this.#deps.targetOf(req.vdnId, req.campaignId).catch(() => ({}) as SipTarget);
      transferUri = fillTemplate(template, {
        deviceSign: t.deviceSign,
        skillId: t.skillId,
        target: t.deviceSign ?? t.skillId,
        calledNo: req.calledNo,
        callerNo: req.callerNo,
        campaignId: req.campaignId,
        vdnId: req.vdnId,
      });
      if (transferUri === null)
        this.#deps.log?.warn(
          { callId: req.callId, campaignId: req.campaignId },
          'CAMPAIGND_SIP_TRANSFER_URI names a field this campaign has no value for: the call is held, then hung up',
        );
    }
    const call = new SipCall({ stack, cfg: this.#deps.cfg, metrics: this.metrics, localPort: this.#port, log: this.#deps.log }, req, transferUri);
    this.#calls.set(call.sipCallId, call);
    const p = call
      .run()
      .then((rec) => this.#ended(call, rec))
      .catch((e: unknown) => this.#deps.log?.error({ err: e, callId: req.callId }, 'sip call could not be settled'))
      .finally(() => this.#running.delete(p));
    this.#running.add(p);
    return { kind: 'accepted' };
  }

  async #ended(call: SipCall, rec: SipCallRecord): Promise<void> {
    this.#calls.delete(call.sipCallId);
    this.#deps.log?.debug({ callId: rec.callId, sipCallId: rec.sipCallId, status: rec.finalStatus, failCode: rec.failCode }, 'sip call ended');
    try {
      await this.#deps.record?.(rec);
    } catch (e) {
      this.#deps.log?.error({ err: e, callId: rec.callId }, 'sip call record not written');
    }
    if (!this.#settle) {
      this.#deps.log?.error({ callId: rec.callId }, 'sip dialer has no engine to settle with');
      return;
    }
    const taken = await this.#settle(rec.callId, rec.vdnId, outcomeOf(rec));
    if (!taken) this.#deps.log?.warn({ callId: rec.callId }, 'sip call result not taken (the attempt was already settled, e.g. its lease expired)');
  }

  #onRequest(rq: SipMessage): void {
    const stack = this.#stack;
    if (!stack) return;
    const call = this.#calls.get(rq.headers['call-id'] ?? '');
    if (call) return call.onRequest(rq);
    if (rq.method === 'ACK') return;
    if (rq.method === 'OPTIONS') return stack.send(sip.makeResponse(rq, 200, 'OK', { headers: { allow: 'INVITE, ACK, CANCEL, BYE, NOTIFY, OPTIONS' } }));
    // campaignd takes no calls; an in-dialog request for a call it does not know is 481.
    if (rq.headers.to?.params?.tag) return stack.send(sip.makeResponse(rq, 481, 'Call/Transaction Does Not Exist'));
    stack.send(sip.makeResponse(rq, 403, 'Forbidden'));
  }

  /** Ends every call in progress (CANCEL or BYE), waits until each is settled, then unbinds. */
  async close(): Promise<void> {
    for (const c of this.#calls.values()) c.abort();
    await Promise.allSettled([...this.#running]);
    this.#stack?.destroy();
    this.#stack = null;
    this.#opening = null;
  }
}
