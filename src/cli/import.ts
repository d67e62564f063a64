/**
 * `campaignd import calldata FILE.csv|FILE.xlsx --vdn V --campaign C [--batch B]`: loads a file
 * of call data through the typed client's `addCallDataV2` (signed add call data v2), in chunks, with a
 * progress bar on stderr and a summary at the end (`--json`: one JSON object on stdout).
 *
 * The file has the layout of the server-side file import (domain/import-rows.ts): a header row,
 * then one record per row, read with the same streaming readers (engine/file-rows.ts) and
 * checked with the same row rules (`parseCallDataRow`, the v2 add schema). Each data row ends
 * in exactly one summary count:
 * - `invalid`: the row breaks the interface's rules; reported with its row number (the header
 *   is row 1; for a CSV without line breaks inside quoted cells that is its line number);
 * - `duplicates`: a called number already met in an earlier row of the file (not sent);
 * - `blocklisted`: the server refused a called number of the row as blocklisted (0200024);
 * - `refused`: the server refused the row's chunk for another reason (code and text reported);
 * - `loaded`: the server acknowledged the record.
 * Blank rows are skipped, as the server-side import does.
 *
 * Rate rules, read from the server's answers: one add per campaign per second (the import waits
 * 1 s between adds and retries an add answered 0200022); the per-request maximum
 * (`CAMPAIGND_CALLDATA_MAX`, answered 0200029 "at most N") shrinks the chunk to N; a body over
 * the server's limit (HTTP 413) halves it. An add is all or nothing, so a chunk answered 0200024
 * is sent again without the rows whose numbers the answer names. Answers that concern the whole
 * campaign (0200007 unknown campaign, 0200019 expired, 03000004 unknown batch, 0200020 too many
 * uncompleted records) or the key (401/403) stop the import: the rows not sent are counted as
 * `notSent`. Exit codes: 0 every row loaded, 1 some rows not loaded or the import stopped,
 * 2 usage, 3 transport.
 */
import fs from 'node:fs';
import { Transform } from 'node:stream';
import type { Command } from 'commander';
import type { CampaigndClient } from '../client/index.js';
import { CALL_DATA_COLUMNS, columnMap, parseCallDataRow, type ImportedCallData } from '../domain/import-rows.js';
import { parseDateTime } from '../domain/time.js';
import { fileKindOf, readRows } from '../engine/file-rows.js';
import { clientFrom, transportReason, type ConnectionOptions } from './connection.js';
import { EXIT } from './usage-error.js';

/** Largest chunk tried first: the most `CAMPAIGND_CALLDATA_MAX` allows (config/call-data.ts). */
export const MAX_CHUNK_ROWS = 10_000;
/** Chunks stay under the server's default 1 MiB body limit with room for the envelope. */
const MAX_CHUNK_BYTES = 900 * 1024;
/** The vendor's spacing between two adds on one campaign, plus a margin for clock granularity. */
const ADD_SPACING_MS = 1_050;
/** Answers that end the import: nothing else of the file could load. */
const STOP_CODES = new Set(['0200007', '0200019', '03000004', '0200020']);
/** Bad rows kept in the summary's list (the counts are always complete). */
const MAX_LISTED = 1_000_000;

/** One row that did not load, with why. */
export interface BadRow {
  /** Row number in the file; the header is row 1. */
  row: number;
  kind: 'invalid' | 'blocklisted' | 'refused' | 'notSent';
  reason: string;
}

/** The summary printed at the end (`--json` prints exactly this object). */
export interface ImportSummary {
  file: string;
  /** Data rows read (blank rows excluded). */
  rows: number;
  loaded: number;
  duplicates: number;
  blocklisted: number;
  invalid: number;
  refused: number;
  /** Rows never sent because the import stopped. */
  notSent: number;
  /** Accepted call-data adds (requests). */
  requests: number;
  seconds: number;
  /** Why the import stopped early, if it did. */
  stopped?: string;
  /** Every invalid, blocklisted, refused or not-sent row, in file order within each kind. */
  badRows: BadRow[];
  /** Duplicate rows: row number and the number met before. */
  duplicateRows: Array<{ row: number; calledNo: string }>;
}

interface PendingRow {
  row: number;
  rec: ImportedCallData;
  bytes: number;
}

interface ImportOptions extends ConnectionOptions {
  vdn: string;
  campaign: string;
  batch?: string;
  chunk?: string;
  json?: boolean;
  progress?: boolean;
}

class StopImport extends Error {
  constructor(
    message: string,
    /** Rows of the chunk in hand that were not loaded. */
    readonly pending: PendingRow[],
    readonly transport = false,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts the bytes that flow through, for the progress bar. */
function byteCounter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
}

/**
 * Sends the rows of one chunk, following the server's answers until every row is loaded or
 * accounted for. Returns when the chunk is done; throws StopImport when the import must end.
 */
async function sendChunk(
  client: CampaigndClient,
  target: { vdnId: number; campaignId: number },
  batchId: string | undefined,
  rows: PendingRow[],
  state: { chunkRows: number; lastAddAt: number; summary: ImportSummary },
): Promise<void> {
  const s = state.summary;
  let pending = rows;
  while (pending.length > 0) {
    // The server's own maximum may be lower than this chunk: send the first part now.
    const part = pending.slice(0, state.chunkRows);
    const wait = state.lastAddAt + ADD_SPACING_MS - Date.now();
    if (wait > 0) await sleep(wait);
    const sentAt = Date.now();
    let res;
    try {
      res = await client.addCallDataV2(target.vdnId, target.campaignId, {
        callDataList: part.map((p) => ({ ...p.rec })),
        ...(batchId === undefined ? {} : { batchId }),
      });
    } catch (err) {
      throw new StopImport(`request failed: ${transportReason(err)}`, pending, true);
    }
    const code = res.body?.resultCode;
    const desc = res.body?.resultDesc ?? res.raw.slice(0, 300);
    if (res.status === 413 && state.chunkRows > 1) {
      state.chunkRows = Math.max(1, Math.floor(state.chunkRows / 2));
      continue;
    }
    if (res.status !== 200 || code === undefined) throw new StopImport(`HTTP ${res.status}: ${desc}`, pending);
    if (code === '0200000') {
      state.lastAddAt = sentAt;
      s.loaded += part.length;
      s.requests += 1;
      pending = pending.slice(part.length);
      continue;
    }
    if (code === '0200022') {
      // Another add on this campaign (or our own clock ran ahead): wait a full second.
      state.lastAddAt = Date.now();
      continue;
    }
    if (code === '0200029') {
      const max = /at most (\d+)/.exec(desc);
      const next = max ? Number(max[1]) : Math.floor(part.length / 2);
      if (next >= 1 && next < part.length) {
        state.chunkRows = next;
        continue;
      }
    }
    if (code === '0200024') {
      // The answer names the blocklisted numbers: drop their rows and send the rest again.
      const named = new Set(desc.match(/[0-9*#]+/g) ?? []);
      const blocked = part.filter((r) => r.rec.called.some((n) => named.has(n.calledNo)));
      if (blocked.length > 0) {
        for (const b of blocked) {
          s.blocklisted += 1;
          pushBad(s, { row: b.row, kind: 'blocklisted', reason: `a called number is blocklisted (${b.rec.called.map((n) => n.calledNo).join(', ')})` });
        }
        const drop = new Set(blocked);
        pending = pending.filter((r) => !drop.has(r));
        continue;
      }
    }
    if (STOP_CODES.has(code)) throw new StopImport(`${code} ${desc}`, pending);
    // Any other refusal concerns this chunk only: report its rows and go on.
    for (const r of part) {
      s.refused += 1;
      pushBad(s, { row: r.row, kind: 'refused', reason: `${code} ${desc}` });
    }
    pending = pending.slice(part.length);
  }
}

function pushBad(s: ImportSummary, bad: BadRow): void {
  if (s.badRows.length < MAX_LISTED) s.badRows.push(bad);
}

/**
 * Imports a call-data file through the signed interface and returns the summary (and whether
 * it stopped on a transport error). `onProgress`
 * is called after every chunk and at most every 200 ms while reading.
 *
 * @example const { summary } = await importCallData(client, { file: 'numbers.csv', vdnId: 1, campaignId: 46 })
 */
export async function importCallData(
  client: CampaigndClient,
  opts: { file: string; vdnId: number; campaignId: number; batchId?: string; chunkRows?: number },
  onProgress: (s: ImportSummary, share: number) => void = () => {},
): Promise<{ summary: ImportSummary; transport: boolean }> {
  const kind = fileKindOf(opts.file);
  if (kind === undefined) throw new TypeError(`${opts.file}: only .csv and .xlsx files can be imported`);
  const t0 = Date.now();
  const summary: ImportSummary = {
    file: opts.file,
    rows: 0,
    loaded: 0,
    duplicates: 0,
    blocklisted: 0,
    invalid: 0,
    refused: 0,
    notSent: 0,
    requests: 0,
    seconds: 0,
    badRows: [],
    duplicateRows: [],
  };
  const total = fs.statSync(opts.file).size;
  let read = 0;
  const input = fs.createReadStream(opts.file).pipe(byteCounter((n) => (read += n)));
  const target = { vdnId: opts.vdnId, campaignId: opts.campaignId };
  const state = { chunkRows: Math.min(opts.chunkRows ?? MAX_CHUNK_ROWS, MAX_CHUNK_ROWS), lastAddAt: 0, summary };
  const seen = new Set<string>();
  let columns: Map<string, number> | undefined;
  let chunk: PendingRow[] = [];
  let chunkBytes = 0;
  let rowNo = 0;
  let lastReport = 0;
  let transport = false;
  const share = () => (total === 0 ? 1 : Math.min(1, read / total));
  const flush = async () => {
    const rows = chunk;
    chunk = [];
    chunkBytes = 0;
    if (rows.length > 0) await sendChunk(client, target, opts.batchId, rows, state);
    onProgress(summary, share());
  };

  try {
    for await (const cells of readRows(input, kind)) {
      rowNo += 1;
      if (columns === undefined) {
        columns = columnMap(cells, CALL_DATA_COLUMNS);
        continue;
      }
      if (cells.every((x) => x.trim() === '')) continue;
      summary.rows += 1;
      const p = parseCallDataRow(cells, columns, Date.now(), parseDateTime);
      if (!p.ok) {
        summary.invalid += 1;
        pushBad(summary, { row: rowNo, kind: 'invalid', reason: p.reason });
        continue;
      }
      const nums = p.value.called.map((n) => n.calledNo);
      const dup = nums.find((n, i) => seen.has(n) || nums.indexOf(n) !== i);
      if (dup !== undefined) {
        summary.duplicates += 1;
        summary.duplicateRows.push({ row: rowNo, calledNo: dup });
        continue;
      }
      for (const n of nums) seen.add(n);
      const bytes = JSON.stringify(p.value).length + 1;
      if (chunk.length >= state.chunkRows || chunkBytes + bytes > MAX_CHUNK_BYTES) await flush();
      chunk.push({ row: rowNo, rec: p.value, bytes });
      chunkBytes += bytes;
      if (Date.now() - lastReport > 200) {
        lastReport = Date.now();
        onProgress(summary, share());
      }
    }
    await flush();
  } catch (e) {
    if (!(e instanceof StopImport)) throw e;
    summary.stopped = e.message;
    // The rows of the chunk in hand were not loaded; rows further in the file are not read.
    for (const r of e.pending) {
      summary.notSent += 1;
      pushBad(summary, { row: r.row, kind: 'notSent', reason: `not sent: the import stopped (${e.message})` });
    }
    transport = e.transport;
  }
  summary.seconds = Math.round((Date.now() - t0) / 100) / 10;
  return { summary, transport };
}

/** A text bar: `[#####---------------] 25%`. */
export function bar(share: number, width = 20): string {
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%`;
}

function progressText(s: ImportSummary, share: number): string {
  return `${bar(share)} rows ${s.rows} · loaded ${s.loaded} · duplicates ${s.duplicates} · blocklisted ${s.blocklisted} · invalid ${s.invalid} · refused ${s.refused}`;
}

/** The human summary: counts, then one line per bad row. */
export function summaryText(s: ImportSummary): string {
  const lines = [
    `${s.file}: ${s.rows} rows in ${s.seconds} s — loaded ${s.loaded}, duplicates ${s.duplicates}, blocklisted ${s.blocklisted}, invalid ${s.invalid}, refused ${s.refused}, not sent ${s.notSent} (${s.requests} requests)`,
  ];
  if (s.stopped) lines.push(`stopped: ${s.stopped}`);
  for (const b of [...s.badRows].sort((a, b) => a.row - b.row)) lines.push(`row ${b.row}: ${b.kind}: ${b.reason}`);
  for (const d of s.duplicateRows) lines.push(`row ${d.row}: duplicate: ${d.calledNo} appears in an earlier row`);
  return lines.join('\n') + '\n';
}

async function runImport(file: string, opts: ImportOptions): Promise<number> {
  const fail = (msg: string) => {
    process.stderr.write(`campaignd import calldata: ${msg}\n`);
    return EXIT.usage;
  };
  if (!/^\d{1,4}$/.test(opts.vdn) || Number(opts.vdn) < 1) return fail('--vdn must be a VDN id 1-9999');
  if (!/^\d{1,10}$/.test(opts.campaign) || Number(opts.campaign) < 1) return fail('--campaign must be a campaign id');
  const chunkRows = opts.chunk === undefined ? undefined : Number(opts.chunk);
  if (chunkRows !== undefined && !(Number.isInteger(chunkRows) && chunkRows >= 1 && chunkRows <= MAX_CHUNK_ROWS)) return fail(`--chunk must be 1-${MAX_CHUNK_ROWS}`);
  if (fileKindOf(file) === undefined) return fail(`${file}: only .csv and .xlsx files can be imported`);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return fail(`${file}: no such file`);
  const conn = clientFrom(opts);
  if (typeof conn === 'string') return fail(conn);

  const tty = process.stderr.isTTY === true;
  const show = tty || opts.progress === true;
  let lastLine = 0;
  const onProgress = (s: ImportSummary, share: number) => {
    if (!show) return;
    if (tty) process.stderr.write(`\r\x1b[2K${progressText(s, share)}`);
    else if (Date.now() - lastLine >= 1000) {
      // Not a terminal (--progress into a log): one line a second at most.
      lastLine = Date.now();
      process.stderr.write(`${progressText(s, share)}\n`);
    }
  };
  const { summary, transport } = await importCallData(
    conn.client,
    { file, vdnId: Number(opts.vdn), campaignId: Number(opts.campaign), ...(opts.batch ? { batchId: opts.batch } : {}), ...(chunkRows ? { chunkRows } : {}) },
    onProgress,
  );
  if (show) process.stderr.write(`${tty ? '\r\x1b[2K' : ''}${progressText(summary, 1)}\n`);
  process.stdout.write(opts.json ? `${JSON.stringify(summary)}\n` : summaryText(summary));
  if (transport) return EXIT.transport;
  return summary.loaded === summary.rows && !summary.stopped ? EXIT.ok : EXIT.business;
}

/** Registers `campaignd import calldata`. */
export function registerImportCommand(program: Command): void {
  const imp = program.command('import').description('load files through the signed interfaces');
  imp
    .command('calldata')
    .description('load call data from a .csv or .xlsx file (header row; the file-import template columns) through add call data v2, in chunks')
    .argument('<file>', 'the .csv or .xlsx file')
    .requiredOption('--vdn <id>', 'VDN id')
    .requiredOption('--campaign <id>', 'campaign id')
    .option('--batch <id>', 'call batch id (batchId of add call data v2)')
    .option('--chunk <rows>', `records per request, at most ${MAX_CHUNK_ROWS}; lowered to the server's maximum when it answers 0200029`)
    .option('--json', 'print the summary as one JSON object on stdout')
    .option('--progress', 'show progress on stderr even when it is not a terminal')
    .option('--url <url>', 'server URL (default $CAMPAIGND_URL or http://127.0.0.1:$CAMPAIGND_PORT)')
    .option('--ak <accessKey>', 'access key (default $CAMPAIGND_ACCESS_KEY)')
    .option('--sk <secretKey>', 'secret key (default $CAMPAIGND_SECRET_KEY; argv is visible to other users)')
    .addHelpText('after', '\nExit codes: 0 every row loaded, 1 some rows not loaded or the import stopped, 2 usage, 3 transport error.')
    .action(async (file: string, opts: ImportOptions) => {
      process.exitCode = await runImport(file, opts);
    });
}
