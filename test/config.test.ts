/**
 * Configuration is validated at start, every variable (README §Configuration): a value that
 * cannot be used throws a `ConfigError` naming the variable, and `campaignd serve` stops with
 * that message instead of falling back silently. One case per kind of variable (whole number,
 * word from a fixed set, pair, file, host, list, allow-list, time zone, URL, range, outcome mix,
 * scripts), a property test for the words, and proof that accepted values are really used.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { ConfigError, loadConfig, LOG_LEVELS } from '../src/config/index.js';
import { newDir, serve } from './child.js';
import { AK, SK, startTestServer, tempDir } from './helpers.js';

const base = () => ({ CAMPAIGND_DATA_DIR: tempDir(), CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK });

/** loadConfig must refuse `env` with a ConfigError whose message names `variable`. */
function refuses(env: Record<string, string>, variable: string, detail?: RegExp): void {
  assert.throws(
    () => loadConfig({ ...base(), ...env }),
    (e: unknown) => e instanceof ConfigError && e.message.includes(variable) && (detail === undefined || detail.test(e.message)),
    `${JSON.stringify(env)} must be refused naming ${variable}`,
  );
}

describe('every kind of variable is checked at start', () => {
  const cases: Array<[kind: string, env: Record<string, string>, variable: string, detail?: RegExp]> = [
    ['whole number: not a number', { CAMPAIGND_PORT: '80a' }, 'CAMPAIGND_PORT', /whole number/],
    ['whole number: out of range', { CAMPAIGND_MAX_CPS: '0' }, 'CAMPAIGND_MAX_CPS', /between 1 and/],
    ['whole number: a fraction', { CAMPAIGND_CALLBACK_ATTEMPTS: '2.5' }, 'CAMPAIGND_CALLBACK_ATTEMPTS'],
    ['whole number: the clock step limit', { CAMPAIGND_CLOCK_MAX_STEPS: '0' }, 'CAMPAIGND_CLOCK_MAX_STEPS'],
    ['word: log level typo', { CAMPAIGND_LOG_LEVEL: 'inf0' }, 'CAMPAIGND_LOG_LEVEL', /inf0/],
    ['word: SQLite sync typo', { CAMPAIGND_SQLITE_SYNC: 'ful' }, 'CAMPAIGND_SQLITE_SYNC', /normal, full/],
    ['word: engine switch', { CAMPAIGND_ENGINE: 'yes' }, 'CAMPAIGND_ENGINE'],
    ['word: clock', { CAMPAIGND_CLOCK: 'manaul' }, 'CAMPAIGND_CLOCK'],
    ['word: dialer', { CAMPAIGND_DIALER: 'carrier-pigeon' }, 'CAMPAIGND_DIALER'],
    ['word: deployment', { CAMPAIGND_DEPLOYMENT: 'cloud' }, 'CAMPAIGND_DEPLOYMENT'],
    ['word: calllog parameters', { CAMPAIGND_CALLLOG_PARAMS: 'maybe' }, 'CAMPAIGND_CALLLOG_PARAMS'],
    ['pair: access key without secret', { CAMPAIGND_SECRET_KEY: '' }, 'CAMPAIGND_ACCESS_KEY'],
    ['secret: shorter than the key store accepts', { CAMPAIGND_SECRET_KEY: 'short' }, 'CAMPAIGND_SECRET_KEY', /8 characters/],
    ['pair: TLS certificate without key', { CAMPAIGND_TLS_CERT: '/etc/hostname' }, 'CAMPAIGND_TLS_KEY'],
    ['file: TLS files that cannot be read', { CAMPAIGND_TLS_CERT: '/nonexistent/cert.pem', CAMPAIGND_TLS_KEY: '/nonexistent/key.pem' }, 'CAMPAIGND_TLS_CERT', /cannot read/],
    ['host: not an address or host name', { CAMPAIGND_HOST: 'local host' }, 'CAMPAIGND_HOST'],
    ['list: skill queue ids', { CAMPAIGND_SKILL_QUEUES: '7,eight' }, 'CAMPAIGND_SKILL_QUEUES', /eight/],
    ['list: IVR flow access codes', { CAMPAIGND_IVR_FLOWS: '100,bad flow' }, 'CAMPAIGND_IVR_FLOWS', /bad flow/],
    ['allow-list: vdnId=codes', { CAMPAIGND_CALLER_NO_ALLOWLIST: 'one=4001' }, 'CAMPAIGND_CALLER_NO_ALLOWLIST'],
    ['time zone: unknown IANA name', { CAMPAIGND_TIMEZONE: 'Mars/Olympus' }, 'CAMPAIGND_TIMEZONE'],
    ['URL: webhook not http(s)', { CAMPAIGND_WEBHOOK_URL: 'ftp://cti.example/dial' }, 'CAMPAIGND_WEBHOOK_URL'],
    ['URL: recordings base', { CAMPAIGND_SIM_RECORD_URL: 'rec.example/calls' }, 'CAMPAIGND_SIM_RECORD_URL'],
    ['URL: webhook dialer without a URL', { CAMPAIGND_DIALER: 'webhook' }, 'CAMPAIGND_WEBHOOK_URL'],
    ['range: MIN above MAX', { CAMPAIGND_SIM_RING_SECONDS: '20-3' }, 'CAMPAIGND_SIM_RING_SECONDS'],
    ['outcome mix: unknown OBS code', { CAMPAIGND_SIM_MIX: '00000:5,99999:1' }, 'CAMPAIGND_SIM_MIX', /99999/],
    ['scripts: not NUMBER=CODES', { CAMPAIGND_SIM_SCRIPTS: '5550001:00603' }, 'CAMPAIGND_SIM_SCRIPTS'],
    ['call-data limit', { CAMPAIGND_CALLDATA_MAX: '10001' }, 'CAMPAIGND_CALLDATA_MAX'],
  ];
  for (const [kind, env, variable, detail] of cases) {
    test(`${kind} → ConfigError naming ${variable}`, () => refuses(env, variable, detail));
  }

  test('property: any CAMPAIGND_LOG_LEVEL or CAMPAIGND_SQLITE_SYNC other than the known words (any case, blanks around) is refused', () => {
    const words = fc.string({ minLength: 1, maxLength: 12 }).filter((w) => w.trim() !== '');
    fc.assert(
      fc.property(words, (w) => {
        const level = (LOG_LEVELS as readonly string[]).includes(w.trim().toLowerCase());
        const sync = ['normal', 'full'].includes(w.trim().toLowerCase());
        const env = { CAMPAIGND_DATA_DIR: '/tmp/unused', CAMPAIGND_LOG_LEVEL: w };
        if (level) assert.equal(loadConfig(env).logLevel, w.trim().toLowerCase());
        else
          assert.throws(
            () => loadConfig(env),
            (e: unknown) => e instanceof ConfigError && e.message.includes('CAMPAIGND_LOG_LEVEL'),
          );
        const env2 = { CAMPAIGND_DATA_DIR: '/tmp/unused', CAMPAIGND_SQLITE_SYNC: w };
        if (sync) assert.equal(loadConfig(env2).sqliteSync, w.trim().toLowerCase());
        else
          assert.throws(
            () => loadConfig(env2),
            (e: unknown) => e instanceof ConfigError && e.message.includes('CAMPAIGND_SQLITE_SYNC'),
          );
      }),
      { numRuns: 300 },
    );
  });
});

describe('accepted values are used', () => {
  test('defaults: info, normal, 127.0.0.1; CAMPAIGND_LOG_LEVEL=DEBUG reads as debug', () => {
    const c = loadConfig({ CAMPAIGND_DATA_DIR: '/tmp/unused' });
    assert.deepEqual([c.logLevel, c.sqliteSync, c.host, c.engine.clockMaxSteps], ['info', 'normal', '127.0.0.1', 100_000]);
    assert.equal(loadConfig({ CAMPAIGND_DATA_DIR: '/tmp/unused', CAMPAIGND_LOG_LEVEL: ' DEBUG ' }).logLevel, 'debug');
    assert.equal(loadConfig({ CAMPAIGND_DATA_DIR: '/tmp/unused', CAMPAIGND_HOST: '::1' }).host, '::1');
  });

  test('CAMPAIGND_SQLITE_SYNC=full sets the SQLite pragma to FULL (2); the default is NORMAL (1)', async () => {
    for (const [value, pragma] of [
      ['full', 2],
      ['', 1],
    ] as const) {
      // A SQLite setting: on SQLite in the PostgreSQL pass too (an empty URL = the SQLite file).
      const s = await startTestServer({ CAMPAIGND_ENGINE: 'off', CAMPAIGND_SQLITE_SYNC: value, CAMPAIGND_DATABASE_URL: '', CAMPAIGND_DATABASE_SCHEMA: '' });
      try {
        const r = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(s.store.db);
        assert.equal(r.rows[0]?.synchronous, pragma, `CAMPAIGND_SQLITE_SYNC="${value}"`);
      } finally {
        await s.stop();
      }
    }
  });
});

describe('campaignd serve stops on a bad value', () => {
  test('CAMPAIGND_LOG_LEVEL=inf0: the process exits before listening, its message names the variable, no database is created', async () => {
    const dir = newDir();
    await assert.rejects(serve(dir, { CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK, CAMPAIGND_LOG_LEVEL: 'inf0' }), (e: unknown) => {
      const msg = (e as Error).message;
      assert.match(msg, /exited before it was ready/);
      assert.match(msg, /configuration error: CAMPAIGND_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "inf0"/);
      return true;
    });
    assert.equal(fs.existsSync(path.join(dir, 'campaignd.db')), false);
  });
});
