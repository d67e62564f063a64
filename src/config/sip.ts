/**
 * Configuration of the SIP dialer (`CAMPAIGND_DIALER=sip`), read with the engine's: every
 * variable is listed in the README's engine table. A value that cannot be used throws a
 * ConfigError naming the variable.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import sip from 'sip';
import { ConfigError } from './error.js';
import { envInt as int, type Env } from './env.js';

export interface SipConfig {
  /** The trunk or PBX every INVITE goes to. */
  trunk: { host: string; port: number; transport: 'udp' | 'tcp' | 'tls' };
  /** PEM certificates that sign the trunk's TLS certificate (`CAMPAIGND_SIP_TLS_CA`); unset = Node's CA store. */
  tlsCa?: string;
  /** Digest credentials, answered to a 401/407 challenge. */
  credentials?: { user: string; password: string };
  /** `sip:{deviceSign}@pbx`-style template of the REFER target; unset = hold, then BYE. */
  transferUri?: string;
  /** How long an answered call is held before campaignd sends BYE, when there is no transfer URI (ms). */
  talkMs: number;
  /** Local address and port of campaignd's SIP stack (UDP and TCP on the same port; 0 = any free port). */
  bind: { address: string; port: number };
  /** Host campaignd names in Via and Contact; must be reachable from the trunk. */
  publicAddress: string;
}

const TEMPLATE_FIELDS = ['deviceSign', 'skillId', 'target', 'calledNo', 'callerNo', 'campaignId', 'vdnId'];

/** Parses `sip:host[:port][;transport=udp|tcp|tls]` (port 5060, or 5061 with TLS). */
export function parseTrunk(raw: string): SipConfig['trunk'] {
  const uri = /^sip:/i.test(raw) ? sip.parseUri(raw) : undefined;
  if (!uri || uri.user) throw new ConfigError(`CAMPAIGND_SIP_TRUNK must be sip:host[:port][;transport=udp|tcp|tls], got "${raw}"`);
  const transport = (uri.params.transport ?? 'udp').toLowerCase();
  if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') throw new ConfigError(`CAMPAIGND_SIP_TRUNK: transport must be udp, tcp or tls, got "${transport}"`);
  const port = uri.port || (transport === 'tls' ? 5061 : 5060);
  if (port < 1 || port > 65535) throw new ConfigError(`CAMPAIGND_SIP_TRUNK: port must be 1-65535, got ${port}`);
  return { host: uri.host, port, transport };
}

/** The SIP dialer's configuration; `undefined` when the dialer is not `sip`. */
export function loadSipConfig(env: Env, dialer: string): SipConfig | undefined {
  if (dialer !== 'sip') return undefined;
  const rawTrunk = env.CAMPAIGND_SIP_TRUNK?.trim();
  if (!rawTrunk) throw new ConfigError('CAMPAIGND_DIALER=sip needs CAMPAIGND_SIP_TRUNK (sip:host[:port][;transport=udp|tcp|tls])');
  const trunk = parseTrunk(rawTrunk);
  const user = env.CAMPAIGND_SIP_USER || undefined;
  const password = env.CAMPAIGND_SIP_PASSWORD || undefined;
  if ((user === undefined) !== (password === undefined)) throw new ConfigError('CAMPAIGND_SIP_USER and CAMPAIGND_SIP_PASSWORD go together: both or neither');
  const transferUri = env.CAMPAIGND_SIP_TRANSFER_URI?.trim() || undefined;
  if (transferUri !== undefined) {
    if (!/^sips?:\S+$/i.test(transferUri)) throw new ConfigError(`CAMPAIGND_SIP_TRANSFER_URI must be a sip: URI template, got "${transferUri}"`);
    for (const m of transferUri.matchAll(/\{([^}]*)\}/g)) {
      if (!TEMPLATE_FIELDS.includes(m[1]!)) throw new ConfigError(`CAMPAIGND_SIP_TRANSFER_URI: unknown field {${m[1]}} (known: ${TEMPLATE_FIELDS.join(', ')})`);
    }
  }
  const bindAddress = env.CAMPAIGND_SIP_BIND?.trim() || '0.0.0.0';
  if (!net.isIP(bindAddress)) throw new ConfigError(`CAMPAIGND_SIP_BIND must be an IP address, got "${bindAddress}"`);
  const port = int(env, 'CAMPAIGND_SIP_PORT', 5060, 0, 65535);
  const publicAddress = env.CAMPAIGND_SIP_PUBLIC_ADDRESS?.trim() || (bindAddress === '0.0.0.0' || bindAddress === '::' ? os.hostname() : bindAddress);
  // The sip package treats a request whose target host is its own host as addressed to itself
  // (flow tokens): a trunk on the very same host name would never be reached.
  if (publicAddress === trunk.host) {
    throw new ConfigError(
      `CAMPAIGND_SIP_PUBLIC_ADDRESS (${publicAddress}) must differ from the trunk's host; on one machine use another loopback address, e.g. CAMPAIGND_SIP_BIND=127.0.0.2`,
    );
  }
  let tlsCa: string | undefined;
  const caFile = env.CAMPAIGND_SIP_TLS_CA?.trim();
  if (caFile) {
    try {
      tlsCa = fs.readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new ConfigError(`CAMPAIGND_SIP_TLS_CA: cannot read "${caFile}": ${(e as Error).message}`);
    }
    if (!tlsCa.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`CAMPAIGND_SIP_TLS_CA: "${caFile}" holds no PEM certificate`);
  }
  return {
    trunk,
    tlsCa,
    credentials: user && password ? { user, password } : undefined,
    transferUri,
    talkMs: int(env, 'CAMPAIGND_SIP_TALK_SECONDS', 30, 0, 3600) * 1000,
    bind: { address: bindAddress, port },
    publicAddress,
  };
}

/**
 * The longest a SIP call can last (ms): the largest `maxAlertingTime` (120 s), then the talk time
 * or the hand-off wait (10 s), plus the 4 s guards on CANCEL and BYE. An attempt's lease must be
 * longer, or its result would come after the reaper settled it 34608.
 */
export function sipLongestCallMs(cfg: SipConfig): number {
  return 120_000 + Math.max(cfg.talkMs, 10_000) + 8_000;
}
