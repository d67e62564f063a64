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
 *
 * appoint/create is judged without a read here: its domain service checks existence first inside
 * its group-committed write transaction (a read of its own would cost a SQLite read transaction
 * per request, issue #12), and when the schema refuses the body before the handler runs, the
 * error handler asks {@link unknownDeferredCampaign} — so the answer is the same 0200007.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DomainContext } from '../domain/context.js';
import { findCampaignEnd } from '../store/campaigns.repository.js';
import { envelope } from './envelope.js';

const ID = /^[1-9][0-9]{0,9}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * appoint/create: the campaign whose existence is judged later (see {@link existenceFirst}):
     * by the domain inside its write transaction, or by {@link unknownDeferredCampaign} when the
     * schema refuses the body first.
     */
    existenceDeferred?: { vdnId: number; campaignId: number };
  }
}

/**
 * Whether the route's own handler judges existence first (0200007 before anything else it
 * checks) inside its write transaction: then the hook does not read the campaign on the hot
 * path (a read outside a transaction costs a SQLite read transaction of its own, issue #12).
 * Only appoint/create (a POST); `routeOptions` builds an object per call, so it is read once.
 */
function isAppointCreate(req: FastifyRequest): boolean {
  return req.method === 'POST' && req.routeOptions.url?.endsWith('/appoint/create') === true;
}

function named(req: FastifyRequest, appointCreate: boolean): string | undefined {
  const params = req.params as Record<string, unknown> | undefined;
  const fromPath = params?.campaignId;
  if (typeof fromPath === 'string') return fromPath;
  const query = req.query as Record<string, unknown> | undefined;
  if (typeof query?.campaignId === 'string') return query.campaignId;
  if (appointCreate) {
    const body = req.body as Record<string, unknown> | undefined;
    const taskId = body && typeof body === 'object' ? body.taskId : undefined;
    if (typeof taskId === 'string' || typeof taskId === 'number') return String(taskId);
  }
  return undefined;
}

const VDN = /^[1-9]\d{0,3}$/;

/**
 * The hook (callback style: no promise on the paths that read nothing, such as appoint/create's);
 * `deps.db` answers whether the campaign exists in the path's VDN.
 */
export function existenceFirst(deps: DomainContext) {
  return (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    const appointCreate = isAppointCreate(req);
    const raw = named(req, appointCreate);
    const vdn = (req.params as Record<string, unknown> | undefined)?.vdnId;
    // Malformed ids and VDNs are left to the schema (their validation codes).
    if (raw === undefined || !ID.test(raw) || typeof vdn !== 'string' || !VDN.test(vdn)) return done();
    const id = Number(raw);
    if (id > 2147483647) return done();
    if (appointCreate) {
      req.existenceDeferred = { vdnId: Number(vdn), campaignId: id };
      return done();
    }
    // The narrow lookup of the hot path (one indexed row, one column).
    findCampaignEnd(deps.db, Number(vdn), id).then(
      (found) => {
        if (found) return done();
        void reply.code(200).send(envelope('0200007', `campaign ${id} does not exist in VDN ${Number(vdn)}`));
      },
      (err: unknown) => done(err as Error),
    );
  };
}

/**
 * For a request whose existence check was deferred and whose body the schema refused: the
 * 0200007 envelope when the campaign does not exist (existence first still wins over the
 * validation code), else undefined.
 */
export async function unknownDeferredCampaign(deps: DomainContext, req: FastifyRequest): Promise<ReturnType<typeof envelope> | undefined> {
  const d = req.existenceDeferred;
  if (d === undefined || (await findCampaignEnd(deps.db, d.vdnId, d.campaignId))) return undefined;
  return envelope('0200007', `campaign ${d.campaignId} does not exist in VDN ${d.vdnId}`);
}
