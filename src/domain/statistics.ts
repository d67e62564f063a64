/**
 * Today's statistics (v2): counters per campaign and per batch, derived from call_data (records)
 * and call_results (attempts). Every counter counts records (customers), never attempts, so
 * ratios such as totalCalledCount / totalCount read as progress:
 *
 * | counter | records that… |
 * |---|---|
 * | totalCount | exist (finished, in progress and not yet called) |
 * | unCallCount | are not finished and were never dialled |
 * | finishCount, totalFinishCount | are finished (the vendor reports both) |
 * | totalCalledCount | were dialled at least once |
 * | totalCallSucc | had at least one connected call |
 * | calledCount, dailyCalledCount | had an attempt recorded today (vendor: "calls made today") |
 * | dailyCallSucc | had a connected call today |
 * | dailyCount | were added today |
 * | dailyFinishCount | were finished today |
 *
 * "Today" is the UTC day of the engine clock. A batch line's `batchId` is the record's batch id
 * or, for records added without one, its customField (the vendor maps this `batchId` onto
 * customField). Archived (deleted with archiveHistory 1) records are not counted.
 */
import type { CallDataConfig } from '../config/call-data.js';
import type { StatisticsQuery } from '../contract/call-data.js';
import { findBatch } from '../store/batches.repository.js';
import {
  batchIdsOf,
  customFieldInUse,
  recordCounters,
  statisticsCampaigns,
  todayCallCounters,
  type RecordCounterRow,
  type TodayCallRow,
} from '../store/call-data-statistics.repository.js';
import { trySetGate } from '../store/call-data.repository.js';
import { requireCampaign } from './campaigns.js';
import type { DomainContext } from './context.js';
import { DomainError } from './errors.js';
import { startOfUtcDay } from './time.js';

export interface Counters {
  unCallCount: number;
  calledCount: number;
  finishCount: number;
  totalCount: number;
  totalCalledCount: number;
  totalCallSucc: number;
  totalFinishCount: number;
  dailyCount: number;
  dailyCalledCount: number;
  dailyCallSucc: number;
  dailyFinishCount: number;
}

export interface CountDetail extends Counters {
  campaignId: string;
  batchDetail: Array<{ batchId: string } & Counters>;
}

/** The answer to a query made too soon after the same one (HTTP 429, vendor wording). */
export const TOO_FREQUENT = "don't operate frequently";

function toCounters(records: readonly RecordCounterRow[], calls: readonly TodayCallRow[]): Counters {
  const sum = <T>(rows: readonly T[], f: (r: T) => number) => rows.reduce((a, r) => a + f(r), 0);
  const calledToday = sum(calls, (c) => c.calledToday);
  const finished = sum(records, (r) => r.finished);
  return {
    unCallCount: sum(records, (r) => r.unCalled),
    calledCount: calledToday,
    finishCount: finished,
    totalCount: sum(records, (r) => r.total),
    totalCalledCount: sum(records, (r) => r.calledEver),
    totalCallSucc: sum(records, (r) => r.succeededEver),
    totalFinishCount: finished,
    dailyCount: sum(records, (r) => r.addedToday),
    dailyCalledCount: calledToday,
    dailyCallSucc: sum(calls, (c) => c.succeededToday),
    dailyFinishCount: sum(records, (r) => r.finishedToday),
  };
}

/**
 * Statistics of one campaign (optionally one batch of it) or of every campaign of the VDN.
 * `batchId` needs `campaignId` (02000009); an unknown campaign is 0200007, a batchId that is
 * neither a batch nor a customField of the campaign 03000004. The same VDN and query are
 * answered at most once per interval (HTTP 429); refused and invalid queries do not count.
 */
export async function todayStatistics(ctx: DomainContext, cfg: CallDataConfig, vdnId: number, q: StatisticsQuery): Promise<CountDetail[]> {
  const now = ctx.clock.now();
  const batchId = q.batchId || undefined;
  if (batchId !== undefined && q.campaignId === undefined) {
    throw new DomainError('02000009', 'parameter batchId may only be given together with campaignId');
  }
  if (q.campaignId !== undefined) await requireCampaign(ctx.db, vdnId, q.campaignId);
  if (batchId !== undefined && !(await findBatch(ctx.db, q.campaignId!, batchId)) && !(await customFieldInUse(ctx.db, q.campaignId!, batchId))) {
    throw new DomainError('03000004', `batch ${batchId} does not exist in campaign ${q.campaignId}`);
  }
  if (cfg.statisticsIntervalMs > 0) {
    const key = `statistics:${vdnId}:${q.campaignId ?? '*'}:${batchId ?? '*'}`;
    if (!(await trySetGate(ctx.db, key, now, cfg.statisticsIntervalMs))) throw new DomainError('0200022', TOO_FREQUENT, 429);
  }

  const dayStart = startOfUtcDay(now);
  const scope = { vdnId, dayStart, dayEnd: dayStart + 86400_000, ...(q.campaignId !== undefined ? { campaignId: q.campaignId } : {}) };
  const [campaignIds, records, calls] = await Promise.all([statisticsCampaigns(ctx.db, vdnId, q.campaignId), recordCounters(ctx.db, scope), todayCallCounters(ctx.db, scope)]);
  const batches = await batchIdsOf(ctx.db, campaignIds);

  return campaignIds.map((campaignId) => {
    const rs = records.filter((r) => r.campaignId === campaignId);
    const cs = calls.filter((c) => c.campaignId === campaignId);
    // Batches first (creation order, even without records), then customField keys (sorted).
    const keys = batches.filter((b) => b.campaignId === campaignId).map((b) => b.id);
    const extra = [...new Set(rs.map((r) => r.key).filter((k): k is string => k !== null && !keys.includes(k)))].sort();
    const wanted = batchId !== undefined ? [batchId] : [...keys, ...extra];
    return {
      campaignId: String(campaignId),
      ...toCounters(rs, cs),
      batchDetail: wanted.map((k) => ({
        batchId: k,
        ...toCounters(
          rs.filter((r) => r.key === k),
          cs.filter((c) => c.key === k),
        ),
      })),
    };
  });
}
