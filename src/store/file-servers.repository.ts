/**
 * SFTP file servers of a VDN (`file/…`). The password column holds a sealed value
 * (auth/secrets.ts), never the password.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from './db.js';
import type { FileServerTable } from './schema/surface.js';

export type FileServerRow = Selectable<FileServerTable>;

/** @example await insertFileServer(db, { id, vdn_id: 1, ip: '10.0.0.5', port: 22, … }) */
export async function insertFileServer(db: Db, row: Insertable<FileServerTable>): Promise<void> {
  await db.insertInto('file_servers').values(row).execute();
}

/** The VDN's server with this id, or undefined. */
export async function findFileServer(db: Db, vdnId: number, id: string): Promise<FileServerRow | undefined> {
  return db.selectFrom('file_servers').selectAll().where('vdn_id', '=', vdnId).where('id', '=', id).executeTakeFirst();
}

/** The server registered at (ip, port) in the VDN, other than `exceptId`. */
export async function findFileServerByAddress(db: Db, vdnId: number, ip: string, port: number, exceptId?: string): Promise<FileServerRow | undefined> {
  return db
    .selectFrom('file_servers')
    .selectAll()
    .where('vdn_id', '=', vdnId)
    .where('ip', '=', ip)
    .where('port', '=', port)
    .$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId!))
    .executeTakeFirst();
}

/** Applies `patch` to the VDN's server; false when there is no such server. */
export async function updateFileServer(db: Db, vdnId: number, id: string, patch: Updateable<FileServerTable>): Promise<boolean> {
  const r = await db.updateTable('file_servers').set(patch).where('vdn_id', '=', vdnId).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Removes the VDN's server; false when there was none. */
export async function deleteFileServer(db: Db, vdnId: number, id: string): Promise<boolean> {
  const r = await db.deleteFrom('file_servers').where('vdn_id', '=', vdnId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** One page of a VDN's servers, oldest first, optionally only the given ids. */
export async function pageFileServers(db: Db, vdnId: number, ids: readonly string[] | undefined, offset: number, limit: number): Promise<{ total: number; rows: FileServerRow[] }> {
  const base = db
    .selectFrom('file_servers')
    .where('vdn_id', '=', vdnId)
    .$if(ids !== undefined && ids.length > 0, (q) => q.where('id', 'in', [...ids!]));
  const c = await base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await base.selectAll().orderBy('id').limit(limit).offset(offset).execute();
  return { total: Number(c.n), rows };
}

/** One stored server of any VDN (to check the configured key at start), or undefined when none. */
export async function anyFileServer(db: Db): Promise<FileServerRow | undefined> {
  return db.selectFrom('file_servers').selectAll().limit(1).executeTakeFirst();
}
