/**
 * Wire schemas of campaign templates (isales-gaps §8.4): the v2 campaign body without its times
 * (the same field schemas as `P2`, so templates and campaigns cannot drift), the list query,
 * copy, and campaignd's "campaign from a template" extension.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CampaignV2 } from './campaigns.js';
import { DATETIME_PATTERN, DIGITS } from './common.js';
import { TEXT } from './blocklist-groups.js';

const IntEnum = <const T extends readonly number[]>(values: T) => Type.Unsafe<T[number]>({ type: 'integer', enum: [...values] });

/** Template status: 1 draft, 9 published, 3 paused. */
export const TemplateStatus = IntEnum([1, 3, 9]);

/** Create and edit: the v2 body without `strBeginTime`/`strEndTime`/`initStatus`, plus `status` (default 9). */
export const TemplateBody = Type.Composite([Type.Omit(CampaignV2, ['strBeginTime', 'strEndTime', 'initStatus']), Type.Object({ status: Type.Optional(TemplateStatus) })]);
export type TemplateBody = Static<typeof TemplateBody>;

export const TemplateListQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 30, pattern: TEXT })),
  status: TemplateStatus,
  taskType: Type.Optional(IntEnum([1, 2, 3, 5, 6])),
  offset: Type.Integer({ minimum: 0, maximum: 100000000 }),
  limit: Type.Integer({ minimum: 1, maximum: 100 }),
});
export type TemplateListQuery = Static<typeof TemplateListQuery>;

export const TemplateCopy = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, pattern: TEXT }),
  description: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^"\\[\\]=;<>]*$' })),
  /** A campaign id (integer) or a template id (30 digits). */
  from: Type.String({ minLength: 1, maxLength: 30, pattern: DIGITS }),
  /** 0 published (default), 1 paused. */
  initStatus: Type.Optional(IntEnum([0, 1])),
});
export type TemplateCopy = Static<typeof TemplateCopy>;

export const TemplateIdParams = Type.Object({
  vdnId: Type.Integer({ minimum: 1, maximum: 9999 }),
  campaignTemplateId: Type.String({ minLength: 1, maxLength: 30, pattern: DIGITS }),
});

/** campaignd extension: a campaign from a published template. */
export const CampaignFromTemplate = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100, pattern: TEXT }),
  strBeginTime: Type.String({ minLength: 1, pattern: DATETIME_PATTERN }),
  strEndTime: Type.String({ minLength: 1, pattern: DATETIME_PATTERN }),
  initStatus: Type.Optional(IntEnum([0, 1])),
});
export type CampaignFromTemplate = Static<typeof CampaignFromTemplate>;

export const TemplateListItem = Type.Object({ id: Type.String(), name: Type.String(), status: Type.Integer(), taskType: Type.Integer() });
