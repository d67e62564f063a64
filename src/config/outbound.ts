/**
 * Configuration of outbound HTTP (result callbacks, the webhook dialer), read once at start.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `CAMPAIGND_OUTBOUND_ALLOW` | — | comma-separated addresses or CIDR ranges that may be reached although private, loopback, link-local or otherwise not global unicast |
 * | `CAMPAIGND_OUTBOUND_MAX_REPLY_BYTES` | `65536` | largest reply body read; a longer one is cut off and counts as a failed delivery |
 * | `CAMPAIGND_OUTBOUND_CONNECT_TIMEOUT_SECONDS` | `5` | TCP (and TLS) connection set-up |
 * | `CAMPAIGND_OUTBOUND_CONNECTIONS` | `4` | concurrent requests to one destination (origin); more wait their turn |
 */
import { ConfigError } from './error.js';
import { envInt, envList, type Env } from './env.js';
import { parseAllowEntry, urlRefusal, type OutboundPolicy } from '../domain/outbound-policy.js';

export interface OutboundConfig {
  policy: OutboundPolicy;
  /** Reply bodies longer than this (bytes) are not read further. */
  maxReplyBytes: number;
  /** Connection set-up timeout, ms. */
  connectTimeoutMs: number;
  /** Connections (so concurrent requests) per origin. */
  connectionsPerOrigin: number;
}

/**
 * @example loadOutboundConfig({ CAMPAIGND_OUTBOUND_ALLOW: '127.0.0.0/8' }).policy.allow.length // 1
 */
export function loadOutboundConfig(env: Env = process.env): OutboundConfig {
  const allow = envList(env, 'CAMPAIGND_OUTBOUND_ALLOW').map((entry) => {
    try {
      return parseAllowEntry(entry);
    } catch (e) {
      throw new ConfigError(`CAMPAIGND_OUTBOUND_ALLOW: ${(e as Error).message}`);
    }
  });
  const policy: OutboundPolicy = { allow };
  const webhook = env.CAMPAIGND_WEBHOOK_URL;
  if (webhook) {
    const why = urlRefusal(webhook, policy);
    if (why !== null) throw new ConfigError(`CAMPAIGND_WEBHOOK_URL ${why}`);
  }
  return {
    policy,
    maxReplyBytes: envInt(env, 'CAMPAIGND_OUTBOUND_MAX_REPLY_BYTES', 65536, 1024, 16 * 1024 * 1024),
    connectTimeoutMs: envInt(env, 'CAMPAIGND_OUTBOUND_CONNECT_TIMEOUT_SECONDS', 5, 1, 120) * 1000,
    connectionsPerOrigin: envInt(env, 'CAMPAIGND_OUTBOUND_CONNECTIONS', 4, 1, 256),
  };
}
