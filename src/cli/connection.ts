/**
 * Where the client commands (`call`, `status`) send their requests and with which key: options
 * first, then `CAMPAIGND_URL` (else `http://127.0.0.1:$CAMPAIGND_PORT`, port 28080),
 * `CAMPAIGND_ACCESS_KEY` and `CAMPAIGND_SECRET_KEY`.
 */
import { CampaigndClient, type CampaigndClientOptions } from '../client/index.js';

export interface ConnectionOptions {
  url?: string;
  ak?: string;
  /** Prefer the variable: argv is visible in `ps`. */
  sk?: string;
}

/**
 * A signing client, or a usage message when the keys are missing or the URL is unusable.
 *
 * @example const c = clientFrom({}); if (typeof c === 'string') exit(2)
 */
export function clientFrom(opts: ConnectionOptions, extra: Pick<CampaigndClientOptions, 'onSigned'> = {}): { client: CampaigndClient; url: string } | string {
  const url = opts.url ?? process.env.CAMPAIGND_URL ?? 'http://127.0.0.1:' + (process.env.CAMPAIGND_PORT ?? '28080');
  const accessKey = opts.ak ?? process.env.CAMPAIGND_ACCESS_KEY;
  const secretKey = opts.sk ?? process.env.CAMPAIGND_SECRET_KEY;
  if (accessKey === undefined || accessKey === '' || secretKey === undefined || secretKey === '') {
    return 'no keys; set CAMPAIGND_ACCESS_KEY and CAMPAIGND_SECRET_KEY (or pass --ak/--sk)';
  }
  try {
    return { client: new CampaigndClient({ baseUrl: url, accessKey, secretKey, ...extra }), url };
  } catch (err) {
    return `bad --url "${url}": ${(err as Error).message}`;
  }
}

/** The one-line reason of a transport failure (fetch hides ECONNREFUSED and TLS errors in `cause`). */
export function transportReason(err: unknown): string {
  const cause = (err as { cause?: { message?: string } }).cause?.message;
  return `${(err as Error).message}${cause ? ` (${cause})` : ''}`;
}
