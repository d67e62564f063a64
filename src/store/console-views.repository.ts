/**
 * Read-only views the operator console needs and the vendor surface lacks: a campaign's records
 * (searchable, paged) and its attempts bucketed over engine time. Plain selects over `call_data`,
 * `call_data_numbers` and `call_results`; nothing here writes.
 */
import { sql } from 'kysely';
import type { Db } from './db.js';

export interface RecordFilter {
  campaignId: number;
  /** Substring of a called number or the sessionId; empty = all. */
  q?: string;
  /** Exact `call_data.state`. */
  state?: string;
  offset: number;
  limit: number;
}

export interface RecordView {
  dataId: number;
  sessionId: string | null;
  batchId: string | null;
  calledNos: string[];
  state: string;
  attempts: number;
  dueAt: number;
  lastCallAt: number | null;
  lastFailCode: string | null;
  lastResultCode: string | null;
  succeeded: boolean;
}

/** Records of a campaign, oldest first, with their called numbers in dialling order. */
export async function listRecords(db: Db, f: RecordFilter): Promise<{ total: number; records: RecordView[] }> {
  let q = db.selectFrom('call_data as d').where('d.campaign_id', '=', f.campaignId);
  if (f.state) q = q.where('d.state', '=', f.state);
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb(sql`d.session_id`, 'like', sql`${like} escape '\\'`),
        eb.exists(eb.selectFrom('call_data_numbers as n').select('n.data_id').whereRef('n.data_id', '=', 'd.id').where(sql`n.called_no`, 'like', sql`${like} escape '\\'`)),
      ]),
    );
  }
  const totalRow = await q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
  const rows = await q
    .select(['d.id', 'd.session_id', 'd.batch_id', 'd.state', 'd.attempts', 'd.due_at', 'd.last_call_at', 'd.last_fail_code', 'd.last_result_code', 'd.succeeded'])
    .orderBy('d.id')
    .offset(f.offset)
    .limit(f.limit)
    .execute();
  const ids = rows.map((r) => Number(r.id));
  const numbers = ids.length
    ? await db.selectFrom('call_data_numbers').select(['data_id', 'idx', 'called_no']).where('data_id', 'in', ids).orderBy('data_id').orderBy('idx').execute()
    : [];
  const byId = new Map<number, string[]>();
  for (const n of numbers) {
    const list = byId.get(Number(n.data_id)) ?? [];
    list.push(n.called_no);
    byId.set(Number(n.data_id), list);
  }
  return {
    total: Number(totalRow?.n ?? 0),
    records: rows.map((r) => ({
      dataId: Number(r.id),
      sessionId: r.session_id,
      batchId: r.batch_id,
      calledNos: byId.get(Number(r.id)) ?? [],
      state: r.state,
      attempts: Number(r.attempts),
      dueAt: Number(r.due_at),
      lastCallAt: r.last_call_at === null ? null : Number(r.last_call_at),
      lastFailCode: r.last_fail_code,
      lastResultCode: r.last_result_code,
      succeeded: Number(r.succeeded) === 1,
    })),
  };
}

export interface ActivityBucket {
  /** Bucket start, epoch ms of engine time. */
  at: number;
  attempts: number;
  /** Attempts whose OBS code is `successCode`. */
  succeeded: number;
  failed: number;
}

/** A campaign's attempts (`call_results`) counted per `bucketMs` of engine time, oldest first. */
export async function attemptActivity(db: Db, campaignId: number, bucketMs: number, successCode: string): Promise<ActivityBucket[]> {
  const rows = await db
    .selectFrom('call_results')
    .select([
      sql<number>`(created_at / ${sql.lit(bucketMs)}) * ${sql.lit(bucketMs)}`.as('at'),
      (eb) => eb.fn.countAll<number | string>().as('attempts'),
      sql<number | string>`sum(case when fail_code = ${successCode} then 1 else 0 end)`.as('ok'),
    ])
    .where('campaign_id', '=', campaignId)
    .groupBy(sql`(created_at / ${sql.lit(bucketMs)})`)
    .orderBy(sql`(created_at / ${sql.lit(bucketMs)})`)
    .execute();
  return rows.map((r) => {
    const attempts = Number(r.attempts);
    const ok = Number(r.ok);
    return { at: Number(r.at), attempts, succeeded: ok, failed: attempts - ok };
  });
}
