/**
 * Special-date use cases (list, add, modify, delete one, delete all) and the loader the engine
 * uses. Rules live in special-dates.ts; SQL in store/special-dates.repository.ts.
 *
 * Special dates belong to one campaign here. The vendor's modify page says a change "affects
 * every campaign that uses it" (shared holiday sets), but no interface shares one: every path
 * is per campaign, so per-campaign storage is what a client can observe.
 */
import { writeTransaction } from '../store/group-commit.js';
import type { SpecialDateAdd, SpecialDateItem, SpecialDateModify } from '../contract/calendar.js';
import { isUniqueViolation } from '../store/errors.js';
import type { Db } from '../store/db.js';
import {
  countSpecialDates,
  deleteAllSpecialDates as deleteAllRows,
  deleteSpecialDate as deleteRow,
  insertSpecialDate,
  listSpecialDates,
  specialDateNameTaken,
  updateSpecialDate,
  type SpecialDateRow,
} from '../store/special-dates.repository.js';
import type { IsSpecialDay } from './calling-windows.js';
import { requireCampaign } from './campaigns.js';
import type { DomainContext } from './context.js';
import { DomainError, type ResultCode } from './errors.js';
import { checkSpecialDate, isSpecialDate, MAX_SPECIAL_DATES, type SpecialDateRule } from './special-dates.js';

/** An unknown special-date id on modify or delete: 0200014 (ZH 4021; isales-gaps §8.6). */
const UNKNOWN_SPECIAL_DATE: ResultCode = '0200014';

/** Row → wire (the only place the two meet). */
export function specialDateRowToApi(r: SpecialDateRow): SpecialDateItem {
  return { id: Number(r.id), name: r.name, type: r.type, week: r.week, beginTime: r.begin_date, endTime: r.end_date };
}

function nameTaken(name: string): DomainError {
  return new DomainError('0200013', `a special date named "${name}" already exists in this campaign`);
}

/** `GET P/holiday/{campaignId}`. */
export async function listCampaignSpecialDates(ctx: DomainContext, vdnId: number, campaignId: number): Promise<SpecialDateItem[]> {
  await requireCampaign(ctx.db, vdnId, campaignId);
  return (await listSpecialDates(ctx.db, campaignId)).map(specialDateRowToApi);
}

/** `POST P/holiday/{campaignId}`; returns the new id. */
export async function addSpecialDate(ctx: DomainContext, vdnId: number, campaignId: number, body: SpecialDateAdd): Promise<number> {
  const now = ctx.clock.now();
  await requireCampaign(ctx.db, vdnId, campaignId);
  const rule = checkSpecialDate(body);
  try {
    return await writeTransaction(ctx.db, async (trx) => {
      const n = await countSpecialDates(trx, campaignId);
      if (n >= MAX_SPECIAL_DATES) {
        throw new DomainError('0200015', `campaign ${campaignId} already has ${n} special dates (limit ${MAX_SPECIAL_DATES})`);
      }
      if (await specialDateNameTaken(trx, campaignId, body.name)) throw nameTaken(body.name);
      return insertSpecialDate(trx, {
        vdn_id: vdnId,
        campaign_id: campaignId,
        name: body.name,
        type: rule.type,
        week: rule.week,
        begin_date: rule.beginTime,
        end_date: rule.endTime,
        created_at: now,
        updated_at: now,
      });
    });
  } catch (e) {
    // Two adds racing for one name: the unique index decides.
    if (isUniqueViolation(e)) throw nameTaken(body.name);
    throw e;
  }
}

/** `PUT P/holiday/{campaignId}`: replaces the date `body.id` (name and type are mandatory, as on add). */
export async function modifySpecialDate(ctx: DomainContext, vdnId: number, campaignId: number, body: SpecialDateModify): Promise<void> {
  const now = ctx.clock.now();
  await requireCampaign(ctx.db, vdnId, campaignId);
  const rule = checkSpecialDate(body);
  try {
    await writeTransaction(ctx.db, async (trx) => {
      if (await specialDateNameTaken(trx, campaignId, body.name, body.id)) throw nameTaken(body.name);
      const found = await updateSpecialDate(trx, campaignId, body.id, {
        name: body.name,
        type: rule.type,
        week: rule.week,
        begin_date: rule.beginTime,
        end_date: rule.endTime,
        updated_at: now,
      });
      if (!found) throw new DomainError(UNKNOWN_SPECIAL_DATE, `special date ${body.id} does not exist in campaign ${campaignId}`);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(body.name);
    throw e;
  }
}

/** `DELETE P/holiday/{campaignId}/{holidayId}`. */
export async function deleteSpecialDate(ctx: DomainContext, vdnId: number, campaignId: number, id: number): Promise<void> {
  await writeTransaction(ctx.db, async (trx) => {
    await requireCampaign(trx, vdnId, campaignId);
    if (!(await deleteRow(trx, campaignId, id))) {
      throw new DomainError(UNKNOWN_SPECIAL_DATE, `special date ${id} does not exist in campaign ${campaignId}`);
    }
  });
}

/** `DELETE P/holiday/{campaignId}`: every special date of the campaign (none is fine). */
export async function deleteAllSpecialDates(ctx: DomainContext, vdnId: number, campaignId: number): Promise<number> {
  return writeTransaction(ctx.db, async (trx) => {
    await requireCampaign(trx, vdnId, campaignId);
    return deleteAllRows(trx, campaignId);
  });
}

/**
 * The campaign's special dates as the predicate the calling-window code takes; read once per
 * decision so a change through the API applies from the next attempt on.
 *
 * @example windowGate(now, tz, windows, await loadSpecialDays(db, campaignId))
 */
export async function loadSpecialDays(db: Db, campaignId: number): Promise<IsSpecialDay> {
  const rules: SpecialDateRule[] = (await listSpecialDates(db, campaignId)).map(specialDateRowToApi);
  if (rules.length === 0) return () => false;
  return (d) => isSpecialDate(rules, d);
}
