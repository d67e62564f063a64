/**
 * Wire schemas of call records (`P/callRecord`, `P2/callRecord`; isales-gaps §8.5): the
 * turn-by-turn dialogue of an automatic or robot call, and the turns a dialer reports with a
 * result.
 */
import { Type, type Static } from '@sinclair/typebox';
import { TEXT } from './blocklist-groups.js';
import { EpochMs } from './common.js';

const CallId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[0-9A-Za-z_.:-]*$' });

export const CallRecordV1 = Type.Object({ callId: CallId });
export type CallRecordV1 = Static<typeof CallRecordV1>;

export const CallRecordV2 = Type.Object({
  callId: CallId,
  page: Type.Integer({ minimum: 1, maximum: 1000 }),
  limit: Type.Integer({ minimum: 1, maximum: 100 }),
});
export type CallRecordV2 = Static<typeof CallRecordV2>;

export const CallRecordItem = Type.Object({
  interNo: Type.Integer(),
  systemReply: Type.String(),
  userSaying: Type.String(),
  intention: Type.String(),
  /** `yyyy-MM-dd HH:mm:ss` UTC, "" when unknown. */
  systemReplyTime: Type.String(),
  requestTime: Type.String(),
  responseSource: Type.String(),
});
export type CallRecordItem = Static<typeof CallRecordItem>;

/**
 * One turn as a dialer reports it (the result extension, `turns[]`): times are epoch ms;
 * `interNo` defaults to the turn's 1-based position.
 */
export const CallTurnIn = Type.Object({
  interNo: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  systemReply: Type.Optional(Type.String({ maxLength: 4000, pattern: TEXT })),
  userSaying: Type.Optional(Type.String({ maxLength: 4000, pattern: TEXT })),
  intention: Type.Optional(Type.String({ maxLength: 255, pattern: TEXT })),
  systemReplyTime: Type.Optional(EpochMs),
  requestTime: Type.Optional(EpochMs),
  responseSource: Type.Optional(Type.String({ maxLength: 64, pattern: TEXT })),
});
export type CallTurnIn = Static<typeof CallTurnIn>;
