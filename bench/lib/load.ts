/**
 * The load tools. Throughput and latency at a fixed rate are measured with wrk (Debian `wrk`, C,
 * out of Node's event loop) when it is installed, otherwise with autocannon (the Fastify
 * ecosystem's generator). Whatever tool a figure uses, both sides of that figure use the same one,
 * with the same connections and time.
 *
 * Latency at a rate: wrk's connections share ONE schedule of request times, a Poisson stream at the
 * rate (exponentially distributed gaps, drawn in wrk's `delay()` hook against the monotonic clock
 * through LuaJIT's FFI): a connection that got its reply waits for the next time of the schedule,
 * or sends at once if that time has passed. So the offered rate does not depend on how fast the
 * server answers (open loop, like wrk2's), a server that stalls meets the requests that piled up
 * meanwhile (at most `connections` in flight), and the rate actually achieved is reported beside
 * the percentiles. (Before, each connection paused a random time after each reply: a closed loop
 * whose rate fell short by the latency itself, ~6 % at 32 connections and 0.8 ms, which a
 * "≥ 95 % of the offered rate" check could not tell from a slow server.)
 * autocannon's `overallRate` is not used when wrk is there: it lets each connection send its
 * whole quota for the second back to back when the second starts, so the server sees bursts at
 * full concurrency, and its coordinated-omission correction assumes a 1 ms request interval,
 * which adds a synthetic sample per millisecond of every slow reply (autocannon 8,
 * lib/httpClient.js and lib/run.js). Without wrk the fallback keeps `overallRate` but turns that
 * correction off, and its p99 is still the bursts' p99.
 */
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import type { SignedRequest } from './signed.js';

/** What one load run measured. Latencies in milliseconds. */
export interface LoadResult {
  tool: 'wrk' | 'autocannon';
  connections: number;
  seconds: number;
  /** Requests per second answered with the expected reply. */
  rps: number;
  /** Replies that were not the expected one (HTTP status or business code), and socket errors. */
  errors: number;
  p50: number;
  p99: number;
  /** Offered rate (req/s) for fixed-rate runs. */
  rate?: number;
}

/**
 * Which replies count: `envelope` = HTTP 200 with `"0200000"` in the body; `http200` = any HTTP
 * 200 (for a mock that answers generated values instead of the envelope's success code).
 */
export type Good = 'envelope' | 'http200';

/** Whether wrk can be run here. */
export function hasWrk(): boolean {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error === undefined;
}

function luaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Runs wrk over the given requests (cycled in order by every thread) and counts a reply as good
 * when its status is 200 and its body holds `"0200000"`.
 */
export async function wrkRun(base: string, requests: SignedRequest[], connections: number, seconds: number, good: Good = 'envelope', rate?: number): Promise<LoadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaignd-wrk-'));
  const script = path.join(dir, 'requests.lua');
  const lines = requests.map((r) => {
    const { host: _h, ...headers } = r.headers;
    const h = Object.entries(headers)
      .map(([k, v]) => `[${luaString(k)}]=${luaString(v)}`)
      .join(',');
    return `{${luaString(r.method)},${luaString(r.path)},{${h}},${luaString(r.body)}}`;
  });
  fs.writeFileSync(
    script,
    [
      'local data = {',
      lines.join(',\n'),
      '}',
      'local reqs = {}',
      'local i = 0',
      'bad = 0',
      'local threads = {}',
      'function setup(thread) table.insert(threads, thread) end',
      // Formatted in init(): wrk sets its Host header only then.
      'function init(args) for k, d in ipairs(data) do reqs[k] = wrk.format(d[1], d[2], d[3], d[4]) end i = math.random(#reqs) end',
      'function request() i = i % #reqs + 1 return reqs[i] end',
      // Fixed rate: one Poisson schedule of request times (mean gap 1/rate) shared by the connections.
      ...(rate
        ? [
            'local ffi = require("ffi")',
            'ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec; int clock_gettime(int clk, bench_timespec *tp); ]]',
            'local ts = ffi.new("bench_timespec")',
            'local function now() ffi.C.clock_gettime(1, ts) return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6 end',
            `local gap = ${(1000 / rate).toFixed(6)}`,
            'local nextAt = nil',
            'function delay()',
            '  local t = now()',
            '  if nextAt == nil then nextAt = t end',
            '  nextAt = nextAt - gap * math.log(1 - math.random())',
            '  local d = nextAt - t',
            '  if d <= 0 then return 0 end',
            '  return math.floor(d + 0.5)',
            'end',
          ]
        : []),
      good === 'envelope'
        ? 'function response(status, headers, body) if status ~= 200 or not string.find(body, "\\"0200000\\"", 1, true) then bad = bad + 1 end end'
        : 'function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end',
      'function done(summary, latency, requests)',
      '  local total = 0',
      '  for _, t in ipairs(threads) do total = total + (t:get("bad") or 0) end',
      '  io.write(string.format("BENCH %d %d %d %f %f\\n", summary.requests, total, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))',
      'end',
    ].join('\n'),
  );
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', ['-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--latency', '-s', script, base], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text}`))));
    });
    const m = /BENCH (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(out);
    if (!m) throw new Error(`wrk printed no summary: ${out}`);
    const [total, bad, sockErr, p50, p99] = m.slice(1).map(Number) as [number, number, number, number, number];
    return { tool: 'wrk', connections, seconds, rps: (total - bad) / seconds, errors: bad + sockErr, p50, p99, ...(rate ? { rate } : {}) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs autocannon over the given requests. `rate` (req/s over all connections) makes it a
 * fixed-rate run for latency; without it every connection sends as fast as replies come.
 */
export async function autocannonRun(base: string, requests: SignedRequest[], connections: number, seconds: number, rate?: number, good: Good = 'envelope'): Promise<LoadResult> {
  let bad = 0;
  let i = Math.floor(Math.random() * requests.length);
  const result = await autocannon({
    url: base,
    connections,
    duration: seconds,
    ...(rate ? { overallRate: rate, ignoreCoordinatedOmission: true } : {}),
    requests: [
      {
        setupRequest: (req) => {
          i = (i + 1) % requests.length;
          const r = requests[i]!;
          const { host: _h, ...headers } = r.headers;
          return { ...req, method: r.method as 'POST', path: r.path, headers, body: r.body };
        },
        onResponse: (status, body) => {
          if (status !== 200 || (good === 'envelope' && !body.includes('"0200000"'))) bad++;
        },
      },
    ],
  });
  const total = result.requests.total;
  return {
    tool: 'autocannon',
    connections,
    seconds,
    rps: (total - bad) / seconds,
    errors: bad + result.errors + result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ...(rate ? { rate } : {}),
  };
}

/**
 * Latency at a fixed offered rate (req/s over all connections) with the best tool available here
 * (wrk on one shared Poisson schedule, else autocannon's `overallRate`); see the module's docstring.
 */
export function latencyAt(base: string, requests: SignedRequest[], connections: number, seconds: number, rate: number, good: Good = 'envelope'): Promise<LoadResult> {
  return hasWrk() ? wrkRun(base, requests, connections, seconds, good, rate) : autocannonRun(base, requests, connections, seconds, rate, good);
}

/** Throughput with the best tool available here (wrk, else autocannon). */
export function throughput(base: string, requests: SignedRequest[], connections: number, seconds: number, good: Good = 'envelope'): Promise<LoadResult> {
  return hasWrk() ? wrkRun(base, requests, connections, seconds, good) : autocannonRun(base, requests, connections, seconds, undefined, good);
}
