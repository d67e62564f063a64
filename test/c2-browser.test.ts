/**
 * The isomorphic signer (src/auth/c2-sign.ts) in a real browser: the file's own code, with its
 * types stripped (esbuild, no bundling: it imports nothing), runs in headless Debian chromium
 * from a file:// page (a secure context, so WebCrypto is there). It must give the §5 vectors and,
 * for random requests, the very Authorization values the server's verifier accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { transformSync } from 'esbuild';
import fc from 'fast-check';
import { verify } from '../src/auth/c2.js';
import { ROOT } from './cli-run.js';
import { tempDir } from './helpers.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

interface Case {
  method: string;
  url: string;
  body: string;
  timestamp: string;
  signedHeaders: 'host' | 'content';
}

/** Signs every case in chromium and returns the Authorization values, in order. */
async function signInBrowser(cases: Case[]): Promise<string[]> {
  assert.ok(CHROMIUM, 'Debian chromium is required (apt-get install chromium)');
  const src = fs.readFileSync(path.join(ROOT, 'src', 'auth', 'c2-sign.ts'), 'utf8');
  const js = transformSync(src, { loader: 'ts', format: 'esm', target: 'es2022' })
    .code.replace(/^export \{[^}]*\};?\s*$/gm, '')
    .replace(/^export /gm, '');
  const page = `<html><body><pre id="out">pending</pre><script type="module">${js}
const cases = ${JSON.stringify(cases).replace(/</g, '\\u003c')};
const out = [];
for (const c of cases) {
  const s = await signRequest({ ...c, body: c.body === '' ? undefined : c.body, accessKey: 'demoAK0001', secretKey: 'demoSK-NotARealSecret-42' });
  out.push(s.authorization);
}
document.getElementById('out').textContent = JSON.stringify(out);
</script></body></html>`;
  const dir = tempDir();
  try {
    const file = path.join(dir, 'sign.html');
    fs.writeFileSync(file, page);
    const dom = await new Promise<string>((resolve, reject) =>
      execFile(
        CHROMIUM!,
        ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${path.join(dir, 'profile')}`, '--virtual-time-budget=10000', '--dump-dom', `file://${file}`],
        { timeout: 90_000, maxBuffer: 16 << 20 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      ),
    );
    const m = /<pre id="out">([^<]*)<\/pre>/.exec(dom);
    assert.ok(m && m[1] !== 'pending', `the page did not finish: ${dom.slice(0, 500)}`);
    return JSON.parse(m[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as string[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('chromium signs with the same code: the §5 vectors and random requests that the Node verifier accepts', {
  skip: CHROMIUM === undefined ? 'no chromium installed' : false,
  timeout: 120_000,
}, async () => {
  const vectors: Case[] = [
    { method: 'POST', url: 'https://cms.example.com:28443/rest/cmsapp/v1/ping', body: '{"say":"Hello world!"}', timestamp: '2024-05-01T08:30:00Z', signedHeaders: 'host' },
    { method: 'POST', url: 'https://cms.example.com:28443/rest/cmsapp/v1/ping', body: '{"say":"Hello world!"}', timestamp: '2024-05-01T08:30:00Z', signedHeaders: 'content' },
    {
      method: 'GET',
      url: 'https://isales.example.com:28443/rest/isales/v1/openapi/campaigns/1/list?pageSize=10&name=a%20b%2Fc&empty=',
      body: '',
      timestamp: '2024-05-01T08:30:00Z',
      signedHeaders: 'host',
    },
  ];
  const random = fc
    .sample(
      fc.record({
        path: fc.array(fc.string({ unit: 'grapheme', maxLength: 6 }), { maxLength: 3 }),
        query: fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 5 }), fc.string({ unit: 'grapheme', maxLength: 5 })), { maxLength: 3 }),
        body: fc.string({ unit: 'grapheme', maxLength: 40 }),
        method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        signedHeaders: fc.constantFrom<'host' | 'content'>('host', 'content'),
      }),
      { numRuns: 40, seed: 42 },
    )
    .map(
      (r): Case => ({
        method: r.method,
        url: `http://campaignd.test:28080/${r.path.map(encodeURIComponent).join('/')}${r.query.length ? '?' : ''}${r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`,
        body: r.body,
        timestamp: '2024-05-01T08:30:00.123Z',
        signedHeaders: r.signedHeaders,
      }),
    );
  const auth = await signInBrowser([...vectors, ...random]);
  assert.equal(auth[0], 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/host/e9c9fb1a9a64168d16f81e458af25bdcb00066ca9631783c5934852f193fdc69');
  assert.equal(auth[1], 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/content-length;content-type;host/1bc9d5620be5be1df8870a93621fec3e0666bf6e8935bc292a5e4718b87cde95');
  assert.equal(auth[2], 'auth-v2/demoAK0001/2024-05-01T08:30:00Z/host/c7e46c495bdecd9d9842e7c0377e2d314c19e18cbdfaa19f1c97300187039463');
  random.forEach((c, i) => {
    const u = new URL(c.url);
    const body = new TextEncoder().encode(c.body);
    const headers: Record<string, string> = { host: u.host };
    if (body.length > 0) Object.assign(headers, { 'content-type': 'application/json;charset=UTF-8', 'content-length': String(body.length) });
    const r = verify({
      authorization: auth[3 + i],
      method: c.method,
      rawUrl: u.pathname + u.search,
      headers,
      body,
      nowMs: Date.parse(c.timestamp),
      maxSkewMs: 1000,
      lookupSecret: (ak) => (ak === 'demoAK0001' ? 'demoSK-NotARealSecret-42' : undefined),
    });
    assert.deepEqual(r, { ok: true, accessKey: 'demoAK0001' }, `${c.method} ${c.url} ${JSON.stringify(c.body)}`);
  });
});
