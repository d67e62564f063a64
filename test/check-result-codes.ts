/**
 * After the suite (`npm test` runs it last): every (interface, result code) pair the suite's
 * in-process servers answered (recorded under RESULT_CODE_LOG_DIR by http/result-code-log.ts)
 * must be listed in that interface's `x-result-codes` (contract/error-codes.ts). Prints the
 * missing pairs and exits 1 when there are any.
 *
 *   RESULT_CODE_LOG_DIR=.result-codes node --import tsx --test test/*.test.ts && tsx test/check-result-codes.ts .result-codes
 */
import fs from 'node:fs';
import path from 'node:path';
import { startTestServer } from './helpers.js';

/** The pairs recorded in `dir` that the document does not list, as `METHOD /path code` lines. */
export async function unlistedCodes(dir: string): Promise<{ recorded: number; missing: string[] }> {
  const lines = new Set<string>();
  for (const f of fs.readdirSync(dir)) {
    if (!f.endsWith('.log')) continue;
    for (const l of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) if (l !== '') lines.add(l);
  }
  const s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
  try {
    const doc = s.app.swagger() as unknown as { paths: Record<string, Record<string, { operationId?: string; 'x-result-codes'?: string[] }>> };
    const missing: string[] = [];
    for (const l of [...lines].sort()) {
      const [method, p, code] = l.split(' ') as [string, string, string];
      const op = doc.paths[p]?.[method.toLowerCase()];
      if (op?.operationId === undefined || code === '0200000') continue; // unsigned probes and docs
      if (!op['x-result-codes']?.includes(code)) missing.push(`${op.operationId} ${l}`);
    }
    return { recorded: lines.size, missing };
  } finally {
    await s.stop();
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const dir = process.argv[2] ?? process.env.RESULT_CODE_LOG_DIR ?? '.result-codes';
  const { recorded, missing } = await unlistedCodes(dir);
  if (missing.length > 0) {
    console.error(`${missing.length} result code(s) answered by the suite but not listed in src/contract/error-codes.ts:\n${missing.join('\n')}`);
    process.exit(1);
  }
  console.log(`result codes: all ${recorded} recorded (interface, code) pairs are listed`);
}
