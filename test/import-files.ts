/**
 * Writers of import files for the tests: the vendor's Excel template (streamed with exceljs'
 * `WorkbookWriter`, inline strings, so even 500,000 rows never sit in memory) and CSV.
 */
import fs from 'node:fs';
import ExcelJS from 'exceljs';

export type RowSource = Iterable<Array<string | number>>;

/** Writes `header` and `rows` as the first worksheet of an .xlsx file. */
export async function writeXlsx(file: string, header: string[], rows: RowSource): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('data');
  ws.addRow(header).commit();
  for (const r of rows) ws.addRow(r).commit();
  ws.commit();
  await wb.commit();
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Writes `header` and `rows` as a UTF-8 CSV file. */
export async function writeCsv(file: string, header: string[], rows: RowSource): Promise<void> {
  const out = fs.createWriteStream(file);
  const write = (line: string) => (out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write(header.map(csvCell).join(',') + '\n');
  for (const r of rows) await write(r.map(csvCell).join(',') + '\n');
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** The blocklisted number of the rows with `i % 10 === 7`. */
export const blockedNo = (i: number) => `1770${String(i).padStart(7, '0')}`;

/**
 * `n` call-data rows `sessionId, called` in a fixed pattern by `i % 10`: 0 repeats the number of
 * the row before (a duplicate), 5 is invalid (`13x…`), 7 is a blocklisted number (`blockedNo`),
 * every other row is good.
 */
export function* callDataRows(n: number): Generator<string[]> {
  for (let i = 1; i <= n; i++) {
    const k = i % 10;
    const no = k === 0 ? `1390${String(i - 1).padStart(7, '0')}` : k === 5 ? `13x${i}` : k === 7 ? blockedNo(i) : `1390${String(i).padStart(7, '0')}`;
    yield [`s${i}`, `[{"calledNo":"${no}"}]`];
  }
}

/** What importing `callDataRows(n)` must count: succ, repeat, fail, black. */
export function expectedCounts(n: number): { succ: number; repeat: number; fail: number; black: number } {
  const c = { succ: 0, repeat: 0, fail: 0, black: 0 };
  for (let i = 1; i <= n; i++) {
    const k = i % 10;
    if (k === 0) c.repeat++;
    else if (k === 5) c.fail++;
    else if (k === 7) c.black++;
    else c.succ++;
  }
  return c;
}
