/** Campaign templates (`campaign_templates`): the v2 body without times, as JSON text. */
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from './db.js';
import type { CampaignTemplateTable } from './schema/surface.js';

export type TemplateRow = Selectable<CampaignTemplateTable>;

/** Inserts a template; `name_key` (NFC) is derived here. */
export async function insertTemplate(db: Db, row: Omit<Insertable<CampaignTemplateTable>, 'name_key'>): Promise<void> {
  await db
    .insertInto('campaign_templates')
    .values({ ...row, name_key: row.name.normalize('NFC') })
    .execute();
}

/** The VDN's template with this id, or undefined. */
export async function findTemplate(db: Db, vdnId: number, id: string): Promise<TemplateRow | undefined> {
  return db.selectFrom('campaign_templates').selectAll().where('vdn_id', '=', vdnId).where('id', '=', id).executeTakeFirst();
}

/** Applies `patch` to the VDN's template; `name_key` follows `name`. */
export async function updateTemplate(db: Db, vdnId: number, id: string, patch: Updateable<CampaignTemplateTable> & { name: string }): Promise<void> {
  await db
    .updateTable('campaign_templates')
    .set({ ...patch, name_key: patch.name.normalize('NFC') })
    .where('vdn_id', '=', vdnId)
    .where('id', '=', id)
    .execute();
}

/** Whether another template (not `exceptId`) of the VDN has this name (compared after NFC). */
export async function templateNameTaken(db: Db, vdnId: number, name: string, exceptId?: string): Promise<boolean> {
  const r = await db
    .selectFrom('campaign_templates')
    .select('id')
    .where('vdn_id', '=', vdnId)
    .where('name_key', '=', name.normalize('NFC'))
    .$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId!))
    .executeTakeFirst();
  return r !== undefined;
}

/** A page of templates with the status (and task type), newest first; `name` is a substring. */
export async function pageTemplates(
  db: Db,
  f: { vdnId: number; status: number; taskType?: number; name?: string },
  offset: number,
  limit: number,
): Promise<{ total: number; rows: TemplateRow[] }> {
  const base = db
    .selectFrom('campaign_templates')
    .where('vdn_id', '=', f.vdnId)
    .where('status', '=', f.status)
    .$if(f.taskType !== undefined, (q) => q.where('task_type', '=', f.taskType!))
    .$if(!!f.name, (q) => q.where(sql<boolean>`name like ${`%${f.name!.replace(/[\\%_]/g, '\\$&')}%`} escape '\\'`));
  const c = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute();
  return { total: Number(c.n), rows };
}
