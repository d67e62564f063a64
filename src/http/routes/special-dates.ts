/**
 * Special dates (`holiday`): list, add, modify, delete one, delete all.
 *
 * Paths follow the vendor pages: one date is deleted with `DELETE P/holiday/{cid}/{holidayId}`
 * (ZH 4021) and all of them with `DELETE P/holiday/{cid}` without a body (ZH 4022). A body
 * `{id}` on the latter deletes only that date: a client that expects "delete one by body" must
 * never wipe the whole set by accident.
 */
import { Type } from '@sinclair/typebox';
import type { DomainContext } from '../../domain/context.js';
import { DomainError } from '../../domain/errors.js';
import { addSpecialDate, deleteAllSpecialDates, deleteSpecialDate, listCampaignSpecialDates, modifySpecialDate } from '../../domain/special-dates.service.js';
import { envelopeSchema, ok } from '../envelope.js';
import { HolidayParams, SpecialDateAdd, SpecialDateItem, SpecialDateModify } from '../../contract/calendar.js';
import { VdnCampaignParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

/** The optional `{id}` of a bodiless DELETE, validated by hand (a body schema would demand a body). */
function optionalId(body: unknown): number | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw new DomainError('0200001', 'the request body must be a JSON object or absent');
  const id = (body as { id?: unknown }).id;
  if (id === undefined || id === null || id === '') return undefined;
  const n = typeof id === 'number' ? id : typeof id === 'string' && /^\d{1,10}$/.test(id) ? Number(id) : NaN;
  if (!Number.isInteger(n)) throw new DomainError('02000006', 'parameter id must be of type integer');
  if (n < 1 || n > 2147483647) throw new DomainError('02000007', 'parameter id must be >= 1');
  return n;
}

export function specialDateRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    const path = `${V1}/holiday/:campaignId`;
    const plain = { 200: envelopeSchema() };
    const formatCodes = { fieldCodes: { beginTime: '0200030', endTime: '0200030' } } as const;

    app.get(path, { schema: { params: VdnCampaignParams, response: { 200: envelopeSchema({ data: Type.Array(SpecialDateItem) }) } } }, async (req) => {
      const data = await listCampaignSpecialDates(ctx, req.params.vdnId, req.params.campaignId);
      return ok('success', { data });
    });

    app.post(
      path,
      {
        schema: { params: VdnCampaignParams, body: SpecialDateAdd, response: { 200: envelopeSchema({ returnObject: Type.Object({ id: Type.Integer() }) }) } },
        config: formatCodes,
      },
      async (req) => {
        const id = await addSpecialDate(ctx, req.params.vdnId, req.params.campaignId, req.body);
        // Not in the vendor's response table; returned so that a client can modify or delete
        // the date without listing first.
        return ok('success', { returnObject: { id } });
      },
    );

    app.put(path, { schema: { params: VdnCampaignParams, body: SpecialDateModify, response: plain }, config: formatCodes }, async (req) => {
      await modifySpecialDate(ctx, req.params.vdnId, req.params.campaignId, req.body);
      return ok('success');
    });

    app.delete(`${path}/:holidayId`, { schema: { params: HolidayParams, response: plain } }, async (req) => {
      await deleteSpecialDate(ctx, req.params.vdnId, req.params.campaignId, req.params.holidayId);
      // The vendor's sample answers an empty resultDesc.
      return ok('');
    });

    app.delete(path, { schema: { params: VdnCampaignParams, response: plain } }, async (req) => {
      const id = optionalId(req.body);
      if (id !== undefined) {
        await deleteSpecialDate(ctx, req.params.vdnId, req.params.campaignId, id);
        return ok('');
      }
      await deleteAllSpecialDates(ctx, req.params.vdnId, req.params.campaignId);
      return ok('success');
    });
  };
}
