/**
 * Builds the engine from configuration: the dialer it names, and the workers with their
 * connections to the policy areas (special dates, retry policies, external results).
 */
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { externalResultFor } from '../domain/external-results.js';
import type { RetryRules } from '../domain/retry-decision.js';
import { retryEntryFor } from '../domain/retry-policy.js';
import { retryPolicyOf } from '../domain/campaign-policies.js';
import { isSpecialDate } from '../domain/special-dates.js';
import type { Db } from '../store/db.js';
import type { DialectCaps } from '../store/dialect.js';
import { listSpecialDates } from '../store/special-dates.repository.js';
import { CallDataWorker, type CallDataPolicies } from './call-data-worker.js';
import type { Clock } from './clock.js';
import type { Dialer } from './dialer.js';
import { Engine } from './engine.js';
import { ReservationWorker } from './reservation-worker.js';
import { SimulatedDialer } from './simulated-dialer.js';
import { WebhookDialer } from './webhook-dialer.js';

export function createDialer(config: Config): Dialer {
  const e = config.engine;
  if (e.dialer === 'webhook') {
    return new WebhookDialer({
      url: e.webhookUrl!,
      timeoutMs: e.callbackTimeoutMs,
      resultPath: (vdnId, callId) => `/campaignd/v1/campaigns/${vdnId}/calls/${callId}/result`,
    });
  }
  return new SimulatedDialer({ seed: e.sim.seed, mix: e.sim.mix, scripts: e.sim.scripts, ringSeconds: e.sim.ringSeconds, talkSeconds: e.sim.talkSeconds, recordUrl: e.sim.recordUrl });
}

/** The campaign's special dates as a predicate on local days. */
async function specialDays(db: Db, campaignId: number) {
  const rows = await listSpecialDates(db, campaignId);
  const rules = rows.map((r) => ({ type: r.type, week: r.week, beginTime: r.begin_date, endTime: r.end_date }));
  return (d: Parameters<typeof isSpecialDate>[1]) => rules.length > 0 && isSpecialDate(rules, d);
}

/** The campaign's retry policy for a number type, in the engine's terms. */
async function retryRules(db: Db, campaignId: number, numberType: string | null, intervalMs: number): Promise<RetryRules> {
  const policy = await retryPolicyOf(db, campaignId);
  const noRetry = new Set(policy.noRetryResultCodes);
  const entry = retryEntryFor(policy, numberType);
  if (!entry) return { mode: 'none', noRetry };
  if (entry.type === 0) return { mode: 'ordinary', days: entry.retryDays, timesPerDay: entry.retryTimesPerDay, intervalMs, noRetry };
  return { mode: 'by-result', rules: new Map(entry.rules.map((r) => [r.result, { retries: r.retryNumber, intervalMs: r.callIntervalSec * 1000 }])), noRetry };
}

export function createEngine(deps: { db: Db; caps: DialectCaps; clock: Clock; config: Config; log?: Logger; dialer?: Dialer }): Engine {
  const policies: CallDataPolicies = {
    specialDays,
    retryRules: (db, campaignId, numberType) => retryRules(db, campaignId, numberType, deps.config.engine.retryIntervalMs),
  };
  return new Engine(
    { db: deps.db, caps: deps.caps, clock: deps.clock, config: deps.config, engine: deps.config.engine, dialer: deps.dialer ?? createDialer(deps.config), log: deps.log, externalResultFor },
    (ctx) => [new ReservationWorker(ctx), new CallDataWorker(ctx, policies)],
  );
}

