/**
 * `campaignd call <method> <path> [body]`: a signed request from the command line, like curl
 * with the C2 signature built in. Meant for smoke tests and scripts, hence the exit codes:
 * 0 = HTTP 2xx and resultCode 0200000, 1 = any other reply (business error, 401, 404…),
 * 2 = usage error (missing keys, body that is not JSON or cannot be read, bad URL or query),
 * 3 = transport error (connection refused, TLS failure, reset).
 *
 * The body is the argument itself, `@FILE` for a file's bytes, or `-` for standard input.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Query } from '../client/index.js';
import { clientFrom, transportReason, type ConnectionOptions } from './connection.js';

const SUCCESS = '0200000';

/** Options of `runCall`; anything not given falls back to the environment. */
export interface CallOptions extends ConnectionOptions {
  /** `k=v` items (split on the first `=`), added to the query string. */
  query?: string[];
  /** Print the HTTP status, the URL and the canonical request to stderr. */
  verbose?: boolean;
  /** Print only this field of the reply (dotted path, e.g. `returnObject.id`): strings raw, other values as JSON. */
  field?: string;
}

/**
 * The value at a dotted path (`returnObject.dataIdList.0.dataId`) of a parsed reply, or
 * `undefined` when any step is missing.
 *
 * @example pick({ returnObject: { id: 7 } }, 'returnObject.id') // 7
 */
export function pick(value: unknown, dotted: string): unknown {
  let v = value;
  for (const step of dotted.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, step)) return undefined;
    v = (v as Record<string, unknown>)[step];
  }
  return v;
}

/**
 * The body bytes named by the `[body]` argument: the text itself, `@FILE` (read as UTF-8), or
 * `-` (standard input, read to its end); files and standard input are kept as bytes, so they are
 * sent exactly as stored. Resolves to an error message on failure.
 *
 * @example await readBodyArgument('@order.json')
 */
export async function readBodyArgument(arg: string | undefined, stdin: AsyncIterable<Buffer | string> = process.stdin): Promise<string | Buffer | undefined | { error: string }> {
  if (arg === undefined) return undefined;
  if (arg === '-') {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
    return Buffer.concat(chunks);
  }
  if (arg.startsWith('@')) {
    try {
      return await readFile(arg.slice(1));
    } catch (e) {
      return { error: `cannot read the body file ${arg.slice(1)}: ${(e as Error).message}` };
    }
  }
  return arg;
}

function parseQuery(items: string[]): Query | string {
  const out: Query = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq === 0) return `query item "${item}" has no name (expected k=v)`;
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/**
 * Sends one signed request and prints the reply (pretty-printed JSON, or the raw text) to
 * stdout; errors go to stderr. The body string is sent byte for byte after checking that it
 * parses as JSON. Resolves to the process exit code.
 *
 * @example process.exitCode = await runCall('POST', '/rest/isales/v1/openapi/campaigns/1/createObResult', '{"displayResult":"x","obsCodes":["00602"]}', {})
 */
export async function runCall(method: string, path: string, bodyArg: string | undefined, opts: CallOptions): Promise<number> {
  const body = await readBodyArgument(bodyArg);
  if (typeof body === 'object' && !Buffer.isBuffer(body)) {
    console.error(`campaignd call: ${body.error}`);
    return 2;
  }
  if (body !== undefined) {
    try {
      JSON.parse(typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch (err) {
      console.error(`campaignd call: body is not valid JSON: ${(err as Error).message}`);
      return 2;
    }
  }
  const query = parseQuery(opts.query ?? []);
  if (typeof query === 'string') {
    console.error(`campaignd call: ${query}`);
    return 2;
  }

  const conn = clientFrom(
    opts,
    opts.verbose
      ? {
          onSigned: (i) => console.error(`> ${i.method} ${i.url}\n> Authorization: ${i.authorizationPrefix}/…\n> canonical request:\n${i.canonicalRequest.replace(/^/gm, '>   ')}`),
        }
      : {},
  );
  if (typeof conn === 'string') {
    console.error(`campaignd call: ${conn}`);
    return 2;
  }
  const { client, url } = conn;

  let res;
  try {
    res = await client.request<Record<string, unknown>>(method, path, body, query);
  } catch (err) {
    console.error(`campaignd call: request to ${url} failed: ${transportReason(err)}`);
    return 3;
  }
  if (opts.verbose) console.error(`< HTTP ${res.status}`);

  const ok2xx = res.status >= 200 && res.status < 300;
  if (!ok2xx) console.error(`campaignd call: HTTP ${res.status}`);
  const success = ok2xx && res.body !== null && res.body.resultCode === SUCCESS;
  if (res.body !== null && opts.field !== undefined && success) {
    const v = pick(res.body, opts.field);
    if (v === undefined) {
      console.error(`campaignd call: the reply has no field ${opts.field}`);
      console.error(JSON.stringify(res.body));
      return 1;
    }
    console.log(typeof v === 'string' ? v : JSON.stringify(v));
  } else if (res.body !== null) {
    // With --field the reply is usually captured in a shell variable: a failure goes to stderr.
    (opts.field !== undefined ? console.error : console.log)(JSON.stringify(res.body, null, 2));
  } else {
    if (res.raw !== '') console.log(res.raw);
    console.error('campaignd call: the reply is not JSON');
  }
  return success ? 0 : 1;
}

/**
 * Adds `call <method> <path> [body]` to the main program. The exit code is set through
 * `process.exitCode` so pending output is flushed before Node exits.
 *
 * @example registerCallCommand(program) // campaignd call GET /rest/isales/v1/openapi/campaigns/1/46
 */
export function registerCallCommand(program: Command): void {
  program
    .command('call')
    .description('send one C2-signed request and print the JSON reply')
    .argument('<method>', 'HTTP method, e.g. GET or POST')
    .argument('<path>', 'request path, e.g. /rest/isales/v1/openapi/campaigns/1/46')
    .argument('[body]', 'JSON body sent byte for byte: the text, @FILE, or - for standard input')
    .option('--url <url>', 'server URL (default $CAMPAIGND_URL or http://127.0.0.1:$CAMPAIGND_PORT)')
    .option('--ak <ak>', 'access key (default $CAMPAIGND_ACCESS_KEY)')
    .option('--sk <sk>', 'secret key (default $CAMPAIGND_SECRET_KEY; prefer the variable, argv is visible to other users)')
    .option('-q, --query <k=v...>', 'query parameters; put them after the body, or repeat -q')
    .option('-f, --field <path>', 'on success print only this field of the reply, e.g. returnObject.id (for shell variables)')
    .option('-v, --verbose', 'print the URL, the canonical request and the HTTP status to stderr')
    .addHelpText('after', '\nExit codes: 0 success (HTTP 2xx and resultCode 0200000), 1 any other reply, 2 usage error, 3 transport error.')
    .action(async (method: string, path: string, body: string | undefined, opts: CallOptions) => {
      process.exitCode = await runCall(method, path, body, opts);
    });
}
