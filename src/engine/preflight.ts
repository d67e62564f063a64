/**
 * Preflight (campaignd extension, issue #7): for the records of a campaign waiting now, how
 * many the engine would dial now and how many are held, grouped by the gate that holds them,
 * with the next instant each group becomes eligible — the "X of Y will be skipped" view an
 * operator asks for before pressing start. Nothing is claimed, dialled or written: the same
 * gate functions as the workers run (call-data-worker.ts `callDataGates`, the contact rules),
 * read-only. Pacing (`ivrParam.callCount`, `CAMPAIGND_MAX_CPS`) then spreads "dial now" over
 * rounds; it is not a hold.
 *
 * Waiting = call data in state ready (due now or later) and automatic reservations still
 * pending whose dial time (appointTime − lead) has come. Manual reservations are the agents'.
 */
import type { Config } from '../config/index.js';
import { campaignGate } from '../domain/gates.js';
import { formatDateTime } from '../domain/time.js';
import type { CampaignRow } from '../store/campaigns.repository.js';
import type { Db } from '../store/db.js';
import { numbersOf } from '../store/engine-call-data.repository.js';
import { blocklistAtDial } from './blocklist-at-dial.js';
import { callDataGates, roundContext } from './call-data-worker.js';
import { contactGates, packHoursGate } from './contact-rules-at-dial.js';
import { callDataPolicies } from './factory.js';

export interface PreflightGroup {
  /** campaign-state, validity, batch-paused, not-due, recycle-time, attempt-budget, calling-window, number-delay, blocklist, rule-pack, contact-cap, no-number */
  gate: string;
  count: number;
  /** Earliest instant (epoch ms) a record of the group may be dialled; null = not by time alone (resume, never). */
  nextEligibleAt: number | null;
  /** The same, `yyyy-MM-dd HH:mm:ss` UTC. */
  nextEligibleTime: string | null;
  /** The reason of the group's first record, as the trail would name it. */
  reason: string;
}

export interface PreflightPart {
  waiting: number;
  dialNow: number;
  held: number;
  groups: PreflightGroup[];
}

export interface Preflight {
  campaignId: number;
  /** Engine time of the preflight, epoch ms, and as `yyyy-MM-dd HH:mm:ss` UTC. */
  at: number;
  time: string;
  callData: PreflightPart & { truncated: boolean };
  reservations: PreflightPart;
}

/** A gate's hold, or one of the preflight's own reasons (`not-due`, `no-number`). */
type Hold = { gate: string; until: number | null; reason: string };
/** A gate's answer as the preflight sees it (its own `not-due` included). */
type Check = { go: true } | ({ go: false } & Hold);

class Tally {
  readonly part: PreflightPart = { waiting: 0, dialNow: 0, held: 0, groups: [] };
  readonly #by = new Map<string, PreflightGroup>();

  go(): void {
    this.part.waiting++;
    this.part.dialNow++;
  }

  hold(h: Hold): void {
    this.part.waiting++;
    this.part.held++;
    let g = this.#by.get(h.gate);
    if (!g) {
      g = { gate: h.gate, count: 0, nextEligibleAt: h.until, nextEligibleTime: null, reason: h.reason };
      this.#by.set(h.gate, g);
      this.part.groups.push(g);
    }
    g.count++;
    if (h.until !== null && (g.nextEligibleAt === null || h.until < g.nextEligibleAt)) g.nextEligibleAt = h.until;
  }

  done(): PreflightPart {
    for (const g of this.part.groups) g.nextEligibleTime = g.nextEligibleAt === null ? null : formatDateTime(g.nextEligibleAt);
    this.part.groups.sort((a, b) => b.count - a.count || a.gate.localeCompare(b.gate));
    return this.part;
  }
}

/**
 * The preflight of campaign `c` at engine time `now` (epoch ms); at most `limit` call-data
 * records are examined (best priority and earliest due first; `truncated` says when more wait).
 */
/**
 * The earliest instant at or after `from` at which every gate lets the record through: the first
 * holding gate's `until` is only a lower bound when another gate still holds then (a window that
 * opens at 09:00 under a pack that opens at 10:00). Follows the holds forward, at most 16 times;
 * null when a hold has no end in time (a resume, or never).
 */
async function firstOpen(check: (t: number) => Promise<Check>, from: number | null): Promise<number | null> {
  let t = from;
  for (let i = 0; i < 16 && t !== null; i++) {
    const g = await check(t);
    if (g.go || g.until === null || g.until <= t) return g.go ? t : g.until === null ? null : t;
    t = g.until;
  }
  return t;
}

export async function preflight(db: Db, config: Config, c: CampaignRow, now: number, limit = 10_000): Promise<Preflight> {
  const policies = callDataPolicies(config);
  const round = await roundContext(db, config.engine, policies, c);
  const state = campaignGate({ beginTime: Number(c.begin_time), endTime: Number(c.end_time), suspended: c.suspended === 1 }, now);
  const records = await db
    .selectFrom('call_data as d')
    .leftJoin('batches as b', 'b.id', 'd.batch_id')
    .selectAll('d')
    .select('b.status as batch_status')
    .where('d.campaign_id', '=', c.id)
    .where('d.state', '=', 'ready')
    .orderBy('d.priority')
    .orderBy('d.due_at')
    .orderBy('d.id')
    .limit(limit + 1)
    .execute();
  const data = new Tally();
  for (const r of records.slice(0, limit)) {
    if (!state.go) {
      data.hold(state);
      continue;
    }
    if (r.batch_status === 2) {
      data.hold({ gate: 'batch-paused', until: null, reason: 'batch suspended' });
      continue;
    }
    const numbers = await numbersOf(db, Number(r.id));
    const num = numbers[r.number_index];
    if (!num) {
      data.hold({ gate: 'no-number', until: null, reason: 'no number left to call' });
      continue;
    }
    const rules = await policies.retryRules(db, c.id, num.type);
    const check = async (t: number): Promise<Check> => {
      let g = await callDataGates(db, round, r, num, rules, t);
      if (g.go) g = await contactGates(db, round.rules, num.called_no, t);
      // A record that passes every gate but whose next attempt is due later waits for its spacing.
      if (g.go && Number(r.due_at) > t) return { go: false, gate: 'not-due', until: Number(r.due_at), reason: 'next attempt not due yet (retry spacing or delay)' };
      return g;
    };
    const g = await check(now);
    if (g.go) data.go();
    else data.hold({ ...g, until: await firstOpen(check, g.until) });
  }

  const reservations = new Tally();
  const due = await db
    .selectFrom('reservations')
    .select(['called_no'])
    .where('campaign_id', '=', c.id)
    .where('call_type', '=', 2)
    .where('state', '=', 'pending')
    .where('timeout', '=', 0)
    .where('due_at', '<=', now)
    .limit(limit)
    .execute();
  for (const r of due) {
    if (!state.go) {
      reservations.hold(state);
      continue;
    }
    const check = async (t: number): Promise<Check> => {
      let g = await blocklistAtDial(db, c.vdn_id, r.called_no, t, round.rules.tz, round.rules.region);
      if (g.go) g = packHoursGate(round.rules, t);
      if (g.go) g = await contactGates(db, round.rules, r.called_no, t);
      return g;
    };
    const g = await check(now);
    if (g.go) reservations.go();
    else reservations.hold({ ...g, until: await firstOpen(check, g.until) });
  }
  return {
    campaignId: c.id,
    at: now,
    time: formatDateTime(now),
    callData: { ...data.done(), truncated: records.length > limit },
    reservations: reservations.done(),
  };
}
