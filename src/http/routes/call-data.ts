/** Interfaces for call data (add v1/v2, delete, query, number types, statistics). */
import type { DomainContext } from '../../domain/context.js';
import type { RoutePlugin } from './plugin.js';

export function callDataRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    void ctx;
    void app;
  };
}
