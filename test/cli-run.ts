/**
 * Runs the `campaignd` command line as a child process (through tsx, from the repository), with
 * a hermetic environment: none of the parent's CAMPAIGND_* variables leak in.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseEnv } from './pg-target.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The parent's environment without any CAMPAIGND_* variable, so the tests are hermetic. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAMPAIGND_')) env[k] = v;
  return env;
}

/**
 * Runs `campaignd <args>` to completion (killed after 90 s: the machine may be loaded). `stdin`, when given, is written to
 * the child's standard input and closed; otherwise standard input is /dev/null. `onStdout` sees
 * the output as it arrives.
 */
export function campaignd(args: string[], env: Record<string, string>, stdin?: string | Buffer, onStdout?: (chunk: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      // The PostgreSQL pass: a command on a data directory uses that directory's schema.
      env: { ...baseEnv(), ...(env.CAMPAIGND_DATA_DIR === undefined ? {} : databaseEnv(env.CAMPAIGND_DATA_DIR)), ...env },
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout?.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      onStdout?.(s);
    });
    proc.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    if (stdin !== undefined) proc.stdin?.end(stdin);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 90_000);
    proc.once('error', reject);
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
