/**
 * Round spacing and the calls-per-second budget, kept in `engine_pacing` (schema/pacing.ts) and
 * changed only inside a transaction, so that every node on one database draws from the same
 * budget: on SQLite the transaction is IMMEDIATE, on PostgreSQL it holds the store's write lock
 * (connect.ts), so a read-then-write here never interleaves with another node's.
 */
import type { Db } from './db.js';

const CPS = 'cps';
const roundKey = (campaignId: number) => `round:${campaignId}`;

async function upsert(db: Db, key: string, untilAt: number, used: number): Promise<void> {
  await db
    .insertInto('engine_pacing')
    .values({ key, until_at: untilAt, used })
    .onConflict((oc) => oc.column('key').doUpdateSet({ until_at: untilAt, used }))
    .execute();
}

/**
 * Starts a round of a campaign at `now` when its spacing allows: the campaign's next round is
 * then no sooner than `now + intervalMs`. Returns a ticket to hand back with
 * {@link cancelRound} when the round dialled nothing, or null when a round (on any node) is
 * still too recent.
 */
export async function startRound(db: Db, campaignId: number, now: number, intervalMs: number): Promise<{ previous: number; until: number } | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('engine_pacing').select('until_at').where('key', '=', roundKey(campaignId)).executeTakeFirst();
    const previous = row ? Number(row.until_at) : 0;
    if (previous > now) return null;
    const until = now + intervalMs;
    await upsert(trx, roundKey(campaignId), until, 0);
    return { previous, until };
  });
}

/** Undoes {@link startRound} (nothing was dialled), unless another round was started since. */
export async function cancelRound(db: Db, campaignId: number, ticket: { previous: number; until: number }): Promise<void> {
  await db.updateTable('engine_pacing').set({ until_at: ticket.previous }).where('key', '=', roundKey(campaignId)).where('until_at', '=', ticket.until).execute();
}

/** The earliest round spacing ending after `now` (any campaign), or null. */
export async function nextRoundAt(db: Db, now: number): Promise<number | null> {
  const r = await db
    .selectFrom('engine_pacing')
    .select((eb) => eb.fn.min('until_at').as('t'))
    .where('key', 'like', 'round:%')
    .where('until_at', '>', now)
    .executeTakeFirst();
  return r?.t === null || r?.t === undefined ? null : Number(r.t);
}

/** The second (epoch ms) `now` falls in. */
const secondOf = (now: number) => Math.floor(now / 1000) * 1000;

/** Takes up to `want` calls from the budget of `now`'s second (at most `max` per second); returns how many were granted. */
export async function takeCps(db: Db, now: number, max: number, want: number): Promise<number> {
  const second = secondOf(now);
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('engine_pacing').select(['until_at', 'used']).where('key', '=', CPS).executeTakeFirst();
    const used = row && Number(row.until_at) === second ? Number(row.used) : 0;
    const grant = Math.max(0, Math.min(want, max - used));
    if (grant > 0 || !row || Number(row.until_at) !== second) await upsert(trx, CPS, second, used + grant);
    return grant;
  });
}

/** Gives back `n` granted calls that were not made (same second only). */
export async function returnCps(db: Db, now: number, n: number): Promise<void> {
  if (n <= 0) return;
  await db
    .updateTable('engine_pacing')
    .set((eb) => ({ used: eb('used', '-', n) }))
    .where('key', '=', CPS)
    .where('until_at', '=', secondOf(now))
    .where('used', '>=', n)
    .execute();
}

/** Calls still available in `now`'s second. */
export async function cpsLeft(db: Db, now: number, max: number): Promise<number> {
  const row = await db.selectFrom('engine_pacing').select(['until_at', 'used']).where('key', '=', CPS).executeTakeFirst();
  const used = row && Number(row.until_at) === secondOf(now) ? Number(row.used) : 0;
  return Math.max(0, max - used);
}
