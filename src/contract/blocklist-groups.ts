/**
 * Wire schemas of blocklist groups (`blackCategory`) and types (`blackType`), isales-gaps §8.3.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DIGITS, OffsetLimit } from './common.js';

/**
 * Free text: no control characters and no lone surrogates (PRODUCT.md "Text is never altered":
 * refused with 02000002, never replaced). AJV compiles patterns with the `u` flag, so a lone
 * surrogate is a code point of the excluded range.
 */
export const TEXT = '^[^\\u0000-\\u001f\\u007f\\ud800-\\udfff]*$';

const Id = Type.String({ minLength: 1, maxLength: 30, pattern: DIGITS });
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: TEXT });
const Description = Type.Optional(Type.String({ maxLength: 255, pattern: TEXT }));

export const CategoryCreate = Type.Object({ name: Name, description: Description });
export type CategoryCreate = Static<typeof CategoryCreate>;

export const CategoryUpdate = Type.Object({ id: Id, name: Name, description: Description });
export type CategoryUpdate = Static<typeof CategoryUpdate>;

export const CategoryQuery = Type.Object({ name: Type.Optional(Type.String({ maxLength: 64, pattern: TEXT })), ...OffsetLimit });
export type CategoryQuery = Static<typeof CategoryQuery>;

export const CategoryItem = Type.Object({ id: Type.String(), name: Type.String(), description: Type.String() });
export type CategoryItem = Static<typeof CategoryItem>;

/** `actionType` "1" automatic handling, "2" a prompt for the agent (numbers are accepted too). */
const ActionType = Type.Unsafe<'1' | '2'>({ type: 'string', enum: ['1', '2'] });
/** The vendor documents `action` as a UTF-8 byte array; campaignd stores it as text. */
const Action = Type.String({ maxLength: 2000, pattern: TEXT });

export const TypeCreate = Type.Object({ name: Name, description: Description, actionType: ActionType, action: Type.Optional(Action) });
export type TypeCreate = Static<typeof TypeCreate>;

export const TypeUpdate = Type.Object({ id: Id, name: Name, description: Description, actionType: ActionType, action: Type.Optional(Action) });
export type TypeUpdate = Static<typeof TypeUpdate>;

export const TypeQuery = CategoryQuery;
export type TypeQuery = CategoryQuery;

export const TypeItem = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  orgName: Type.String(),
  actionType: Type.String(),
  action: Type.String(),
});
export type TypeItem = Static<typeof TypeItem>;

export const CategoryIdParams = Type.Object({ vdnId: Type.Integer({ minimum: 1, maximum: 9999 }), categoryId: Id });
export const TypeIdParams = Type.Object({ vdnId: Type.Integer({ minimum: 1, maximum: 9999 }), typeId: Id });
