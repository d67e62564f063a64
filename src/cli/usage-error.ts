/** A mistake on the command line (bad option value, unreadable body file): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * The command's exit codes. `call` documents them in its help; the other commands use 0, 1
 * (the operation failed) and 2 (usage).
 */
export const EXIT = { ok: 0, business: 1, usage: 2, transport: 3 } as const;
