/**
 * Engine configuration from the environment (listed in the README). Read once at start-up;
 * a value that cannot be used throws with the variable's name.
 */
import { ConfigError } from './error.js';
import { envInt as int, envOneOf as oneOf, envRange as range, type Env } from './env.js';
import { isValidTimeZone } from '../domain/calling-windows.js';
import { parseContactCaps, type ContactCaps } from '../domain/contact-caps.js';
import { isKnownRegion } from '../domain/phone-numbers.js';
import { isRulePack } from '../domain/rule-packs.js';
import { DEFAULT_MIX, parseMix, parseScripts } from '../engine/simulated-dialer.js';
import { loadSipConfig, sipLongestCallMs, type SipConfig } from './sip.js';
import { loadAgentConfig, type AgentConfig } from './agents.js';

export interface EngineConfig {
  enabled: boolean;
  clock: 'system' | 'manual';
  dialer: 'simulated' | 'webhook' | 'sip';
  timeZone: string;
  /** Region of numbers without a country code (libphonenumber-js); a campaign may name its own. */
  defaultRegion: string;
  /** Jurisdiction rule pack applied to every campaign (null = none). */
  rulePack: string | null;
  /** Cross-campaign contact caps per VDN (`*` = every other VDN). */
  contactCaps: ContactCaps;
  pollMs: number;
  /** Global calls per second across all campaigns. */
  maxCps: number;
  /** Grace after appointTime before a reservation not carried out is marked timeout. */
  appointGraceMs: number;
  /** Lease of a claimed attempt; a dispatched attempt without a result by then is settled 34608. */
  attemptLeaseMs: number;
  /** Spacing of same-day retries under an ordinary retry policy (the vendor gives days × times only). */
  retryIntervalMs: number;
  sim: {
    seed: string;
    mix: ReadonlyArray<readonly [string, number]>;
    scripts: ReadonlyMap<string, readonly string[]>;
    ringSeconds: [number, number];
    talkSeconds: [number, number];
    recordUrl?: string;
  };
  webhookUrl?: string;
  /** The SIP dialer's settings (config/sip.ts), present when `dialer` is `sip`. */
  sip?: SipConfig;
  callbackAttempts: number;
  callbackBackoffMs: number;
  callbackTimeoutMs: number;
  /**
   * Most instants one move of the manual clock may step through (`CAMPAIGND_CLOCK_MAX_STEPS`);
   * a move that needs more stops at the last one reached and answers 0200001 (engine.ts).
   */
  clockMaxSteps: number;
  /** Agent campaigns: abandon rules and the simulated agent pool (config/agents.ts). */
  agents: AgentConfig;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && !/\s/.test(s);
  } catch {
    return false;
  }
}

/**
 * Reads the engine's variables (README §Configuration → Engine); throws a `ConfigError` naming
 * the variable for any value it cannot use, so a typo stops the server at start.
 */
export function loadEngineConfig(env: Env = process.env): EngineConfig {
  const timeZone = env.CAMPAIGND_TIMEZONE || 'UTC';
  if (!isValidTimeZone(timeZone)) throw new ConfigError(`CAMPAIGND_TIMEZONE "${timeZone}" is not a known IANA time zone`);
  const defaultRegion = env.CAMPAIGND_DEFAULT_REGION || 'CN';
  if (!isKnownRegion(defaultRegion)) throw new ConfigError(`CAMPAIGND_DEFAULT_REGION "${defaultRegion}" is not a region libphonenumber-js knows (ISO 3166 alpha-2, upper case)`);
  const rulePack = env.CAMPAIGND_RULE_PACK || null;
  if (rulePack !== null && rulePack !== 'none' && !isRulePack(rulePack)) throw new ConfigError(`CAMPAIGND_RULE_PACK "${rulePack}" is not a rule pack (FR, US, US-FL or none)`);
  let contactCaps: ContactCaps = new Map();
  try {
    if (env.CAMPAIGND_CONTACT_CAPS) contactCaps = parseContactCaps(env.CAMPAIGND_CONTACT_CAPS);
  } catch (e) {
    throw new ConfigError(`CAMPAIGND_CONTACT_CAPS: ${(e as Error).message}`);
  }
  const dialer = oneOf(env, 'CAMPAIGND_DIALER', ['simulated', 'webhook', 'sip'] as const, 'simulated');
  const webhookUrl = env.CAMPAIGND_WEBHOOK_URL || undefined;
  if (dialer === 'webhook' && !webhookUrl) throw new ConfigError('CAMPAIGND_DIALER=webhook needs CAMPAIGND_WEBHOOK_URL');
  const recordUrl = env.CAMPAIGND_SIM_RECORD_URL?.trim();
  if (recordUrl && !isHttpUrl(recordUrl)) throw new ConfigError(`CAMPAIGND_SIM_RECORD_URL must be an http(s) URL, got "${recordUrl}"`);
  if (webhookUrl && !isHttpUrl(webhookUrl)) throw new ConfigError(`CAMPAIGND_WEBHOOK_URL must be an http(s) URL, got "${webhookUrl}"`);
  let mix: ReadonlyArray<readonly [string, number]> = DEFAULT_MIX;
  let scripts: ReadonlyMap<string, readonly string[]> = new Map();
  // Each variable is named on its own, so the message points at the one to fix.
  for (const [name, read] of [
    ['CAMPAIGND_SIM_MIX', (v: string) => (mix = parseMix(v))],
    ['CAMPAIGND_SIM_SCRIPTS', (v: string) => (scripts = parseScripts(v))],
  ] as const) {
    const raw = env[name];
    if (!raw) continue;
    try {
      read(raw);
    } catch (e) {
      throw new ConfigError(`${name}: ${(e as Error).message}`);
    }
  }
  const attemptLeaseMs = int(env, 'CAMPAIGND_ATTEMPT_LEASE_SECONDS', 600, 5, 86400) * 1000;
  const sip = loadSipConfig(env, dialer);
  if (sip && attemptLeaseMs < sipLongestCallMs(sip)) {
    throw new ConfigError(
      `CAMPAIGND_ATTEMPT_LEASE_SECONDS must be at least ${Math.ceil(sipLongestCallMs(sip) / 1000)} with the SIP dialer (the longest call: 120 s ringing + talk time or hand-off + margins), got ${attemptLeaseMs / 1000}`,
    );
  }
  return {
    enabled: oneOf(env, 'CAMPAIGND_ENGINE', ['on', 'off'] as const, 'on') === 'on',
    clock: oneOf(env, 'CAMPAIGND_CLOCK', ['system', 'manual'] as const, 'system'),
    dialer,
    timeZone,
    defaultRegion,
    rulePack: rulePack === 'none' ? null : rulePack,
    contactCaps,
    pollMs: int(env, 'CAMPAIGND_ENGINE_POLL_MS', 1000, 10, 60_000),
    maxCps: int(env, 'CAMPAIGND_MAX_CPS', 20, 1, 10_000),
    appointGraceMs: int(env, 'CAMPAIGND_APPOINT_GRACE_SECONDS', 1800, 0, 7 * 86400) * 1000,
    attemptLeaseMs,
    retryIntervalMs: int(env, 'CAMPAIGND_RETRY_INTERVAL_SECONDS', 3600, 1, 86400) * 1000,
    sim: {
      seed: env.CAMPAIGND_SIM_SEED || 'campaignd',
      mix,
      scripts,
      ringSeconds: range(env, 'CAMPAIGND_SIM_RING_SECONDS', [3, 20]),
      talkSeconds: range(env, 'CAMPAIGND_SIM_TALK_SECONDS', [20, 180]),
      recordUrl: recordUrl || undefined,
    },
    webhookUrl,
    sip,
    callbackAttempts: int(env, 'CAMPAIGND_CALLBACK_ATTEMPTS', 3, 1, 6),
    callbackBackoffMs: int(env, 'CAMPAIGND_CALLBACK_BACKOFF_SECONDS', 60, 0, 86400) * 1000,
    callbackTimeoutMs: int(env, 'CAMPAIGND_CALLBACK_TIMEOUT_SECONDS', 10, 1, 300) * 1000,
    clockMaxSteps: int(env, 'CAMPAIGND_CLOCK_MAX_STEPS', 100_000, 1, 10_000_000),
    agents: loadAgentConfig(env),
  };
}
