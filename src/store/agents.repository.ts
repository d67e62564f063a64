/**
 * Agents of skill queues and the answered calls of skill-queue campaigns (schema/agents.ts).
 * Portable Kysely only (SQLite and PostgreSQL).
 */
import { writeTransaction } from './group-commit.js';
import type { Db } from './db.js';

/** One answered call of a skill-queue campaign; a second row for the same call is ignored. */
export async function recordAgentCall(
  db: Db,
  row: { vdnId: number; campaignId: number; callId: string; numberKey: string; answeredAt: number; abandoned: boolean },
): Promise<void> {
  await db
    .insertInto('agent_calls')
    .values({ vdn_id: row.vdnId, campaign_id: row.campaignId, call_id: row.callId, number_key: row.numberKey, answered_at: row.answeredAt, abandoned: row.abandoned ? 1 : 0 })
    .onConflict((oc) => oc.columns(['vdn_id', 'call_id']).doNothing())
    .execute();
}

/** Answered and abandoned calls of a campaign answered after `from` (epoch ms). */
export async function agentCallCounts(db: Db, campaignId: number, from: number): Promise<{ answered: number; abandoned: number }> {
  const r = await db
    .selectFrom('agent_calls')
    .select((eb) => [eb.fn.countAll<number>().as('answered'), eb.fn.sum<number>('abandoned').as('abandoned')])
    .where('campaign_id', '=', campaignId)
    .where('answered_at', '>', from)
    .executeTakeFirstOrThrow();
  return { answered: Number(r.answered), abandoned: Number(r.abandoned ?? 0) };
}

/** The latest abandoned call to a number (canonical key) in a VDN after `since`, or null. */
export async function lastAbandonOf(db: Db, vdnId: number, numberKey: string, since: number): Promise<number | null> {
  const r = await db
    .selectFrom('agent_calls')
    .select((eb) => eb.fn.max('answered_at').as('t'))
    .where('vdn_id', '=', vdnId)
    .where('number_key', '=', numberKey)
    .where('abandoned', '=', 1)
    .where('answered_at', '>', since)
    .executeTakeFirst();
  return r?.t === null || r?.t === undefined ? null : Number(r.t);
}

/**
 * Replaces the reported state of the listed agents of a skill queue (others keep theirs), in one
 * group-committed write transaction (store/group-commit.ts: shares its COMMIT with the other
 * interface writes of its turn; inside a transaction already, runs in it).
 */
export async function reportAgents(db: Db, vdnId: number, skillId: number, agents: ReadonlyArray<{ agentId: string; state: string }>, now: number): Promise<void> {
  await writeTransaction(db, async (trx) => {
    for (const a of agents) {
      await trx
        .insertInto('agents')
        .values({ vdn_id: vdnId, skill_id: skillId, agent_id: a.agentId, state: a.state, updated_at: now })
        .onConflict((oc) => oc.columns(['vdn_id', 'skill_id', 'agent_id']).doUpdateSet({ state: a.state, updated_at: now }))
        .execute();
    }
  });
}

/** The agents of a skill queue as last reported, by id. */
export async function agentsOf(db: Db, vdnId: number, skillId: number): Promise<Array<{ agentId: string; state: string; updatedAt: number }>> {
  const rows = await db.selectFrom('agents').selectAll().where('vdn_id', '=', vdnId).where('skill_id', '=', skillId).orderBy('agent_id').execute();
  return rows.map((r) => ({ agentId: r.agent_id, state: r.state, updatedAt: Number(r.updated_at) }));
}
