#!/usr/bin/env node
/**
 * The `campaignd` command: `serve` runs the server, `call` sends a signed request, `keys`
 * manages access keys in the data directory.
 */
import { Command } from 'commander';
import { startApp } from '../app.js';
import { KeyStore } from '../auth/keys.js';
import { ConfigError, loadConfig } from '../config.js';
import { openSqlite } from '../store/connect.js';
import { registerCallCommand } from './call.js';

const program = new Command();
program.name('campaignd').description('CC-iSales-compatible outbound campaign server');

program
  .command('serve')
  .description('run the server (configuration from CAMPAIGND_* environment variables)')
  .action(async () => {
    const config = loadConfig();
    const running = await startApp(config, {
      onGeneratedKey: (pair) => {
        // Printed once, on the terminal only: the key is not written to the log.
        process.stdout.write(
          `\nNo access key was configured, so one was generated (it is shown only this once):\n` +
            `  CAMPAIGND_ACCESS_KEY=${pair.accessKey}\n  CAMPAIGND_SECRET_KEY=${pair.secretKey}\n\n`,
        );
      },
    });
    let closing = false;
    const stop = (signal: string) => {
      if (closing) return;
      closing = true;
      running.app.log.info({ signal }, 'shutting down');
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });

registerCallCommand(program);

const keys = program.command('keys').description('manage access keys (acts on CAMPAIGND_DATA_DIR directly)');
async function withKeys<T>(fn: (k: KeyStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openSqlite({ file: config.databaseFile });
  try {
    return await fn(await KeyStore.open(store.db));
  } finally {
    await store.close();
  }
}
keys
  .command('add <accessKey> <secretKey>')
  .description('create or replace a key')
  .option('--vdns <list>', 'comma-separated VDN ids the key may reach, or * for all', '*')
  .action(async (ak: string, sk: string, o: { vdns: string }) => {
    const vdns = o.vdns.trim() === '*' ? '*' : o.vdns.split(',').map((s) => Number(s.trim()));
    await withKeys((k) => k.put(ak, sk, vdns, Date.now()));
    process.stdout.write(`key ${ak} saved (VDNs: ${o.vdns}); a running server picks it up on restart\n`);
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
  .action(async (ak: string) => {
    const removed = await withKeys((k) => k.remove(ak));
    process.stdout.write(removed ? `key ${ak} removed\n` : `no key ${ak}\n`);
    if (!removed) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof ConfigError) {
    process.stderr.write(`campaignd: configuration error: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`campaignd: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
