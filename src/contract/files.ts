/**
 * Wire schemas of the file-server interfaces (`file/…`) and the file imports
 * (`calldatafile/…`, `blackfile/…`), isales-gaps §8.1, §8.2 and §8.8.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DIGITS, OffsetLimit } from './common.js';

/** Host names and IPv4/IPv6 literals: letters, digits, dots, hyphens and colons. */
export const HOST_PATTERN = '^[0-9A-Za-z.:-]*$';
/** An absolute POSIX folder without `..` segments. */
export const FOLDER_PATTERN = '^(/|(/[^/\\u0000-\\u001f]+)+/?)$';
/** A file name: no folder separators, no control characters. */
export const FILE_NAME_PATTERN = '^[^/\\\\\\u0000-\\u001f]+$';

export const ServerInfo = Type.Object({
  ip: Type.String({ minLength: 1, maxLength: 64, pattern: HOST_PATTERN }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  /** The server's default directory, absolute. */
  filePath: Type.String({ minLength: 1, maxLength: 255, pattern: FOLDER_PATTERN }),
});

export const FileServerAdd = Type.Object({
  serverInfo: ServerInfo,
  /** No special characters (ZH 0792): letters, digits, `_ . -`. */
  userName: Type.String({ minLength: 1, maxLength: 30, pattern: '^[0-9A-Za-z_.-]*$' }),
  serverPwd: Type.String({ minLength: 8, maxLength: 80 }),
});
export type FileServerAdd = Static<typeof FileServerAdd>;

export const FileServerUpdate = Type.Object({
  serverInfo: ServerInfo,
  userName: Type.String({ minLength: 1, maxLength: 30, pattern: '^[0-9A-Za-z_.-]*$' }),
  /** Required when the address (ip or port) changes; otherwise the stored password is kept. */
  serverPwd: Type.Optional(Type.String({ minLength: 8, maxLength: 80 })),
});
export type FileServerUpdate = Static<typeof FileServerUpdate>;

export const FileServerQuery = Type.Object({
  ...OffsetLimit,
  serverIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 30, pattern: DIGITS }), { maxItems: 100 })),
});
export type FileServerQuery = Static<typeof FileServerQuery>;

export const FileServerItem = Type.Object({
  serverId: Type.String(),
  serverInfo: Type.Object({ ip: Type.String(), port: Type.Integer(), filePath: Type.String() }),
  userName: Type.String(),
  createTime: Type.String(),
  updateTime: Type.String(),
});
export type FileServerItem = Static<typeof FileServerItem>;

export const ServerIdParams = Type.Object({
  vdnId: Type.Integer({ minimum: 1, maximum: 9999 }),
  serverId: Type.String({ minLength: 1, maxLength: 30, pattern: DIGITS }),
});

/** `hour`/`minute` are Strings on the vendor page; numbers are accepted too (coercion). */
export const FileUpload = Type.Object({
  serverId: Type.String({ minLength: 1, maxLength: 30, pattern: DIGITS }),
  /** Folder relative to the server's default directory, e.g. `/isales/20220310`. */
  filePath: Type.Optional(Type.String({ maxLength: 255, pattern: '^[^\\u0000-\\u001f]*$' })),
  fileName: Type.String({ minLength: 1, maxLength: 255, pattern: FILE_NAME_PATTERN }),
  hour: Type.Optional(Type.Integer({ minimum: 0, maximum: 23 })),
  minute: Type.Optional(Type.Integer({ minimum: 0, maximum: 59 })),
  /** campaignd: the batch the imported call data joins (call-data import only). */
  batchId: Type.Optional(Type.String({ maxLength: 64 })),
  /** Blocklist import only: the group and type the numbers join (as on blocklist/add). */
  relCategoryId: Type.Optional(Type.String({ maxLength: 30, pattern: DIGITS })),
  typeId: Type.Optional(Type.String({ maxLength: 30, pattern: DIGITS })),
});
export type FileUpload = Static<typeof FileUpload>;

export const ImportTaskQuery = Type.Object({
  ...OffsetLimit,
  importTaskIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 30, pattern: DIGITS }), { maxItems: 100 })),
});
export type ImportTaskQuery = Static<typeof ImportTaskQuery>;

export const ImportTaskItem = Type.Object({
  id: Type.String(),
  status: Type.String(),
  beginTime: Type.String(),
  endTime: Type.String(),
  succNum: Type.Integer(),
  repeatNum: Type.Integer(),
  failNum: Type.Integer(),
  blackNum: Type.Optional(Type.Integer()),
  errMsg: Type.String(),
  fileName: Type.String(),
});
export type ImportTaskItem = Static<typeof ImportTaskItem>;
