/**
 * Outbound HTTP for result callbacks and the webhook dialer (issue #9, PRODUCT.md "Outbound
 * requests"), through one undici Agent:
 *
 * - destination policy (domain/outbound-policy.ts) checked on every connection: a literal
 *   address before connecting, a host name on every address DNS gives for it (custom
 *   `lookup`, so the connection goes to an address that was checked, which defeats DNS
 *   rebinding), and the socket's remote address once connected;
 * - a reply body cap: reading stops, and the connection is dropped, at `maxReplyBytes`;
 * - timeouts: connection set-up (`connectTimeoutMs`), headers and body (each the request's
 *   `timeoutMs`), and the whole exchange (`timeoutMs`, via an AbortSignal);
 * - at most `connectionsPerOrigin` requests at once to one origin; more are queued by undici;
 * - redirects are never followed (a 3xx is an answer like any other).
 *
 * undici is loaded on the first request (it costs hundreds of ms at start-up otherwise, and
 * most servers never send one).
 */
import dns from 'node:dns';
import net from 'node:net';
import type { Agent, buildConnector as BuildConnector } from 'undici';
import { addressRefusal } from '../domain/outbound-policy.js';
import type { OutboundConfig } from '../config/outbound.js';

/** Error code of a destination refused by the policy. */
export const REFUSED = 'ECAMPAIGND_DESTINATION_REFUSED';
/** Error code of a reply longer than the cap. */
export const TOO_LARGE = 'ECAMPAIGND_REPLY_TOO_LARGE';

function refused(message: string): Error {
  return Object.assign(new Error(message), { code: REFUSED });
}

/** A reply read within the cap. */
export interface OutboundReply {
  status: number;
  /** The body as UTF-8 text (at most `maxReplyBytes` bytes of it). */
  text: string;
}

type Undici = typeof import('undici');
let undici: Promise<Undici> | null = null;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

export class OutboundHttp {
  readonly #cfg: OutboundConfig;
  #client: Promise<{ agent: Agent; request: Undici['request'] }> | null = null;

  constructor(cfg: OutboundConfig) {
    this.#cfg = cfg;
  }

  #load(): Promise<{ agent: Agent; request: Undici['request'] }> {
    this.#client ??= (undici ??= import('undici')).then((u) => ({ agent: this.#build(u), request: u.request }));
    return this.#client;
  }

  #build({ Agent, buildConnector }: Undici): Agent {
    const cfg = this.#cfg;
    const policy = cfg.policy;
    // Every address a name resolves to must be allowed: a name that points at both a public
    // and a private address is refused rather than tried on the public one only.
    const lookup = (hostname: string, options: dns.LookupOptions, cb: LookupCallback): void => {
      dns.lookup(hostname, { ...options, all: true }, (err, addrs) => {
        if (err) return cb(err, []);
        for (const a of addrs) {
          const why = addressRefusal(a.address, policy);
          if (why !== null) return cb(refused(`destination ${hostname} resolves to ${a.address}, a ${why} address (not in CAMPAIGND_OUTBOUND_ALLOW)`), []);
        }
        if (options.all) return cb(null, addrs);
        const first = addrs[0];
        if (first === undefined) return cb(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
        cb(null, first.address, first.family);
      });
    };
    const connector = buildConnector({ timeout: cfg.connectTimeoutMs, lookup } as BuildConnector.BuildOptions);
    return new Agent({
      connections: cfg.connectionsPerOrigin,
      pipelining: 1,
      connect: (opts, cb) => {
        const host = opts.hostname.startsWith('[') ? opts.hostname.slice(1, -1) : opts.hostname;
        if (net.isIP(host) !== 0) {
          const why = addressRefusal(host, policy);
          if (why !== null) return cb(refused(`destination ${host} is a ${why} address (not in CAMPAIGND_OUTBOUND_ALLOW)`), null);
        }
        connector(opts, (err, socket) => {
          if (err !== null || socket === null) return cb(err ?? new Error('connection failed'), null);
          const remote = socket.remoteAddress;
          const why = remote === undefined ? 'unknown' : addressRefusal(remote, policy);
          if (why !== null) {
            socket.destroy();
            return cb(refused(`connected to ${remote ?? 'an unknown address'}, a ${why} address (not in CAMPAIGND_OUTBOUND_ALLOW)`), null);
          }
          cb(null, socket);
        });
      },
    });
  }

  /**
   * POSTs a JSON text and reads the reply up to the cap. Throws (never hangs) on a refused
   * destination (`code` REFUSED), a reply over the cap (`code` TOO_LARGE), a timeout, an
   * abort of `signal`, or a network error; the error message is fit for a log line.
   *
   * @param timeoutMs whole exchange, and each of the headers and body waits, in milliseconds
   * @example const { status, text } = await http.postJson('https://crm.example.com/cb', '[]', { timeoutMs: 10_000 })
   */
  async postJson(url: string, json: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<OutboundReply> {
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const { agent, request } = await this.#load();
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const res = await request(url, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=UTF-8' },
      body: json,
      signal,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    const cap = this.#cfg.maxReplyBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > cap) {
          throw Object.assign(new Error(`reply body exceeds ${cap} bytes (CAMPAIGND_OUTBOUND_MAX_REPLY_BYTES); not read further`), { code: TOO_LARGE });
        }
        chunks.push(b);
      }
    } catch (e) {
      // Stop reading and drop the connection: the rest of the reply is never buffered.
      res.body.destroy();
      throw e;
    }
    return { status: res.statusCode, text: Buffer.concat(chunks, size).toString('utf8') };
  }

  /** Closes idle connections and refuses new requests. */
  async close(): Promise<void> {
    if (this.#client !== null) await (await this.#client).agent.close();
  }
}
