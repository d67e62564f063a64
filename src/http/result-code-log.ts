/**
 * Test instrumentation for the per-interface error-code lists (contract/error-codes.ts): when
 * the environment variable `RESULT_CODE_LOG_DIR` names a directory, every (route, resultCode)
 * pair a server of this process answers is written there once, as `METHOD /path/{param} code`
 * lines in `<pid>.log`, when the process exits. `npm test` sets it and then runs
 * test/check-result-codes.ts, which fails when an interface answered a code its list lacks.
 * Not a configuration variable: production servers never set it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const seen = new Set<string>();
let dirOnExit: string | undefined;

const CODE_RE = /"resultCode":"(\d{7,8})"/;

/** Records the pairs of `app` when `RESULT_CODE_LOG_DIR` is set; does nothing otherwise. */
export function installResultCodeLog(app: FastifyInstance, dir = process.env.RESULT_CODE_LOG_DIR): void {
  if (dir === undefined || dir === '') return;
  if (dirOnExit === undefined) {
    dirOnExit = dir;
    process.once('exit', () => {
      if (seen.size === 0) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.appendFileSync(path.join(dir, `${process.pid}.log`), `${[...seen].join('\n')}\n`);
    });
  }
  app.addHook('onSend', (req, _reply, payload, done) => {
    const url = req.routeOptions.url;
    if (url !== undefined && typeof payload === 'string') {
      const m = CODE_RE.exec(payload);
      if (m) seen.add(`${req.method} ${url.replace(/:(\w+)/g, '{$1}')} ${m[1]}`);
    }
    done(null, payload);
  });
}
