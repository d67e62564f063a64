/**
 * The interfaces of issue 13 in one registration: file servers and file imports, blocklist
 * groups and types, campaign templates, call records, and the task-group call-data import.
 */
import type { DomainContext } from '../../domain/context.js';
import { blocklistGroupRoutes } from './blocklist-groups.js';
import { callRecordRoutes } from './call-records.js';
import { fileImportRoutes } from './file-imports.js';
import { fileServerRoutes } from './file-servers.js';
import { groupCallDataRoutes } from './group-call-data.js';
import type { RoutePlugin } from './plugin.js';
import { templateExtensionRoutes, templateRoutes } from './templates.js';

export { templateExtensionRoutes };

export function surfaceRoutes(ctx: DomainContext, kickImports: () => void): RoutePlugin {
  return async (app) => {
    await app.register(fileServerRoutes(ctx));
    await app.register(fileImportRoutes(ctx, kickImports));
    await app.register(blocklistGroupRoutes(ctx));
    await app.register(templateRoutes(ctx));
    await app.register(callRecordRoutes(ctx));
    await app.register(groupCallDataRoutes());
  };
}
