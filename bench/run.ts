/**
 * `npm run bench`: the benchmark suite of issue #12, outside `npm test`. Builds campaignd (the
 * servers under test run the built `dist/`, as `npm start` does), then runs each scenario in its
 * own process, one after another so that they do not share the machine:
 *
 * - api     signed appoint/create vs a bare Fastify route and a Prism mock (bench/api.ts)
 * - ingest  call-data add vs a raw better-sqlite3 insert loop (bench/ingest.ts)
 * - engine  100,000 due records and 10,000 reservations: dispatch rate, fire lag (bench/engine.ts)
 * - memory  RSS with 1,000,000 records stored and the engine running (bench/memory.ts)
 * - agents  a simulated week of a predictive agent campaign: abandon rate, occupancy; then 2 h of
 *           it through the full stack with a restart half-way (bench/agents-week.ts)
 *
 * Every scenario runs on SQLite and, when BENCH_DATABASE_URL names a PostgreSQL database (set
 * to the machine's postgres://postgres@127.0.0.1:5432/test when that answers), on PostgreSQL
 * too, each in a schema of its own. Each scenario prints one BENCH_RESULT line; the run writes them, with the machine's cores and
 * the commit, to bench/results/<timestamp>.json and .md, and to bench/results/latest.json/.md.
 *
 *   npm run bench                       every scenario
 *   npm run bench -- api engine         some of them
 *   BENCH_NO_BUILD=1 npm run bench      skip the build
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ROOT } from './lib/processes.js';
import { machine, markdown, type ScenarioResult } from './lib/report.js';

const SCENARIOS = ['api', 'ingest', 'engine', 'memory', 'agents'] as const;
/** The file of each scenario under bench/. */
const FILES: Record<string, string> = { api: 'api.ts', ingest: 'ingest.ts', engine: 'engine.ts', memory: 'memory.ts', agents: 'agents-week.ts' };
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const a of asked) {
  if (!(SCENARIOS as readonly string[]).includes(a)) {
    console.error(`unknown scenario "${a}"; known: ${SCENARIOS.join(', ')}`);
    process.exit(2);
  }
}
const chosen = asked.length ? SCENARIOS.filter((s) => asked.includes(s)) : [...SCENARIOS];

if (!process.env.BENCH_NO_BUILD) {
  console.error('building campaignd (npm run build)…');
  const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}

function runScenario(name: string): Promise<ScenarioResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('bench', FILES[name] as string)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // What the scenario prints for people is passed on; its result line is for this run only.
      for (const line of d.toString().split('\n')) if (line && !line.startsWith('BENCH_RESULT ')) process.stderr.write(`${line}\n`);
    });
    child.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (line) resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as ScenarioResult);
      else resolve({ scenario: name, figures: [], notes: [`the scenario failed (exit ${code ?? signal}) before it reported; see its output above`] });
    });
  });
}

// PostgreSQL beside SQLite: the machine's database when it answers and none was named.
if (!process.env.BENCH_DATABASE_URL && !process.env.CAMPAIGND_TEST_DATABASE_URL) {
  const url = 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    process.env.BENCH_DATABASE_URL = url;
    console.error(`PostgreSQL answers on ${url}: each scenario runs on it too`);
  } catch {
    console.error(`no PostgreSQL on ${url}: SQLite only (set BENCH_DATABASE_URL to name one)`);
  } finally {
    await client.end().catch(() => {});
  }
}

const m = machine();
const results: ScenarioResult[] = [];
for (const s of chosen) {
  console.error(`\n=== ${s} ===`);
  results.push(await runScenario(s));
}
const dir = path.join(ROOT, 'bench', 'results');
fs.mkdirSync(dir, { recursive: true });
const stamp = m.date.replace(/[:.]/g, '-');
const json = `${JSON.stringify({ machine: m, results }, null, 2)}\n`;
const md = markdown(results, m);
for (const base of [stamp, 'latest']) {
  fs.writeFileSync(path.join(dir, `${base}.json`), json);
  fs.writeFileSync(path.join(dir, `${base}.md`), md);
}
console.log(`\n${md}`);
console.error(`written: bench/results/${stamp}.json and .md (and latest.*)`);
if (results.some((r) => r.figures.length === 0)) process.exit(1);
