/**
 * The environment variables campaignd reads, one line each, for `campaignd serve --help`.
 * The README's "Configuration" tables are the full documentation; a test checks that every
 * variable named there is listed here too, so the two cannot drift apart.
 */
export const ENVIRONMENT: ReadonlyArray<readonly [name: string, meaning: string]> = [
  ['CAMPAIGND_PORT', 'TCP port (default 28080; 0 = any free port)'],
  ['CAMPAIGND_HOST', 'address to listen on (default 127.0.0.1)'],
  ['CAMPAIGND_DATA_DIR', 'directory of the SQLite database (default ./data)'],
  ['CAMPAIGND_ACCESS_KEY', 'access key made sure to exist at start, allowed on every VDN (with CAMPAIGND_SECRET_KEY)'],
  ['CAMPAIGND_SECRET_KEY', 'its secret key'],
  ['CAMPAIGND_DEPLOYMENT', 'integrated (default) or op-standalone: which agent field manual reservations need'],
  ['CAMPAIGND_CLOCK_SKEW_SECONDS', 'largest accepted signature clock skew (default 900)'],
  ['CAMPAIGND_TLS_CERT', 'PEM certificate file; with CAMPAIGND_TLS_KEY the server speaks HTTPS'],
  ['CAMPAIGND_TLS_KEY', 'PEM private key file'],
  ['CAMPAIGND_LOG_LEVEL', 'debug, info (default), warn, error or silent'],
  ['CAMPAIGND_SQLITE_SYNC', 'normal (default: survives a process crash) or full (survives a power loss)'],
  ['CAMPAIGND_SKILL_QUEUES', 'skill queue ids that exist (comma-separated; unset = any)'],
  ['CAMPAIGND_IVR_FLOWS', 'IVR flow access codes that exist (comma-separated; unset = any)'],
  ['CAMPAIGND_SKILL_CAMPAIGN_QUOTA', 'live skill-queue campaigns per VDN (default 20)'],
  ['CAMPAIGND_IVR_CAMPAIGN_QUOTA', 'live IVR campaigns per VDN (default 20)'],
  ['CAMPAIGND_MAX_BATCHES', 'batches per campaign, 1-1000 (default 100)'],
  ['CAMPAIGND_MAX_CALLER_NUMBERS', "calling numbers in one campaign's pool (default 1000)"],
  ['CAMPAIGND_CALLER_NO_ALLOWLIST', 'per-VDN calling-number allow-list: vdnId=code,code;vdnId=code'],
  ['CAMPAIGND_APPOINT_LEAD_SECONDS', 'automatic reservations become due this long before appointTime (default 300)'],
  ['CAMPAIGND_CALLDATA_MAX', 'records per call-data add, 1-10000 (default 20)'],
  ['CAMPAIGND_MAX_UNCOMPLETED', 'waiting + being-dialled records per campaign (default 200000)'],
  ['CAMPAIGND_STATISTICS_INTERVAL_SECONDS', 'one statistics query per VDN and parameters per interval (default 300; 0 = no limit)'],
  ['CAMPAIGND_CALLLOG_PARAMS', 'on (default) or off: whether the calllogs journal keeps request parameters'],
  ['CAMPAIGND_ENGINE', 'on (default) or off: run the interfaces without dialling'],
  ['CAMPAIGND_CLOCK', 'system (default) or manual (moved by POST /campaignd/v1/clock)'],
  ['CAMPAIGND_TIMEZONE', 'IANA zone of calling windows, special dates and retry days (default UTC)'],
  ['CAMPAIGND_DIALER', 'simulated (default) or webhook'],
  ['CAMPAIGND_WEBHOOK_URL', 'where the webhook dialer POSTs each call'],
  ['CAMPAIGND_MAX_CPS', 'calls per second across all campaigns (default 20)'],
  ['CAMPAIGND_ENGINE_POLL_MS', 'how often the engine looks for due work (default 1000)'],
  ['CAMPAIGND_ATTEMPT_LEASE_SECONDS', "a claimed attempt's lease (default 600)"],
  ['CAMPAIGND_RETRY_INTERVAL_SECONDS', 'spacing of same-day retries under an ordinary retry policy (default 3600)'],
  ['CAMPAIGND_APPOINT_GRACE_SECONDS', 'a reservation not carried out this long after appointTime times out (default 1800)'],
  ['CAMPAIGND_SIM_SEED', 'seed of the simulated dialer (default campaignd)'],
  ['CAMPAIGND_SIM_MIX', 'simulated outcome mix, OBS code:weight,…'],
  ['CAMPAIGND_SIM_SCRIPTS', 'scripted numbers: number=code,code;…'],
  ['CAMPAIGND_SIM_RING_SECONDS', 'simulated ring time range (default 3-20)'],
  ['CAMPAIGND_SIM_TALK_SECONDS', 'simulated talk time range (default 20-180)'],
  ['CAMPAIGND_CALLBACK_ATTEMPTS', 'deliveries of one result callback, 1-6 (default 3)'],
  ['CAMPAIGND_CALLBACK_BACKOFF_SECONDS', 'back-off of later callback retries, doubling (default 60)'],
  ['CAMPAIGND_CALLBACK_TIMEOUT_SECONDS', 'timeout of one callback delivery or webhook hand-off (default 10)'],
  ['CAMPAIGND_URL', '(campaignd call) server URL (default http://127.0.0.1:$CAMPAIGND_PORT)'],
];

/** The help text block listing every variable, aligned. */
export function environmentHelp(): string {
  const width = Math.max(...ENVIRONMENT.map(([n]) => n.length));
  return ['', 'Environment variables (read once at start; the README has the details):', ...ENVIRONMENT.map(([n, m]) => `  ${n.padEnd(width)}  ${m}`)].join('\n');
}
