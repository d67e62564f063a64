/**
 * Configuration comes from the environment only (12-factor), read once at start-up.
 * Every variable is listed in the README's configuration table; `loadConfig` throws a
 * `ConfigError` naming the variable for any value it cannot use, so a typo stops the server
 * at start instead of surfacing as odd behaviour later.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConfigError } from './error.js';
import { envInt as int, envList as list, envOneOf as oneOf, type Env } from './env.js';
import { loadCallDataConfig, type CallDataConfig } from './call-data.js';
import { loadCallLogConfig, type CallLogConfig } from './calllogs.js';
import { loadEngineConfig, type EngineConfig } from './engine.js';
import { loadOutboundConfig, type OutboundConfig } from './outbound.js';
import { loadHttpLimits, type HttpLimits } from './http-limits.js';
import { loadFileImportConfig, type FileImportConfig } from './file-import.js';

export { ConfigError };

export type Deployment = 'integrated' | 'op-standalone';

/** The levels pino knows; anything else in `CAMPAIGND_LOG_LEVEL` stops the server at start. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** SQLite file inside dataDir (unused when databaseUrl is set). */
  databaseFile: string;
  /** CAMPAIGND_DATABASE_URL: a `postgres://` URL; set = PostgreSQL instead of the SQLite file. */
  databaseUrl?: string;
  /** CAMPAIGND_DATABASE_SCHEMA: the PostgreSQL schema of campaignd's tables (unset = search_path). */
  databaseSchema?: string;
  accessKey?: string;
  secretKey?: string;
  deployment: Deployment;
  clockSkewMs: number;
  tlsCert?: string;
  tlsKey?: string;
  /** pino level: fatal, error, warn, info, debug, trace or silent (`CAMPAIGND_LOG_LEVEL`). */
  logLevel: LogLevel;
  /** SQLite `synchronous` pragma (`CAMPAIGND_SQLITE_SYNC`): normal survives a process crash, full a power loss too. */
  sqliteSync: 'normal' | 'full';
  /** Per-campaign batch limit (tenant parameter "Maximum batch quantity in the task"). */
  maxBatchesPerCampaign: number;
  /** Skill-queue campaign quota per VDN (0200003). */
  skillCampaignQuota: number;
  /** IVR campaign quota per VDN (0200004). */
  ivrCampaignQuota: number;
  /** Declared skill queue ids; empty = any well-formed id is accepted. */
  skillQueues: ReadonlySet<number>;
  /** Declared IVR flow access codes; empty = any well-formed value is accepted. */
  ivrFlows: ReadonlySet<string>;
  /** Maximum calling numbers in one campaign's pool. */
  maxCallerNumbers: number;
  /** "Restrict VDN Calling Number": vdnId → the access codes that VDN may use. */
  callerNoAllowList: ReadonlyMap<number, ReadonlySet<string>>;
  /** Automatic reservations are dialled this long before appointTime. */
  appointLeadMs: number;
  /** Largest request body accepted. */
  bodyLimit: number;
  /** The campaign engine (config/engine.ts). */
  engine: EngineConfig;
  /** Call-data and statistics limits (config/call-data.ts). */
  callData: CallDataConfig;
  /** The calllogs journal (config/calllogs.ts). */
  callLog: CallLogConfig;
  /** Outbound HTTP: destination policy, reply cap, timeouts (config/outbound.ts). */
  outbound: OutboundConfig;
  /** HTTP server timeouts and connection/header caps (config/http-limits.ts). */
  httpLimits: HttpLimits;
  /** File servers and file imports (config/file-import.ts). */
  fileImport: FileImportConfig;
}

/** A DNS host name (RFC 1123 labels). */
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** `"1=123,456;2=789"` → Map {1 → {123,456}, 2 → {789}} */
function parseAllowList(raw: string | undefined): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  if (!raw) return out;
  for (const part of raw.split(';')) {
    if (part.trim() === '') continue;
    const m = /^\s*(\d{1,4})\s*=\s*([0-9,\s]*)$/.exec(part);
    if (!m) throw new ConfigError(`CAMPAIGND_CALLER_NO_ALLOWLIST: cannot read "${part}" (expected vdnId=code,code;...)`);
    const vdn = Number(m[1]);
    const codes = (m[2] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    out.set(vdn, new Set(codes));
  }
  return out;
}

/** CAMPAIGND_DATABASE_URL and CAMPAIGND_DATABASE_SCHEMA, checked. */
function databaseTarget(env: Env): { databaseUrl?: string; databaseSchema?: string } {
  const url = (env.CAMPAIGND_DATABASE_URL ?? '').trim();
  const schema = (env.CAMPAIGND_DATABASE_SCHEMA ?? '').trim();
  if (url === '') {
    if (schema !== '') throw new ConfigError('CAMPAIGND_DATABASE_SCHEMA needs CAMPAIGND_DATABASE_URL');
    return {};
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('CAMPAIGND_DATABASE_URL is not a URL (expected postgres://user@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`CAMPAIGND_DATABASE_URL must start with postgres:// or postgresql://, got "${parsed.protocol}//"`);
  }
  if (schema !== '' && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError('CAMPAIGND_DATABASE_SCHEMA must be a plain identifier: letters, digits and _, not starting with a digit, at most 63');
  }
  return { databaseUrl: url, ...(schema === '' ? {} : { databaseSchema: schema }) };
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(env.CAMPAIGND_DATA_DIR || './data');
  const deployment = (env.CAMPAIGND_DEPLOYMENT || 'integrated') as Deployment;
  if (deployment !== 'integrated' && deployment !== 'op-standalone') {
    throw new ConfigError(`CAMPAIGND_DEPLOYMENT must be "integrated" or "op-standalone", got "${deployment}"`);
  }
  const accessKey = env.CAMPAIGND_ACCESS_KEY || undefined;
  const secretKey = env.CAMPAIGND_SECRET_KEY || undefined;
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw new ConfigError('CAMPAIGND_ACCESS_KEY and CAMPAIGND_SECRET_KEY must be given together');
  }
  if (accessKey !== undefined && !/^[A-Za-z0-9._~-]{1,128}$/.test(accessKey)) {
    throw new ConfigError('CAMPAIGND_ACCESS_KEY may contain only letters, digits and -._~ (at most 128)');
  }
  if (secretKey !== undefined && secretKey.length < 8) {
    throw new ConfigError('CAMPAIGND_SECRET_KEY needs at least 8 characters (the key store refuses shorter secrets)');
  }
  const tlsCert = env.CAMPAIGND_TLS_CERT || undefined;
  const tlsKey = env.CAMPAIGND_TLS_KEY || undefined;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new ConfigError('CAMPAIGND_TLS_CERT and CAMPAIGND_TLS_KEY must be given together');
  }
  for (const [name, file] of [
    ['CAMPAIGND_TLS_CERT', tlsCert],
    ['CAMPAIGND_TLS_KEY', tlsKey],
  ] as const) {
    if (file === undefined) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch {
      throw new ConfigError(`${name}: cannot read the file "${file}"`);
    }
  }
  const host = (env.CAMPAIGND_HOST ?? '').trim() || '127.0.0.1';
  if (net.isIP(host) === 0 && !HOSTNAME.test(host)) throw new ConfigError(`CAMPAIGND_HOST must be an IP address or a host name, got "${host}"`);
  const skillQueues = new Set<number>();
  for (const s of list(env, 'CAMPAIGND_SKILL_QUEUES')) {
    if (!/^\d{1,9}$/.test(s)) throw new ConfigError(`CAMPAIGND_SKILL_QUEUES: "${s}" is not a skill queue id`);
    skillQueues.add(Number(s));
  }
  return {
    host,
    port: int(env, 'CAMPAIGND_PORT', 28080, 0, 65535),
    dataDir,
    databaseFile: path.join(dataDir, 'campaignd.db'),
    ...databaseTarget(env),
    accessKey,
    secretKey,
    deployment,
    clockSkewMs: int(env, 'CAMPAIGND_CLOCK_SKEW_SECONDS', 900, 0, 7 * 86400) * 1000,
    tlsCert,
    tlsKey,
    logLevel: oneOf(env, 'CAMPAIGND_LOG_LEVEL', LOG_LEVELS, 'info'),
    sqliteSync: oneOf(env, 'CAMPAIGND_SQLITE_SYNC', ['normal', 'full'] as const, 'normal'),
    maxBatchesPerCampaign: int(env, 'CAMPAIGND_MAX_BATCHES', 100, 1, 1000),
    skillCampaignQuota: int(env, 'CAMPAIGND_SKILL_CAMPAIGN_QUOTA', 20, 1, 100000),
    ivrCampaignQuota: int(env, 'CAMPAIGND_IVR_CAMPAIGN_QUOTA', 20, 1, 100000),
    skillQueues,
    ivrFlows: new Set(
      list(env, 'CAMPAIGND_IVR_FLOWS').map((f) => {
        // The same characters and length as a campaign's ivrParam.deviceSign may have.
        if (!/^[0-9A-Za-z_*#.-]{1,64}$/.test(f)) throw new ConfigError(`CAMPAIGND_IVR_FLOWS: "${f}" is not an IVR flow access code`);
        return f;
      }),
    ),
    maxCallerNumbers: int(env, 'CAMPAIGND_MAX_CALLER_NUMBERS', 1000, 1, 100000),
    callerNoAllowList: parseAllowList(env.CAMPAIGND_CALLER_NO_ALLOWLIST),
    appointLeadMs: int(env, 'CAMPAIGND_APPOINT_LEAD_SECONDS', 300, 0, 86400) * 1000,
    bodyLimit: 1024 * 1024,
    engine: loadEngineConfig(env),
    callData: loadCallDataConfig(env),
    callLog: loadCallLogConfig(env),
    outbound: loadOutboundConfig(env),
    httpLimits: loadHttpLimits(env),
    fileImport: loadFileImportConfig(env),
  };
}
