/** Batches: create, update, delete, list, pause (seed) and resume. */
import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { createBatch, deleteBatch, listBatches, pauseBatch, resumeBatch, updateBatch } from '../../domain/batches.js';
import type { DomainContext } from '../../domain/context.js';
import { envelopeSchema, ok } from '../envelope.js';
import { BatchListFilter, BatchListItem, BatchUpdate } from '../../contract/batches.js';
import { BatchCreate, BatchId, VdnCampaignParams } from '../../contract/common.js';
import { V1, type RoutePlugin } from './plugin.js';

function httpError(statusCode: number, message: string): FastifyError {
  return Object.assign(new Error(message), { statusCode, code: 'CAMPAIGND_GET_BODY' }) as FastifyError;
}

/**
 * The batch list is documented as a GET carrying a JSON body. Fastify 5 treats GET as bodyless
 * (its content-type parsers never run for it), and `addHttpMethod('GET', { hasBody: true,
 * overrideExisting: true })` would change every GET route of the server. So this route reads
 * its own body in a route-level `preParsing` hook, which runs before the C2 check: the raw
 * bytes land in `req.rawBody`, the signature is verified over exactly them, and parsing
 * follows the JSON parser's rules (bodyLimit → 413, other media types → 415, malformed JSON →
 * 0200001 once the signature is known to be good).
 */
function getBodyReader(bodyLimit: number) {
  return async (req: FastifyRequest, _reply: FastifyReply, payload: Readable): Promise<Readable> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += buf.length;
      if (size > bodyLimit) throw httpError(413, 'request body too large');
      chunks.push(buf);
    }
    const raw = Buffer.concat(chunks);
    req.rawBody = raw;
    if (raw.length === 0) return payload;
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (type !== 'application/json') throw httpError(415, 'unsupported media type');
    try {
      req.body = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      req.bodyParseError = e instanceof Error ? e.message : 'malformed JSON';
    }
    return payload;
  };
}

/**
 * Merges the query string and the JSON body (the body wins where both name a field) and
 * validates the result with the route's AJV (coercion on), so `?offset=0&limit=10`,
 * `{"offset":0,"limit":10}` and a mix all work, and errors carry the usual validation codes.
 */
async function mergeListFilter(req: FastifyRequest): Promise<void> {
  const body = req.body;
  if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) {
    throw Object.assign(new Error('the request body must be a JSON object'), {
      validation: [{ keyword: 'type', instancePath: '', params: { type: 'object' } }],
      validationContext: 'body',
    });
  }
  const merged: Record<string, unknown> = { ...(req.query as Record<string, unknown>), ...(body as Record<string, unknown> | undefined) };
  for (const [k, v] of Object.entries(merged)) if (v === '' && (k === 'status' || k === 'name')) delete merged[k];
  req.body = merged;
  const validate = req.compileValidationSchema(BatchListFilter, 'body');
  if (!validate(merged)) {
    throw Object.assign(new Error('validation failed'), { statusCode: 400, validation: validate.errors ?? [], validationContext: 'body' });
  }
}

export function batchRoutes(ctx: DomainContext): RoutePlugin {
  return async (app) => {
    const plain = { 200: envelopeSchema() };
    app.post(
      `${V1}/callbatch/:campaignId/create`,
      {
        schema: {
          params: VdnCampaignParams,
          body: BatchCreate,
          response: { 200: envelopeSchema({ returnObject: Type.Object({ id: Type.String() }) }) },
        },
      },
      async (req) => {
        const id = await createBatch(ctx, req.params.vdnId, req.params.campaignId, req.body);
        return ok('success', { returnObject: { id } });
      },
    );
    app.post(`${V1}/callbatch/:campaignId/update`, { schema: { params: VdnCampaignParams, body: BatchUpdate, response: plain } }, async (req) => {
      await updateBatch(ctx, req.params.vdnId, req.params.campaignId, req.body);
      return ok('success');
    });
    app.post(`${V1}/callbatch/:campaignId/delete`, { schema: { params: VdnCampaignParams, body: BatchId, response: plain } }, async (req) => {
      await deleteBatch(ctx, req.params.vdnId, req.params.campaignId, req.body.id);
      return ok('success');
    });
    app.get(
      `${V1}/callbatch/:campaignId/list`,
      {
        schema: {
          params: VdnCampaignParams,
          response: { 200: envelopeSchema({ totalCount: Type.Integer(), data: Type.Array(BatchListItem) }) },
        },
        // The filter may come as query parameters too (the typed client sends it so: fetch has no GET body).
        config: { documentedQuery: BatchListFilter },
        preParsing: getBodyReader(ctx.config.bodyLimit),
        preValidation: mergeListFilter,
      },
      async (req) => {
        const { totalCount, data } = await listBatches(ctx, req.params.vdnId, req.params.campaignId, req.body as BatchListFilter);
        return ok('success', { totalCount, data });
      },
    );
    app.post(`${V1}/callbatch/:campaignId/pause`, { schema: { params: VdnCampaignParams, body: BatchId, response: plain } }, async (req) => {
      await pauseBatch(ctx, req.params.vdnId, req.params.campaignId, req.body.id);
      return ok('success');
    });
    app.post(`${V1}/callbatch/:campaignId/resume`, { schema: { params: VdnCampaignParams, body: BatchId, response: plain } }, async (req) => {
      await resumeBatch(ctx, req.params.vdnId, req.params.campaignId, req.body.id);
      return ok('success');
    });
  };
}
