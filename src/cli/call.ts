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
import { CampaigndClient } from '../client/index.js';
import type { Query } from '../client/index.js';

const SUCCESS = '0200000';

/** Options of `runCall`; anything not given falls back to the environment. */
export interface CallOptions {
  /** Server URL; default `$CAMPAIGND_URL`, else `http://127.0.0.1:$CAMPAIGND_PORT` (28080). */
  url?: string;
  /** Access key; default `$CAMPAIGND_ACCESS_KEY`. */
  ak?: string;
  /** Secret key; default `$CAMPAIGND_SECRET_KEY`. Prefer the variable: argv is visible in `ps`. */
  sk?: string;
  /** `k=v` items (split on the first `=`), added to the query string. */
  query?: string[];
  /** Print the HTTP status, the URL and the canonical request to stderr. */
  verbose?: boolean;
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
export async function runCall(
  method: string,
  path: string,
  bodyArg: string | undefined,
  opts: CallOptions,
): Promise<number> {
  const url = opts.url ?? process.env.CAMPAIGND_URL ?? 'http://127.0.0.1:' + (process.env.CAMPAIGND_PORT ?? '28080');
  const accessKey = opts.ak ?? process.env.CAMPAIGND_ACCESS_KEY;
  const secretKey = opts.sk ?? process.env.CAMPAIGND_SECRET_KEY;
  if (accessKey === undefined || accessKey === '' || secretKey === undefined || secretKey === '') {
    console.error('campaignd call: no keys; set CAMPAIGND_ACCESS_KEY and CAMPAIGND_SECRET_KEY (or pass --ak/--sk)');
    return 2;
  }
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

  let client: CampaigndClient;
  try {
    client = new CampaigndClient({
      baseUrl: url,
      accessKey,
      secretKey,
      ...(opts.verbose
        ? { onSigned: (i) => console.error(`> ${i.method} ${i.url}\n> Authorization: ${i.authorizationPrefix}/…\n> canonical request:\n${i.canonicalRequest.replace(/^/gm, '>   ')}`) }
        : {}),
    });
  } catch (err) {
    console.error(`campaignd call: bad --url "${url}": ${(err as Error).message}`);
    return 2;
  }

  let res;
  try {
    res = await client.request<Record<string, unknown>>(method, path, body, query);
  } catch (err) {
    // fetch wraps the real reason (ECONNREFUSED, a TLS error…) in `cause`.
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    console.error(`campaignd call: request to ${url} failed: ${(err as Error).message}${cause ? ` (${cause})` : ''}`);
    return 3;
  }
  if (opts.verbose) console.error(`< HTTP ${res.status}`);

  const ok2xx = res.status >= 200 && res.status < 300;
  if (!ok2xx) console.error(`campaignd call: HTTP ${res.status}`);
  if (res.body !== null) {
    console.log(JSON.stringify(res.body, null, 2));
  } else {
    if (res.raw !== '') console.log(res.raw);
    console.error('campaignd call: the reply is not JSON');
  }
  return ok2xx && res.body !== null && res.body.resultCode === SUCCESS ? 0 : 1;
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
    .option('-v, --verbose', 'print the URL, the canonical request and the HTTP status to stderr')
    .addHelpText('after', '\nExit codes: 0 success (HTTP 2xx and resultCode 0200000), 1 any other reply, 2 usage error, 3 transport error.')
    .action(async (method: string, path: string, body: string | undefined, opts: CallOptions) => {
      process.exitCode = await runCall(method, path, body, opts);
    });
}
