/** Interfaces for interface invocation records. */
import type { DomainContext } from '../../domain/context.js';
import type { RoutePlugin } from './plugin.js';

export function callLogRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    void ctx;
    void app;
  };
}
