/**
 * Blocklist groups (`blackCategory/create|update|query`, `DELETE blackCategory/{id}`) and types
 * (`blackType/create|query|update`, `DELETE blackType/{id}`), isales-gaps §8.3.
 *
 * Rules:
 * - names are unique per VDN: a group's → `02000012`, a type's → `02000014`;
 * - an unknown group id → `02000013`, an unknown type id → `02000015` (update, delete, and the
 *   blocklist's `relCategoryId`/`typeId` on add and query);
 * - deleting a group or type that blocklist entries still name is refused (`0200001`, with the
 *   count): do-not-call data must never lose its classification silently. Delete or re-add the
 *   numbers (`isCoverDupNo: 1`) first; expired entries count too, as they are still stored;
 * - ids are 30-digit strings; `orgName` is always "" (campaignd has no organisations).
 */
import { writeTransaction } from '../store/group-commit.js';
import type { CategoryCreate, CategoryItem, CategoryQuery, CategoryUpdate, TypeCreate, TypeItem, TypeQuery, TypeUpdate } from '../contract/blocklist-groups.js';
import {
  countEntriesUsing,
  deleteGroup,
  groupExists,
  groupNameTaken,
  insertCategory,
  insertType,
  pageCategories,
  pageTypes,
  updateCategory,
  updateType,
  type GroupTable,
} from '../store/blocklist-groups.repository.js';
import type { Db } from '../store/db.js';
import { isUniqueViolation } from '../store/errors.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { newLongId } from './ids.js';

const nameTaken = (table: GroupTable, name: string) =>
  table === 'black_categories'
    ? new DomainError('02000012', `a blocklist group named "${name}" already exists`)
    : new DomainError('02000014', `a blocklist type named "${name}" already exists`);

const unknown = (table: GroupTable, id: string) =>
  table === 'black_categories' ? new DomainError('02000013', `blocklist group ${id} does not exist`) : new DomainError('02000015', `blocklist type ${id} does not exist`);

/**
 * Runs `fn`, turning a race on the unique name index into the name-taken code. A name of spaces
 * only is an empty name (`02000001`), never stored.
 */
async function uniqueName<T>(table: GroupTable, name: string, fn: () => Promise<T>): Promise<T> {
  if (name.trim() === '') throw new DomainError('02000001', 'parameter name is empty (only spaces)');
  try {
    return await fn();
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(table, name);
    throw e;
  }
}

/** `POST P/blackCategory/create` → the new group id. */
export async function createCategory(ctx: DomainContext, vdnId: number, body: CategoryCreate): Promise<string> {
  const now = ctx.clock.now();
  const id = newLongId(now);
  await uniqueName('black_categories', body.name, () =>
    writeTransaction(ctx.db, async (trx) => {
      if (await groupNameTaken(trx, 'black_categories', vdnId, body.name)) throw nameTaken('black_categories', body.name);
      await insertCategory(trx, { id, vdn_id: vdnId, name: body.name, description: body.description ?? null, created_at: now, updated_at: now });
    }),
  );
  return id;
}

/** `POST P/blackCategory/update`: replaces name and description. */
export async function modifyCategory(ctx: DomainContext, vdnId: number, body: CategoryUpdate): Promise<void> {
  const now = ctx.clock.now();
  await uniqueName('black_categories', body.name, () =>
    writeTransaction(ctx.db, async (trx) => {
      if (!(await groupExists(trx, 'black_categories', vdnId, body.id))) throw unknown('black_categories', body.id);
      if (await groupNameTaken(trx, 'black_categories', vdnId, body.name, body.id)) throw nameTaken('black_categories', body.name);
      await updateCategory(trx, vdnId, body.id, { name: body.name, description: body.description ?? null, updated_at: now });
    }),
  );
}

/** `POST P/blackType/create` → the new type id. */
export async function createType(ctx: DomainContext, vdnId: number, body: TypeCreate): Promise<string> {
  const now = ctx.clock.now();
  const id = newLongId(now);
  await uniqueName('black_types', body.name, () =>
    writeTransaction(ctx.db, async (trx) => {
      if (await groupNameTaken(trx, 'black_types', vdnId, body.name)) throw nameTaken('black_types', body.name);
      await insertType(trx, {
        id,
        vdn_id: vdnId,
        name: body.name,
        description: body.description ?? null,
        action_type: String(body.actionType),
        action: body.action ?? null,
        created_at: now,
        updated_at: now,
      });
    }),
  );
  return id;
}

/** `POST P/blackType/update`: replaces name, description and action. */
export async function modifyType(ctx: DomainContext, vdnId: number, body: TypeUpdate): Promise<void> {
  const now = ctx.clock.now();
  await uniqueName('black_types', body.name, () =>
    writeTransaction(ctx.db, async (trx) => {
      if (!(await groupExists(trx, 'black_types', vdnId, body.id))) throw unknown('black_types', body.id);
      if (await groupNameTaken(trx, 'black_types', vdnId, body.name, body.id)) throw nameTaken('black_types', body.name);
      await updateType(trx, vdnId, body.id, {
        name: body.name,
        description: body.description ?? null,
        action_type: String(body.actionType),
        action: body.action ?? null,
        updated_at: now,
      });
    }),
  );
}

/** `DELETE P/blackCategory/{id}` and `DELETE P/blackType/{id}`: refused while entries name it. */
export async function removeGroup(ctx: DomainContext, table: GroupTable, vdnId: number, id: string): Promise<void> {
  await writeTransaction(ctx.db, async (trx) => {
    if (!(await groupExists(trx, table, vdnId, id))) throw unknown(table, id);
    const n = await countEntriesUsing(trx, table === 'black_categories' ? 'category_id' : 'type_id', vdnId, id);
    if (n > 0) {
      const what = table === 'black_categories' ? 'group' : 'type';
      throw paramError(`blocklist ${what} ${id} is still used by ${n} blocklist entr${n === 1 ? 'y' : 'ies'}; delete them first`);
    }
    await deleteGroup(trx, table, vdnId, id);
  });
}

/** `POST P/blackCategory/query` → `{totalCount, data[]}`; `name` matches fuzzily. */
export async function queryCategories(ctx: DomainContext, vdnId: number, q: CategoryQuery): Promise<{ totalCount: number; data: CategoryItem[] }> {
  const { total, rows } = await pageCategories(ctx.db, vdnId, q.name || undefined, q.offset, q.limit);
  return { totalCount: total, data: rows.map((r) => ({ id: r.id, name: r.name, description: r.description ?? '' })) };
}

/** `POST P/blackType/query` → `{totalCount, data[]}`; `name` matches fuzzily. */
export async function queryTypes(ctx: DomainContext, vdnId: number, q: TypeQuery): Promise<{ totalCount: number; data: TypeItem[] }> {
  const { total, rows } = await pageTypes(ctx.db, vdnId, q.name || undefined, q.offset, q.limit);
  return {
    totalCount: total,
    data: rows.map((r) => ({ id: r.id, name: r.name, description: r.description ?? '', orgName: '', actionType: r.action_type, action: r.action ?? '' })),
  };
}

/**
 * The blocklist's `relCategoryId`/`typeId` must name a group/type of the VDN (`02000013` /
 * `02000015`); empty or absent is fine.
 *
 * @example await assertGroupAndType(trx, 1, body.relCategoryId, body.typeId)
 */
export async function assertGroupAndType(db: Db, vdnId: number, categoryId: string | undefined, typeId: string | undefined): Promise<void> {
  if (categoryId && !(await groupExists(db, 'black_categories', vdnId, categoryId))) throw unknown('black_categories', categoryId);
  if (typeId && !(await groupExists(db, 'black_types', vdnId, typeId))) throw unknown('black_types', typeId);
}
