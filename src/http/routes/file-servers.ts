/**
 * File servers (`P/file/addServer`, `P/file/{serverId}/deleteServer`, `…/updateServer`,
 * `P/file/queryServer`; isales-gaps §8.1). The password is never returned; the journal masks
 * `serverPwd` (domain/calllogs.ts). The vendor's `addServer` error sample uses a `description`
 * key; campaignd keeps its envelope.
 */
import { Type } from '@sinclair/typebox';
import type { DomainContext } from '../../domain/context.js';
import { addFileServer, queryFileServers, removeFileServer, updateFileServerDetails } from '../../domain/file-servers.js';
import { envelopeSchema, ok } from '../envelope.js';
import { FileServerAdd, FileServerItem, FileServerQuery, FileServerUpdate, ServerIdParams } from '../../contract/files.js';
import { VdnParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

export function fileServerRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    const plain = { 200: envelopeSchema() };

    app.post(
      `${V1}/file/addServer`,
      { schema: { params: VdnParams, body: FileServerAdd, response: { 200: envelopeSchema({ returnObject: Type.Object({ serverId: Type.String(), id: Type.String() }) }) } } },
      async (req) => {
        const id = await addFileServer(ctx, req.params.vdnId, req.body);
        return ok('success', { returnObject: { serverId: id, id } });
      },
    );

    app.post(`${V1}/file/:serverId/deleteServer`, { schema: { params: ServerIdParams, response: plain } }, async (req) => {
      await removeFileServer(ctx, req.params.vdnId, req.params.serverId);
      return ok('success');
    });

    app.post(`${V1}/file/:serverId/updateServer`, { schema: { params: ServerIdParams, body: FileServerUpdate, response: plain } }, async (req) => {
      await updateFileServerDetails(ctx, req.params.vdnId, req.params.serverId, req.body);
      return ok('success');
    });

    app.post(
      `${V1}/file/queryServer`,
      { schema: { params: VdnParams, body: FileServerQuery, response: { 200: envelopeSchema({ count: Type.Integer(), server: Type.Array(FileServerItem) }) } } },
      async (req) => ok('success', await queryFileServers(ctx, req.params.vdnId, req.body)),
    );
  };
}
