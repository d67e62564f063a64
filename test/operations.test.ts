/**
 * Operability: Prometheus `/metrics` (HTTP and engine), `/readyz`, request ids, and a SIGTERM
 * under load that loses no acknowledged request.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { CampaigndClient } from '../src/client/index.js';
import { formatDateTime } from '../src/domain/time.js';
import { ManualClock } from '../src/engine/clock.js';
import { databaseEnv, openTestStore } from './pg-target.js';
import { MAIN, ROOT, baseEnv } from './cli-run.js';
import { freePort } from './child.js';
import { AK, SK, P, campaignBody, createCampaign, envelopeOf, startTestServer, tempDir, type TestServer } from './helpers.js';

const HOUR = 3600_000;
const P2 = '/rest/isales/v2/openapi/campaigns/1';

/** The value of one sample line of a Prometheus text exposition (exact label set), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const line = text.split('\n').find((l) =>
    want === ''
      ? l.startsWith(`${name} `)
      : l.startsWith(`${name}{`) &&
        l
          .slice(name.length + 1, l.indexOf('}'))
          .split(',')
          .sort()
          .join(',') === want.split(',').sort().join(','),
  );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function scrape(s: TestServer): Promise<string> {
  const r = await fetch(`${s.url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
  return r.text();
}

describe('/metrics', () => {
  const start = Date.UTC(2030, 0, 7, 8);
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_SIM_MIX: '00603:1' }, { clock: new ManualClock(start) });
  });
  after(async () => s.stop());

  test('HTTP requests by route pattern, status and resultCode, with a latency histogram', async () => {
    const body = campaignBody({ name: 'metrics-1' }, start);
    assert.equal(envelopeOf((await s.client.request('POST', P(1), body)).body).resultCode, '0200000');
    assert.equal(envelopeOf((await s.client.request('POST', P(1), body)).body).resultCode, '0200005');
    assert.equal(envelopeOf((await s.client.request('POST', P(1), body)).body).resultCode, '0200005');
    const unsigned = await fetch(`${s.url}${P(1)}/1`);
    assert.equal(unsigned.status, 401);
    const text = await scrape(s);
    const route = '/rest/isales/v1/openapi/campaigns/:vdnId';
    assert.equal(sample(text, 'campaignd_http_requests_total', { method: 'POST', route, status: '200', result: '0200000' }), 1);
    assert.equal(sample(text, 'campaignd_http_requests_total', { method: 'POST', route, status: '200', result: '0200005' }), 2);
    assert.equal(sample(text, 'campaignd_http_requests_total', { method: 'GET', route: `${route}/:campaignId`, status: '401', result: '0200001' }), 1);
    assert.equal(sample(text, 'campaignd_http_request_duration_seconds_count', { method: 'POST', route }), 3);
    assert.ok(!text.includes('/campaigns/1"'), 'a raw URL leaked into a label');
    assert.ok(sample(text, 'campaignd_process_resident_memory_bytes')! > 0);
  });

  test('engine: queue depth before the pass, dispatches and outcomes after it, engine running', async () => {
    const cid = await createCampaign(s.client, 1, { name: 'metrics-engine', strBeginTime: formatDateTime(start - HOUR), scheduleParam: {} }, start);
    const list = ['13911110001', '13911110002', '13911110003'].map((n, i) => ({ sessionId: `m-${i}`, called: [{ calledNo: n }] }));
    assert.equal(envelopeOf((await s.client.request('POST', `${P2}/calldata/${cid}`, { callDataList: list })).body).resultCode, '0200000');
    let text = await scrape(s);
    assert.equal(sample(text, 'campaignd_queue_depth', { kind: 'call-data' }), 3);
    assert.equal(sample(text, 'campaignd_engine_running'), 1);
    assert.equal(sample(text, 'campaignd_engine_dispatches_total', { kind: 'call-data' }), undefined);

    assert.equal(envelopeOf((await s.client.request('POST', '/campaignd/v1/clock', { advanceMs: 60_000 })).body).resultCode, '0200000');
    text = await scrape(s);
    assert.equal(sample(text, 'campaignd_engine_dispatches_total', { kind: 'call-data' }), 3);
    assert.equal(sample(text, 'campaignd_engine_outcomes_total', { kind: 'call-data', fail_code: '00603' }), 3);
    assert.equal(sample(text, 'campaignd_queue_depth', { kind: 'call-data' }), 0);
    assert.equal(sample(text, 'campaignd_claim_lag_seconds'), 0);
  });
});

describe('claim lag', () => {
  test('grows while due records wait (engine off)', async () => {
    const s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
    try {
      const cid = await createCampaign(s.client, 1, { scheduleParam: {} });
      const add = await s.client.request('POST', `${P2}/calldata/${cid}`, { callDataList: [{ sessionId: 'lag', called: [{ calledNo: '13922220001' }] }] });
      assert.equal(envelopeOf(add.body).resultCode, '0200000');
      await new Promise((r) => setTimeout(r, 1100));
      const text = await scrape(s);
      assert.ok(sample(text, 'campaignd_claim_lag_seconds')! >= 1, text);
      assert.equal(sample(text, 'campaignd_engine_running'), 0);
    } finally {
      await s.stop();
    }
  });
});

describe('/readyz and request ids', () => {
  test('UP with every check while running; DOWN (503) naming the engine once it stops; engine off is ready', async () => {
    const s = await startTestServer();
    try {
      const r = await fetch(`${s.url}/readyz`);
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { status: 'UP', checks: { store: 'ok', migrations: 'ok', engine: 'running' } });
      await s.engine!.stop();
      const down = await fetch(`${s.url}/readyz`);
      assert.equal(down.status, 503);
      assert.deepEqual(await down.json(), { status: 'DOWN', checks: { store: 'ok', migrations: 'ok', engine: 'stopped' } });
    } finally {
      await s.stop();
    }
    const off = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
    try {
      const r = await fetch(`${off.url}/readyz`);
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as { checks: { engine: string } }).checks.engine, 'off');
    } finally {
      await off.stop();
    }
  });

  test('a well-formed x-request-id is echoed; a malformed one is replaced', async () => {
    const s = await startTestServer();
    try {
      const kept = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': 'lb-42.a:b_c-d' } });
      assert.equal(kept.headers.get('x-request-id'), 'lb-42.a:b_c-d');
      for (const bad of ['has space', 'x'.repeat(65), 'inject\\n']) {
        const r = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': bad } });
        assert.match(r.headers.get('x-request-id') ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, bad);
      }
      const none = await fetch(`${s.url}/healthz`);
      assert.match(none.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    } finally {
      await s.stop();
    }
  });
});

describe('SIGTERM under load', () => {
  test('every acknowledged appoint/create is in the store after a graceful stop; exit 0', async () => {
    const dir = tempDir();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', String(port), '--data-dir', dir], {
      cwd: ROOT,
      env: { ...baseEnv(), ...databaseEnv(dir), CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK, CAMPAIGND_LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      const client = new CampaigndClient({ baseUrl: url, accessKey: AK, secretKey: SK });
      let up = false;
      for (let i = 0; i < 600 && !up; i++) {
        up = await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(up, 'server did not become ready');
      const cid = await createCampaign(client, 1);
      const acked: string[] = [];
      let refused = 0;
      let stopping = false;
      const worker = async (w: number) => {
        for (let i = 0; ; i++) {
          try {
            const r = await client.request<{ resultCode: string; returnObject?: { id: string } }>('POST', `${P(1)}/appoint/create`, {
              callType: 1,
              calledNo: `6${String(w).padStart(2, '0')}${String(i).padStart(6, '0')}`,
              userAccount: 'agent01',
              taskId: String(cid),
              appointTime: Date.now() + HOUR,
            });
            if (r.body?.resultCode === '0200000' && r.body.returnObject) acked.push(r.body.returnObject.id);
            else if (r.status === 503) refused++;
            else if (!stopping) assert.fail(`unexpected answer before SIGTERM: ${r.status} ${r.raw}`);
          } catch {
            return; // the server closed: connection refused or reset
          }
          if (i > 5000) return;
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
      while (acked.length < 200) await new Promise((r) => setTimeout(r, 20));
      stopping = true;
      proc.kill('SIGTERM');
      await load;
      assert.equal(await exited, 0);
      assert.ok(acked.length >= 200);

      const store = await openTestStore(dir);
      try {
        const stored = new Set((await store.db.selectFrom('reservations').select('id').execute()).map((r) => String(r.id)));
        const lost = acked.filter((id) => !stored.has(id));
        assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged reservations lost (${refused} answered 503)`);
      } finally {
        await store.close();
      }
    } finally {
      proc.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
