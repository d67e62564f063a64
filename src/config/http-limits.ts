/**
 * Limits of the HTTP server (issue #9 item 4), read once at start. The defaults are those a
 * public server would use; every answer to a client that breaks one is in the envelope.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `CAMPAIGND_HEADERS_TIMEOUT_SECONDS` | `10` | the request line and headers must have arrived within this (408) |
 * | `CAMPAIGND_REQUEST_TIMEOUT_SECONDS` | `30` | the whole request, body included, must have arrived within this (408) |
 * | `CAMPAIGND_IDLE_TIMEOUT_SECONDS` | `30` | a connection on which nothing is received or sent for this long is closed (a body that stalls half-way, a client that does not read the answer); not counted while a request is being worked on |
 * | `CAMPAIGND_KEEPALIVE_TIMEOUT_SECONDS` | `5` | an idle keep-alive connection is closed after this |
 * | `CAMPAIGND_MAX_CONNECTIONS` | `1024` | open connections at most; further ones are closed at once |
 * | `CAMPAIGND_MAX_HEADER_BYTES` | `16384` | request line and headers at most (431) |
 */
import { envInt, type Env } from './env.js';

export interface HttpLimits {
  /** ms; also the interval at which Node checks the two request timeouts (a quarter of the smaller, at least 100 ms). */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  maxHeaderBytes: number;
}

/**
 * @example loadHttpLimits({}).requestTimeoutMs // 30000
 */
export function loadHttpLimits(env: Env = process.env): HttpLimits {
  const headersTimeoutMs = envInt(env, 'CAMPAIGND_HEADERS_TIMEOUT_SECONDS', 10, 1, 3600) * 1000;
  const requestTimeoutMs = envInt(env, 'CAMPAIGND_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600) * 1000;
  return {
    // Node requires headersTimeout ≤ requestTimeout.
    headersTimeoutMs: Math.min(headersTimeoutMs, requestTimeoutMs),
    requestTimeoutMs,
    idleTimeoutMs: envInt(env, 'CAMPAIGND_IDLE_TIMEOUT_SECONDS', 30, 1, 3600) * 1000,
    keepAliveTimeoutMs: envInt(env, 'CAMPAIGND_KEEPALIVE_TIMEOUT_SECONDS', 5, 1, 3600) * 1000,
    maxConnections: envInt(env, 'CAMPAIGND_MAX_CONNECTIONS', 1024, 1, 1_000_000),
    maxHeaderBytes: envInt(env, 'CAMPAIGND_MAX_HEADER_BYTES', 16384, 1024, 1024 * 1024),
  };
}
