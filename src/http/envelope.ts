/**
 * The CC-iSales response envelope: every JSON answer carries resultCode/resultDesc and the
 * mirrored returnCode/returnDesc pair (PRODUCT.md "Envelope").
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyError } from 'fastify';
import { RESULT_CODES, type ResultCode } from '../domain/errors.js';

export interface Envelope {
  resultCode: string;
  resultDesc: string;
  returnCode: string;
  returnDesc: string;
}

/** Builds an envelope, merging extra top-level fields (e.g. `returnObject`, `defId`). */
export function envelope<T extends object>(code: ResultCode, desc?: string, extra?: T): Envelope & T {
  const d = desc ?? RESULT_CODES[code];
  return { resultCode: code, resultDesc: d, returnCode: code, returnDesc: d, ...(extra as T) };
}

export function ok<T extends object>(desc = 'success', extra?: T): Envelope & T {
  return envelope('0200000', desc, extra);
}

/** Response schema for an envelope with optional extra top-level properties. */
export function envelopeSchema(extra: Record<string, TSchema> = {}) {
  return Type.Object(
    {
      resultCode: Type.String(),
      resultDesc: Type.String(),
      returnCode: Type.String(),
      returnDesc: Type.String(),
      ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, Type.Optional(v)])),
    },
    { additionalProperties: false },
  );
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** `/callerNo/0/accessCode` → `callerNo[0].accessCode` */
function fieldName(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter((p) => p !== '');
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) {
    const seg = p.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  }
  return out;
}

function valueAt(root: unknown, instancePath: string): unknown {
  let cur: unknown = root;
  for (const p of instancePath.split('/').filter((s) => s !== '')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

/**
 * Per-route overrides: an interface-specific code wins over the generic validation code for a
 * field (PRODUCT.md: `04000002` for a bad called number). Keys are field names as reported
 * (`calledNo`, `callerNo[].accessCode` matches every index).
 */
export type FieldCodes = Record<string, ResultCode>;

/**
 * Maps the first schema-validation error to the project's validation codes (PRODUCT.md
 * "Validation codes") with the failing field named in resultDesc.
 */
export function validationEnvelope(err: FastifyError, context: string | undefined, input: unknown, fieldCodes: FieldCodes = {}): Envelope {
  const first = (err.validation?.[0] ?? { keyword: 'unknown', instancePath: '', params: {} }) as AjvError;
  const where = context === 'params' ? 'path parameter' : context === 'querystring' ? 'query parameter' : 'parameter';
  const missing = first.keyword === 'required' ? String(first.params.missingProperty ?? '') : undefined;
  const field = fieldName(first.instancePath, missing);
  const value = valueAt(input, first.instancePath);
  let code: ResultCode;
  let desc: string;
  switch (first.keyword) {
    case 'required':
      code = '02000001';
      desc = `${where} ${field} is required`;
      break;
    case 'type':
      if (field === '') {
        return envelopeFor('0200001', `the request body must be a JSON object`);
      }
      code = '02000006';
      desc = `${where} ${field} must be of type ${String(first.params.type)}`;
      break;
    case 'minLength':
      code = value === '' ? '02000001' : '02000004';
      desc = value === '' ? `${where} ${field} must not be empty` : `${where} ${field} must have at least ${String(first.params.limit)} characters`;
      break;
    case 'maxLength':
      code = '02000003';
      desc = `${where} ${field} must have at most ${String(first.params.limit)} characters`;
      break;
    case 'pattern':
    case 'format':
      code = '02000002';
      desc = `${where} ${field} contains invalid characters or has the wrong format`;
      break;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
      code = '02000007';
      desc = `${where} ${field} must be ${String(first.params.comparison ?? '')} ${String(first.params.limit ?? '')}`.replace(/\s+/g, ' ').trim();
      break;
    case 'enum':
    case 'const':
      code = '02000007';
      desc = `${where} ${field} must be one of ${JSON.stringify(first.params.allowedValues ?? first.params.allowedValue)}`;
      break;
    case 'minItems':
      code = Array.isArray(value) && value.length === 0 ? '02000001' : '02000004';
      desc = `${where} ${field} must have at least ${String(first.params.limit)} items`;
      break;
    case 'maxItems':
      code = '02000011';
      desc = `${where} ${field} must have at most ${String(first.params.limit)} items`;
      break;
    case 'additionalProperties':
      code = '0200001';
      desc = `${where} ${fieldName(first.instancePath, String(first.params.additionalProperty))} is not allowed`;
      break;
    default:
      code = '0200001';
      desc = `${where} ${field} is invalid`;
  }
  // An empty or missing value stays 02000001, and a wrong JSON type 02000006, even where the
  // interface has its own code for a bad value of the field.
  if (code !== '02000001' && first.keyword !== 'type') {
    const generic = field.replace(/\[\d+\]/g, '[]');
    const override = fieldCodes[field] ?? fieldCodes[generic];
    if (override) code = override;
  }
  return envelopeFor(code, desc);
}

function envelopeFor(code: ResultCode, desc: string): Envelope {
  return envelope(code, desc);
}
