/**
 * Test instrumentation for the per-interface error-code lists and examples (src/contract): when
 * the environment variable `RESULT_CODE_LOG_DIR` names a directory, every (route, resultCode)
 * pair a server of this process answers is written there once, as `METHOD /path/{param} code`
 * lines in `<pid>.log`, and, per route, the smallest successful request and reply (each at most
 * 1,500 characters) in `<pid>.examples.json`, when the process exits. `npm test` sets it and then
 * runs test/check-result-codes.ts, which fails when an interface answered a code its list lacks;
 * `npm run gen:examples` turns recorded examples into src/contract/examples.json.
 * Not a configuration variable: production servers never set it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

const seen = new Set<string>();
/** Route key → the smallest successful exchange seen. */
const examples = new Map<string, { request?: string; reply: string }>();
let dirOnExit: string | undefined;

const CODE_RE = /"resultCode":"(\d{7,8})"/;
const MAX_EXAMPLE = 1500;

/** Records the pairs of `app` when `RESULT_CODE_LOG_DIR` is set; does nothing otherwise. */
export function installResultCodeLog(app: FastifyInstance, dir = process.env.RESULT_CODE_LOG_DIR): void {
  if (dir === undefined || dir === '') return;
  if (dirOnExit === undefined) {
    dirOnExit = dir;
    process.once('exit', () => {
      if (seen.size === 0) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.appendFileSync(path.join(dir, `${process.pid}.log`), `${[...seen].join('\n')}\n`);
      fs.writeFileSync(path.join(dir, `${process.pid}.examples.json`), JSON.stringify(Object.fromEntries(examples)));
    });
  }
  app.addHook('onSend', (req, _reply, payload, done) => {
    const url = req.routeOptions.url;
    if (url !== undefined && typeof payload === 'string') {
      const m = CODE_RE.exec(payload);
      if (m) {
        const key = `${req.method} ${url.replace(/:(\w+)/g, '{$1}')}`;
        seen.add(`${key} ${m[1]}`);
        const raw = req.rawBody === undefined || req.rawBody.length === 0 ? undefined : req.rawBody.toString('utf8');
        const size = (raw?.length ?? 0) + payload.length;
        const had = examples.get(key);
        if (
          m[1] === '0200000' &&
          (raw?.length ?? 0) <= MAX_EXAMPLE &&
          payload.length <= MAX_EXAMPLE &&
          (had === undefined || size < (had.request?.length ?? 0) + had.reply.length)
        ) {
          examples.set(key, { ...(raw === undefined ? {} : { request: raw }), reply: payload });
        }
      }
    }
    done(null, payload);
  });
}
