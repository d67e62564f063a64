/** Interfaces for special dates. */
import type { DomainContext } from '../../domain/context.js';
import type { RoutePlugin } from './plugin.js';

export function specialDateRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    void ctx;
    void app;
  };
}
