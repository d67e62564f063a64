/**
 * "Existence first, everywhere" (isales-gaps §8.6, issue 13): an interface that names a campaign
 * answers `0200007` for an unknown one before it judges anything else of the request, as the
 * vendor does, instead of a validation code for some body field.
 *
 * A `preValidation` hook of the `/rest/isales` scope, run after the signature, VDN and JSON
 * checks: the campaign is the `:campaignId` path parameter, the `campaignId` query parameter
 * (`failcategorystatistics`, `P2/statistics`) or `appoint/create`'s `taskId`. A value that is not
 * a well-formed id is left to the schema (its validation code). Archived campaigns count as
 * unknown, as everywhere.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DomainContext } from '../domain/context.js';
import { findCampaignEnd } from '../store/campaigns.repository.js';
import { envelope } from './envelope.js';

const ID = /^[1-9][0-9]{0,9}$/;

function named(req: FastifyRequest): string | undefined {
  const params = req.params as Record<string, unknown> | undefined;
  const fromPath = params?.campaignId;
  if (typeof fromPath === 'string') return fromPath;
  const query = req.query as Record<string, unknown> | undefined;
  if (typeof query?.campaignId === 'string') return query.campaignId;
  if (req.method === 'POST' && req.routeOptions.url?.endsWith('/appoint/create')) {
    const body = req.body as Record<string, unknown> | undefined;
    const taskId = body && typeof body === 'object' ? body.taskId : undefined;
    if (typeof taskId === 'string' || typeof taskId === 'number') return String(taskId);
  }
  return undefined;
}

/** The hook; `deps.db` answers whether the campaign exists in the path's VDN. */
export function existenceFirst(deps: DomainContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = named(req);
    const vdn = (req.params as Record<string, unknown> | undefined)?.vdnId;
    // Malformed ids and VDNs are left to the schema (their validation codes).
    if (raw === undefined || !ID.test(raw) || typeof vdn !== 'string' || !/^[1-9]\d{0,3}$/.test(vdn)) return;
    const id = Number(raw);
    if (id > 2147483647) return;
    // The narrow lookup of the hot path (one indexed row, one column).
    if (await findCampaignEnd(deps.db, Number(vdn), id)) return;
    return reply.code(200).send(envelope('0200007', `campaign ${id} does not exist in VDN ${Number(vdn)}`));
  };
}
