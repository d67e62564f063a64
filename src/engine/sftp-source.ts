/**
 * Fetching an import file from a registered SFTP server with `ssh2`, as a stream.
 *
 * Host keys are not pinned: the vendor's `file/addServer` carries no host key, so campaignd
 * accepts the server's key as it is (document the trust boundary: register servers on networks
 * you trust, or behind a tunnel). The password authenticates; it is never logged.
 */
import { lookup } from 'node:dns/promises';
import { addressRefusal, hostRefusal, type OutboundPolicy } from '../domain/outbound-policy.js';
import type { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';

export interface SftpFile {
  stream: Readable;
  size: number;
  close(): void;
}

/**
 * Opens `remotePath` on the server for reading.
 *
 * @throws Error with a short reason (connection refused, authentication failed, no such file).
 */
export async function openSftpFile(
  t: { host: string; port: number; userName: string; password: string },
  remotePath: string,
  timeoutMs: number,
  policy: OutboundPolicy,
): Promise<SftpFile> {
  // The destination policy again, on what the name resolves to now: every address must be
  // allowed, and the connection goes to the address that was checked.
  const refused = hostRefusal(t.host, policy);
  if (refused) throw new Error(`SFTP ${refused}`);
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(t.host, { all: true });
  } catch (e) {
    throw new Error(`SFTP server ${t.host} cannot be resolved: ${(e as Error).message}`);
  }
  const bad = addresses.find((a) => addressRefusal(a.address, policy) !== null);
  if (bad || addresses.length === 0) throw new Error(`SFTP server ${t.host} resolves to a refused address; refused unless CAMPAIGND_OUTBOUND_ALLOW lists it`);
  const host = addresses[0]!.address;
  // Loaded on first use: most processes never fetch a file.
  const { Client } = (await import('ssh2')).default;
  return new Promise((resolve, reject) => {
    const conn = new Client();
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      conn.end();
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    conn.on('error', (e) => fail(new Error(`SFTP connection to ${t.host}:${t.port} failed: ${e.message}`)));
    conn.on('ready', () => {
      conn.sftp((err: Error | undefined, sftp: SFTPWrapper) => {
        if (err) return fail(new Error(`SFTP subsystem refused: ${err.message}`));
        sftp.stat(remotePath, (e2, st) => {
          if (e2) return fail(new Error(`cannot read ${remotePath} on the file server: ${e2.message}`));
          if (!st.isFile()) return fail(new Error(`${remotePath} on the file server is not a file`));
          settled = true;
          const stream = sftp.createReadStream(remotePath, { highWaterMark: 64 * 1024 });
          resolve({ stream, size: st.size, close: () => conn.end() });
        });
      });
    });
    conn.connect({ host, port: t.port, username: t.userName, password: t.password, readyTimeout: timeoutMs, keepaliveInterval: 0 });
  });
}
