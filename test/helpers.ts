/**
 * Test harness: the real server on a fresh SQLite file and port 0, and a signing client.
 * No mocks: every test talks HTTP to campaignd and campaignd talks to a real database file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startApp, type RunningApp } from '../src/app.js';
import { CampaigndClient, type CreateCampaignBody, type Envelope } from '../src/client/index.js';
import { loadConfig, type Config } from '../src/config/index.js';
import type { Clock } from '../src/engine/clock.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import { databaseEnv, dropDatabaseFor } from './pg-target.js';

export const AK = 'testAK0001';
export const SK = 'test-secret-key-0001-xyz';

export interface TestServer extends RunningApp {
  client: CampaigndClient;
  dir: string;
  config: Config;
  stop(): Promise<void>;
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-test-'));
}

/** Starts campaignd on a new (or given) data directory; `env` overrides configuration. */
export async function startTestServer(env: Record<string, string> = {}, opts: { clock?: Clock; dir?: string } = {}): Promise<TestServer> {
  const dir = opts.dir ?? tempDir();
  let config: Config;
  let running: RunningApp;
  try {
    config = loadConfig({
      CAMPAIGND_DATA_DIR: dir,
      CAMPAIGND_PORT: '0',
      CAMPAIGND_ACCESS_KEY: AK,
      CAMPAIGND_SECRET_KEY: SK,
      // Tests run their callback receivers and webhook CTIs on loopback (refused by default).
      CAMPAIGND_OUTBOUND_ALLOW: '127.0.0.0/8',
      // The PostgreSQL pass: a schema of its own instead of the SQLite file (pg-target.ts).
      ...databaseEnv(dir),
      ...env,
    });
    running = await startApp(config, { clock: opts.clock, logger: pino({ level: process.env.CAMPAIGND_TEST_LOG_LEVEL || 'silent' }) });
  } catch (e) {
    if (!opts.dir) {
      fs.rmSync(dir, { recursive: true, force: true });
      await dropDatabaseFor(dir);
    }
    throw e;
  }
  const client = new CampaigndClient({ baseUrl: running.url, accessKey: AK, secretKey: SK });
  return {
    ...running,
    client,
    dir,
    config,
    async stop() {
      await running.close();
      if (!opts.dir) {
        fs.rmSync(dir, { recursive: true, force: true });
        await dropDatabaseFor(dir);
      }
    },
  };
}

export const P = (vdnId: number | string = 1) => `/rest/isales/v1/openapi/campaigns/${vdnId}`;

/** A valid add-campaign v1 body starting today (UTC) and running 30 days. */
export function campaignBody(overrides: Record<string, unknown> = {}, nowMs = Date.now()): Record<string, unknown> {
  const begin = startOfUtcDay(nowMs);
  return {
    name: `campaign-${Math.random().toString(36).slice(2, 10)}`,
    description: 'test campaign',
    strBeginTime: formatDateTime(begin),
    strEndTime: formatDateTime(begin + 30 * 86400_000),
    deviceType: 3,
    callerNo: '4001001',
    maxAlertingTime: 30,
    scheduleParam: { workdayBeginTime1: '08:00', workdayEndTime1: '20:00' },
    ivrParam: { deviceSign: '100', callCount: 10, callInterval: 5 },
    ...overrides,
  };
}

/** Creates a campaign through the typed client and returns its id (asserting success). */
export async function createCampaign(client: CampaigndClient, vdnId = 1, overrides: Record<string, unknown> = {}, nowMs?: number): Promise<number> {
  const res = await client.createCampaign(vdnId, campaignBody(overrides, nowMs) as CreateCampaignBody);
  const id = res.ok ? res.body.returnObject?.id : undefined;
  if (id === undefined) throw new Error(`campaign create failed: ${res.raw}`);
  return id;
}

/** Creates a batch through the typed client and returns its id (asserting success). */
export async function createBatch(client: CampaigndClient, vdnId: number, campaignId: number, name: string, status?: 1 | 2): Promise<string> {
  const res = await client.createBatch(vdnId, campaignId, { name, ...(status ? { status } : {}) });
  const id = res.ok ? res.body.returnObject?.id : undefined;
  if (id === undefined) throw new Error(`batch create failed: ${res.raw}`);
  return id;
}

/** Asserts a complete envelope: the return pair mirrors the result pair. */
export function envelopeOf(body: unknown): Envelope {
  const b = body as Envelope;
  if (!b || typeof b.resultCode !== 'string') throw new Error(`not an envelope: ${JSON.stringify(body)}`);
  if (b.returnCode !== b.resultCode || b.returnDesc !== b.resultDesc) throw new Error(`return pair does not mirror result pair: ${JSON.stringify(body)}`);
  return b;
}
