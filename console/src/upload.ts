/**
 * A CSV or XLSX list loaded from the browser: parsed here (papaparse; exceljs for `.xlsx`,
 * loaded only when such a file is chosen), then sent through the signed
 * call-data interface (`POST P2/calldata/{campaignId}`) in requests of at most the server's
 * `callDataMax` records, waiting out the add interval (`0200022`) as the server asks.
 * Columns by header name, as the file import reads them: sessionId, called (a number or the
 * template's JSON list), caller, callData, customField, recycleTime, priority.
 */
import Papa from 'papaparse';
import { call, P2 } from './api.js';

export interface UploadProgress {
  sent: number;
  total: number;
  loaded: number;
  failed: Array<{ row: number; reason: string }>;
}

type Row = Record<string, string>;

/** One CSV row → a v2 call-data record, or a reason it cannot be sent. */
export function recordOf(row: Row): Record<string, unknown> | string {
  const calledRaw = (row.called ?? '').trim();
  if (!calledRaw) return 'the called column is empty';
  let called: unknown;
  if (calledRaw.startsWith('[')) {
    try {
      called = JSON.parse(calledRaw.replace(/'/g, '"'));
    } catch {
      return 'the called column is not a JSON list';
    }
    if (Array.isArray(called)) called = called.map((c: Record<string, unknown>) => ({ ...c, calledNo: String(c.calledNo ?? '') }));
  } else called = [{ calledNo: calledRaw }];
  const rec: Record<string, unknown> = { called };
  for (const k of ['sessionId', 'caller', 'callData', 'customField', 'recycleTime'] as const) if (row[k]?.trim()) rec[k] = row[k]!.trim();
  if (row.priority?.trim()) rec.priority = Number(row.priority);
  return rec;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An Excel cell value → its text, as the server's file import reads it (src/engine/file-rows.ts `cellText`). */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) {
    return `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())} ${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}`;
  }
  if (typeof v === 'object') {
    const o = v as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((t) => t.text).join('');
    if (o.text !== undefined) return cellText(o.text);
    if ('result' in o) return cellText(o.result);
  }
  return String(v);
}

/** The first worksheet of an `.xlsx` file as rows keyed by the header row (empty rows left out). */
async function xlsxRows(file: File): Promise<Row[]> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await file.arrayBuffer());
  const sheet = wb.worksheets[0];
  if (!sheet) return [];
  let header: string[] | undefined;
  const rows: Row[] = [];
  sheet.eachRow((row) => {
    const cells = (row.values as unknown[]).slice(1).map(cellText);
    if (!header) {
      header = cells.map((h) => h.trim());
      return;
    }
    if (cells.every((c) => c.trim() === '')) return;
    const r: Row = {};
    header.forEach((h, i) => {
      r[h] = cells[i] ?? '';
    });
    rows.push(r);
  });
  return rows;
}

/** The rows of a `.csv` or `.xlsx` file, keyed by its header row. */
export async function readList(file: File): Promise<Row[]> {
  if (/\.xlsx$/i.test(file.name)) return xlsxRows(file);
  const parsed = Papa.parse<Row>(await file.text(), { header: true, skipEmptyLines: 'greedy', transformHeader: (h) => h.trim() });
  return parsed.data;
}

export async function uploadList(
  vdn: number,
  campaignId: number,
  file: File,
  batchId: string | undefined,
  perRequest: number,
  intervalMs: number,
  onProgress: (p: UploadProgress) => void,
): Promise<UploadProgress> {
  const data = await readList(file);
  const p: UploadProgress = { sent: 0, total: data.length, loaded: 0, failed: [] };
  // Rows refused before sending count as handled at once.
  const records: Array<{ row: number; rec: Record<string, unknown> }> = [];
  data.forEach((row, i) => {
    const r = recordOf(row);
    if (typeof r === 'string') p.failed.push({ row: i + 2, reason: r });
    else records.push({ row: i + 2, rec: r });
  });
  p.sent = p.failed.length;
  onProgress({ ...p });
  let refusals = 0;
  for (let i = 0; i < records.length; ) {
    const chunk = records.slice(i, i + perRequest);
    const a = await call<{ returnObject?: { totalSize?: number } }>('POST', `${P2(vdn)}/calldata/${campaignId}`, {
      callDataList: chunk.map((c) => c.rec),
      ...(batchId ? { batchId } : {}),
    });
    if (a.body.resultCode === '0200022') {
      // The server counts the interval in engine time: a manual clock standing still never lets
      // the next request through, so give up after a few tries and say why.
      if (++refusals > 3) {
        throw new Error(
          `${p.loaded} of ${p.total} rows loaded; the server keeps answering 0200022 (${a.body.resultDesc}). It counts the interval between adds in engine time: with a manual clock, move the clock, then upload the remaining rows.`,
        );
      }
      await new Promise((r) => setTimeout(r, intervalMs));
      continue;
    }
    refusals = 0;
    if (a.body.resultCode === '0200000') p.loaded += chunk.length;
    else for (const c of chunk) p.failed.push({ row: c.row, reason: `${a.body.resultCode}: ${a.body.resultDesc}` });
    i += chunk.length;
    p.sent = p.loaded + p.failed.length;
    onProgress({ ...p });
  }
  p.sent = p.loaded + p.failed.length;
  onProgress({ ...p });
  return p;
}
