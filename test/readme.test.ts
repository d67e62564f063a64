/**
 * The README's shell walk-throughs run as written, so they cannot rot: each section's ```sh
 * blocks run in bash (`set -euo pipefail`: any failing command fails the test) on a fresh data
 * directory and a free port. Two shims stand in for the installed package: `npm start` runs
 * `campaignd serve` from the sources and `npx campaignd …` the CLI from the sources (waiting for
 * the server to listen first); both are pointed at the test's port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, baseEnv } from './cli-run.js';
import { freePort } from './child.js';
import { tempDir } from './helpers.js';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The ```sh blocks of the section whose heading starts with `heading`. */
function shellBlocks(heading: string): string[] {
  const start = README.indexOf(`\n## ${heading}`);
  assert.ok(start >= 0, `no README section "${heading}"`);
  const end = README.indexOf('\n## ', start + 4);
  const section = README.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const SHIMS = `
set -euo pipefail
cli() { CAMPAIGND_PORT=$README_PORT node --import tsx "$README_ROOT/src/cli/main.ts" "$@"; }
# \`npm start &\` runs this in a background subshell: exec makes the server that job itself, so the
# EXIT trap's kill reaches it.
npm() { if [ "$1" = start ]; then CAMPAIGND_PORT=$README_PORT exec node --import tsx "$README_ROOT/src/cli/main.ts" serve; else command npm "$@"; fi; }
wait_up() { for _ in $(seq 1 900); do (exec 3<>/dev/tcp/127.0.0.1/$README_PORT) 2>/dev/null && return 0; sleep 0.1; done; echo "server not up" >&2; return 1; }
npx() { [ "$1" = campaignd ] || { echo "unexpected npx $1" >&2; return 99; }; shift; if [ "\${1:-}" != keys ]; then wait_up; fi; cli "$@"; }
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null || true' EXIT
`;

async function runSection(heading: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const blocks = shellBlocks(heading);
  assert.ok(blocks.length > 0, `section "${heading}" has no sh block`);
  const dir = tempDir();
  const port = await freePort();
  const script = SHIMS + blocks.join('\n');
  try {
    return await new Promise((resolve, reject) => {
      const proc = spawn('bash', ['-c', script], {
        cwd: ROOT,
        env: { ...baseEnv(), README_PORT: String(port), README_ROOT: ROOT, CAMPAIGND_DATA_DIR: path.join(dir, 'data'), CAMPAIGND_LOG_LEVEL: 'warn', NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: a timeout or the end of the script kills every server it left
        // (an orphaned `npm start` would hold the pipes open and the test would never finish).
        detached: true,
      });
      const killGroup = () => {
        try {
          process.kill(-(proc.pid as number), 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      let stdout = '';
      let stderr = '';
      proc.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      proc.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      // A section starts a dozen CLI processes through tsx: about 60 s on 2 busy cores, and a CI
      // run on a loaded machine was seen past 120 s. The bound only stops a hung script.
      const timer = setTimeout(killGroup, 300_000);
      proc.once('exit', killGroup);
      proc.once('error', reject);
      proc.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('README "A first walk-through with the CLI" runs as written', async () => {
  const r = await runSection('A first walk-through with the CLI');
  assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const cid = /^campaign (\d+)$/m.exec(r.stdout)?.[1];
  assert.ok(cid, r.stdout);
  // the pool has the three numbers, and status printed the campaign
  assert.match(r.stdout, /"accessCode": "4001003"/);
  // no call data was added, so the running campaign has nothing left to call
  assert.match(r.stdout, new RegExp(`^campaign ${cid} call-completed \\(status 2\\)`, 'm'));
  assert.match(r.stdout, /"accessKey": "AK[0-9A-F]+"|"accessKey":"AK[0-9A-F]+"/);
  assert.match(r.stdout, /^partnerAK\t2,3$/m);
});

test('README "Running a campaign end to end" runs as written and dials the scripted customer three times', async () => {
  const r = await runSection('Running a campaign end to end');
  assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  // the trail of the second record shows the landline's three attempts, the third answered
  const dialled = r.stdout.match(/"13800000002"/g) ?? [];
  assert.ok(dialled.length >= 3, r.stdout);
  assert.match(r.stdout, /^campaign \d+ \S+ \(status 2\) \[/m);
});
