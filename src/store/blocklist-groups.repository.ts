/**
 * Blocklist groups (`black_categories`) and types (`black_types`) of a VDN. The two tables
 * have the same shape apart from the type's action, so one set of functions serves both.
 */
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from './db.js';
import type { BlackCategoryTable, BlackTypeTable } from './schema/surface.js';

export type GroupTable = 'black_categories' | 'black_types';
export type CategoryRow = Selectable<BlackCategoryTable>;
export type TypeRow = Selectable<BlackTypeTable>;

/** Inserts a group; `name_key` is derived here. */
export async function insertCategory(db: Db, row: Omit<Insertable<BlackCategoryTable>, 'name_key'>): Promise<void> {
  await db
    .insertInto('black_categories')
    .values({ ...row, name_key: row.name.normalize('NFC') })
    .execute();
}

/** Inserts a type; `name_key` is derived here. */
export async function insertType(db: Db, row: Omit<Insertable<BlackTypeTable>, 'name_key'>): Promise<void> {
  await db
    .insertInto('black_types')
    .values({ ...row, name_key: row.name.normalize('NFC') })
    .execute();
}

/** Whether a group/type with this id exists in the VDN. */
export async function groupExists(db: Db, table: GroupTable, vdnId: number, id: string): Promise<boolean> {
  const r = await db.selectFrom(table).select('id').where('vdn_id', '=', vdnId).where('id', '=', id).executeTakeFirst();
  return r !== undefined;
}

/** Whether `name` (compared after NFC) is used by another row (not `exceptId`) of the VDN. */
export async function groupNameTaken(db: Db, table: GroupTable, vdnId: number, name: string, exceptId?: string): Promise<boolean> {
  const r = await db
    .selectFrom(table)
    .select('id')
    .where('vdn_id', '=', vdnId)
    .where('name_key', '=', name.normalize('NFC'))
    .$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId!))
    .executeTakeFirst();
  return r !== undefined;
}

/** Renames/redescribes a group; false when there is no such group. */
export async function updateCategory(db: Db, vdnId: number, id: string, patch: { name: string; description: string | null; updated_at: number }): Promise<boolean> {
  const r = await db
    .updateTable('black_categories')
    .set({ ...patch, name_key: patch.name.normalize('NFC') })
    .where('vdn_id', '=', vdnId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Replaces a type's name, description and action; false when there is no such type. */
export async function updateType(
  db: Db,
  vdnId: number,
  id: string,
  patch: { name: string; description: string | null; action_type: string; action: string | null; updated_at: number },
): Promise<boolean> {
  const r = await db
    .updateTable('black_types')
    .set({ ...patch, name_key: patch.name.normalize('NFC') })
    .where('vdn_id', '=', vdnId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Removes a group or type; false when there was none. */
export async function deleteGroup(db: Db, table: GroupTable, vdnId: number, id: string): Promise<boolean> {
  const r = await db.deleteFrom(table).where('vdn_id', '=', vdnId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** Blocklist entries (expired ones included) that name the group (`category_id`) or type (`type_id`). */
export async function countEntriesUsing(db: Db, column: 'category_id' | 'type_id', vdnId: number, id: string): Promise<number> {
  const r = await db
    .selectFrom('blocklist')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('vdn_id', '=', vdnId)
    .where(column, '=', id)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A page of groups, oldest first; `name` matches as a substring (case-insensitive). */
export async function pageCategories(db: Db, vdnId: number, name: string | undefined, offset: number, limit: number): Promise<{ total: number; rows: CategoryRow[] }> {
  const base = db
    .selectFrom('black_categories')
    .where('vdn_id', '=', vdnId)
    .$if(!!name, (q) => q.where(nameLike(name!)));
  const c = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('id').limit(limit).offset(offset).execute();
  return { total: Number(c.n), rows };
}

/** A page of types, oldest first; `name` matches as a substring (case-insensitive). */
export async function pageTypes(db: Db, vdnId: number, name: string | undefined, offset: number, limit: number): Promise<{ total: number; rows: TypeRow[] }> {
  const base = db
    .selectFrom('black_types')
    .where('vdn_id', '=', vdnId)
    .$if(!!name, (q) => q.where(nameLike(name!)));
  const c = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('id').limit(limit).offset(offset).execute();
  return { total: Number(c.n), rows };
}

/** A fuzzy (substring, case-insensitive) name match in which `%`, `_` and `\\` match themselves. */
function nameLike(name: string) {
  const pattern = `%${name.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
  return sql<boolean>`lower(name) like ${pattern} escape '\\'`;
}
