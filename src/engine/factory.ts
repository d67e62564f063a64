/**
 * Builds the engine from configuration: the dialer it names, and the workers with their
 * connections to the policy areas (special dates, retry policies, external results).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
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
import { AgentDesk } from './agent-desk.js';
import { ReservationWorker } from './reservation-worker.js';
import { SimulatedDialer } from './simulated-dialer.js';
import { SipDialer, type SipTarget } from './sip-dialer.js';
import { WebhookDialer } from './webhook-dialer.js';
import { OutboundHttp } from './outbound-http.js';
import { recordSipCall } from '../store/sip-calls.repository.js';

/** The campaign's hand-off target for the SIP dialer's transfer URI (`{deviceSign}`, `{skillId}`). */
async function sipTargetOf(db: Db, vdnId: number, campaignId: number): Promise<SipTarget> {
  const c = await db.selectFrom('campaigns').select(['ivr_param', 'skill_param']).where('vdn_id', '=', vdnId).where('id', '=', campaignId).executeTakeFirst();
  const parse = (s: string | null | undefined) => {
    try {
      return s ? (JSON.parse(s) as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const ivr = parse(c?.ivr_param);
  const skill = parse(c?.skill_param);
  const deviceSign = ivr.deviceSign === undefined || ivr.deviceSign === null ? null : String(ivr.deviceSign);
  const skillId = skill.skillId === undefined || skill.skillId === null ? null : String(skill.skillId);
  return { deviceSign, skillId };
}

/** The dialer `CAMPAIGND_DIALER` names; the SIP dialer also needs the database (targets, call records). */
export function createDialer(config: Config, db?: Db, log?: Logger): Dialer {
  const e = config.engine;
  if (e.dialer === 'sip') {
    if (!db || !e.sip) throw new Error('the SIP dialer needs its configuration and the database');
    return new SipDialer({ cfg: e.sip, targetOf: (vdnId, campaignId) => sipTargetOf(db, vdnId, campaignId), record: (r) => recordSipCall(db, r), log });
  }
  if (e.dialer === 'webhook') {
    return new WebhookDialer({
      url: e.webhookUrl!,
      timeoutMs: e.callbackTimeoutMs,
      http: new OutboundHttp(config.outbound),
      resultPath: (vdnId, callId) => `/campaignd/v1/campaigns/${vdnId}/calls/${callId}/result`,
    });
  }
  return new SimulatedDialer({
    seed: e.sim.seed,
    mix: e.sim.mix,
    scripts: e.sim.scripts,
    ringSeconds: e.sim.ringSeconds,
    talkSeconds: e.sim.talkSeconds,
    recordUrl: e.sim.recordUrl,
  });
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

/** The call-data worker's connections to the policy areas (also used by the preflight). */
export function callDataPolicies(config: Config): CallDataPolicies {
  return {
    specialDays,
    retryRules: (db, campaignId, numberType) => retryRules(db, campaignId, numberType, config.engine.retryIntervalMs),
  };
}

export function createEngine(deps: { db: Db; caps: DialectCaps; clock: Clock; config: Config; log?: Logger; dialer?: Dialer }): Engine {
  const policies = callDataPolicies(deps.config);
  const dialer = deps.dialer ?? createDialer(deps.config, deps.db, deps.log);
  const engine = new Engine(
    {
      db: deps.db,
      caps: deps.caps,
      clock: deps.clock,
      config: deps.config,
      engine: deps.config.engine,
      dialer,
      log: deps.log,
      externalResultFor,
      agents: new AgentDesk(deps.db, deps.config.engine.agents, dialer.name === 'simulated', deps.config.engine.sim.seed, deps.config.engine.attemptLeaseMs),
    },
    (ctx) => [new ReservationWorker(ctx), new CallDataWorker(ctx, policies)],
  );
  // A dialer that runs calls itself reports each outcome the way an external CTI does.
  dialer.attach?.((callId, vdnId, outcome) => engine.settleExternal(callId, vdnId, outcome));
  return engine;
}
