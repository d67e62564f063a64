/**
 * Wire schemas of the CC-iSales interfaces (TypeBox). One schema drives request validation
 * (mapped to the validation codes by http/envelope.ts), the handler types and, later, the
 * OpenAPI document. Loose scalars: AJV's type coercion accepts `"1"` for integers and `1` for
 * strings, as the vendor's own examples send both.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Integer-valued string or number after coercion. */
const Int = (opts: { minimum?: number; maximum?: number } = {}) => Type.Integer(opts);

/** An integer out of a fixed set (a plain `enum`, so coercion and the error code stay simple). */
const IntEnum = <const T extends readonly number[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'integer', enum: [...values] });

export const PHONE = '^[0-9*#]*$';
export const DIGITS = '^[0-9]*$';
export const NAME_FORBIDDEN_BATCH = '^[^<>!@#$%^&*?;"~/\\\\]*$';
export const DESCRIPTION_FORBIDDEN = '^[^"\\[\\]=;<>]*$';
export const DATETIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$';
const HHMM_OR_EMPTY = '^(([01][0-9]|2[0-3]):[0-5][0-9])?$';

export const VdnParams = Type.Object({ vdnId: Int({ minimum: 1, maximum: 9999 }) });
export const VdnCampaignParams = Type.Object({
  vdnId: Int({ minimum: 1, maximum: 9999 }),
  campaignId: Int({ minimum: 1, maximum: 2147483647 }),
});

const slot = () => Type.Optional(Type.String({ pattern: HHMM_OR_EMPTY, maxLength: 5 }));
export const ScheduleParam = Type.Object({
  workdayBeginTime1: slot(),
  workdayEndTime1: slot(),
  workdayBeginTime2: slot(),
  workdayEndTime2: slot(),
  workdayBeginTime3: slot(),
  workdayEndTime3: slot(),
  holidayBeginTime1: slot(),
  holidayEndTime1: slot(),
  holidayBeginTime2: slot(),
  holidayEndTime2: slot(),
  holidayBeginTime3: slot(),
  holidayEndTime3: slot(),
});
export type ScheduleParam = Static<typeof ScheduleParam>;

/** PRODUCT.md: `ivrParam` is `{deviceSign, callCount, callInterval}`. */
export const IvrParam = Type.Object({
  deviceSign: Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z_*#.-]*$' }),
  callCount: Type.Optional(Int({ minimum: 1, maximum: 1000 })),
  callInterval: Type.Optional(Int({ minimum: 0, maximum: 3600 })),
});
export type IvrParam = Static<typeof IvrParam>;

/** PRODUCT.md: `skillParam` is `{skillId, skillName, outBoundType, predictParam}`. */
export const SkillParam = Type.Object({
  skillId: Int({ minimum: 1, maximum: 999999999 }),
  skillName: Type.Optional(Type.String({ maxLength: 64 })),
  outBoundType: Type.Optional(Int({ minimum: 0, maximum: 99 })),
  predictParam: Type.Optional(
    Type.Object({
      predictMethod: Type.Optional(Int({ minimum: 0, maximum: 99 })),
      offhookPredictParam: Type.Optional(Type.Object({ offHookRate: Type.Optional(Int({ minimum: 0, maximum: 1000 })) })),
      expPredictParam: Type.Optional(
        Type.Object({
          maxAvgCallTime: Type.Optional(Int({ minimum: 0, maximum: 86400 })),
          minAvgCallTime: Type.Optional(Int({ minimum: 0, maximum: 86400 })),
          outBoundRate: Type.Optional(Int({ minimum: 0, maximum: 1000 })),
        }),
      ),
    }),
  ),
});
export type SkillParam = Static<typeof SkillParam>;

export const CampaignAddV1 = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 200, pattern: DESCRIPTION_FORBIDDEN })),
  strBeginTime: Type.String({ minLength: 1, pattern: DATETIME_PATTERN }),
  strEndTime: Type.String({ minLength: 1, pattern: DATETIME_PATTERN }),
  deviceType: IntEnum([1, 2, 3, 5, 6]),
  callerNo: Type.String({ minLength: 1, maxLength: 24, pattern: PHONE }),
  maxAlertingTime: Int({ minimum: 5, maximum: 120 }),
  scheduleParam: ScheduleParam,
  ivrParam: Type.Optional(IvrParam),
  skillParam: Type.Optional(SkillParam),
  initStatus: Type.Optional(IntEnum([0, 1])),
  callBackUrl: Type.Optional(Type.String({ maxLength: 1024, pattern: '^(https?://\\S+)?$' })),
  priority: Type.Optional(Int({ minimum: 1, maximum: 5 })),
});
export type CampaignAddV1 = Static<typeof CampaignAddV1>;

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

export const CallerNoAdd = Type.Object({
  callerNo: Type.Array(
    Type.Object({
      accessCode: Type.String({ minLength: 1, maxLength: 24, pattern: DIGITS }),
      priority: Int({ minimum: 1, maximum: 5 }),
    }),
    { minItems: 1, maxItems: 100 },
  ),
});
export type CallerNoAdd = Static<typeof CallerNoAdd>;

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
