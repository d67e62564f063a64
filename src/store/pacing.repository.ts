/**
 * Round spacing and the calls-per-second budget, kept in `engine_pacing` (schema/pacing.ts) so
 * that every node on one database draws from the same budget. Every change is one conditional
 * UPDATE of the row: its row lock serialises concurrent nodes (PostgreSQL re-checks the
 * condition after the wait), without a store-wide lock.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from './db.js';
import { queryTemplate } from './query-template.js';

const CPS = 'cps';
const roundKey = (campaignId: number) => `round:${campaignId}`;

/**
 * Starts a round of a campaign at `now` when its spacing allows: the campaign's next round is
 * then no sooner than `now + intervalMs`. One conditional UPDATE (the row's lock serialises the
 * nodes; the loser finds the new `until_at` and updates nothing); `used` keeps the previous
 * `until_at` for {@link cancelRound}. Returns a ticket to hand back when the round dialled
 * nothing, or null when a round (on any node) is still too recent.
 */
export async function startRound(db: Db, campaignId: number, now: number, intervalMs: number): Promise<{ previous: number; until: number } | null> {
  const key = roundKey(campaignId);
  const until = now + intervalMs;
  // One statement: a new row (as if it had been 0 until now) or the conditional update of the
  // existing one (its row lock serialises the nodes; a round still too recent returns nothing).
  const row = await db
    .insertInto('engine_pacing')
    .values({ key, until_at: until, used: 0, granted: 0 })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet((eb) => ({ used: eb.ref('engine_pacing.until_at'), until_at: until }))
        .where('engine_pacing.until_at', '<=', now),
    )
    .returning('used')
    .executeTakeFirst();
  return row ? { previous: Number(row.used), until } : null;
}

/** Undoes {@link startRound} (nothing was dialled), unless another round was started since. */
export async function cancelRound(db: Db, campaignId: number, ticket: { previous: number; until: number }): Promise<void> {
  await db.updateTable('engine_pacing').set({ until_at: ticket.previous }).where('key', '=', roundKey(campaignId)).where('until_at', '=', ticket.until).execute();
}

const nextRoundQuery = queryTemplate((db, now: number) =>
  db
    .selectFrom('engine_pacing')
    .select((eb) => eb.fn.min('until_at').as('t'))
    .where('key', 'like', 'round:%')
    .where('until_at', '>', now),
);

/** The earliest round spacing ending after `now` (any campaign), or null (compiled once: every engine pass asks, issue #12). */
export async function nextRoundAt(db: Db, now: number): Promise<number | null> {
  const r = (await db.executeQuery(nextRoundQuery(db, now))).rows[0];
  return r?.t === null || r?.t === undefined ? null : Number(r.t);
}

/** The second (epoch ms) `now` falls in. */
const secondOf = (now: number) => Math.floor(now / 1000) * 1000;

/**
 * {@link takeCps}'s statement, built and compiled once (query-template.ts, issue #12: its CASE
 * expressions took longer to build with Kysely on every engine pass than SQLite took to run it).
 * `fresh` is `want` capped to [0, max]; parameters are typed for PostgreSQL's CASE (SQLite reads
 * the casts as integers).
 */
const takeCpsQuery = queryTemplate((db, second: number, max: number, want: number, fresh: number) => {
  const [w, m, sec] = [want, max, second].map((v) => sql<number>`cast(${v} as bigint)`) as [RawBuilder<number>, RawBuilder<number>, RawBuilder<number>];
  const grant = sql<number>`case when engine_pacing.until_at = ${sec} then (case when ${w} < ${m} - engine_pacing.used then ${w} else ${m} - engine_pacing.used end) else (case when ${w} < ${m} then ${w} else ${m} end) end`;
  // One statement: a new row (a fresh second) or the conditional update of the existing one.
  return db
    .insertInto('engine_pacing')
    .values({ key: CPS, until_at: second, used: fresh, granted: fresh })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ used: sql<number>`(case when engine_pacing.until_at = ${sec} then engine_pacing.used else 0 end) + ${grant}`, granted: grant, until_at: second })
        // Only forward: a pass late for a second another node already moved past gets nothing (it
        // must not reset the row to its older second and so hand out that newer second's budget twice).
        .where((eb) => eb.or([eb('engine_pacing.until_at', '<', second), eb.and([eb('engine_pacing.until_at', '=', second), eb('engine_pacing.used', '<', max)])])),
    )
    .returning('granted');
});

/**
 * Takes up to `want` calls from the budget of `now`'s second (at most `max` per second); returns
 * how many were granted. One conditional UPDATE (the row's lock serialises the nodes): a later
 * second starts from 0, an earlier one than the row's gets nothing; the grant is kept in
 * `granted` so that RETURNING can tell it.
 */
export async function takeCps(db: Db, now: number, max: number, want: number): Promise<number> {
  if (want <= 0) return 0;
  const row = (await db.executeQuery(takeCpsQuery(db, secondOf(now), max, want, Math.max(0, Math.min(want, max))))).rows[0];
  return row ? Math.max(0, Number(row.granted)) : 0;
}

const returnCpsQuery = queryTemplate((db, second: number, n: number) =>
  db
    .updateTable('engine_pacing')
    .set((eb) => ({ used: eb('used', '-', n) }))
    .where('key', '=', CPS)
    .where('until_at', '=', second)
    .where('used', '>=', n),
);

/** Gives back `n` granted calls that were not made (same second only; compiled once, issue #12). */
export async function returnCps(db: Db, now: number, n: number): Promise<void> {
  if (n <= 0) return;
  await db.executeQuery(returnCpsQuery(db, secondOf(now), n));
}

const cpsRowQuery = queryTemplate((db, key: string) => db.selectFrom('engine_pacing').select(['until_at', 'used']).where('key', '=', key));

/** Calls still available in `now`'s second. */
export async function cpsLeft(db: Db, now: number, max: number): Promise<number> {
  const row = (await db.executeQuery(cpsRowQuery(db, CPS))).rows[0];
  const used = row && Number(row.until_at) === secondOf(now) ? Number(row.used) : 0;
  return Math.max(0, max - used);
}
