/**
 * Types for the `sip` npm package (kirm/sip.js, CommonJS, ships no types): only the parts
 * campaignd uses. Messages are plain objects; see node_modules/sip/doc/api.markdown.
 */
declare module 'sip' {
  export interface SipUri {
    schema?: string;
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params: Record<string, string | null>;
    headers?: Record<string, string>;
  }
  export interface SipAddress {
    name?: string;
    uri: string | SipUri;
    params?: Record<string, string | null | undefined>;
  }
  export interface SipVia {
    version?: string;
    protocol?: string;
    host?: string;
    port?: number;
    params: Record<string, string | null | undefined>;
  }
  export interface SipMessage {
    method?: string;
    uri?: string | SipUri;
    status?: number;
    reason?: string;
    version?: string;
    headers: Record<string, unknown> & {
      via?: SipVia[];
      to?: SipAddress;
      from?: SipAddress;
      'call-id'?: string;
      cseq?: { seq: number; method: string };
      contact?: SipAddress[] | '*';
      'record-route'?: SipAddress[];
      route?: SipAddress[];
    };
    content?: string;
  }
  export interface Remote {
    protocol: string;
    address: string;
    port: number;
  }
  export interface StackOptions {
    port?: number;
    address?: string;
    publicAddress?: string;
    hostname?: string;
    udp?: boolean;
    tcp?: boolean;
    rport?: boolean;
    /** Options of `tls.connect` / `tls.createServer`; enables the TLS transport. */
    tls?: import('node:tls').ConnectionOptions & import('node:tls').TlsOptions;
    tls_port?: number;
    logger?: { send?(m: SipMessage, target: unknown): void; recv?(m: SipMessage, remote: Remote): void; error?(e: unknown): void };
  }
  export interface Stack {
    send(m: SipMessage, callback?: (rs: SipMessage) => void): void;
    destroy(): void;
    hostname(): string;
  }
  export function create(options: StackOptions, onRequest: (rq: SipMessage, remote: Remote) => void): Stack;
  export function makeResponse(rq: SipMessage, status: number, reason?: string, extension?: { headers?: Record<string, unknown>; content?: string }): SipMessage;
  export function parseUri(s: string | SipUri): SipUri | undefined;
  export function stringifyUri(u: string | SipUri): string;
  export function parse(s: string): SipMessage | undefined;
  const sip: {
    create: typeof create;
    makeResponse: typeof makeResponse;
    parseUri: typeof parseUri;
    stringifyUri: typeof stringifyUri;
    parse: typeof parse;
  };
  export default sip;
}

declare module 'sip/digest.js' {
  import type { SipMessage } from 'sip';
  export interface DigestCredentials {
    user: string;
    password: string;
    realm?: string;
  }
  /** Adds Authorization / Proxy-Authorization to `rq`; with `rs` (a 401/407) it first takes the challenge into `ctx`. */
  export function signRequest(ctx: object, rq: SipMessage, rs?: SipMessage, creds?: DigestCredentials): object | null;
  const digest: { signRequest: typeof signRequest };
  export default digest;
}
