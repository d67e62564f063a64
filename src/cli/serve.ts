/**
 * `campaignd serve`: runs the server. Configuration comes from the CAMPAIGND_* environment
 * variables; `--port`, `--host` and `--data-dir` override their variables for this run.
 * SIGINT/SIGTERM close the server: it stops taking requests, lets the engine finish its pass,
 * then closes the store.
 */
import type { Command } from 'commander';
import { startApp } from '../app.js';
import { loadConfig } from '../config/index.js';
import { environmentHelp } from './environment.js';

/** Options of `serve`; each replaces its environment variable when given. */
export interface ServeOptions {
  /** CAMPAIGND_PORT */
  port?: string;
  /** CAMPAIGND_HOST */
  host?: string;
  /** CAMPAIGND_DATA_DIR */
  dataDir?: string;
}

/** The environment seen by `loadConfig`, with the command-line overrides applied. */
export function serveEnvironment(opts: ServeOptions, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    ...(opts.port === undefined ? {} : { CAMPAIGND_PORT: opts.port }),
    ...(opts.host === undefined ? {} : { CAMPAIGND_HOST: opts.host }),
    ...(opts.dataDir === undefined ? {} : { CAMPAIGND_DATA_DIR: opts.dataDir }),
  };
}

/** Adds `serve` to the program. @example registerServeCommand(program) */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the server (configuration from CAMPAIGND_* environment variables)')
    .option('--port <port>', 'TCP port (overrides CAMPAIGND_PORT)')
    .option('--host <address>', 'address to listen on (overrides CAMPAIGND_HOST)')
    .option('--data-dir <dir>', 'data directory (overrides CAMPAIGND_DATA_DIR)')
    .addHelpText('after', environmentHelp())
    .action(async (opts: ServeOptions) => {
      const config = loadConfig(serveEnvironment(opts));
      const running = await startApp(config, {
        onGeneratedKey: (pair) => {
          // Printed once, on standard error: the log (JSON lines) is standard output, and a log
          // collector must never receive the secret.
          process.stderr.write(
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
}
