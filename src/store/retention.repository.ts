/**
 * Retention pruning (issue #9): journal rows, decision-trail rows and finished (delivered or
 * failed) callbacks older than a cutoff are deleted in bounded chunks, so one pass never holds
 * the write lock for long. Pending callbacks are never pruned: they are work still to do.
 *
 * @example const n = await pruneOlderThan(db, Date.now() - 30 * 86400_000, 5000)
 */
import type { Db } from './db.js';

/** Rows deleted by one `pruneOlderThan` pass, per table. */
export interface Pruned {
  callLogs: number;
  trail: number;
  callbacks: number;
}

/**
 * Deletes up to `chunk` rows of each table whose time is before `cutoff` (epoch ms, engine
 * clock): `call_logs.oper_time`, `engine_trail.at`, `callback_outbox.updated_at` of delivered
 * and failed callbacks. Call again while any count equals `chunk`.
 */
export async function pruneOlderThan(db: Db, cutoff: number, chunk: number): Promise<Pruned> {
  const logs = await db
    .deleteFrom('call_logs')
    .where('id', 'in', (eb) => eb.selectFrom('call_logs').select('id').where('oper_time', '<', cutoff).limit(chunk))
    .executeTakeFirst();
  const trail = await db
    .deleteFrom('engine_trail')
    .where('id', 'in', (eb) => eb.selectFrom('engine_trail').select('id').where('at', '<', cutoff).limit(chunk))
    .executeTakeFirst();
  const callbacks = await db
    .deleteFrom('callback_outbox')
    .where('id', 'in', (eb) => eb.selectFrom('callback_outbox').select('id').where('state', 'in', ['delivered', 'failed']).where('updated_at', '<', cutoff).limit(chunk))
    .executeTakeFirst();
  return { callLogs: Number(logs.numDeletedRows), trail: Number(trail.numDeletedRows), callbacks: Number(callbacks.numDeletedRows) };
}
