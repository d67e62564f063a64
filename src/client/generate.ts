/**
 * Writes the typed client's source (src/client/generated.ts) from campaignd's OpenAPI document,
 * which @fastify/swagger builds from the routes' TypeBox schemas (src/contract): one method per
 * operation (named by `operationId`, contract/operations.ts), request and reply types translated
 * from the JSON Schemas, and the union of result codes each operation can answer
 * (`x-result-codes`, contract/error-codes.ts). Pure: document in, TypeScript text out.
 * `npm run gen:client` (test/gen-client.ts) runs it against a live server's document;
 * test/client-generated.test.ts fails when the committed file differs from a fresh run.
 */

/** The parts of a JSON Schema the route schemas use. */
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  description?: string;
}

interface Parameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: JsonSchema;
  description?: string;
}

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
  'x-result-codes'?: string[];
}

/** The part of an OpenAPI 3.1 document the generator reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (k: string) => (IDENT.test(k) ? k : JSON.stringify(k));

/** A JSON Schema as a TypeScript type expression. */
export function tsType(s: JsonSchema | undefined, indent = ''): string {
  if (s === undefined) return 'unknown';
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum !== undefined) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const alts = s.anyOf ?? s.oneOf;
  if (alts !== undefined) return [...new Set(alts.map((a) => tsType(a, indent)))].join(' | ');
  if (Array.isArray(s.type)) return s.type.map((t) => tsType({ ...s, type: t }, indent)).join(' | ');
  switch (s.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const item = tsType(s.items, indent);
      return /^[A-Za-z]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'object':
      return objectType(s, indent);
    default:
      return s.properties ? objectType(s, indent) : 'unknown';
  }
}

function objectType(s: JsonSchema, indent: string): string {
  const inner = `${indent}  `;
  const required = new Set(s.required ?? []);
  const lines: string[] = [];
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    if (prop.description) lines.push(`${inner}/** ${prop.description.replace(/\*\//g, '*\\/')} */`);
    lines.push(`${inner}${key(name)}${required.has(name) ? '' : '?'}: ${tsType(prop, inner)};`);
  }
  if (s.additionalProperties !== false) {
    const extra = typeof s.additionalProperties === 'object' ? tsType(s.additionalProperties, inner) : 'unknown';
    lines.push(`${inner}[k: string]: ${extra};`);
  }
  return lines.length === 0 ? 'Record<string, never>' : `{\n${lines.join('\n')}\n${indent}}`;
}

const jsonOf = (x: { content?: Record<string, { schema?: JsonSchema }> } | undefined) => x?.content?.['application/json']?.schema;

/** One operation, as the generated code needs it. */
interface Op {
  id: string;
  method: string;
  path: string;
  pathParams: string[];
  query: Parameter[];
  body: 'none' | 'optional' | 'required';
  op: Operation;
}

function operationsOf(doc: OpenApiDocument): Op[] {
  const ops: Op[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (op.operationId === undefined) continue; // unsigned probes (/healthz, /metrics …) have none
      const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const query = (op.parameters ?? []).filter((p) => p.in === 'query');
      const body = op.requestBody === undefined ? 'none' : op.requestBody.required ? 'required' : 'optional';
      ops.push({ id: op.operationId, method: method.toUpperCase(), path, pathParams, query, body, op });
    }
  }
  return ops.sort((a, b) => a.id.localeCompare(b.id));
}

function doc(lines: string[], indent: string): string {
  return `${indent}/**\n${lines.map((l) => `${indent} *${l === '' ? '' : ` ${l.replace(/\*\//g, '*\\/')}`}`).join('\n')}\n${indent} */\n`;
}

/**
 * The TypeScript source of src/client/generated.ts for `document`.
 *
 * @example fs.writeFileSync('src/client/generated.ts', clientSource(app.swagger() as OpenApiDocument))
 */
export function clientSource(document: OpenApiDocument): string {
  const ops = operationsOf(document);
  const out: string[] = [];
  out.push(`// Generated by \`npm run gen:client\` (src/client/generate.ts) from campaignd's OpenAPI document,
// which is built from the TypeBox schemas of src/contract. Do not edit: change the contract and
// run the generator again (test/client-generated.test.ts fails while this file is stale).
import type { CallResult, Id, OperationSpec } from './types.js';

/** Request and reply types of every interface, and the result codes it can answer. */
export interface Operations {
`);
  for (const o of ops) {
    const q =
      o.query.length === 0
        ? 'never'
        : objectType(
            {
              type: 'object',
              properties: Object.fromEntries(o.query.map((p) => [p.name, { ...p.schema, ...(p.description ? { description: p.description } : {}) }])),
              required: o.query.filter((p) => p.required).map((p) => p.name),
              additionalProperties: false,
            },
            '    ',
          );
    const body = o.body === 'none' ? 'never' : tsType(jsonOf(o.op.requestBody), '    ');
    const reply = tsType(jsonOf(o.op.responses?.['200']), '    ');
    const codes = (o.op['x-result-codes'] ?? []).map((c) => `'${c}'`).join(' | ') || 'never';
    out.push(`  /** ${o.method} ${o.path} */
  ${o.id}: {
    path: { ${o.pathParams.map((p) => `${p}: Id`).join('; ')}${o.pathParams.length ? ' ' : ''}};
    query: ${q};
    body: ${body};
    reply: ${reply};
    /** Result codes this interface answers besides success (the validation codes included). */
    codes: ${codes};
  };
`);
  }
  out.push(`}

/** Method, path template, path parameters (in order) and which inputs each interface takes. */
export const OPERATIONS = {
`);
  for (const o of ops) {
    out.push(
      `  ${o.id}: { method: '${o.method}', path: '${o.path}', params: [${o.pathParams.map((p) => `'${p}'`).join(', ')}], query: ${o.query.length > 0}, body: '${o.body}' },\n`,
    );
  }
  out.push(`} as const satisfies Record<keyof Operations, OperationSpec>;

/**
 * One method per interface: path parameters in path order, then the body, then the query
 * parameters. Every method resolves for every HTTP status; \`ok\` tells success from a business
 * error, whose \`error.resultCode\` is typed with the codes that interface can answer.
 */
export abstract class GeneratedOperations {
  /** Sends one operation (implemented by CampaigndClient). */
  protected abstract call<K extends keyof Operations>(op: K, path: Record<string, Id>, body?: unknown, query?: Record<string, unknown>): Promise<CallResult<Operations[K]>>;
`);
  for (const o of ops) {
    const args = o.pathParams.map((p) => `${p}: Id`);
    if (o.body !== 'none') args.push(`body${o.body === 'optional' ? '?' : ''}: Operations['${o.id}']['body']`);
    const queryRequired = o.query.some((p) => p.required);
    if (o.query.length > 0) args.push(`query${queryRequired ? '' : '?'}: Operations['${o.id}']['query']`);
    const summary = o.op.summary ?? o.op.description?.split('\n')[0] ?? '';
    const codes = o.op['x-result-codes'] ?? [];
    const lines = summary ? [`${summary}.`, '', `\`${o.method} ${o.path}\``] : [`\`${o.method} ${o.path}\``];
    if (codes.length > 0) lines.push('', `Result codes: ${codes.join(', ')}.`);
    const exampleArgs = [...o.pathParams.map((p) => (p === 'vdnId' ? '1' : p)), ...(o.body !== 'none' ? ['body'] : []), ...(queryRequired ? ['query'] : [])];
    lines.push('', `@example const res = await client.${o.id}(${exampleArgs.join(', ')}); if (!res.ok) console.error(res.error.resultCode)`);
    out.push(`\n${doc(lines, '  ')}  ${o.id}(${args.join(', ')}): Promise<CallResult<Operations['${o.id}']>> {
    return this.call('${o.id}', { ${o.pathParams.join(', ')} }${o.body !== 'none' ? ', body' : o.query.length > 0 ? ', undefined' : ''}${o.query.length > 0 ? ', query' : ''});
  }
`);
  }
  out.push('}\n');
  return out.join('');
}
