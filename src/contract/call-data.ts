/**
 * Wire schemas of the call-data interfaces: add v1/v2, delete, query one, number types and
 * today's statistics. The per-request record maximum is configurable and answered with 0200029
 * by the domain, so `callDataList` has no `maxItems` here.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DATETIME_PATTERN, DIGITS, NAME_FORBIDDEN_BATCH, PHONE } from './common.js';

const IntEnum = <const T extends readonly number[]>(values: T) => Type.Unsafe<T[number]>({ type: 'integer', enum: [...values] });

/** Number-type names: at most 20 letters, digits and hyphens (add number types page). */
export const NUMBER_TYPE_PATTERN = '^[0-9A-Za-z-]*$';

const common = {
  sessionId: Type.Optional(Type.String({ maxLength: 32 })),
  /** Per-record calling-number override: a calling number is digits only. */
  caller: Type.Optional(Type.String({ maxLength: 24, pattern: DIGITS })),
  recycleTime: Type.Optional(Type.String({ pattern: DATETIME_PATTERN })),
  callData: Type.Optional(Type.String({ maxLength: 1024 })),
  /** Lower is dialled first; records without a priority come after all others. */
  priority: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
};

export const CallDataItemV1 = Type.Object({
  ...common,
  called: Type.String({ minLength: 1, maxLength: 24, pattern: PHONE }),
  customField: Type.Optional(Type.String({ maxLength: 200 })),
});
export type CallDataItemV1 = Static<typeof CallDataItemV1>;

export const CallDataAddV1 = Type.Object({ callDataList: Type.Array(CallDataItemV1, { minItems: 1 }) });
export type CallDataAddV1 = Static<typeof CallDataAddV1>;

export const CalledNumber = Type.Object({
  calledNo: Type.String({ minLength: 1, maxLength: 24, pattern: PHONE }),
  /** Seconds to wait before this number may be dialled. */
  delayTime: Type.Optional(Type.Integer({ minimum: 0, maximum: 7200 })),
  /** A number type of the VDN (callNoType/add). */
  type: Type.Optional(Type.String({ maxLength: 20, pattern: NUMBER_TYPE_PATTERN })),
});

export const CallDataItemV2 = Type.Object({
  ...common,
  called: Type.Array(CalledNumber, { minItems: 1, maxItems: 20 }),
  /** v2 forbids special characters in customField. */
  customField: Type.Optional(Type.String({ maxLength: 200, pattern: NAME_FORBIDDEN_BATCH })),
});
export type CallDataItemV2 = Static<typeof CallDataItemV2>;

export const CallDataAddV2 = Type.Object({
  callDataList: Type.Array(CallDataItemV2, { minItems: 1 }),
  batchId: Type.Optional(Type.String({ maxLength: 64 })),
});
export type CallDataAddV2 = Static<typeof CallDataAddV2>;

export const CallDataAddResult = Type.Object({
  totalSize: Type.Integer(),
  dataIdList: Type.Array(Type.Object({ called: Type.String(), dataId: Type.Integer() })),
});

/** A bad recycleTime is 0200030 (wrong time format), not the generic pattern code. */
export const CALL_DATA_FIELD_CODES = { 'callDataList[].recycleTime': '0200030', recycleTime: '0200030' } as const;

export const CallDataDelete = Type.Object({
  sessionId: Type.Optional(Type.String({ maxLength: 32 })),
  called: Type.Optional(Type.String({ maxLength: 24, pattern: PHONE })),
  customField: Type.Optional(Type.String({ maxLength: 200 })),
  recycleTime: Type.Optional(Type.String({ pattern: DATETIME_PATTERN })),
  /** Only with recycleTime: 1 at or before that day, 2 that day, 3 that exact time (default). */
  recycleType: Type.Optional(IntEnum([1, 2, 3])),
  /** 0 (default) delete, 1 keep the records archived. */
  archiveHistory: Type.Optional(IntEnum([0, 1])),
});
export type CallDataDelete = Static<typeof CallDataDelete>;

export const VdnCampaignDataParams = Type.Object({
  vdnId: Type.Integer({ minimum: 1, maximum: 9999 }),
  campaignId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  dataId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});

export const CallDataDetail = Type.Object({
  dataId: Type.Integer(),
  properties: Type.Array(Type.Object({ propCode: Type.String(), propName: Type.String(), propValue: Type.String() })),
  calledNos: Type.Array(Type.Object({ calledNo: Type.String(), type: Type.Union([Type.String(), Type.Null()]) })),
});

export const NumberTypeAdd = Type.Object({
  callNoTypes: Type.Array(Type.String({ minLength: 1, maxLength: 20, pattern: NUMBER_TYPE_PATTERN }), { minItems: 1, maxItems: 20 }),
});
export type NumberTypeAdd = Static<typeof NumberTypeAdd>;

export const StatisticsQuery = Type.Object({
  campaignId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
  batchId: Type.Optional(Type.String({ maxLength: 200 })),
});
export type StatisticsQuery = Static<typeof StatisticsQuery>;

const counters = {
  unCallCount: Type.Integer(),
  calledCount: Type.Integer(),
  finishCount: Type.Integer(),
  totalCount: Type.Integer(),
  totalCalledCount: Type.Integer(),
  totalCallSucc: Type.Integer(),
  totalFinishCount: Type.Integer(),
  dailyCount: Type.Integer(),
  dailyCalledCount: Type.Integer(),
  dailyCallSucc: Type.Integer(),
  dailyFinishCount: Type.Integer(),
};

/** `campaignId` and `batchId` are Strings on this interface (vendor table). */
export const CountDetail = Type.Object({
  campaignId: Type.String(),
  ...counters,
  batchDetail: Type.Array(Type.Object({ batchId: Type.String(), ...counters })),
});
