/**
 * The one catalogue of CC-iSales result codes that campaignd answers with.
 *
 * Every code is documented in ../shared/reference (isales-api.md §2, isales-gaps.md); the
 * catalogue test pins its size and checks each code against those tables, so adding or
 * changing a code is a conscious act. Domain code throws `DomainError`s built from this
 * catalogue; the HTTP layer maps them to the envelope in exactly one place.
 */

export const RESULT_CODES = {
  '0200000': 'success',
  '0200001': 'Parameter error.',
  '0200002': 'The campaign start time is earlier than 00:00 today.',
  '0200003': 'The number of skill-queue campaigns has reached the upper limit.',
  '0200004': 'The number of IVR campaigns has reached the upper limit.',
  '0200005': 'The campaign name already exists.',
  '0200006': 'Database operation error.',
  '0200007': 'The outbound campaign does not exist.',
  '0200008': 'The begin time and end time must both be given or both be omitted.',
  '0200009': 'The time format is incorrect.',
  '0200010': 'The begin time must be earlier than the end time.',
  '0200011': 'The current state does not allow this operation.',
  '0200013': 'The special date name already exists.',
  '0200014': 'The special date does not exist.',
  '0200015': 'The number of special dates of the campaign has reached the upper limit.',
  '0200016': 'The campaign has already ended.',
  '0200017': 'The skill queue does not exist.',
  '0200018': 'The request contains duplicate numbers.',
  '0200019': 'The campaign state does not allow adding numbers.',
  '0200020': 'The number of uncompleted records exceeds the upper limit.',
  '0200022': 'The interface is called too frequently.',
  '0200024': 'The request contains blocklisted numbers.',
  '0200029': 'The number of items exceeds the maximum allowed per request.',
  '0200030': 'The time format is incorrect.',
  '0200033': 'The call data does not exist.',
  '0200034': 'The sub-status does not match the business result.',
  '0200999': 'Business result writeback failed.',
  '02000001': 'Empty parameter.',
  '02000002': 'The parameter contains invalid characters.',
  '02000003': 'The parameter length cannot exceed the maximum length.',
  '02000004': 'The parameter length cannot be less than the minimum length.',
  '02000005': 'The parameter length must be within the specified range.',
  '02000006': 'Incorrect parameter type.',
  '02000007': 'Incorrect parameter value.',
  '02000008': 'Parameter conversion error. Check the request parameters.',
  '02000009': 'Incorrect parameter combination. Check the request parameters.',
  '02000010': 'The hour and minute parameters must be set at the same time.',
  '02000011': 'The number of parameters cannot exceed the specified number.',
  '02000012': 'The blocklist group already exists.',
  '02000013': 'Invalid blocklist group ID.',
  '02000014': 'The blocklist type already exists.',
  '02000015': 'Invalid blocklist type ID.',
  '03000001': 'The batch name already exists.',
  '03000002': 'The campaign state does not allow this batch operation.',
  '03000003': 'The number of batches of the campaign has reached the upper limit.',
  '03000004': 'Batch ID not found.',
  '03000005': 'The batch is already started and cannot be resumed again.',
  '03000006': 'The batch has been suspended and cannot be suspended again.',
  '04000001': 'Incorrect time.',
  '04000002': 'Incorrect call number. The value can contain a maximum of 24 characters, including only digits, asterisks (*), and number signs (#).',
  '04000003': 'The reserved number is a blocklisted number.',
  '04000004': 'The reserved outbound campaign does not exist.',
} as const satisfies Record<string, string>;

export type ResultCode = keyof typeof RESULT_CODES;

export const SUCCESS: ResultCode = '0200000';

/**
 * A rule of the domain was broken. `desc` is the `resultDesc` the client sees: it names the
 * field or the reason, never a secret.
 *
 * @example throw new DomainError('0200007', `campaign ${id} does not exist`)
 */
export class DomainError extends Error {
  readonly code: ResultCode;
  /** HTTP status of the answer; CC-iSales answers business errors with 200. */
  readonly httpStatus: number;

  constructor(code: ResultCode, desc?: string, httpStatus = 200) {
    super(desc ?? RESULT_CODES[code]);
    this.name = 'DomainError';
    this.code = code;
    this.httpStatus = httpStatus;
  }
}

/** Shorthand for the generic parameter error with a reason. */
export function paramError(reason: string): DomainError {
  return new DomainError('0200001', reason);
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
