/**
 * A real SFTP server on loopback for the import tests: ssh2's `Server` in the test process,
 * password authentication, read-only, serving the files of a local folder (the remote path `/x`
 * is `<root>/x`). Implements what a download needs: STAT/LSTAT, OPEN, FSTAT, READ, CLOSE.
 */
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

export interface TestSftpServer {
  host: string;
  port: number;
  root: string;
  /** How many files were opened (a restarted import opens its file again). */
  opens: number;
  close(): Promise<void>;
}

const hostKey = utils.generateKeyPairSync('ed25519').private;

function attrsOf(st: fs.Stats) {
  return { mode: st.mode, uid: 0, gid: 0, size: st.size, atime: Math.floor(st.atimeMs / 1000), mtime: Math.floor(st.mtimeMs / 1000) };
}

/** Starts the server; `user`/`password` are the only accepted credentials. */
export async function startSftpServer(root: string, user: string, password: string): Promise<TestSftpServer> {
  const state = { opens: 0 };
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === user && ctx.password === password) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('error', () => {});
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => {
          const sftp = acceptSftp();
          const handles = new Map<number, number>();
          let next = 1;
          const local = (p: string) => path.join(root, path.posix.normalize('/' + p));
          const stat = (reqid: number, p: string) => {
            fs.stat(local(p), (err, st) => (err ? sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE) : sftp.attrs(reqid, attrsOf(st))));
          };
          sftp.on('STAT', stat);
          sftp.on('LSTAT', stat);
          sftp.on('OPEN', (reqid, filename) => {
            fs.open(local(filename), 'r', (err, fd) => {
              if (err) return sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
              state.opens += 1;
              const h = next++;
              handles.set(h, fd);
              const buf = Buffer.alloc(4);
              buf.writeUInt32BE(h);
              sftp.handle(reqid, buf);
            });
          });
          const fdOf = (handle: Buffer) => (handle.length === 4 ? handles.get(handle.readUInt32BE(0)) : undefined);
          sftp.on('FSTAT', (reqid, handle) => {
            const fd = fdOf(handle);
            if (fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
            fs.fstat(fd, (err, st) => (err ? sftp.status(reqid, STATUS_CODE.FAILURE) : sftp.attrs(reqid, attrsOf(st))));
          });
          sftp.on('READ', (reqid, handle, offset, length) => {
            const fd = fdOf(handle);
            if (fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
            const buf = Buffer.alloc(length);
            fs.read(fd, buf, 0, length, offset, (err, n) => {
              if (err) return sftp.status(reqid, STATUS_CODE.FAILURE);
              if (n === 0) return sftp.status(reqid, STATUS_CODE.EOF);
              sftp.data(reqid, buf.subarray(0, n));
            });
          });
          sftp.on('CLOSE', (reqid, handle) => {
            const fd = fdOf(handle);
            if (fd !== undefined) {
              handles.delete(handle.readUInt32BE(0));
              fs.close(fd, () => sftp.status(reqid, STATUS_CODE.OK));
            } else sftp.status(reqid, STATUS_CODE.FAILURE);
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: '127.0.0.1',
    port,
    root,
    get opens() {
      return state.opens;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
