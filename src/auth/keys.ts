/**
 * Access keys: AK → SK and the VDNs the AK may reach.
 *
 * Lookups happen on every request, so keys are held in memory and reloaded from the store
 * after each change made through this module, on a timer ({@link KeyStore.reloadEvery}: a
 * `campaignd keys` command on the same store, or another node, reaches a running server within
 * that period) and, on PostgreSQL, at once when a node announces a change (NOTIFY `keys`).
 * Secrets never leave this module except to the signature check; `list()` masks them.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db.js';
import { notifyNodes } from '../store/dialect.js';

export interface AccessKey {
  accessKey: string;
  secretKey: string;
  /** '*' = every VDN. */
  vdnIds: '*' | ReadonlySet<number>;
}

export interface AccessKeyInfo {
  accessKey: string;
  vdnIds: '*' | number[];
  createdAt: number;
}

function parseVdns(s: string): '*' | Set<number> {
  if (s.trim() === '*') return '*';
  return new Set(
    s
      .split(',')
      .filter((x) => x.trim() !== '')
      .map((x) => Number(x.trim())),
  );
}

function formatVdns(v: '*' | Iterable<number>): string {
  return v === '*' ? '*' : [...v].sort((a, b) => a - b).join(',');
}

export const ACCESS_KEY_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/;

export class KeyStore {
  #keys = new Map<string, AccessKey>();

  private constructor(private readonly db: Db) {}

  /** Loads every key from the store. */
  static async open(db: Db): Promise<KeyStore> {
    const ks = new KeyStore(db);
    await ks.reload();
    return ks;
  }

  async reload(): Promise<void> {
    const rows = await this.db.selectFrom('access_keys').selectAll().execute();
    const next = new Map<string, AccessKey>();
    for (const r of rows) {
      next.set(r.access_key, { accessKey: r.access_key, secretKey: r.secret_key, vdnIds: parseVdns(r.vdn_ids) });
    }
    this.#keys = next;
  }

  /**
   * Reloads the keys every `ms` (real time) until the returned function is called; a failed
   * reload keeps the keys held so far.
   */
  reloadEvery(ms: number): () => void {
    const timer = setInterval(() => void this.reload().catch(() => {}), ms);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  get size(): number {
    return this.#keys.size;
  }

  /** The secret for an AK, for the signature check only. */
  secretFor(accessKey: string): string | undefined {
    return this.#keys.get(accessKey)?.secretKey;
  }

  /** Whether the AK may act on the VDN. */
  allows(accessKey: string, vdnId: number): boolean {
    const k = this.#keys.get(accessKey);
    if (!k) return false;
    return k.vdnIds === '*' || k.vdnIds.has(vdnId);
  }

  /** Whether the AK may act on every VDN (needed for campaignd-wide operations such as the clock). */
  allowsAll(accessKey: string): boolean {
    return this.#keys.get(accessKey)?.vdnIds === '*';
  }

  /**
   * Creates or replaces a key.
   *
   * @example await keys.put('ak1', 'sk1', [1, 2])
   */
  async put(accessKey: string, secretKey: string, vdnIds: '*' | number[], nowMs: number): Promise<void> {
    if (!ACCESS_KEY_PATTERN.test(accessKey)) throw new Error('an access key may contain only letters, digits and -._~');
    if (secretKey.length < 8) throw new Error('a secret key needs at least 8 characters');
    if (vdnIds !== '*') {
      for (const v of vdnIds) if (!Number.isInteger(v) || v < 1 || v > 9999) throw new Error(`VDN ${v} is outside 1-9999`);
    }
    const row = { access_key: accessKey, secret_key: secretKey, vdn_ids: formatVdns(vdnIds), created_at: nowMs };
    await this.db
      .insertInto('access_keys')
      .values(row)
      .onConflict((oc) => oc.column('access_key').doUpdateSet({ secret_key: secretKey, vdn_ids: row.vdn_ids }))
      .execute();
    await notifyNodes(this.db, 'keys');
    await this.reload();
  }

  async remove(accessKey: string): Promise<boolean> {
    const res = await this.db.deleteFrom('access_keys').where('access_key', '=', accessKey).executeTakeFirst();
    await notifyNodes(this.db, 'keys');
    await this.reload();
    return Number(res.numDeletedRows) > 0;
  }

  async list(): Promise<AccessKeyInfo[]> {
    const rows = await this.db.selectFrom('access_keys').select(['access_key', 'vdn_ids', 'created_at']).orderBy('access_key').execute();
    return rows.map((r) => {
      const v = parseVdns(r.vdn_ids);
      return { accessKey: r.access_key, vdnIds: v === '*' ? '*' : [...v], createdAt: Number(r.created_at) };
    });
  }
}

/** A fresh random key pair (AK 20 chars, SK 43 chars of base64url). */
export function generateKeyPair(): { accessKey: string; secretKey: string } {
  return {
    accessKey: 'AK' + randomBytes(9).toString('hex').toUpperCase(),
    secretKey: randomBytes(32).toString('base64url'),
  };
}

/**
 * Makes sure the configured key exists (allowed on every VDN); when the store holds no key and
 * none is configured, generates one and returns it so the caller can print it once.
 */
export async function ensureBootstrapKey(
  keys: KeyStore,
  configured: { accessKey?: string; secretKey?: string },
  nowMs: number,
): Promise<{ generated?: { accessKey: string; secretKey: string } }> {
  if (configured.accessKey && configured.secretKey) {
    if (keys.secretFor(configured.accessKey) !== configured.secretKey || !keys.allowsAll(configured.accessKey)) {
      await keys.put(configured.accessKey, configured.secretKey, '*', nowMs);
    }
    return {};
  }
  if (keys.size > 0) return {};
  const pair = generateKeyPair();
  await keys.put(pair.accessKey, pair.secretKey, '*', nowMs);
  return { generated: pair };
}
