/** Reservations: create and updateResult (seeds), update, delete, list. */
import { Type } from '@sinclair/typebox';
import type { DomainContext } from '../../domain/context.js';
import { createReservation, deleteReservation, listReservations, modifyReservation, updateReservationResult } from '../../domain/reservations.js';
import { envelopeSchema, ok } from '../envelope.js';
import { AppointDelete, AppointList, AppointListItem, AppointUpdate } from '../../contract/calendar.js';
import { AppointCreate, AppointUpdateResult, VdnParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

export function appointRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(
      `${V1}/appoint/create`,
      {
        schema: {
          params: VdnParams,
          body: AppointCreate,
          response: { 200: envelopeSchema({ returnObject: Type.Object({ id: Type.String(), appointId: Type.String() }) }) },
        },
        config: { fieldCodes: { calledNo: '04000002', appointTime: '04000001' } },
      },
      async (req) => {
        const id = await createReservation(ctx, req.params.vdnId, req.body);
        // The vendor's table says appointId, its example says id: send both (PRODUCT.md).
        return ok('success', { returnObject: { id, appointId: id } });
      },
    );
    app.post(`${V1}/appoint/updateResult`, { schema: { params: VdnParams, body: AppointUpdateResult, response: { 200: envelopeSchema() } } }, async (req) => {
      await updateReservationResult(ctx, req.params.vdnId, req.body);
      return ok('update success');
    });
    app.post(
      `${V1}/appoint/update`,
      { schema: { params: VdnParams, body: AppointUpdate, response: { 200: envelopeSchema() } }, config: { fieldCodes: { appointTime: '04000001' } } },
      async (req) => {
        await modifyReservation(ctx, req.params.vdnId, req.body);
        return ok('update success');
      },
    );
    app.post(`${V1}/appoint/delete`, { schema: { params: VdnParams, body: AppointDelete, response: { 200: envelopeSchema() } } }, async (req) => {
      await deleteReservation(ctx, req.params.vdnId, req.body.appointId);
      return ok('success');
    });
    app.post(
      `${V1}/appoint/list`,
      {
        schema: {
          params: VdnParams,
          body: AppointList,
          response: { 200: envelopeSchema({ totalCount: Type.Integer(), data: Type.Array(AppointListItem) }) },
        },
      },
      async (req) => {
        const { totalCount, data } = await listReservations(ctx, req.params.vdnId, req.body);
        return ok('success', { totalCount, data });
      },
    );
  };
}
