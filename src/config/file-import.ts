/**
 * Configuration of file servers and file imports (issue 13). Kept apart from config.ts so the
 * area owns its switches.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `CAMPAIGND_SECRETS_KEY` | — | 32 bytes, base64 (`openssl rand -base64 32`) or 64 hex digits: the AES-256-GCM key that seals file-server passwords. Required once a file server exists (campaignd refuses to start without it) and to add one (`0200001`) |
 * | `CAMPAIGND_IMPORT_POLL_MS` | `1000` | how often (real time) the import worker looks for due import tasks |
 * | `CAMPAIGND_IMPORT_CHUNK_ROWS` | `2000` | rows loaded per transaction; progress is committed with each chunk |
 * | `CAMPAIGND_SFTP_TIMEOUT_SECONDS` | `20` | connection and idle timeout of one SFTP fetch |
 */
import { ConfigError } from './error.js';
import { envInt, type Env } from './env.js';

export interface FileImportConfig {
  /** The 32-byte key sealing file-server passwords; undefined when not configured. */
  secretsKey?: Buffer;
  pollMs: number;
  chunkRows: number;
  sftpTimeoutMs: number;
  /** Data rows per file (isales-gaps §8.2: at most 500,000). */
  maxRows: number;
}

/**
 * Reads `CAMPAIGND_SECRETS_KEY`: 32 bytes as base64 (44 characters) or as 64 hex digits.
 *
 * @example parseSecretsKey('AAAA…=') // Buffer(32)
 * @throws ConfigError naming the variable when the value is not 32 bytes.
 */
export function parseSecretsKey(raw: string): Buffer {
  const s = raw.trim();
  const buf = /^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : /^[A-Za-z0-9+/]{43}=?$/.test(s) ? Buffer.from(s, 'base64') : undefined;
  if (buf === undefined || buf.length !== 32) {
    throw new ConfigError('CAMPAIGND_SECRETS_KEY must be 32 bytes as base64 (e.g. `openssl rand -base64 32`) or as 64 hex digits');
  }
  return buf;
}

/** @example loadFileImportConfig({ CAMPAIGND_IMPORT_CHUNK_ROWS: '500' }).chunkRows === 500 */
export function loadFileImportConfig(env: Env = process.env): FileImportConfig {
  const raw = env.CAMPAIGND_SECRETS_KEY;
  return {
    ...(raw !== undefined && raw.trim() !== '' ? { secretsKey: parseSecretsKey(raw) } : {}),
    pollMs: envInt(env, 'CAMPAIGND_IMPORT_POLL_MS', 1000, 10, 600_000),
    chunkRows: envInt(env, 'CAMPAIGND_IMPORT_CHUNK_ROWS', 2000, 1, 100_000),
    sftpTimeoutMs: envInt(env, 'CAMPAIGND_SFTP_TIMEOUT_SECONDS', 20, 1, 3600) * 1000,
    maxRows: 500_000,
  };
}
