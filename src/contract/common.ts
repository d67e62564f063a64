/**
 * Wire schemas of the CC-iSales interfaces (TypeBox). One schema drives request validation
 * (mapped to the validation codes by http/envelope.ts), the handler types and, later, the
 * OpenAPI document. Campaign, calling-number, retry-policy and business-result schemas live in
 * campaigns.ts. Loose scalars: AJV's type coercion accepts `"1"` for integers and `1` for
 * strings, as the vendor's own examples send both.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Integer-valued string or number after coercion. */
const Int = (opts: { minimum?: number; maximum?: number } = {}) => Type.Integer(opts);

/** An integer out of a fixed set (a plain `enum`, so coercion and the error code stay simple). */
const IntEnum = <const T extends readonly number[]>(values: T) => Type.Unsafe<T[number]>({ type: 'integer', enum: [...values] });

export const PHONE = '^[0-9*#]*$';
export const DIGITS = '^[0-9]*$';
export const NAME_FORBIDDEN_BATCH = '^[^<>!@#$%^&*?;"~/\\\\]*$';
export const DESCRIPTION_FORBIDDEN = '^[^"\\[\\]=;<>]*$';
export const DATETIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$';

export const VdnParams = Type.Object({ vdnId: Int({ minimum: 1, maximum: 9999 }) });
export const VdnCampaignParams = Type.Object({
  vdnId: Int({ minimum: 1, maximum: 9999 }),
  campaignId: Int({ minimum: 1, maximum: 2147483647 }),
});

export const BatchCreate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255, pattern: NAME_FORBIDDEN_BATCH }),
  status: Type.Optional(IntEnum([1, 2])),
});
export type BatchCreate = Static<typeof BatchCreate>;

export const BatchId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type BatchId = Static<typeof BatchId>;

export const AppointCreate = Type.Object({
  callType: IntEnum([1, 2]),
  calledNo: Type.String({ minLength: 1, maxLength: 24, pattern: PHONE }),
  userAccount: Type.Optional(Type.String({ maxLength: 64, pattern: '^[0-9A-Za-z_.@-]*$' })),
  workNo: Type.Optional(Type.String({ maxLength: 5, pattern: DIGITS })),
  taskId: Type.String({ minLength: 1, maxLength: 10, pattern: DIGITS }),
  appointTime: Type.Integer({ minimum: 0 }),
  callData: Type.Optional(Type.String({ maxLength: 1024 })),
  remark: Type.Optional(Type.String({ maxLength: 500 })),
});
export type AppointCreate = Static<typeof AppointCreate>;

export const AppointUpdateResult = Type.Object({
  appointId: Type.String({ minLength: 1, maxLength: 64 }),
  userAccount: Type.Optional(Type.String({ maxLength: 64, pattern: '^[0-9A-Za-z_.@-]*$' })),
  workNo: Type.Optional(Type.String({ maxLength: 5, pattern: DIGITS })),
  callerNo: Type.Optional(Type.String({ maxLength: 24, pattern: PHONE })),
  failCode: Type.Optional(Type.String({ maxLength: 5, pattern: DIGITS })),
  callId: Type.Optional(Type.String({ maxLength: 64, pattern: '^[0-9A-Za-z_.:-]*$' })),
  busiResult: Type.Optional(Type.String({ maxLength: 50 })),
  busiSubStatus: Type.Optional(Type.String({ maxLength: 50 })),
  beginTime: Type.Optional(Type.Integer({ minimum: 0 })),
  endTime: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type AppointUpdateResult = Static<typeof AppointUpdateResult>;

export const ObResultCreate = Type.Object({
  resultCode: Type.Optional(Type.String({ maxLength: 7, pattern: '^[0-9A-Za-z_-]*$' })),
  displayResult: Type.String({ minLength: 1, maxLength: 200 }),
  obsCodes: Type.Array(Type.String({ minLength: 1, maxLength: 5, pattern: DIGITS }), { minItems: 1, maxItems: 200 }),
});
export type ObResultCreate = Static<typeof ObResultCreate>;

/** Paging, offset style (batches, reservations, blocklist, calllogs): offset = limit × (page − 1). */
export const OffsetLimit = {
  offset: Int({ minimum: 0, maximum: 100000000 }),
  limit: Int({ minimum: 1, maximum: 100 }),
};

/** Paging, page style (business results, OBS codes, external results): pageSize 1–50. */
export const PageNumSize = {
  pageNum: Int({ minimum: 1, maximum: 100000000 }),
  pageSize: Int({ minimum: 1, maximum: 50 }),
};

/**
 * An instant in epoch milliseconds from 1970 up to 9999-12-31 23:59:59.999 UTC, the range the
 * vendor's `yyyy-MM-dd HH:mm:ss` times can show (engine/clock.ts `LATEST_CLOCK_MS`).
 */
export const EpochMs = Type.Integer({ minimum: 0, maximum: 253402300799999 });
