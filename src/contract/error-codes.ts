/**
 * The result codes each interface can answer, besides success (0200000).
 *
 * Two sources, merged by `resultCodesOf`:
 * - the validation codes, derived from the interface's own request schemas with the mapping of
 *   http/envelope.ts (required 02000001, pattern 02000002, maxLength 02000003, minLength
 *   02000004, type 02000006, minimum/maximum/enum 02000007, maxItems 02000011, a body that is
 *   not a JSON object 0200001), plus the route's interface-specific field codes;
 * - the business codes of `BUSINESS_CODES`, from the domain's errors (src/domain/errors.ts) as
 *   each use case throws them.
 * The OpenAPI document lists the merged codes per operation (`x-result-codes`, with an example
 * answer for each), and the typed client types `error.resultCode` with them. `npm test` records
 * every (interface, code) pair the suite's servers answer and fails on one missing here
 * (http/result-code-log.ts, test/check-result-codes.ts).
 */
import type { OperationId } from './operations.js';

/** Codes any signed interface may answer (signature, unknown interface, body limits; internal error). */
export const PROTOCOL_CODES = ['0200001', '0200006'] as const;

/** A JSON-Schema keyword → the validation code http/envelope.ts answers for it. */
const KEYWORD_CODES: Record<string, string> = {
  required: '02000001',
  pattern: '02000002',
  format: '02000002',
  maxLength: '02000003',
  minLength: '02000004',
  type: '02000006',
  minimum: '02000007',
  maximum: '02000007',
  exclusiveMinimum: '02000007',
  exclusiveMaximum: '02000007',
  enum: '02000007',
  const: '02000007',
  maxItems: '02000011',
  minItems: '02000001',
};

/**
 * The validation codes a request schema can produce (walks nested objects and arrays).
 *
 * @example validationCodes({ type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 5 } } }) // ['02000001', '02000003', '02000006']
 */
export function validationCodes(schema: unknown): string[] {
  const out = new Set<string>();
  const walk = (s: unknown): void => {
    if (Array.isArray(s)) return s.forEach(walk);
    if (s === null || typeof s !== 'object') return;
    const o = s as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      // An empty `required` list requires nothing.
      if (k === 'required' && Array.isArray(v) && v.length === 0) continue;
      const code = KEYWORD_CODES[k];
      if (code !== undefined && !(k === 'type' && typeof v !== 'string' && !Array.isArray(v))) out.add(code);
      if (k === 'properties' && v && typeof v === 'object') Object.values(v).forEach(walk);
      else if (k === 'items' || k === 'anyOf' || k === 'oneOf' || k === 'allOf' || k === 'additionalProperties') walk(v);
    }
  };
  walk(schema);
  return [...out].sort();
}

/**
 * Business codes per interface (the domain's `DomainError`s each use case can throw), plus the
 * validation codes a use case answers from its own checks (beyond what the schemas give). Filled
 * from the domain's documented codes and from what the suite observed (`npm test`'s record);
 * an interface whose use case only reads or lists may have none.
 */
export const BUSINESS_CODES: Record<OperationId, readonly string[]> = {
  createCampaign: ['02000009', '0200002', '0200003', '0200004', '0200005', '0200017'],
  createCampaignV2: ['02000009', '0200002', '0200004', '0200005', '0200017'],
  listCampaigns: [],
  getCampaign: ['0200007'],
  updateCampaign: ['02000009', '0200002', '0200005', '0200007', '0200016', '0200017'],
  updateCampaignV2: ['0200002', '0200005', '0200007', '0200016', '0200017'],
  deleteCampaign: ['02000002', '0200007', '0200011'],
  pauseCampaign: ['02000002', '0200007', '0200011'],
  resumeCampaign: ['0200007', '0200011'],
  setRetryPolicy: ['02000002', '02000003', '02000009', '02000011', '0200007'],
  getRetryPolicy: ['0200007'],
  addBusinessResult: [],
  listBusinessResults: [],
  createBatch: ['0200007', '03000001', '03000002', '03000003'],
  updateBatch: ['0200007', '03000001', '03000002', '03000004'],
  deleteBatch: ['0200007', '03000002', '03000004'],
  listBatches: ['0200007'],
  pauseBatch: ['02000002', '0200007', '03000002', '03000004', '03000006'],
  resumeBatch: ['02000002', '0200007', '03000002', '03000004', '03000005'],
  createAppointment: ['0200007', '04000003'],
  updateAppointmentResult: ['04000004'],
  updateAppointment: ['04000004'],
  deleteAppointment: ['04000004'],
  listAppointments: [],
  addCallerNumbers: ['0200007'],
  deleteCallerNumbers: ['0200007'],
  listObsResultCodes: [],
  createObResult: [],
  updateObResult: [],
  deleteObResult: [],
  listObResults: [],
  getObResult: [],
  addCallData: ['0200007', '0200018', '0200019', '0200020', '0200022', '0200024', '0200029', '0200030'],
  addCallDataV2: ['0200007', '0200018', '0200019', '0200020', '0200022', '0200024', '0200029', '0200030', '03000004'],
  deleteCallData: ['02000009', '0200007'],
  getCallData: ['0200007', '0200033'],
  addNumberTypes: [],
  listNumberTypes: [],
  getStatistics: ['02000009', '0200007', '0200022', '03000004'],
  groupCallData: ['0200007'],
  addBlocklist: ['02000009', '02000013', '02000015', '0200007', '0200018', '0200029'],
  deleteBlocklist: [],
  clearBlocklist: [],
  queryBlocklist: ['02000009', '02000013', '02000015'],
  createBlocklistGroup: ['02000012'],
  updateBlocklistGroup: ['02000012', '02000013'],
  listBlocklistGroups: [],
  deleteBlocklistGroup: ['02000013'],
  createBlocklistType: ['02000014'],
  updateBlocklistType: ['02000014', '02000015'],
  listBlocklistTypes: [],
  deleteBlocklistType: ['02000015'],
  listSpecialDates: ['0200007'],
  addSpecialDate: ['02000002', '0200007', '0200013', '0200015'],
  updateSpecialDate: ['02000002', '0200007', '0200013', '0200014'],
  deleteSpecialDates: ['0200007', '0200014'],
  deleteSpecialDate: ['0200007', '0200014'],
  queryCallResults: ['02000002', '02000009', '0200007', '0200008', '0200009', '0200010', '0200011'],
  getCallResultDetail: [],
  getFailCategoryStatistics: ['0200007', '0200008', '0200009', '0200010', '0200011'],
  setCallBusinessResult: ['0200033', '0200034', '0200999'],
  queryCallLogs: [],
  queryCallRecords: [],
  queryCallRecordsV2: [],
  addFileServer: [],
  deleteFileServer: [],
  updateFileServer: [],
  listFileServers: [],
  importCallDataFile: ['02000010', '0200007', '03000004'],
  listCallDataImportTasks: ['0200007'],
  importBlocklistFile: ['02000013', '02000015'],
  listBlocklistImportTasks: [],
  listTemplates: [],
  createTemplate: [],
  getTemplate: ['0200007'],
  copyTemplate: ['0200007'],
  updateTemplate: ['0200007'],
  getClock: [],
  setClock: ['02000002'],
  getCallDataTrail: ['0200033'],
  listDueReservations: [],
  getProgress: ['0200007'],
  getPreflight: ['0200007'],
  reportCallResult: [],
  createCampaignFromTemplate: ['0200005', '0200011'],
  getSipCall: [],
};

/**
 * Every code an interface can answer besides success: protocol codes, the validation codes of
 * its request schemas, its field-specific codes and its business codes, sorted.
 *
 * @example resultCodesOf('createBatch', [paramsSchema, bodySchema], {}) // ['0200001', '0200006', '0200007', '02000001', …]
 */
export function resultCodesOf(op: OperationId, requestSchemas: unknown[], fieldCodes: Readonly<Record<string, string>> = {}): string[] {
  const all = new Set<string>([...PROTOCOL_CODES, ...validationCodes(requestSchemas), ...Object.values(fieldCodes), ...BUSINESS_CODES[op]]);
  all.delete('0200000');
  return [...all].sort();
}
