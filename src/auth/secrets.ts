/**
 * Sealing of stored secrets (file-server passwords) with AES-256-GCM from `node:crypto`, keyed
 * by `CAMPAIGND_SECRETS_KEY` (config/file-import.ts). Format of a sealed value:
 * `v1:` + base64(iv 12 bytes ‖ auth tag 16 bytes ‖ ciphertext). A fresh random IV per seal, so
 * the same password never seals to the same text; the tag makes tampering or a wrong key fail
 * loudly instead of yielding garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'v1:';

/**
 * Seals `plain` (UTF-8) with the 32-byte `key`.
 *
 * @example const sealed = seal(key, 'p@ssw0rd!'); unseal(key, sealed) === 'p@ssw0rd!'
 */
export function seal(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
}

/**
 * Opens a value made by `seal`.
 *
 * @throws Error when the value is not a sealed value, or the key is wrong, or it was altered.
 */
export function unseal(key: Buffer, sealed: string): string {
  if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed value');
  const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
  if (raw.length < 28) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
