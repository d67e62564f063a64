/**
 * Wire schemas of the results area: OBS result codes, external results (besides create), call
 * results, failure statistics, business-result writeback and interface invocation records.
 * Same conventions as common.ts (loose scalars through AJV coercion; enums as plain `enum`).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DATETIME_PATTERN, DIGITS, PageNumSize, OffsetLimit } from './common.js';

const Int = (opts: { minimum?: number; maximum?: number } = {}) => Type.Integer(opts);
const IntEnum = <const T extends readonly number[]>(values: T) => Type.Unsafe<T[number]>({ type: 'integer', enum: [...values] });
/** A nullable field in a response (one `type` array keeps the compiled serializer simple). */
const Nullable = <T extends TSchema>(s: T) => Type.Unsafe<Static<T> | null>({ ...s, type: [s.type as string, 'null'] });

const VdnId = Int({ minimum: 1, maximum: 9999 });
/** External result ids are numeric strings (PRODUCT.md "IDs"); a number is accepted too. */
const DefId = Type.String({ minLength: 1, maxLength: 18, pattern: DIGITS });

// ---- OBS result codes and external results --------------------------------------------------

export const PageQuery = Type.Object(PageNumSize);
export type PageQuery = Static<typeof PageQuery>;

export const DefIdParams = Type.Object({ vdnId: VdnId, defId: DefId });

export const ObResultUpdate = Type.Object({
  defId: DefId,
  displayResult: Type.String({ minLength: 1, maxLength: 200 }),
  obsCodes: Type.Array(Type.String({ minLength: 1, maxLength: 5, pattern: DIGITS }), { minItems: 1, maxItems: 200 }),
});
export type ObResultUpdate = Static<typeof ObResultUpdate>;

export const ObsCodePage = {
  totalCount: Type.Integer(),
  obsCodes: Type.Array(Type.Object({ obsCode: Type.String(), obsCodeDesc: Type.String() }, { additionalProperties: false })),
};

export const ObResultPage = {
  totalCount: Type.Integer(),
  data: Type.Array(Type.Object({ defId: Type.String(), resultCode: Nullable(Type.String()), displayResult: Type.String() }, { additionalProperties: false })),
};

export const ObResultDetail = {
  obResult: Type.Object(
    {
      defId: Type.String(),
      displayResult: Type.String(),
      vdnId: Type.Integer(),
      resultCode: Nullable(Type.String()),
      resultMapList: Type.Array(Type.Object({ mapId: Type.String(), defId: Type.String(), failCode: Type.String(), vdnId: Type.Integer() }, { additionalProperties: false })),
    },
    { additionalProperties: false },
  ),
};

// ---- Call results and statistics --------------------------------------------------------------

export const CallResultQuery = Type.Object({
  sessionId: Type.Optional(Type.String({ maxLength: 32 })),
  customField: Type.Optional(Type.String({ maxLength: 200 })),
  pageSize: Type.Optional(Int({ minimum: 1, maximum: 500 })),
  pageNum: Type.Optional(Int({ minimum: 1, maximum: 100000000 })),
  showDetail: Type.Optional(IntEnum([0, 1])),
  // Formats are checked by the domain: a bad date is 0200009, not a validation code.
  beginTime: Type.Optional(Type.String({ maxLength: 32 })),
  endTime: Type.Optional(Type.String({ maxLength: 32 })),
});
export type CallResultQuery = Static<typeof CallResultQuery>;

export const CallResultPage = {
  totalCount: Type.Integer(),
  data: Type.Array(
    Type.Object(
      {
        campaignId: Type.Integer(),
        sessionId: Nullable(Type.String()),
        called: Type.String(),
        callTimeStr: Type.String(),
        callStatus: Type.Integer(),
        failCode: Type.String(),
        resultCode: Nullable(Type.String()),
        vdnId: Type.Integer(),
        callId: Type.String(),
        recordPath: Nullable(Type.String()),
      },
      { additionalProperties: false },
    ),
  ),
};

export const CallIdParams = Type.Object({ vdnId: VdnId, callId: Type.String({ minLength: 1, maxLength: 64 }) });

export const CallResultDetail = {
  data: Type.Object(
    {
      called: Type.String(),
      ackBeginTime: Nullable(Type.String()),
      callBeginTime: Nullable(Type.String()),
      callEndTime: Nullable(Type.String()),
      // The vendor's sample sends callStatus as a string here ("6").
      callStatus: Type.String(),
      failCode: Type.String(),
      resultCode: Nullable(Type.String()),
      vdnId: Type.Integer(),
      callId: Type.String(),
      recordPath: Nullable(Type.String()),
    },
    { additionalProperties: false },
  ),
};

export const FailStatsQuery = Type.Object({
  campaignId: Type.String({ minLength: 1, maxLength: 10, pattern: DIGITS }),
  startDate: Type.Optional(Type.String({ maxLength: 32 })),
  endDate: Type.Optional(Type.String({ maxLength: 32 })),
});
export type FailStatsQuery = Static<typeof FailStatsQuery>;

export const FailStats = {
  data: Type.Array(Type.Object({ statDate: Type.String(), failData: Type.Record(Type.String(), Type.Integer()) }, { additionalProperties: false })),
};

// ---- Business-result writeback ------------------------------------------------------------------

export const DataIdParams = Type.Object({ vdnId: VdnId, dataId: Type.String({ minLength: 1, maxLength: 64 }) });

export const BusiResultWriteback = Type.Object({
  busiResult: Type.String({ minLength: 1, maxLength: 50 }),
  subStatus: Type.Optional(Type.String({ maxLength: 50 })),
  busiResultDesc: Type.Optional(Type.String({ maxLength: 1024 })),
  workNo: Type.Optional(Type.String({ maxLength: 5, pattern: DIGITS })),
});
export type BusiResultWriteback = Static<typeof BusiResultWriteback>;

// ---- Interface invocation records ---------------------------------------------------------------

export const CallLogQueryBody = Type.Object({
  ...OffsetLimit,
  url: Type.Optional(Type.String({ maxLength: 1024 })),
  beginTime: Type.String({ minLength: 1, pattern: DATETIME_PATTERN }),
  endTime: Type.String({ minLength: 1, pattern: DATETIME_PATTERN }),
});
export type CallLogQueryBody = Static<typeof CallLogQueryBody>;

export const CallLogPage = {
  count: Type.Integer(),
  result: Type.Array(
    Type.Object(
      {
        id: Type.String(),
        operTime: Type.String(),
        url: Type.String(),
        request: Nullable(Type.String()),
        resultCode: Nullable(Type.String()),
        resultDesc: Nullable(Type.String()),
        httpStatus: Type.Integer(),
        type: Type.String(),
      },
      { additionalProperties: false },
    ),
  ),
};
