/**
 * Retention pruning (issue #9): journal rows, decision-trail rows and finished (delivered or
 * failed) callbacks older than a cutoff are deleted in bounded chunks, so one pass never holds
 * the write lock for long. Pending callbacks are never pruned: they are work still to do.
 * Issue #16: the answered calls of skill-queue campaigns (`agent_calls`), the engine instances'
 * abandon exposure (`agent_exposure`) and the contact-rule history (`contact_attempts`,
 * `contact_locks`) go too, each by its own cutoff, which the caller keeps far enough back for
 * the rules that read them (engine/retention-job.ts `retentionFloors`).
 *
 * @example const n = await pruneOlderThan(db, Date.now() - 30 * 86400_000, 5000)
 */
import { sql } from 'kysely';
import { longIdsBefore } from '../domain/ids.js';
import type { Db } from './db.js';

/** Rows deleted by one `pruneOlderThan` pass, per table. */
export interface Pruned {
  callLogs: number;
  trail: number;
  callbacks: number;
  agentCalls: number;
  agentExposure: number;
  contactAttempts: number;
  contactLocks: number;
}

/** Cutoffs (epoch ms, engine clock) of the tables the dial-time rules read. */
export interface RuleCutoffs {
  /** `agent_calls.answered_at` and `agent_exposure.updated_at` (30-day abandon rate, quiet period). */
  agentCalls: number;
  /** `contact_attempts.at` and `contact_locks.touched_at` (rule-pack caps, contact caps, blocklist frequency). */
  contacts: number;
}

/**
 * Deletes up to `chunk` rows of each table whose time is before `cutoff` (epoch ms, engine
 * clock): `call_logs.oper_time`, `engine_trail.at`, `callback_outbox.updated_at` of delivered
 * and failed callbacks; and of the rule tables before their own cutoffs in `rules` (default:
 * `cutoff`). Call again while any count equals `chunk`. Journal rows are found by a range of
 * their primary key, oldest first ({@link pruneCallLogsQuery}, issue #12).
 */
export async function pruneOlderThan(db: Db, cutoff: number, chunk: number, rules: RuleCutoffs = { agentCalls: cutoff, contacts: cutoff }): Promise<Pruned> {
  const logs = await pruneCallLogsQuery(db, cutoff, chunk).executeTakeFirst();
  const trail = await db
    .deleteFrom('engine_trail')
    .where('id', 'in', (eb) => eb.selectFrom('engine_trail').select('id').where('at', '<', cutoff).limit(chunk))
    .executeTakeFirst();
  const callbacks = await db
    .deleteFrom('callback_outbox')
    .where('id', 'in', (eb) => eb.selectFrom('callback_outbox').select('id').where('state', 'in', ['delivered', 'failed']).where('updated_at', '<', cutoff).limit(chunk))
    .executeTakeFirst();
  // Composite keys: a row-value IN over a bounded sub-select (SQLite ≥ 3.15 and PostgreSQL).
  const agentCalls = await db
    .deleteFrom('agent_calls')
    .where(sql<boolean>`(vdn_id, call_id) in (select vdn_id, call_id from agent_calls where answered_at < ${rules.agentCalls} limit ${chunk})`)
    .executeTakeFirst();
  const exposure = await db
    .deleteFrom('agent_exposure')
    .where(sql<boolean>`(campaign_id, desk_id) in (select campaign_id, desk_id from agent_exposure where updated_at < ${rules.agentCalls} limit ${chunk})`)
    .executeTakeFirst();
  const attempts = await db
    .deleteFrom('contact_attempts')
    .where('id', 'in', (eb) => eb.selectFrom('contact_attempts').select('id').where('at', '<', rules.contacts).limit(chunk))
    .executeTakeFirst();
  const locks = await db
    .deleteFrom('contact_locks')
    .where(sql<boolean>`(vdn_id, number_key) in (select vdn_id, number_key from contact_locks where touched_at < ${rules.contacts} limit ${chunk})`)
    .executeTakeFirst();
  return {
    callLogs: Number(logs.numDeletedRows),
    trail: Number(trail.numDeletedRows),
    callbacks: Number(callbacks.numDeletedRows),
    agentCalls: Number(agentCalls.numDeletedRows),
    agentExposure: Number(exposure.numDeletedRows),
    contactAttempts: Number(attempts.numDeletedRows),
    contactLocks: Number(locks.numDeletedRows),
  };
}

/**
 * The DELETE of up to `chunk` journal rows whose `oper_time` is before `cutoff` (epoch ms), the
 * oldest first: found by a range of the primary key (issue #12; migration 015 dropped the
 * `oper_time` index), since journal ids begin with their `oper_time`'s ms (domain/ids.ts
 * `longIdsBefore`). `oper_time` is compared as well, so a row whose id does not follow that
 * layout is never deleted before its time (one that is old but whose id sorts at or after the
 * bound is kept; the journal's only writer, http/calllogs-journal.ts, makes none). A cutoff with
 * no id bound (at or before 1970, or from 2286 on) compares the times alone, by a table scan.
 * Exported for the tests (its query plan).
 *
 * @example const { numDeletedRows } = await pruneCallLogsQuery(db, Date.now() - 30 * 86400_000, 5000).executeTakeFirst()
 */
export function pruneCallLogsQuery(db: Db, cutoff: number, chunk: number) {
  const idBound = longIdsBefore(cutoff);
  return db.deleteFrom('call_logs').where('id', 'in', (eb) => {
    const old = eb.selectFrom('call_logs').select('id').where('oper_time', '<', cutoff);
    return idBound === null ? old.limit(chunk) : old.where('id', '<', idBound).orderBy('id').limit(chunk);
  });
}
