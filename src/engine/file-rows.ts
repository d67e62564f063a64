/**
 * Streaming readers of imported files: rows of cell texts, one at a time, so a 500,000-row file
 * never sits in memory whole. `.xlsx` is read with exceljs' streaming `WorkbookReader` (first
 * worksheet only; styles and hyperlinks ignored), `.csv` with csv-parse (UTF-8, optional BOM,
 * comma-separated, RFC 4180 quoting).
 */
import type { Readable } from 'node:stream';

export type FileKind = 'xlsx' | 'csv';

/** `demo.xlsx` → 'xlsx', `list.CSV` → 'csv', anything else → undefined. */
export function fileKindOf(fileName: string): FileKind | undefined {
  const ext = fileName.toLowerCase().split('.').pop();
  return ext === 'xlsx' ? 'xlsx' : ext === 'csv' ? 'csv' : undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An Excel cell value → its text. Dates (exceljs reads them as UTC) → `yyyy-MM-dd HH:mm:ss`. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) {
    return `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())} ${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}:${pad(v.getUTCSeconds())}`;
  }
  if (typeof v === 'object') {
    const o = v as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; error?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((t) => t.text).join('');
    if (o.text !== undefined) return cellText(o.text);
    if ('result' in o) return cellText(o.result);
  }
  return String(v);
}

async function* xlsxRows(input: Readable): AsyncGenerator<string[]> {
  // Loaded on first use: exceljs is large, and most processes never import a file.
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  for await (const sheet of reader) {
    let expected = 1;
    for await (const row of sheet) {
      // Rows the sheet leaves out entirely are empty rows: keep the numbering of the file.
      for (; expected < row.number; expected++) yield [];
      expected = row.number + 1;
      const values = row.values as unknown[];
      const out: string[] = [];
      for (let i = 1; i < values.length; i++) out.push(cellText(values[i]));
      yield out;
    }
    return; // the first worksheet only
  }
}

async function* csvRows(input: Readable): AsyncGenerator<string[]> {
  const { parse: parseCsv } = await import('csv-parse');
  const parser = input.pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: false }));
  for await (const rec of parser as AsyncIterable<string[]>) yield rec;
}

/**
 * The rows of `input` (the header row included), each as the texts of its cells.
 *
 * @example for await (const row of readRows(stream, 'csv')) console.log(row[0])
 */
export function readRows(input: Readable, kind: FileKind): AsyncGenerator<string[]> {
  return kind === 'xlsx' ? xlsxRows(input) : csvRows(input);
}
