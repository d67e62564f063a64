/**
 * Wire schemas of the campaigns area: campaign add/modify v1 and v2, delete, list, calling
 * numbers, retry policy and business results, with the response shapes. Fields whose shape the
 * vendor leaves loose (a JSON string *or* a list: `policyJson`, `noRetryPolicy`, `busiPolicy`)
 * are `Unknown` here and read by domain/retry-policy.ts, which answers with the same
 * validation codes the schema mapping uses.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DATETIME_PATTERN, DESCRIPTION_FORBIDDEN, DIGITS, NAME_FORBIDDEN_BATCH, PHONE } from './common.js';

const Int = (opts: { minimum?: number; maximum?: number } = {}) => Type.Integer(opts);

/** An integer out of a fixed set (a plain `enum`: AJV then reports `enum`, not `anyOf`). */
const IntEnum = <const T extends readonly number[]>(values: T) => Type.Unsafe<T[number]>({ type: 'integer', enum: [...values] });

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const HHMM_OR_EMPTY = '^(([01][0-9]|2[0-3]):[0-5][0-9])?$';
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

/** Fields shared by add/modify in both versions (one definition, so v1 and v2 cannot drift). */
const common = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 200, pattern: DESCRIPTION_FORBIDDEN })),
  strBeginTime: Type.String({ minLength: 1, pattern: DATETIME_PATTERN }),
  strEndTime: Type.String({ minLength: 1, pattern: DATETIME_PATTERN }),
  deviceType: IntEnum([1, 2, 3, 5, 6]),
  maxAlertingTime: Int({ minimum: 5, maximum: 120 }),
  scheduleParam: ScheduleParam,
  ivrParam: Type.Optional(IvrParam),
  skillParam: Type.Optional(SkillParam),
  initStatus: Type.Optional(IntEnum([0, 1])),
  callBackUrl: Type.Optional(Type.String({ maxLength: 1024, pattern: '^(https?://\\S+)?$' })),
  priority: Type.Optional(Int({ minimum: 1, maximum: 5 })),
  /** campaignd extension: IANA zone of the calling windows (default CAMPAIGND_TIMEZONE). */
  timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+/-]*$' })),
  /** campaignd extension: region of numbers without a country code (default CAMPAIGND_DEFAULT_REGION). */
  region: Type.Optional(Type.String({ minLength: 2, maxLength: 2, pattern: '^[A-Z]{2}$' })),
  /** campaignd extension: jurisdiction rule pack (FR, US, US-FL; none = only the server default). */
  rulePack: Type.Optional(Type.String({ minLength: 1, maxLength: 16, pattern: '^[A-Za-z-]*$' })),
};

export const CallerNoItem = Type.Object({
  accessCode: Type.String({ minLength: 1, maxLength: 24, pattern: DIGITS }),
  priority: Int({ minimum: 1, maximum: 5 }),
});

export const CampaignAddV1 = Type.Object({ ...common, callerNo: Type.String({ minLength: 1, maxLength: 24, pattern: PHONE }) });
export type CampaignAddV1 = Static<typeof CampaignAddV1>;

/** Modify v1: the add body with the times optional. */
export const CampaignModifyV1 = Type.Object({
  ...common,
  strBeginTime: Type.Optional(common.strBeginTime),
  strEndTime: Type.Optional(common.strEndTime),
  callerNo: CampaignAddV1.properties.callerNo,
});
export type CampaignModifyV1 = Static<typeof CampaignModifyV1>;

/** v2 inline retry policy; `policyJson` is a (possibly single-quoted) JSON string. */
export const RetryPolicyInline = Type.Object({
  policyType: IntEnum([0, 1]),
  policyJson: Type.Unknown(),
  noRetryPolicy: Type.Optional(Type.Unknown()),
});

/** v2 `callPolicy`: known only from the vendor sample; stored and echoed. */
export const CallPolicy = Type.Object({
  callType: Type.Optional(Int({ minimum: 0, maximum: 99 })),
  chooseType: Type.Optional(Int({ minimum: 0, maximum: 99 })),
  turns: Type.Optional(Type.Array(Type.Object({ turnType: Type.String({ minLength: 1, maxLength: 64 }) }), { maxItems: 20 })),
});

/** Add v2 and modify v2 (the same body). */
export const CampaignV2 = Type.Object({
  ...common,
  callerNo: Type.Array(CallerNoItem, { minItems: 1, maxItems: 100 }),
  retryPolicy: Type.Optional(RetryPolicyInline),
  callPolicy: Type.Optional(CallPolicy),
  busiPolicy: Type.Optional(Type.Unknown()),
  callOrder: Type.Optional(Int({ minimum: 0, maximum: 99 })),
});
export type CampaignV2 = Static<typeof CampaignV2>;

export const CampaignDelete = Type.Object({ archiveHistory: IntEnum([0, 1]) });
export type CampaignDelete = Static<typeof CampaignDelete>;

const DATETIME_OR_EMPTY = `^(${DATETIME_PATTERN.slice(1, -1)})?$`;
export const CampaignListQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 30 })),
  status: IntEnum([0, 2, 3, 4]),
  deviceType: IntEnum([0, 1, 2, 3, 5, 6]),
  beginTime: Type.Optional(Type.String({ maxLength: 19, pattern: DATETIME_OR_EMPTY })),
  endTime: Type.Optional(Type.String({ maxLength: 19, pattern: DATETIME_OR_EMPTY })),
  /** Below 1 is corrected to 1 (reference §1.3), so no lower bound here. */
  curPage: Type.Optional(Int({ minimum: -1000000000, maximum: 100000000 })),
  rowsPerPage: Type.Optional(Int({ minimum: 1, maximum: 100 })),
  /** OP multi-CC only; accepted and ignored (one CC). */
  ccId: Type.Optional(Type.String({ maxLength: 64 })),
});
export type CampaignListQuery = Static<typeof CampaignListQuery>;

export const CallerNoAdd = Type.Object({ callerNo: Type.Array(CallerNoItem, { minItems: 1, maxItems: 100 }) });
export type CallerNoAdd = Static<typeof CallerNoAdd>;

export const CallerNoDelete = Type.Object({
  callerNo: Type.Array(Type.Object({ accessCode: CallerNoItem.properties.accessCode, priority: Type.Optional(CallerNoItem.properties.priority) }), { minItems: 1, maxItems: 100 }),
});
export type CallerNoDelete = Static<typeof CallerNoDelete>;

export const RetryPolicySet = Type.Object({
  policyType: IntEnum([0, 1]),
  policyJson: Type.Unknown(),
  noRetryPolicy: Type.Optional(Type.Unknown()),
  busiPolicy: Type.Optional(Type.Unknown()),
});
export type RetryPolicySet = Static<typeof RetryPolicySet>;

const businessResultFields = {
  name: Type.String({ minLength: 1, maxLength: 50, pattern: NAME_FORBIDDEN_BATCH }),
  code: Type.Optional(Type.String({ maxLength: 50, pattern: '^[0-9A-Za-z-]*$' })),
  description: Type.Optional(Type.String({ maxLength: 200 })),
};
export const BusinessResultChild = Type.Object(businessResultFields);
export const BusinessResultAdd = Type.Object({
  ...businessResultFields,
  children: Type.Optional(Type.Array(BusinessResultChild, { maxItems: 100 })),
});
export type BusinessResultAdd = Static<typeof BusinessResultAdd>;

/* ---- responses ---- */

const CallerNoOut = Type.Object({ accessCode: Type.String(), priority: Type.Integer() });
const RetryPolicyOut = Type.Object({
  retryPolicyId: Type.String(),
  policyType: Type.Integer(),
  policyJson: Type.String(),
  noRetryPolicy: Type.String(),
  busiPolicy: Type.String(),
});
export const RetryPolicyData = RetryPolicyOut;

export const CampaignDetailsOut = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Nullable(Type.String()),
  status: Type.Integer(),
  strBeginTime: Type.String(),
  strEndTime: Type.String(),
  deviceType: Type.Integer(),
  callerNo: Type.Array(CallerNoOut),
  maxAlertingTime: Type.Integer(),
  scheduleParam: Type.Record(Type.String(), Nullable(Type.String())),
  ivrParam: Type.Unknown(),
  skillParam: Type.Unknown(),
  initStatus: Type.Integer(),
  callBackUrl: Nullable(Type.String()),
  priority: Nullable(Type.Integer()),
  callOrder: Nullable(Type.Integer()),
  timeZone: Nullable(Type.String()),
  region: Nullable(Type.String()),
  rulePack: Nullable(Type.String()),
  callPolicy: Type.Unknown(),
  busiPolicy: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  retryPolicy: Nullable(Type.Omit(RetryPolicyOut, ['busiPolicy'])),
});

export const CampaignListOut = {
  curPage: Type.Integer(),
  totalSize: Type.Integer(),
  rowsPerPage: Type.Integer(),
  curSkillQueueCount: Type.Integer(),
  curIvrCount: Type.Integer(),
  data: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      status: Type.Integer(),
      strBeginTime: Type.String(),
      strEndTime: Type.String(),
      deviceType: Type.Integer(),
      callerNo: Type.String(),
    }),
  ),
};

const BusinessResultOutFields = {
  id: Type.String(),
  name: Type.String(),
  code: Nullable(Type.String()),
  description: Nullable(Type.String()),
};
export const BusinessResultListOut = {
  totalCount: Type.Integer(),
  data: Type.Array(Type.Object({ ...BusinessResultOutFields, children: Type.Array(Type.Object(BusinessResultOutFields)) })),
};
