/**
 * Browser-test harness: Debian's `chromium` driven by playwright-core, the console built when
 * missing, screenshots under test/artifacts/ (ignored by git). No browser → the test fails and
 * says how to get one (`.ci/run` installs it); it is never skipped.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');

/** Where the browser is looked for: `CAMPAIGND_CHROMIUM`, then Debian's paths. */
export function chromiumPath(): string {
  const candidates = [process.env.CAMPAIGND_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((x): x is string => !!x);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      `no Chromium found (looked at ${candidates.join(', ')}): the browser tests need Debian's chromium ` +
        '(`apt-get install -y --no-install-recommends chromium`, done by .ci/run) or CAMPAIGND_CHROMIUM=/path/to/chromium',
    );
  }
  return found;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    // Without the background-networking flags Chromium calls home, which a closed network refuses.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Builds the console (Vite) unless `dist/console/index.html` exists. Test files run in parallel,
 * so one build at a time: a lock directory, taken over when older than five minutes.
 */
export function ensureConsoleBuilt(): void {
  const index = path.join(ROOT, 'dist', 'console', 'index.html');
  if (fs.existsSync(index)) return;
  const lock = path.join(ROOT, 'dist', '.console-build.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (fs.existsSync(index)) return;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    if (!fs.existsSync(index)) execFileSync('npm', ['run', 'build:console'], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export function artifact(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
