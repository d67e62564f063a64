/**
 * The SQL behind "today's statistics" (v2): record counters per campaign and batch key from
 * `call_data`, and today's call counters from `call_results`. The batch key of a record is its
 * batch id, else its customField (the vendor maps statistics `batchId` onto customField; records
 * added through v2 with a batchId carry the batch id). Archived records are left out.
 *
 * @example const rows = await recordCounters(db, { vdnId: 1, dayStart, dayEnd })
 */
import { sql } from 'kysely';
import type { Db } from './db.js';

export interface StatScope {
  vdnId: number;
  /** One campaign, or every campaign of the VDN. */
  campaignId?: number;
  /** [dayStart, dayEnd): "today" in epoch ms. */
  dayStart: number;
  dayEnd: number;
}

/** Counters of one (campaign, batch key) group; `key` null = records without batch or customField. */
export interface RecordCounterRow {
  campaignId: number;
  key: string | null;
  total: number;
  unCalled: number;
  finished: number;
  calledEver: number;
  succeededEver: number;
  addedToday: number;
  finishedToday: number;
}

export interface TodayCallRow {
  campaignId: number;
  key: string | null;
  /** Distinct records with an attempt recorded today. */
  calledToday: number;
  /** Distinct records with a connected attempt today. */
  succeededToday: number;
}

const n = (v: unknown): number => Number(v ?? 0);

/**
 * Record counters grouped by campaign and batch key.
 *
 * @example await recordCounters(db, { vdnId: 1, campaignId: 46, dayStart, dayEnd })
 */
export async function recordCounters(db: Db, s: StatScope): Promise<RecordCounterRow[]> {
  const key = sql<string | null>`coalesce(batch_id, custom_field)`;
  const rows = await db
    .selectFrom('call_data')
    .select([
      'campaign_id',
      key.as('k'),
      (eb) => eb.fn.countAll<number>().as('total'),
      sql<number>`sum(case when state <> 'done' and attempts = 0 then 1 else 0 end)`.as('uncalled'),
      sql<number>`sum(case when state = 'done' then 1 else 0 end)`.as('finished'),
      sql<number>`sum(case when attempts > 0 then 1 else 0 end)`.as('called_ever'),
      sql<number>`sum(case when succeeded = 1 then 1 else 0 end)`.as('succ_ever'),
      sql<number>`sum(case when created_at >= ${s.dayStart} and created_at < ${s.dayEnd} then 1 else 0 end)`.as('added_today'),
      sql<number>`sum(case when state = 'done' and completed_at >= ${s.dayStart} and completed_at < ${s.dayEnd} then 1 else 0 end)`.as('finished_today'),
    ])
    .where('vdn_id', '=', s.vdnId)
    .where('state', '<>', 'archived')
    .$if(s.campaignId !== undefined, (q) => q.where('campaign_id', '=', s.campaignId!))
    .groupBy(['campaign_id', key])
    .execute();
  return rows.map((r) => ({
    campaignId: Number(r.campaign_id),
    key: r.k ?? null,
    total: n(r.total),
    unCalled: n(r.uncalled),
    finished: n(r.finished),
    calledEver: n(r.called_ever),
    succeededEver: n(r.succ_ever),
    addedToday: n(r.added_today),
    finishedToday: n(r.finished_today),
  }));
}

/**
 * Today's call counters (distinct records) grouped by campaign and batch key.
 *
 * @example await todayCallCounters(db, { vdnId: 1, dayStart, dayEnd })
 */
export async function todayCallCounters(db: Db, s: StatScope): Promise<TodayCallRow[]> {
  const key = sql<string | null>`coalesce(d.batch_id, d.custom_field)`;
  const rows = await db
    .selectFrom('call_results as r')
    .innerJoin('call_data as d', 'd.id', 'r.data_id')
    .select([
      'd.campaign_id',
      key.as('k'),
      sql<number>`count(distinct r.data_id)`.as('called'),
      sql<number>`count(distinct case when r.call_status = 6 then r.data_id end)`.as('succ'),
    ])
    .where('r.vdn_id', '=', s.vdnId)
    .where('r.created_at', '>=', s.dayStart)
    .where('r.created_at', '<', s.dayEnd)
    .where('d.state', '<>', 'archived')
    .$if(s.campaignId !== undefined, (q) => q.where('d.campaign_id', '=', s.campaignId!))
    .groupBy(['d.campaign_id', key])
    .execute();
  return rows.map((r) => ({ campaignId: Number(r.campaign_id), key: r.k ?? null, calledToday: n(r.called), succeededToday: n(r.succ) }));
}

/**
 * Campaign ids of a VDN (or just `campaignId` when it belongs to the VDN), ascending.
 *
 * @example const ids = await statisticsCampaigns(db, 1)
 */
export async function statisticsCampaigns(db: Db, vdnId: number, campaignId?: number): Promise<number[]> {
  const rows = await db
    .selectFrom('campaigns')
    .select('id')
    .where('vdn_id', '=', vdnId)
    .$if(campaignId !== undefined, (q) => q.where('id', '=', campaignId!))
    .orderBy('id')
    .execute();
  return rows.map((r) => Number(r.id));
}

/**
 * Batch ids of the given campaigns, oldest first (batches without records still get a line).
 *
 * @example const byCampaign = await batchIdsOf(db, [46, 47])
 */
export async function batchIdsOf(db: Db, campaignIds: readonly number[]): Promise<Array<{ campaignId: number; id: string }>> {
  if (campaignIds.length === 0) return [];
  const rows = await db
    .selectFrom('batches')
    .select(['campaign_id', 'id'])
    .where('campaign_id', 'in', [...campaignIds])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ campaignId: Number(r.campaign_id), id: r.id }));
}

/**
 * Whether some live record of the campaign uses `customField` as its batch key.
 *
 * @example if (await customFieldInUse(db, 46, 'May')) …
 */
export async function customFieldInUse(db: Db, campaignId: number, customField: string): Promise<boolean> {
  const r = await db
    .selectFrom('call_data')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .where('batch_id', 'is', null)
    .where('custom_field', '=', customField)
    .where('state', '<>', 'archived')
    .executeTakeFirst();
  return r !== undefined;
}
