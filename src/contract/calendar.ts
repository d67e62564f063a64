/**
 * Wire schemas of the reservation (besides the seeds), blocklist and special-date interfaces.
 * Same conventions as common.ts: loose scalars through AJV coercion, enums as plain `enum`
 * (never a union of literals, which AJV would report as `anyOf`).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DATETIME_PATTERN, DIGITS, OffsetLimit, PHONE } from './common.js';

const IntEnum = <const T extends readonly number[]>(values: T) => Type.Unsafe<T[number]>({ type: 'integer', enum: [...values] });
const StrEnum = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
/** Response fields that are always present and null when unset (a stable row shape). */
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const USER_ACCOUNT = '^[0-9A-Za-z_.@-]*$';
const ID = Type.String({ minLength: 1, maxLength: 64 });
const CATEGORY_ID = Type.String({ maxLength: 64, pattern: '^[0-9A-Za-z_-]*$' });
const NUMBER = Type.String({ minLength: 1, maxLength: 24, pattern: PHONE });

// ---------------------------------------------------------------- reservations

export const AppointUpdate = Type.Object({
  appointId: ID,
  userAccount: Type.Optional(Type.String({ maxLength: 64, pattern: USER_ACCOUNT })),
  workNo: Type.Optional(Type.String({ maxLength: 5, pattern: DIGITS })),
  appointTime: Type.Optional(Type.Integer({ minimum: 0 })),
  remark: Type.Optional(Type.String({ maxLength: 500 })),
});
export type AppointUpdate = Static<typeof AppointUpdate>;

export const AppointDelete = Type.Object({ appointId: ID });
export type AppointDelete = Static<typeof AppointDelete>;

export const AppointList = Type.Object({
  calledNo: Type.Optional(Type.String({ maxLength: 24, pattern: PHONE })),
  userAccountList: Type.Optional(Type.Array(Type.String({ maxLength: 64, pattern: USER_ACCOUNT }), { maxItems: 100 })),
  beginTime: Type.Optional(Type.Integer({ minimum: 0 })),
  endTime: Type.Optional(Type.Integer({ minimum: 0 })),
  taskId: Type.Optional(Type.String({ maxLength: 10, pattern: DIGITS })),
  ...OffsetLimit,
});
export type AppointList = Static<typeof AppointList>;

export const AppointListItem = Type.Object({
  appointId: Type.String(),
  callType: Type.Integer(),
  appointTime: Type.Integer(),
  calledNo: Type.String(),
  taskId: Type.String(),
  taskName: Nullable(Type.String()),
  taskStatus: Nullable(Type.Integer()),
  timeout: Type.Boolean(),
  userAccount: Nullable(Type.String()),
  userName: Nullable(Type.String()),
  workNo: Nullable(Type.String()),
  beginTime: Nullable(Type.Integer()),
  endTime: Nullable(Type.Integer()),
  remark: Nullable(Type.String()),
  failCode: Nullable(Type.String()),
  callId: Nullable(Type.String()),
  busiResult: Nullable(Type.String()),
  busiSubStatus: Nullable(Type.String()),
});
export type AppointListItem = Static<typeof AppointListItem>;

// ---------------------------------------------------------------- blocklist

export const BlocklistAdd = Type.Object({
  // More than 20 numbers is 0200029 (checked by the domain, not by maxItems, so that a
  // non-list `blocklist` still reports 02000006).
  blocklist: Type.Array(NUMBER, { minItems: 1 }),
  validityExpirationTime: Type.Optional(Type.String({ maxLength: 19, pattern: `^(${DATETIME_PATTERN.slice(1, -1)})?$` })),
  validityTime: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
  validityTimeUnit: Type.Optional(IntEnum([1, 2, 3, 4])),
  relCategoryId: Type.Optional(CATEGORY_ID),
  typeId: Type.Optional(CATEGORY_ID),
  isCoverDupNo: Type.Optional(IntEnum([0, 1])),
  restrictTimes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  restrictPeriod: Type.Optional(StrEnum(['0', '1'])),
});
export type BlocklistAdd = Static<typeof BlocklistAdd>;

export const BlocklistDelete = Type.Object({ blocklistNo: NUMBER });
export type BlocklistDelete = Static<typeof BlocklistDelete>;

export const BlocklistQuery = Type.Object({
  blocklist: Type.Optional(Type.Array(NUMBER, { minItems: 1, maxItems: 20 })),
  relCategoryId: Type.Optional(CATEGORY_ID),
  typeId: Type.Optional(CATEGORY_ID),
  offset: Type.Optional(OffsetLimit.offset),
  limit: Type.Optional(OffsetLimit.limit),
});
export type BlocklistQuery = Static<typeof BlocklistQuery>;

export const BlocklistItem = Type.Object({
  blockNum: Type.String(),
  validityExpirationTime: Type.String(),
  validityTime: Type.Optional(Type.Integer()),
  validityTimeUnit: Type.Optional(Type.Integer()),
  restrictTimes: Type.Optional(Type.Integer()),
  restrictPeriod: Type.Optional(Type.String()),
  relCategoryId: Type.Optional(Type.String()),
  typeId: Type.Optional(Type.String()),
  flag: Type.Optional(Type.Boolean()),
});
export type BlocklistItem = Static<typeof BlocklistItem>;

// ---------------------------------------------------------------- special dates

export const HolidayParams = Type.Object({
  vdnId: Type.Integer({ minimum: 1, maximum: 9999 }),
  campaignId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  holidayId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
});

const specialDateFields = {
  name: Type.String({ minLength: 1, maxLength: 30 }),
  type: IntEnum([1, 2, 3]),
  week: Type.Optional(Type.String({ maxLength: 32 })),
  // The format depends on `type` (yyyy-MM-dd or MM-dd): the domain checks it (0200030).
  beginTime: Type.Optional(Type.String({ maxLength: 10 })),
  endTime: Type.Optional(Type.String({ maxLength: 10 })),
};

export const SpecialDateAdd = Type.Object(specialDateFields);
export type SpecialDateAdd = Static<typeof SpecialDateAdd>;

export const SpecialDateModify = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }), ...specialDateFields });
export type SpecialDateModify = Static<typeof SpecialDateModify>;

export const SpecialDateItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  type: Type.Integer(),
  week: Nullable(Type.String()),
  beginTime: Nullable(Type.String()),
  endTime: Nullable(Type.String()),
});
export type SpecialDateItem = Static<typeof SpecialDateItem>;
