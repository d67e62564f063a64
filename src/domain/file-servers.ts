/**
 * File servers (`file/addServer`, `file/{serverId}/deleteServer`, `…/updateServer`,
 * `file/queryServer`; isales-gaps §8.1): the SFTP servers a VDN imports files from.
 *
 * Rules (decided here where the vendor is silent):
 * - one server per address per VDN: (ip, port) is unique (`0200001` otherwise);
 * - the password is sealed with `CAMPAIGND_SECRETS_KEY` (AES-256-GCM) and never returned; without
 *   the key a server cannot be added (`0200001`), and campaignd refuses to start while servers
 *   exist and the key is missing or does not open their passwords;
 * - modify replaces address, folder and user; a changed ip or port needs `serverPwd` again
 *   (`02000001`), otherwise a missing `serverPwd` keeps the stored one;
 * - a server with an import waiting or running cannot be deleted (`0200001`).
 */
import { writeTransaction } from '../store/group-commit.js';
import { hostRefusal } from './outbound-policy.js';
import { seal, unseal } from '../auth/secrets.js';
import type { FileServerAdd, FileServerItem, FileServerQuery, FileServerUpdate } from '../contract/files.js';
import type { Db } from '../store/db.js';
import { isUniqueViolation } from '../store/errors.js';
import {
  anyFileServer,
  deleteFileServer,
  findFileServer,
  findFileServerByAddress,
  insertFileServer,
  pageFileServers,
  updateFileServer,
  type FileServerRow,
} from '../store/file-servers.repository.js';
import { countActiveImportsOfServer } from '../store/import-tasks.repository.js';
import type { DomainContext } from './context.js';
import { DomainError, paramError } from './errors.js';
import { newLongId } from './ids.js';
import { isoTime } from './import-schedule.js';

/** The connection details an import needs, password in clear (never leaves the process). */
export interface SftpTarget {
  host: string;
  port: number;
  folder: string;
  userName: string;
  password: string;
}

function requireKey(ctx: DomainContext): Buffer {
  const key = ctx.config.fileImport.secretsKey;
  if (!key) throw paramError('file servers need CAMPAIGND_SECRETS_KEY (32 bytes, base64) to store their passwords; it is not configured');
  return key;
}

function addressTaken(ip: string, port: number): DomainError {
  return paramError(`a file server at ${ip}:${port} is already registered in this VDN`);
}

/**
 * A file server is an outbound destination like a callback URL: loopback, private and link-local
 * addresses are refused unless CAMPAIGND_OUTBOUND_ALLOW lists them (`02000002`); a host name is
 * judged again after resolution, at every fetch (engine/sftp-source.ts).
 */
function checkDestination(ctx: DomainContext, ip: string): void {
  const why = hostRefusal(ip, ctx.config.outbound.policy);
  if (why) throw new DomainError('02000002', `parameter serverInfo.ip: ${why}`);
}

/** `POST P/file/addServer` → the new server id (30-digit string). */
export async function addFileServer(ctx: DomainContext, vdnId: number, body: FileServerAdd): Promise<string> {
  const key = requireKey(ctx);
  const now = ctx.clock.now();
  const { ip, port, filePath } = body.serverInfo;
  checkDestination(ctx, ip);
  const id = newLongId(now);
  try {
    await writeTransaction(ctx.db, async (trx) => {
      if (await findFileServerByAddress(trx, vdnId, ip, port)) throw addressTaken(ip, port);
      await insertFileServer(trx, {
        id,
        vdn_id: vdnId,
        ip,
        port,
        file_path: filePath,
        user_name: body.userName,
        password: seal(key, body.serverPwd),
        created_at: now,
        updated_at: now,
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw addressTaken(ip, port);
    throw e;
  }
  return id;
}

async function requireServer(db: Db, vdnId: number, id: string): Promise<FileServerRow> {
  const s = await findFileServer(db, vdnId, id);
  if (!s) throw paramError(`file server ${id} does not exist in VDN ${vdnId}`);
  return s;
}

/** `POST P/file/{serverId}/updateServer`. */
export async function updateFileServerDetails(ctx: DomainContext, vdnId: number, id: string, body: FileServerUpdate): Promise<void> {
  const now = ctx.clock.now();
  const { ip, port, filePath } = body.serverInfo;
  checkDestination(ctx, ip);
  try {
    await writeTransaction(ctx.db, async (trx) => {
      const cur = await requireServer(trx, vdnId, id);
      const moved = cur.ip !== ip || Number(cur.port) !== port;
      if (moved && body.serverPwd === undefined) {
        throw new DomainError('02000001', `parameter serverPwd is required when the server's address changes (${cur.ip}:${cur.port} → ${ip}:${port})`);
      }
      if (moved && (await findFileServerByAddress(trx, vdnId, ip, port, id))) throw addressTaken(ip, port);
      await updateFileServer(trx, vdnId, id, {
        ip,
        port,
        file_path: filePath,
        user_name: body.userName,
        ...(body.serverPwd !== undefined ? { password: seal(requireKey(ctx), body.serverPwd) } : {}),
        updated_at: now,
      });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw addressTaken(ip, port);
    throw e;
  }
}

/** `POST P/file/{serverId}/deleteServer`. */
export async function removeFileServer(ctx: DomainContext, vdnId: number, id: string): Promise<void> {
  await writeTransaction(ctx.db, async (trx) => {
    await requireServer(trx, vdnId, id);
    const active = await countActiveImportsOfServer(trx, vdnId, id);
    if (active > 0) throw paramError(`file server ${id} has ${active} import(s) waiting or running; delete it when they are done`);
    await deleteFileServer(trx, vdnId, id);
  });
}

/** Row → wire: never the password. */
export function fileServerRowToApi(r: FileServerRow): FileServerItem {
  return {
    serverId: r.id,
    serverInfo: { ip: r.ip, port: Number(r.port), filePath: r.file_path },
    userName: r.user_name,
    createTime: isoTime(Number(r.created_at)),
    updateTime: isoTime(Number(r.updated_at)),
  };
}

/** `POST P/file/queryServer` → `{count, server[]}`. */
export async function queryFileServers(ctx: DomainContext, vdnId: number, q: FileServerQuery): Promise<{ count: number; server: FileServerItem[] }> {
  const { total, rows } = await pageFileServers(ctx.db, vdnId, q.serverIds, q.offset, q.limit);
  return { count: total, server: rows.map(fileServerRowToApi) };
}

/** The SFTP details of a server, password unsealed; undefined when the server is gone. */
export async function sftpTargetOf(ctx: DomainContext, vdnId: number, id: string): Promise<SftpTarget | undefined> {
  const s = await findFileServer(ctx.db, vdnId, id);
  if (!s) return undefined;
  return { host: s.ip, port: Number(s.port), folder: s.file_path, userName: s.user_name, password: unseal(requireKey(ctx), s.password) };
}

/**
 * Start-up check: when file servers exist, `CAMPAIGND_SECRETS_KEY` must be configured and must
 * open their passwords.
 *
 * @throws Error naming the variable, so `campaignd serve` stops with a clear message.
 */
export async function assertSecretsKeyUsable(db: Db, key: Buffer | undefined): Promise<void> {
  const s = await anyFileServer(db);
  if (!s) return;
  if (!key) throw new Error('CAMPAIGND_SECRETS_KEY is not set, but file servers are stored whose passwords it seals; set the key they were stored with');
  try {
    unseal(key, s.password);
  } catch {
    throw new Error('CAMPAIGND_SECRETS_KEY does not open the stored file-server passwords (a different key?); set the key they were stored with');
  }
}
