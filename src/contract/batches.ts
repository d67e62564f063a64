/**
 * Wire schemas of the batch interfaces besides create/pause/resume (common.ts): update and
 * list. Loose scalars as everywhere: AJV coercion takes `"1"` for integers and `1` for strings.
 */
import { Type, type Static } from '@sinclair/typebox';
import { NAME_FORBIDDEN_BATCH, OffsetLimit } from './common.js';

/** An integer out of a fixed set (a plain `enum`, so coercion and the error code stay simple). */
const IntEnum = <const T extends readonly number[]>(values: T) => Type.Unsafe<T[number]>({ type: 'integer', enum: [...values] });

/** `name` is a String (the vendor's table types it Integer: a documentation slip). */
export const BatchUpdate = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.String({ minLength: 1, maxLength: 255, pattern: NAME_FORBIDDEN_BATCH }),
});
export type BatchUpdate = Static<typeof BatchUpdate>;

/** Filter of the batch list: from a JSON body (as documented, on a GET) and/or the query string. */
export const BatchListFilter = Type.Object({
  status: Type.Optional(IntEnum([1, 2])),
  name: Type.Optional(Type.String({ maxLength: 255 })),
  ...OffsetLimit,
});
export type BatchListFilter = Static<typeof BatchListFilter>;

export const BatchListItem = Type.Object({ id: Type.String(), name: Type.String(), status: Type.Integer() });
