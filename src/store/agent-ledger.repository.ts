/**
 * The abandon budget and the controller's measurements of skill-queue campaigns, in the
 * database so that every node on it draws from one budget and a restart resumes from the same
 * figures (schema/agents.ts, migrations/013-agent-ledger.ts).
 *
 * Serialisation: every decision ({@link decideWithLedger}) and every settled answered call
 * ({@link recordAnsweredCall}) first updates the campaign's `agent_ledger` row, in a
 * transaction: on PostgreSQL that row lock orders them, on SQLite the write lock taken at
 * `begin immediate` does. So a decision reads the abandoned calls and the other instances'
 * exposure of one consistent moment: an abandoned call is counted and its exposure given back
 * in the same transaction, never one without the other.
 *
 * Portable Kysely only (SQLite and PostgreSQL).
 */
import type { Db } from './db.js';

/** Measurement totals of one campaign since its first call (all nodes). Times in ms. */
export interface LedgerMeasurements {
  answered: number;
  failed: number;
  handleMs: number;
  handled: number;
  answerDelayMs: number;
  answerDelays: number;
}

/** What a decision sees, read under the campaign's ledger lock. */
export interface LedgerView {
  measurements: LedgerMeasurements;
  /** Answered and abandoned calls answered after `windowFrom`. */
  answered: number;
  abandoned: number;
  /** Answered calls answered after `stayingFrom` (still inside the window at the decision's horizon). */
  staying: number;
  /** Calls the other engine instances hold as exposure (fresh rows only). */
  othersHeld: number;
}

/** Runs `f` in `db` when it is already a transaction (the settle path's), else in a new one. */
function inTransaction<T>(db: Db, f: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? f(db) : db.transaction().execute(f);
}

const ZERO: LedgerMeasurements = { answered: 0, failed: 0, handleMs: 0, handled: 0, answerDelayMs: 0, answerDelays: 0 };

/**
 * Takes the campaign's ledger lock inside a transaction: one UPDATE of its row, which is created
 * first when missing (the campaign's first decision or call).
 */
async function lockLedger(trx: Db, campaignId: number, now: number): Promise<void> {
  const r = await trx.updateTable('agent_ledger').set({ updated_at: now }).where('campaign_id', '=', campaignId).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 1) return;
  await trx
    .insertInto('agent_ledger')
    .values({ campaign_id: campaignId, answered: 0, failed: 0, handle_ms: 0, handled: 0, answer_delay_ms: 0, answer_delays: 0, updated_at: now })
    .onConflict((oc) => oc.column('campaign_id').doUpdateSet({ updated_at: now }))
    .execute();
}

/** The campaign's measurement totals (zeros before its first call). */
export async function ledgerMeasurements(db: Db, campaignId: number): Promise<LedgerMeasurements> {
  const r = await db.selectFrom('agent_ledger').selectAll().where('campaign_id', '=', campaignId).executeTakeFirst();
  if (!r) return { ...ZERO };
  return {
    answered: Number(r.answered),
    failed: Number(r.failed),
    handleMs: Number(r.handle_ms),
    handled: Number(r.handled),
    answerDelayMs: Number(r.answer_delay_ms),
    answerDelays: Number(r.answer_delays),
  };
}

/**
 * One abandon-budget decision of engine instance `deskId` for a campaign, under the campaign's
 * ledger lock: reads the {@link LedgerView} (exposure rows updated before `staleBefore` are
 * ignored: their calls have outlived the attempt lease), runs `decide` (pure: it must not use
 * the database) and stores the exposure it returns as this instance's row. Returns `decide`'s result.
 */
export async function decideWithLedger<T>(
  db: Db,
  o: { campaignId: number; deskId: string; now: number; windowFrom: number; stayingFrom: number; staleBefore: number },
  decide: (v: LedgerView) => { result: T; held: number },
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    // The lock first (PostgreSQL: this row; SQLite: begin immediate already holds the write lock).
    await lockLedger(trx, o.campaignId, o.now);
    const l = await trx.selectFrom('agent_ledger').selectAll().where('campaign_id', '=', o.campaignId).executeTakeFirstOrThrow();
    const counts = await trx
      .selectFrom('agent_calls')
      .select((eb) => [
        eb.fn.countAll<number>().as('answered'),
        eb.fn.sum<number>('abandoned').as('abandoned'),
        eb.fn.sum<number>(eb.case().when('answered_at', '>', o.stayingFrom).then(1).else(0).end()).as('staying'),
      ])
      .where('campaign_id', '=', o.campaignId)
      .where('answered_at', '>', o.windowFrom)
      .executeTakeFirstOrThrow();
    const others = await trx
      .selectFrom('agent_exposure')
      .select((eb) => eb.fn.sum<number>('held').as('held'))
      .where('campaign_id', '=', o.campaignId)
      .where('desk_id', '<>', o.deskId)
      .where('updated_at', '>=', o.staleBefore)
      .executeTakeFirst();
    const { result, held } = decide({
      measurements: {
        answered: Number(l.answered),
        failed: Number(l.failed),
        handleMs: Number(l.handle_ms),
        handled: Number(l.handled),
        answerDelayMs: Number(l.answer_delay_ms),
        answerDelays: Number(l.answer_delays),
      },
      answered: Number(counts.answered),
      abandoned: Number(counts.abandoned ?? 0),
      staying: Number(counts.staying ?? 0),
      othersHeld: Number(others?.held ?? 0),
    });
    const h = Math.max(0, Math.floor(held));
    await trx
      .insertInto('agent_exposure')
      .values({ campaign_id: o.campaignId, desk_id: o.deskId, held: h, updated_at: o.now })
      .onConflict((oc) => oc.columns(['campaign_id', 'desk_id']).doUpdateSet({ held: h, updated_at: o.now }))
      .execute();
    return result;
  });
}

/**
 * A call of a skill-queue campaign not answered by a person: counted for the answer rate. `db`
 * may be the settling transaction (then the count commits with the settle).
 */
export async function recordFailedCall(db: Db, campaignId: number, now: number): Promise<void> {
  await db
    .insertInto('agent_ledger')
    .values({ campaign_id: campaignId, answered: 0, failed: 1, handle_ms: 0, handled: 0, answer_delay_ms: 0, answer_delays: 0, updated_at: now })
    .onConflict((oc) => oc.column('campaign_id').doUpdateSet((eb) => ({ failed: eb('agent_ledger.failed', '+', 1), updated_at: now })))
    .execute();
}

/**
 * A live-answered call (connected, or abandoned: 01046), in one transaction under the ledger
 * lock — `db`'s own when it is already a transaction (the settle path passes its transaction,
 * so the call's result and its abandon are committed together, issue #16), else a new one: its `agent_calls` row (a second settle of the same call changes nothing), the
 * measurement totals, and for an abandoned call one unit of `deskId`'s exposure given back (the
 * abandon now counts itself). `handleMs` / `answerDelayMs` null = not measured. Returns whether
 * the call was new.
 */
export async function recordAnsweredCall(
  db: Db,
  row: { vdnId: number; campaignId: number; callId: string; numberKey: string; answeredAt: number; abandoned: boolean },
  m: { deskId: string; now: number; handleMs: number | null; answerDelayMs: number | null },
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    await lockLedger(trx, row.campaignId, m.now);
    const ins = await trx
      .insertInto('agent_calls')
      .values({ vdn_id: row.vdnId, campaign_id: row.campaignId, call_id: row.callId, number_key: row.numberKey, answered_at: row.answeredAt, abandoned: row.abandoned ? 1 : 0 })
      .onConflict((oc) => oc.columns(['vdn_id', 'call_id']).doNothing())
      .executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await trx
      .updateTable('agent_ledger')
      .set((eb) => ({
        answered: eb('answered', '+', 1),
        handle_ms: eb('handle_ms', '+', Math.max(0, Math.round(m.handleMs ?? 0))),
        handled: eb('handled', '+', m.handleMs === null ? 0 : 1),
        answer_delay_ms: eb('answer_delay_ms', '+', Math.max(0, Math.round(m.answerDelayMs ?? 0))),
        answer_delays: eb('answer_delays', '+', m.answerDelayMs === null ? 0 : 1),
      }))
      .where('campaign_id', '=', row.campaignId)
      .execute();
    if (row.abandoned) {
      await trx
        .updateTable('agent_exposure')
        .set((eb) => ({ held: eb('held', '-', 1) }))
        .where('campaign_id', '=', row.campaignId)
        .where('desk_id', '=', m.deskId)
        .where('held', '>', 0)
        .execute();
    }
    return true;
  });
}
