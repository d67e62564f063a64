/**
 * Joins result files of several runs into bench/results/latest.* (for a suite run in parts):
 * the scenarios of later files replace those of earlier ones.
 *
 *   npx tsx bench/merge-latest.ts bench/results/A.json bench/results/B.json
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib/processes.js';
import { markdown, type machine, type ScenarioResult } from './lib/report.js';

type Run = { machine: ReturnType<typeof machine>; results: ScenarioResult[] };
const runs = process.argv.slice(2).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Run);
if (runs.length === 0) {
  console.error('usage: tsx bench/merge-latest.ts RUN.json [RUN.json …]');
  process.exit(2);
}
const byScenario = new Map<string, ScenarioResult>();
for (const r of runs) for (const s of r.results) if (s.figures.length > 0 || !byScenario.has(s.scenario)) byScenario.set(s.scenario, s);
const merged: Run = { machine: runs.at(-1)!.machine, results: [...byScenario.values()] };
const dir = path.join(ROOT, 'bench', 'results');
fs.writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(merged, null, 2)}\n`);
fs.writeFileSync(path.join(dir, 'latest.md'), markdown(merged.results, merged.machine));
console.log(markdown(merged.results, merged.machine));
