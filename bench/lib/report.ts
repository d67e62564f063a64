/**
 * Benchmark results: each scenario prints one `BENCH_RESULT {json}` line on stdout; `bench/run.ts`
 * collects them and writes `bench/results/<stamp>.json` and `.md` (and `latest.*`) with the
 * machine's cores and the commit, so that runs can be compared.
 */
import { execSync } from 'node:child_process';
import os from 'node:os';

/**
 * One figure: campaignd's value, and where the figure is a ratio, the reference it is measured
 * against in the same run with the same tool.
 */
export interface Figure {
  scenario: string;
  /** What is measured, e.g. "signed appoint/create, req/s". */
  measure: string;
  value: number;
  unit: string;
  reference?: { label: string; value: number };
  /** value / reference.value (or reference/value for "lower is better" figures), when there is a reference. */
  ratio?: number;
  /** The issue's target in words, e.g. "≥ 0.5". */
  target?: string;
  /** Whether the target is met (absent when there is no target). */
  met?: boolean;
  /** Load tool, connections, sizes: how the figure was produced. */
  how: string;
}

export interface ScenarioResult {
  scenario: string;
  figures: Figure[];
  /** Free text: what was seen, profile notes, why a target was not met. */
  notes: string[];
}

/** Prints the scenario's result line for the orchestrator (and a readable summary). */
export function emit(result: ScenarioResult): void {
  for (const f of result.figures) {
    const ref = f.reference ? ` vs ${f.reference.label} ${fmt(f.reference.value)}` : '';
    const ratio = f.ratio !== undefined ? ` → ratio ${f.ratio.toFixed(2)}` : '';
    const target = f.target ? ` (target ${f.target}: ${f.met ? 'met' : 'NOT met'})` : '';
    process.stderr.write(`[${f.scenario}] ${f.measure}: ${fmt(f.value)} ${f.unit}${ref}${ratio}${target}\n`);
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

/** A number with sensible precision for a table. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** The machine and the code a run was made on. */
export function machine(): { cores: number; cpu: string; memoryGiB: number; node: string; commit: string; dirty: boolean; date: string } {
  let commit = 'unknown';
  let dirty = false;
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    dirty = execSync('git status --porcelain', { encoding: 'utf8' }).trim() !== '';
  } catch {
    /* not a git checkout */
  }
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    commit,
    dirty,
    date: new Date().toISOString(),
  };
}

/** The Markdown table of a run. */
export function markdown(results: ScenarioResult[], m: ReturnType<typeof machine>): string {
  const rows = results.flatMap((r) => r.figures);
  const lines = [
    `Run ${m.date} on commit \`${m.commit}\`${m.dirty ? ' (with uncommitted changes)' : ''}: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}.`,
    '',
    '| Scenario | Measure | campaignd | Reference | Ratio | Target | Met | How |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (f) =>
        `| ${f.scenario} | ${f.measure} | ${fmt(f.value)} ${f.unit} | ${f.reference ? `${f.reference.label}: ${fmt(f.reference.value)}` : ''} | ${f.ratio !== undefined ? f.ratio.toFixed(2) : ''} | ${f.target ?? ''} | ${f.met === undefined ? '' : f.met ? 'yes' : '**no**'} | ${f.how} |`,
    ),
  ];
  const notes = results.flatMap((r) => r.notes.map((n) => `- ${r.scenario}: ${n}`));
  if (notes.length) lines.push('', 'Notes:', '', ...notes);
  return `${lines.join('\n')}\n`;
}
