/**
 * `campaignd status <vdnId> <campaignId> [--watch]`: a campaign's progress from the progress
 * extension (`GET /campaignd/v1/campaigns/{vdnId}/{campaignId}/progress`): internal state, wire
 * status, waiting / being-dialled / finished records and pending automatic reservations, with a
 * bar of finished over all. `--watch` repeats every `--interval` seconds (default 2) and ends by
 * itself once the campaign is call-completed or expired. Exit codes as for `call`.
 */
import type { Command } from 'commander';
import { clientFrom, transportReason, type ConnectionOptions } from './connection.js';
import { EXIT } from './usage-error.js';

/** `returnObject` of the progress extension. */
export interface Progress {
  campaignId: number;
  state: string;
  status: number;
  ready: number;
  dialing: number;
  done: number;
  succeeded: number;
  pendingReservations: number;
}

/**
 * One line of progress, e.g.
 * `campaign 3 executing (status 2) [#########-----------] 45% done 450/1000 · succeeded 300 · waiting 540 · dialling 10 · reservations 0`.
 */
export function progressLine(p: Progress, width = 20): string {
  const total = p.ready + p.dialing + p.done;
  const share = total === 0 ? 0 : p.done / total;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  return `campaign ${p.campaignId} ${p.state} (status ${p.status}) ${bar} ${Math.floor(share * 100)}% done ${p.done}/${total} · succeeded ${p.succeeded} · waiting ${p.ready} · dialling ${p.dialing} · reservations ${p.pendingReservations}`;
}

interface StatusOptions extends ConnectionOptions {
  watch?: boolean;
  interval: string;
}

const FINAL_STATES = new Set(['call-completed', 'expired']);

async function runStatus(vdnId: string, campaignId: string, opts: StatusOptions): Promise<number> {
  const interval = Number(opts.interval);
  if (!Number.isFinite(interval) || interval < 0.1 || interval > 3600) {
    console.error('campaignd status: --interval must be a number of seconds between 0.1 and 3600');
    return EXIT.usage;
  }
  if (!/^\d{1,4}$/.test(vdnId) || !/^\d{1,10}$/.test(campaignId)) {
    console.error('campaignd status: <vdnId> and <campaignId> must be numeric ids');
    return EXIT.usage;
  }
  const conn = clientFrom(opts);
  if (typeof conn === 'string') {
    console.error(`campaignd status: ${conn}`);
    return EXIT.usage;
  }
  const tty = process.stdout.isTTY === true;
  for (;;) {
    let res;
    try {
      res = await conn.client.request<{ resultCode?: string; resultDesc?: string; returnObject?: Progress }>('GET', `/campaignd/v1/campaigns/${vdnId}/${campaignId}/progress`);
    } catch (err) {
      console.error(`campaignd status: request to ${conn.url} failed: ${transportReason(err)}`);
      return EXIT.transport;
    }
    const p = res.body?.returnObject;
    if (res.status !== 200 || res.body?.resultCode !== '0200000' || !p) {
      if (tty && opts.watch) process.stdout.write('\n');
      console.error(`campaignd status: HTTP ${res.status} ${res.body?.resultCode ?? ''} ${res.body?.resultDesc ?? res.raw}`.trim());
      return EXIT.business;
    }
    const line = progressLine(p);
    const done = !opts.watch || FINAL_STATES.has(p.state);
    // On a terminal the line is redrawn in place; in a pipe every reading is its own line.
    process.stdout.write(tty && opts.watch ? `\r\x1b[2K${line}${done ? '\n' : ''}` : `${line}\n`);
    if (done) return EXIT.ok;
    await new Promise((r) => setTimeout(r, interval * 1000));
  }
}

/** Adds `status` to the program. @example registerStatusCommand(program) */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("a campaign's progress (state, records waiting / being dialled / finished)")
    .argument('<vdnId>', 'VDN id')
    .argument('<campaignId>', 'campaign id')
    .option('-w, --watch', 'keep refreshing until the campaign is call-completed or expired')
    .option('--interval <seconds>', 'refresh interval with --watch', '2')
    .option('--url <url>', 'server URL (default $CAMPAIGND_URL or http://127.0.0.1:$CAMPAIGND_PORT)')
    .option('--ak <ak>', 'access key (default $CAMPAIGND_ACCESS_KEY)')
    .option('--sk <sk>', 'secret key (default $CAMPAIGND_SECRET_KEY)')
    .action(async (vdnId: string, campaignId: string, opts: StatusOptions) => {
      process.exitCode = await runStatus(vdnId, campaignId, opts);
    });
}
