/**
 * Tables of the rest of the CC-iSales surface (issue 13): SFTP file servers, file import tasks,
 * blocklist groups and types, campaign templates and call records (the turn-by-turn dialogue of
 * automatic calls). Created by migrations/008-surface.ts and merged into db.ts's `DB` by module
 * augmentation, so that this area does not edit db.ts.
 */
import type { Generated } from 'kysely';

/** A registered SFTP server of a VDN (`file/addServer`). The password is never stored in clear. */
export interface FileServerTable {
  /** 30-digit numeric string (`newLongId`). */
  id: string;
  vdn_id: number;
  ip: string;
  port: number;
  /** The server's default directory; imports name folders relative to it. */
  file_path: string;
  user_name: string;
  /** AES-256-GCM sealed password: `v1:` + base64(iv 12 bytes | tag 16 bytes | ciphertext). */
  password: string;
  created_at: number;
  updated_at: number;
}

/**
 * A file import (call data into a campaign, or blocklist numbers into a VDN). `status` as on
 * the wire: 0 preparing (waiting for its start), 1 running, 2 done, 3 failed. `rows_done` is
 * the number of data rows of the file already handled (loaded, refused or skipped), committed in
 * the same transaction as those rows: a restarted import skips exactly that many rows.
 */
export interface ImportTaskTable {
  id: string;
  vdn_id: number;
  /** 'calldata' or 'blocklist'. */
  kind: string;
  campaign_id: number | null;
  /** The batch imported call data joins (campaignd extension), or null. */
  batch_id: string | null;
  /** The blocklist group and type imported numbers join (blocklist imports), or null. */
  category_id: string | null;
  type_id: string | null;
  server_id: string;
  file_path: string | null;
  file_name: string;
  /** Epoch ms at which the import may start (the scheduled hour:minute, or the upload time). */
  start_at: number;
  status: number;
  rows_done: number;
  succ_num: number;
  repeat_num: number;
  fail_num: number;
  black_num: number;
  err_msg: string;
  begin_time: number | null;
  end_time: number | null;
  lease_owner: string | null;
  /** Real-time (Date.now) ms until which `lease_owner` holds the task. */
  lease_until: number | null;
  created_at: number;
  updated_at: number;
}

/** Keys (called numbers) an import has already seen: duplicate detection that survives a restart. */
export interface ImportSeenTable {
  task_id: string;
  key: string;
}

/** A blocklist group (`blackCategory`). */
export interface BlackCategoryTable {
  id: string;
  vdn_id: number;
  name: string;
  /** `name` in NFC: unique per VDN (names compare after NFC; the name itself is kept as sent). */
  name_key: string;
  description: string | null;
  created_at: number;
  updated_at: number;
}

/** A blocklist type (`blackType`): what happens when a listed number is met. */
export interface BlackTypeTable {
  id: string;
  vdn_id: number;
  name: string;
  /** `name` in NFC, unique per VDN. */
  name_key: string;
  description: string | null;
  /** "1" automatic handling, "2" a prompt for the agent. */
  action_type: string;
  action: string | null;
  created_at: number;
  updated_at: number;
}

/** A campaign template: the v2 campaign body without its times (JSON text in `body`). */
export interface CampaignTemplateTable {
  id: string;
  vdn_id: number;
  name: string;
  /** `name` in NFC, unique per VDN. */
  name_key: string;
  /** 1 draft, 9 published, 3 paused. */
  status: number;
  /** Numbered as `deviceType`. */
  task_type: number;
  body: string;
  created_at: number;
  updated_at: number;
}

/** One turn of the dialogue of an automatic or robot call (`callRecord`). */
export interface CallRecordTable {
  id: Generated<number>;
  vdn_id: number;
  call_id: string;
  inter_no: number;
  system_reply: string | null;
  user_saying: string | null;
  intention: string | null;
  /** Epoch ms. */
  system_reply_time: number | null;
  request_time: number | null;
  response_source: string | null;
  created_at: number;
}

export interface SurfaceTables {
  file_servers: FileServerTable;
  import_tasks: ImportTaskTable;
  import_seen: ImportSeenTable;
  black_categories: BlackCategoryTable;
  black_types: BlackTypeTable;
  campaign_templates: CampaignTemplateTable;
  call_records: CallRecordTable;
}
