/**
 * A SIP call in flight does not survive a crash, and the recovery never dials it again:
 * campaignd (child process, SIP dialer, manual clock) is killed with SIGKILL while SIPp holds an
 * answered call; after the restart and the lease time the attempt is settled 34608 ("no result
 * received"), the record is finished, and SIPp received exactly one INVITE.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { CampaigndClient, type Envelope } from '../src/client/index.js';
import { formatDateTime } from '../src/domain/time.js';
import { newDir, serve, stop } from './child.js';
import { AK, campaignBody, P, SK } from './helpers.js';
import { CAMPAIGND_SIP_HOST, startSipp, type Peer } from './sip-helpers.js';

let sipp: (Peer & { messages(): string }) | null = null;
after(async () => sipp?.stop());

test('kill -9 during a SIP call, restart: settled 34608, never dialled again', async () => {
  // Two calls allowed, so that a second INVITE would be seen (and counted) rather than refused.
  sipp = await startSipp({ scenario: 'answer.xml', calls: 2, vars: { byevia: '.' }, traceMessages: true });
  const dir = newDir();
  const env = {
    CAMPAIGND_ACCESS_KEY: AK,
    CAMPAIGND_SECRET_KEY: SK,
    CAMPAIGND_CLOCK: 'manual',
    CAMPAIGND_DIALER: 'sip',
    CAMPAIGND_SIP_TRUNK: `sip:${sipp.host}:${sipp.port}`,
    CAMPAIGND_SIP_BIND: CAMPAIGND_SIP_HOST,
    CAMPAIGND_SIP_PORT: '0',
    CAMPAIGND_SIP_TALK_SECONDS: '30',
    CAMPAIGND_ATTEMPT_LEASE_SECONDS: '160',
  };
  let child = await serve(dir, env);
  let client = new CampaigndClient({ baseUrl: child.url, accessKey: AK, secretKey: SK });
  const now = (await client.request<Envelope & { returnObject: { now: number } }>('GET', '/campaignd/v1/clock')).body!.returnObject.now;
  const begin = now - (now % 86400_000);
  const c = await client.request<Envelope & { returnObject: { id: number } }>(
    'POST',
    P(1),
    campaignBody({ strBeginTime: formatDateTime(begin), strEndTime: formatDateTime(begin + 30 * 86400_000), scheduleParam: {} }, now),
  );
  const cid = c.body!.returnObject.id;
  const add = await client.request<Envelope & { returnObject: { dataIdList: Array<{ dataId: number }> } }>('POST', `/rest/isales/v2/openapi/campaigns/1/calldata/${cid}`, {
    callDataList: [{ sessionId: 'x1', called: [{ calledNo: '13911112222' }] }],
  });
  assert.equal(add.body?.resultCode, '0200000', add.raw);
  const dataId = add.body!.returnObject.dataIdList[0]!.dataId;

  const moved = await client.request<Envelope>('POST', '/campaignd/v1/clock', { advanceMs: 1000 });
  assert.equal(moved.body?.resultCode, '0200000', moved.raw);
  // The call is answered within a few hundred ms (answer.xml rings 200 ms) and held for 30 s.
  const deadline = Date.now() + 15_000;
  while (!/^ACK sip:/m.test(sipp.messages()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.match(sipp.messages(), /^ACK sip:/m, 'the call was answered and ACKed before the kill');
  await stop(child, 'SIGKILL');

  child = await serve(dir, env);
  client = new CampaigndClient({ baseUrl: child.url, accessKey: AK, secretKey: SK });
  const later = await client.request<Envelope>('POST', '/campaignd/v1/clock', { advanceMs: 161_000 });
  assert.equal(later.body?.resultCode, '0200000', later.raw);

  const list = await client.request<Envelope & { data: Array<{ called: string; failCode: string; callId: string }> }>('POST', `${P(1)}/callresult/${cid}`, {});
  assert.deepEqual(
    list.body!.data.map((d) => [d.called, d.failCode]),
    [['13911112222', '34608']],
  );
  const trail = await client.request<Envelope & { returnObject: { state: string; entries: Array<{ kind: string }> } }>(
    'GET',
    `/campaignd/v1/campaigns/1/${cid}/calldata/${dataId}/trail`,
  );
  const kinds = JSON.stringify(trail.body);
  assert.equal((kinds.match(/"dialled"/g) ?? []).length, 1, `dialled once: ${kinds}`);
  const sip = await client.request<Envelope>('GET', `/campaignd/v1/campaigns/1/calls/${list.body!.data[0]!.callId}/sip`);
  assert.equal(sip.body?.resultCode, '0200001', 'the killed process never finished the SIP call record');
  await stop(child, 'SIGTERM');
  // SIPp's view: one INVITE in all.
  assert.equal((sipp.messages().match(/^INVITE sip:/gm) ?? []).length, 1, 'SIPp received exactly one INVITE');
});
