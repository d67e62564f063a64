/**
 * File imports: `P/calldatafile/uploadFileServer/{campaignId}`,
 * `P/calldatafile/queryDataImportTask/{campaignId}`, `P/blackfile/uploadFileServer`,
 * `P/blackfile/queryDataImportTask` (isales-gaps §8.2, §8.8). An upload answers the new import
 * task's id as `returnObject.importTaskId` (and `id`): the vendor's key is not public.
 */
import { Type } from '@sinclair/typebox';
import type { DomainContext } from '../../domain/context.js';
import { queryImportTasks, uploadBlocklistFile, uploadCallDataFile } from '../../domain/file-imports.js';
import { envelopeSchema, ok } from '../envelope.js';
import { FileUpload, ImportTaskItem, ImportTaskQuery } from '../../contract/files.js';
import { VdnCampaignParams, VdnParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

export function fileImportRoutes(ctx: DomainContext, kick: () => void): RoutePlugin {
  return async (app) => {
    const created = { 200: envelopeSchema({ returnObject: Type.Object({ importTaskId: Type.String(), id: Type.String() }) }) };
    const listed = { 200: envelopeSchema({ count: Type.Integer(), result: Type.Array(ImportTaskItem) }) };

    app.post(`${V1}/calldatafile/uploadFileServer/:campaignId`, { schema: { params: VdnCampaignParams, body: FileUpload, response: created } }, async (req) => {
      const id = await uploadCallDataFile(ctx, req.params.vdnId, req.params.campaignId, req.body);
      kick();
      return ok('success', { returnObject: { importTaskId: id, id } });
    });

    app.post(`${V1}/calldatafile/queryDataImportTask/:campaignId`, { schema: { params: VdnCampaignParams, body: ImportTaskQuery, response: listed } }, async (req) =>
      ok('success', await queryImportTasks(ctx, req.params.vdnId, 'calldata', req.params.campaignId, req.body)),
    );

    app.post(`${V1}/blackfile/uploadFileServer`, { schema: { params: VdnParams, body: FileUpload, response: created } }, async (req) => {
      const id = await uploadBlocklistFile(ctx, req.params.vdnId, req.body);
      kick();
      return ok('success', { returnObject: { importTaskId: id, id } });
    });

    app.post(`${V1}/blackfile/queryDataImportTask`, { schema: { params: VdnParams, body: ImportTaskQuery, response: listed } }, async (req) =>
      ok('success', await queryImportTasks(ctx, req.params.vdnId, 'blocklist', null, req.body)),
    );
  };
}
