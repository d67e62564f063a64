/**
 * Blocklist groups (`P/blackCategory/…`) and types (`P/blackType/…`), isales-gaps §8.3.
 * Create answers `returnObject.id`.
 */
import { Type } from '@sinclair/typebox';
import { createCategory, createType, modifyCategory, modifyType, queryCategories, queryTypes, removeGroup } from '../../domain/blocklist-groups.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import {
  CategoryCreate,
  CategoryIdParams,
  CategoryItem,
  CategoryQuery,
  CategoryUpdate,
  TypeCreate,
  TypeIdParams,
  TypeItem,
  TypeQuery,
  TypeUpdate,
} from '../../contract/blocklist-groups.js';
import { VdnParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

export function blocklistGroupRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    const plain = { 200: envelopeSchema() };
    const created = { 200: envelopeSchema({ returnObject: Type.Object({ id: Type.String() }) }) };

    app.post(`${V1}/blackCategory/create`, { schema: { params: VdnParams, body: CategoryCreate, response: created } }, async (req) =>
      ok('success', { returnObject: { id: await createCategory(ctx, req.params.vdnId, req.body) } }),
    );
    app.post(`${V1}/blackCategory/update`, { schema: { params: VdnParams, body: CategoryUpdate, response: plain } }, async (req) => {
      await modifyCategory(ctx, req.params.vdnId, req.body);
      return ok('success');
    });
    app.post(
      `${V1}/blackCategory/query`,
      { schema: { params: VdnParams, body: CategoryQuery, response: { 200: envelopeSchema({ totalCount: Type.Integer(), data: Type.Array(CategoryItem) }) } } },
      async (req) => ok('success', await queryCategories(ctx, req.params.vdnId, req.body)),
    );
    app.delete(`${V1}/blackCategory/:categoryId`, { schema: { params: CategoryIdParams, response: plain } }, async (req) => {
      await removeGroup(ctx, 'black_categories', req.params.vdnId, req.params.categoryId);
      return ok('success');
    });

    app.post(`${V1}/blackType/create`, { schema: { params: VdnParams, body: TypeCreate, response: created } }, async (req) =>
      ok('success', { returnObject: { id: await createType(ctx, req.params.vdnId, req.body) } }),
    );
    app.post(`${V1}/blackType/update`, { schema: { params: VdnParams, body: TypeUpdate, response: plain } }, async (req) => {
      await modifyType(ctx, req.params.vdnId, req.body);
      return ok('success');
    });
    app.post(
      `${V1}/blackType/query`,
      { schema: { params: VdnParams, body: TypeQuery, response: { 200: envelopeSchema({ totalCount: Type.Integer(), data: Type.Array(TypeItem) }) } } },
      async (req) => ok('success', await queryTypes(ctx, req.params.vdnId, req.body)),
    );
    app.delete(`${V1}/blackType/:typeId`, { schema: { params: TypeIdParams, response: plain } }, async (req) => {
      await removeGroup(ctx, 'black_types', req.params.vdnId, req.params.typeId);
      return ok('success');
    });
  };
}
