import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

/** A route group: an encapsulated plugin with the TypeBox type provider. */
export type RoutePlugin = FastifyPluginAsync<Record<never, never>, import('fastify').RawServerDefault, TypeBoxTypeProvider>;

export const V1 = '/v1/openapi/campaigns/:vdnId';
export const V2 = '/v2/openapi/campaigns/:vdnId';
