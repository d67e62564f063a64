/**
 * Listening to the other nodes on one PostgreSQL database: a dedicated connection (not from the
 * pool) runs `LISTEN` on the schema's channel and hands every notice (`notifyNodes` in
 * dialect.ts) to `onTopic`: its topic and, for `work:<epoch ms>`, the instant the work falls due
 * (a bare `work` means now; unknown payloads are ignored). A lost connection is re-opened after a second; meanwhile polling
 * (the engine) and the key cache's timer keep every node correct, only slower to react.
 */
import pg from 'pg';
import { parseNoticePayload, type NoticeListener } from './dialect.js';
import { quoteIdent } from './connect.js';

export interface NodeSignals {
  close(): Promise<void>;
}

/**
 * @example const signals = await listenToNodes({ url, schema }, (t) => t === 'keys' && keys.reload())
 */
export async function listenToNodes(target: { url: string; schema?: string }, onTopic: NoticeListener, onError: (e: unknown) => void = () => {}): Promise<NodeSignals> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({
      connectionString: target.url,
      ...(target.schema === undefined ? {} : { options: `-c search_path=${quoteIdent(target.schema)}` }),
    });
    c.on('notification', (n) => {
      const notice = parseNoticePayload(n.payload);
      if (notice !== undefined) onTopic(notice.topic, notice.dueAt);
    });
    const again = (e?: unknown) => {
      if (e !== undefined) onError(e);
      if (closed || client !== c) return;
      client = undefined;
      c.end().catch(() => {});
      retry = setTimeout(() => void connect().catch(again), 1000);
      retry.unref?.();
    };
    c.on('error', again);
    c.on('end', () => again());
    client = c;
    await c.connect();
    const { rows } = await c.query<{ channel: string }>(`select 'campaignd_' || md5(current_schema()) as channel`);
    await c.query(`listen ${quoteIdent(rows[0]!.channel)}`);
  };

  await connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
