/** Interfaces for the blocklist. */
import type { DomainContext } from '../../domain/context.js';
import type { RoutePlugin } from './plugin.js';

export function blocklistRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    void ctx;
    void app;
  };
}
