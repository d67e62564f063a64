/**
 * Issue #8 (settle path): one engine path settles every attempt, and fail codes are normalised
 * once — a webhook CTI's `603` and `appoint/updateResult`'s `603` both become `00603`, `0`
 * becomes `00000` — for call data and automatic reservations alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../src/engine/clock.js';
import { normalizeFailCode } from '../src/domain/obs-codes.js';
import { formatDateTime, startOfUtcDay } from '../src/domain/time.js';
import { campaignBody, envelopeOf, P, startTestServer } from './helpers.js';

test('normalizeFailCode: short numeric codes are padded to the 5-digit OBS form, nothing else changes', () => {
  assert.deepEqual(['0', '603', '0603', '00603', '34608', 'OB99999', '', '6a3'].map(normalizeFailCode), ['00000', '00603', '00603', '00603', '34608', 'OB99999', '', '6a3']);
});

test('a CTI result "603" and an updateResult "603" are both stored as 00603; "0" as 00000', async () => {
  const received: Array<{ callId: string; dataId: number | null; reservationId: string | null }> = [];
  const cti = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as (typeof received)[number]);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => cti.listen(0, '127.0.0.1', r));
  const start = Date.UTC(2030, 0, 7, 8);
  const s = await startTestServer(
    { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_DIALER: 'webhook', CAMPAIGND_WEBHOOK_URL: `http://127.0.0.1:${(cti.address() as AddressInfo).port}/dial` },
    { clock: new ManualClock(start) },
  );
  try {
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await s.client.request(method, path, body);
      const env = envelopeOf(res.body) as ReturnType<typeof envelopeOf> & { returnObject?: Record<string, unknown> };
      assert.equal(env.resultCode, '0200000', `${method} ${path}: ${res.raw}`);
      return env;
    };
    const begin = startOfUtcDay(start);
    const cid = Number(
      (await ok('POST', P(1), campaignBody({ strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 30 * 86400_000), scheduleParam: {} }, begin))).returnObject!
        .id,
    );
    await ok('POST', `/rest/isales/v2/openapi/campaigns/1/calldata/${cid}`, { callDataList: [{ sessionId: 'w1', called: [{ calledNo: '5556001' }] }] });
    const auto = String((await ok('POST', `${P(1)}/appoint/create`, { callType: 2, calledNo: '5556002', taskId: String(cid), appointTime: start + 5 * 60_000 })).returnObject!.id);
    const manual = String(
      (await ok('POST', `${P(1)}/appoint/create`, { callType: 1, calledNo: '5556003', userAccount: 'agent1', taskId: String(cid), appointTime: start + 60_000 })).returnObject!.id,
    );
    await ok('POST', '/campaignd/v1/clock', { advanceMs: 1000 });
    assert.equal(received.length, 2, 'the record and the automatic reservation were handed to the CTI');
    const data = received.find((c) => c.dataId !== null)!;
    const res = received.find((c) => c.reservationId !== null)!;
    await ok('POST', `/campaignd/v1/campaigns/1/calls/${data.callId}/result`, { failCode: '603' });
    await ok('POST', `/campaignd/v1/campaigns/1/calls/${res.callId}/result`, { failCode: '0' });
    await ok('POST', `${P(1)}/appoint/updateResult`, { appointId: manual, failCode: '603' });

    const results = await s.store.db.selectFrom('call_results').select(['call_id', 'fail_code', 'call_status']).where('campaign_id', '=', cid).execute();
    assert.deepEqual(
      results.map((r) => [r.call_id, r.fail_code, r.call_status]).sort(),
      [
        [data.callId, '00603', 5],
        [res.callId, '00000', 6],
      ].sort(),
    );
    const trail = await s.store.db.selectFrom('engine_trail').select(['call_id', 'fail_code']).where('kind', '=', 'settled').where('campaign_id', '=', cid).execute();
    assert.deepEqual(trail.map((t) => t.fail_code).sort(), ['00000', '00603']);
    const rows = await s.store.db.selectFrom('reservations').select(['id', 'fail_code']).where('id', 'in', [auto, manual]).execute();
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.id, r.fail_code])), { [auto]: '00000', [manual]: '00603' });
    // Settled once: a repeated result is refused.
    const again = await s.client.request('POST', `/campaignd/v1/campaigns/1/calls/${data.callId}/result`, { failCode: '603' });
    assert.equal(envelopeOf(again.body).resultCode, '0200001');
  } finally {
    await s.stop();
    await new Promise<void>((r) => cti.close(() => r()));
  }
});
