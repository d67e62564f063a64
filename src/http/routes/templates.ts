/**
 * Campaign templates: `GET P/template`, `GET P/template/{id}`, `POST P/template`,
 * `POST P/template/copy`, `PUT P/template/{id}/update` (isales-gaps §8.4), and the extension
 * `POST /campaignd/v1/campaigns/{vdnId}/templates/{id}/campaign` (a campaign from a template).
 */
import { Type } from '@sinclair/typebox';
import type { DomainContext } from '../../domain/context.js';
import { campaignFromTemplate, copyTemplate, createTemplate, editTemplate, listTemplates, templateDetails } from '../../domain/templates.js';
import { envelopeSchema, ok } from '../envelope.js';
import { CampaignFromTemplate, TemplateBody, TemplateCopy, TemplateIdParams, TemplateListItem, TemplateListQuery } from '../../contract/templates.js';
import { VdnParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

export function templateRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    const created = { 200: envelopeSchema({ returnObject: Type.Object({ id: Type.String() }) }) };

    app.get(
      `${V1}/template`,
      {
        schema: {
          params: VdnParams,
          querystring: TemplateListQuery,
          response: { 200: envelopeSchema({ data: Type.Array(TemplateListItem), offset: Type.Integer(), limit: Type.Integer(), totalSize: Type.Integer() }) },
        },
      },
      async (req) => ok('success', await listTemplates(ctx, req.params.vdnId, req.query)),
    );

    app.get(
      `${V1}/template/:campaignTemplateId`,
      { schema: { params: TemplateIdParams, response: { 200: envelopeSchema({ returnObject: Type.Record(Type.String(), Type.Unknown()) }) } } },
      async (req) => ok('success', { returnObject: await templateDetails(ctx, req.params.vdnId, req.params.campaignTemplateId) }),
    );

    app.post(`${V1}/template`, { schema: { params: VdnParams, body: TemplateBody, response: created } }, async (req) =>
      ok('success', { returnObject: { id: await createTemplate(ctx, req.params.vdnId, req.body) } }),
    );

    app.post(`${V1}/template/copy`, { schema: { params: VdnParams, body: TemplateCopy, response: created } }, async (req) =>
      ok('success', { returnObject: { id: await copyTemplate(ctx, req.params.vdnId, req.body) } }),
    );

    app.put(`${V1}/template/:campaignTemplateId/update`, { schema: { params: TemplateIdParams, body: TemplateBody, response: { 200: envelopeSchema() } } }, async (req) => {
      await editTemplate(ctx, req.params.vdnId, req.params.campaignTemplateId, req.body);
      return ok('success');
    });
  };
}

/** The extension, registered under `/campaignd`. */
export function templateExtensionRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    app.post(
      '/v1/campaigns/:vdnId/templates/:campaignTemplateId/campaign',
      {
        schema: { params: TemplateIdParams, body: CampaignFromTemplate, response: { 200: envelopeSchema({ returnObject: Type.Object({ id: Type.Integer() }) }) } },
        config: { fieldCodes: { strBeginTime: '02000007', strEndTime: '02000007' } },
      },
      async (req) => ok('success', { returnObject: { id: await campaignFromTemplate(ctx, req.params.vdnId, req.params.campaignTemplateId, req.body) } }),
    );
  };
}
