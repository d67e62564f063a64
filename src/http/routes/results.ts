/** Interfaces for call results, failure statistics, business-result writeback. */
import type { DomainContext } from '../../domain/context.js';
import type { RoutePlugin } from './plugin.js';

export function resultRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    void ctx;
    void app;
  };
}
