/** The turns of automatic and robot calls (`call_records`), written with the call's result. */
import type { Selectable } from 'kysely';
import type { Db } from './db.js';
import type { CallRecordTable } from './schema/surface.js';
import { insertRowsJson } from './engine-batch.repository.js';

export type CallRecordRow = Selectable<CallRecordTable>;

/** One turn as the engine stores it (times epoch ms). */
export interface CallTurn {
  interNo: number;
  systemReply: string | null;
  userSaying: string | null;
  intention: string | null;
  systemReplyTime: number | null;
  requestTime: number | null;
  responseSource: string | null;
}

/**
 * Stores the turns of one call; call inside the transaction that records the call's result.
 *
 * @example await insertCallTurns(trx, 1, callId, [{ interNo: 1, systemReply: 'Hello', … }], now)
 */
export async function insertCallTurns(db: Db, vdnId: number, callId: string, turns: readonly CallTurn[], nowMs: number): Promise<void> {
  await insertCallsTurns(db, [{ vdnId, callId, turns }], nowMs);
}

/**
 * Stores the turns of several calls together, all or none (engine-batch.repository.ts
 * `insertRowsJson`: one INSERT on PostgreSQL, bound multi-row INSERTs of up to 64 rows on
 * SQLite; issue #12: one round's settled calls together); same rows, in the same order, as {@link insertCallTurns}
 * call by call. Call inside the transaction that records the calls' results.
 */
export async function insertCallsTurns(db: Db, calls: ReadonlyArray<{ vdnId: number; callId: string; turns: readonly CallTurn[] }>, nowMs: number): Promise<void> {
  const rows = calls.flatMap(({ vdnId, callId, turns }) =>
    turns.map((t) => ({
      vdn_id: vdnId,
      call_id: callId,
      inter_no: t.interNo,
      system_reply: t.systemReply,
      user_saying: t.userSaying,
      intention: t.intention,
      system_reply_time: t.systemReplyTime,
      request_time: t.requestTime,
      response_source: t.responseSource,
      created_at: nowMs,
    })),
  );
  await insertRowsJson(
    db,
    'call_records',
    ['vdn_id', 'call_id', 'inter_no', 'system_reply', 'user_saying', 'intention', 'system_reply_time', 'request_time', 'response_source', 'created_at'],
    rows,
  );
}

/** A page of a call's turns in dialogue order, and how many there are. */
export async function pageCallTurns(db: Db, vdnId: number, callId: string, offset: number, limit: number): Promise<{ total: number; rows: CallRecordRow[] }> {
  const base = db.selectFrom('call_records').where('vdn_id', '=', vdnId).where('call_id', '=', callId);
  const c = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('inter_no').orderBy('id').limit(limit).offset(offset).execute();
  return { total: Number(c.n), rows };
}

/** Whether the VDN has a call result with this call id. */
export async function callExists(db: Db, vdnId: number, callId: string): Promise<boolean> {
  const r = await db.selectFrom('call_results').select('call_id').where('vdn_id', '=', vdnId).where('call_id', '=', callId).executeTakeFirst();
  return r !== undefined;
}
