/**
 * `campaignd keys …`: access keys managed directly in the store (the data directory's SQLite file,
 * or PostgreSQL with CAMPAIGND_DATABASE_URL). A running server reloads its keys every 2 s, and
 * on PostgreSQL at once on the change's NOTIFY (auth/keys.ts).
 */
import type { Command } from 'commander';
import { generateKeyPair, KeyStore } from '../auth/keys.js';
import { loadConfig } from '../config/index.js';
import { openStore } from '../store/connect.js';
import { UsageError } from './usage-error.js';

async function withKeys<T>(fn: (k: KeyStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config);
  try {
    return await fn(await KeyStore.open(store.db));
  } finally {
    await store.close();
  }
}

/**
 * Parses a VDN list: `*` (every VDN) or comma-separated ids 1–9999, possibly given several
 * times. Throws a UsageError naming the bad item.
 *
 * @example parseVdns(['2,3', '5']) // [2, 3, 5]
 */
export function parseVdns(items: readonly string[]): '*' | number[] {
  const parts = items.flatMap((s) => s.split(',')).map((s) => s.trim());
  if (parts.length === 0 || (parts.length === 1 && parts[0] === '*')) return '*';
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[1-9]\d{0,3}$/.test(p)) throw new UsageError(`VDN "${p}" is not an id between 1 and 9999 (or * for all)`);
    if (!out.includes(Number(p))) out.push(Number(p));
  }
  return out;
}

async function save(ak: string, sk: string, vdns: '*' | number[]): Promise<void> {
  try {
    await withKeys((k) => k.put(ak, sk, vdns, Date.now()));
  } catch (e) {
    // KeyStore.put refuses malformed keys with a plain Error: that is bad input on the command line.
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** Adds `keys add|create|list|remove` to the program. @example registerKeysCommand(program) */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage access keys (acts on the store directly: CAMPAIGND_DATA_DIR, or CAMPAIGND_DATABASE_URL)');
  const collect = (v: string, prev: string[]) => [...prev, v];
  keys
    .command('add <accessKey> <secretKey>')
    .description('create or replace a key with the given secret')
    .option('--vdns <list>', 'comma-separated VDN ids the key may reach, or * for all', '*')
    .action(async (ak: string, sk: string, o: { vdns: string }) => {
      const vdns = parseVdns([o.vdns]);
      await save(ak, sk, vdns);
      process.stdout.write(`key ${ak} saved (VDNs: ${vdns === '*' ? '*' : vdns.join(',')}); running servers pick it up within 2 s\n`);
    });
  keys
    .command('create')
    .description('generate a new key pair, store it and print it (the secret is shown only this once)')
    .option('--vdn <ids>', 'VDN id(s) the key may reach; repeat or comma-separate; default every VDN', collect, [])
    .option('--json', 'print {"accessKey","secretKey","vdns"} as one JSON line')
    .action(async (o: { vdn: string[]; json?: boolean }) => {
      const vdns = parseVdns(o.vdn.length === 0 ? ['*'] : o.vdn);
      const pair = generateKeyPair();
      await save(pair.accessKey, pair.secretKey, vdns);
      if (o.json) process.stdout.write(JSON.stringify({ ...pair, vdns }) + '\n');
      else process.stdout.write(`CAMPAIGND_ACCESS_KEY=${pair.accessKey}\nCAMPAIGND_SECRET_KEY=${pair.secretKey}\nVDNs: ${vdns === '*' ? '*' : vdns.join(',')}\n`);
    });
  keys
    .command('list')
    .description('list keys (secrets are not shown)')
    .action(async () => {
      const list = await withKeys((k) => k.list());
      for (const k of list) process.stdout.write(`${k.accessKey}\t${k.vdnIds === '*' ? '*' : k.vdnIds.join(',')}\n`);
    });
  keys
    .command('remove <accessKey>')
    .description('delete a key')
    .action(async (ak: string) => {
      const removed = await withKeys((k) => k.remove(ak));
      process.stdout.write(removed ? `key ${ak} removed\n` : `no key ${ak}\n`);
      if (!removed) process.exitCode = 1;
    });
}
