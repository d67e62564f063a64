#!/usr/bin/env node
/**
 * The `campaignd` command: `serve` runs the server, `call` sends a signed request, `status`
 * shows a campaign's progress, `keys` manages access keys in the data directory, `import
 * calldata` loads a call-data file through the signed interfaces.
 *
 * Exit codes: 0 success, 1 the operation failed (a business error for `call`), 2 usage error
 * (unknown command or option, missing argument, bad configuration), 3 transport error (`call`
 * could not reach the server).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/index.js';
import { registerCallCommand } from './call.js';
import { registerImportCommand } from './import.js';
import { registerKeysCommand } from './keys.js';
import { registerServeCommand } from './serve.js';
import { registerStatusCommand } from './status.js';
import { EXIT, UsageError } from './usage-error.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command();
program
  .name('campaignd')
  .description('CC-iSales-compatible outbound campaign server')
  .version(pkg.version, '-V, --version', 'print the version')
  .showHelpAfterError('(add --help for usage)');

registerServeCommand(program);
registerCallCommand(program);
registerKeysCommand(program);
registerStatusCommand(program);
registerImportCommand(program);

// Commander exits 1 on usage errors by default; campaignd's scripts rely on 2 for those.
for (const cmd of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) cmd.exitOverride();

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    // --help and --version "fail" with exit code 0; every other Commander error is usage.
    process.exit(e.exitCode === 0 ? EXIT.ok : EXIT.usage);
  }
  if (e instanceof ConfigError) {
    process.stderr.write(`campaignd: configuration error: ${e.message}\n`);
    process.exit(EXIT.usage);
  }
  if (e instanceof UsageError) {
    process.stderr.write(`campaignd: ${e.message}\n`);
    process.exit(EXIT.usage);
  }
  process.stderr.write(`campaignd: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(EXIT.business);
});
