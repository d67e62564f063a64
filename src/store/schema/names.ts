/**
 * Unique names compare after Unicode NFC normalisation (PRODUCT.md "Text is never altered",
 * issue #9): the name is stored exactly as sent, and beside it `name_nfc`, its NFC form, which
 * the "name taken" checks of campaigns, batches and special dates compare. Two spellings of
 * `é` (U+00E9, or `e` + U+0301) are then the same name. Migration 009 adds the columns.
 */
import type { ColumnType } from 'kysely';

/** The form names are compared in. @example nameKey('Cafe\u0301') === nameKey('Caf\u00e9') // true */
export function nameKey(name: string): string {
  return name.normalize('NFC');
}

/** Set by the repositories from `name`; null only for rows written before migration 009 ran its back-fill. */
export type NameNfc = ColumnType<string | null, string | null | undefined, string | null | undefined>;
