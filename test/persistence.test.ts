/**
 * Durability through the real CLI: `campaignd serve` as a child process on a data directory,
 * killed with SIGKILL right after the last acknowledged write (or stopped with SIGTERM), then
 * restarted on the same directory. Everything that was acknowledged must still be there.
 */
import { test, describe } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { newDir, serve, stop } from './child.js';
import assert from 'node:assert/strict';
import { CampaigndClient, type Envelope } from '../src/client/index.js';
import { AK, SK, P, campaignBody, createBatch, createCampaign, envelopeOf } from './helpers.js';
import { TEST_PG_URL } from './pg-target.js';

interface Acknowledged {
  campaignId: number;
  batchId: string;
  appointIds: string[];
  callerNos: Array<{ accessCode: string; priority: number }>;
  obsCodes: string[];
  defId: string;
  dataIds: number[];
  policyJson: string;
  /** The one call the engine made in the open campaign, as callresult listed it before the stop. */
  callResult: { openCampaignId: number; callId: string; called: string; failCode: string };
}

type Env = Envelope & Record<string, unknown>;
async function okCall(client: CampaigndClient, method: string, path: string, body?: unknown): Promise<Env> {
  const res = await client.request<Env>(method, path, body);
  assert.equal(envelopeOf(res.body).resultCode, '0200000', `${method} ${path}: ${res.raw}`);
  return res.body!;
}

/** Creates one of everything; every call must be acknowledged with 0200000. */
async function createEverything(client: CampaigndClient, tag: string): Promise<Acknowledged> {
  const campaignId = await createCampaign(client, 1, { name: `persist-${tag}` });
  const batchId = await createBatch(client, 1, campaignId, `batch-${tag}`, 1);
  const appointIds: string[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await client.createAppointment(1, {
      callType: 1,
      calledNo: `1380000000${i}`,
      userAccount: `agent${i}`,
      taskId: String(campaignId),
      appointTime: Date.now() + 3_600_000,
    });
    assert.equal(res.body?.resultCode, '0200000', res.raw);
    appointIds.push(res.body!.returnObject!.id);
  }
  const callerNos = [
    { accessCode: '5002001', priority: 1 },
    { accessCode: '5002002', priority: 2 },
    { accessCode: '5002003', priority: 5 },
  ];
  const cn = await client.addCallerNumbers(1, campaignId, { callerNo: callerNos });
  assert.equal(cn.body?.resultCode, '0200000', cn.raw);
  const obsCodes = ['00602', '00603'];
  const ob = await client.createObResult(1, { displayResult: `No answer ${tag}`, obsCodes });
  assert.equal(ob.body?.resultCode, '0200000', ob.raw);

  // A campaign open all day whose one record the engine dials at once (the simulated dialer
  // answers 00000): its call result is acknowledged once the callresult interface lists it.
  const open = await createCampaign(client, 1, { name: `open-${tag}`, scheduleParam: {} });
  await okCall(client, 'POST', `/rest/isales/v2/openapi/campaigns/1/calldata/${open}`, { callDataList: [{ sessionId: 'dialled', called: [{ calledNo: '13911110000' }] }] });
  const deadline = Date.now() + 30_000;
  let listed: Array<{ callId: string; called: string; failCode: string }> = [];
  while (listed.length === 0) {
    assert.ok(Date.now() < deadline, 'the engine dialled the record within 30 s');
    await new Promise((r) => setTimeout(r, 100));
    listed = (await okCall(client, 'POST', `${P(1)}/callresult/${open}`, {})).data as typeof listed;
  }
  assert.equal(listed.length, 1);

  const data = await okCall(client, 'POST', `/rest/isales/v2/openapi/campaigns/1/calldata/${campaignId}`, {
    batchId,
    callDataList: [
      { sessionId: `a-${tag}`, called: [{ calledNo: '13922220001' }, { calledNo: '13922220002', delayTime: 60 }] },
      { sessionId: `b-${tag}`, called: [{ calledNo: '13922220003' }] },
    ],
  });
  const dataIds = (data.returnObject as { dataIdList: Array<{ dataId: number }> }).dataIdList.map((d) => Number(d.dataId));
  await okCall(client, 'POST', `${P(1)}/blocklist/add`, { blocklist: ['13933330000'], restrictTimes: 2, restrictPeriod: '1' });
  const policyJson = '[{"type":0,"retryDay":2,"retryTimes":3}]';
  await okCall(client, 'POST', `${P(1)}/retryPolicy/${campaignId}`, { policyType: 0, policyJson, noRetryPolicy: [] });
  await okCall(client, 'POST', `${P(1)}/holiday/${campaignId}`, { name: `Christmas ${tag}`, type: 3, beginTime: '12-24', endTime: '12-26' });
  return {
    campaignId,
    batchId,
    appointIds,
    callerNos,
    obsCodes,
    defId: String(ob.body!.defId),
    dataIds,
    policyJson,
    callResult: { openCampaignId: open, callId: listed[0]!.callId, called: listed[0]!.called, failCode: listed[0]!.failCode },
  };
}

/** Everything acknowledged before the stop is visible after the restart. */
async function assertAllThere(client: CampaigndClient, ack: Acknowledged, tag: string): Promise<void> {
  const details = await client.getCampaign(1, ack.campaignId);
  assert.equal(details.body?.resultCode, '0200000', details.raw);
  const obj = details.body!.returnObject!;
  assert.equal(obj.name, `persist-${tag}`);
  const pool = (obj.callerNo as Array<{ accessCode: string; priority: number }>).map((c) => ({ accessCode: c.accessCode, priority: Number(c.priority) }));
  for (const n of ack.callerNos) {
    assert.ok(
      pool.some((p) => p.accessCode === n.accessCode && p.priority === n.priority),
      `calling number ${n.accessCode} (priority ${n.priority}) is in the pool after restart: ${JSON.stringify(pool)}`,
    );
  }

  const pause = await client.pauseBatch(1, ack.campaignId, { id: ack.batchId });
  assert.equal(envelopeOf(pause.body).resultCode, '0200000', `pausing the batch after restart: ${pause.raw}`);

  for (const [i, appointId] of ack.appointIds.entries()) {
    const res = await client.updateAppointmentResult(1, { appointId, userAccount: `agent${i}`, failCode: '00000' });
    assert.equal(envelopeOf(res.body).resultCode, '0200000', `updateResult on reservation ${appointId}: ${res.raw}`);
  }

  // Call data, with its numbers and their delay.
  for (const [i, dataId] of ack.dataIds.entries()) {
    const d = (await okCall(client, 'GET', `${P(1)}/calldata/${ack.campaignId}/${dataId}`)).data as { calledNos: Array<{ calledNo: string }> };
    assert.deepEqual(
      d.calledNos.map((n) => n.calledNo),
      i === 0 ? ['13922220001', '13922220002'] : ['13922220003'],
      `record ${dataId}`,
    );
  }
  // The blocklist entry in its frequency-limited mode.
  const bl = (await okCall(client, 'POST', `${P(1)}/blocklist/query`, { blocklist: ['13933330000'] })).data as Array<Record<string, unknown>>;
  assert.equal(bl.length, 1, JSON.stringify(bl));
  assert.deepEqual([bl[0]!.restrictTimes, String(bl[0]!.restrictPeriod)], [2, '1']);
  // The retry policy and the special date.
  assert.equal(((await okCall(client, 'GET', `${P(1)}/retryPolicy/${ack.campaignId}`)).data as { policyJson: string }).policyJson, ack.policyJson);
  const dates = (await okCall(client, 'GET', `${P(1)}/holiday/${ack.campaignId}`)).data as Array<{ name: string; type: number; beginTime: string; endTime: string }>;
  assert.deepEqual(
    dates.map((d) => [d.name, d.type, d.beginTime, d.endTime]),
    [[`Christmas ${tag}`, 3, '12-24', '12-26']],
  );
  // The call result the engine had recorded.
  const cr = ack.callResult;
  const listed = (await okCall(client, 'POST', `${P(1)}/callresult/${cr.openCampaignId}`, {})).data as Array<{ callId: string; called: string; failCode: string }>;
  assert.deepEqual(
    listed.map((r) => [r.callId, r.called, r.failCode]),
    [[cr.callId, cr.called, cr.failCode]],
    'the result is kept and the record is not dialled again',
  );

  const again = await client.createObResult(1, { displayResult: `again ${tag}`, obsCodes: ack.obsCodes });
  const env = envelopeOf(again.body);
  assert.equal(env.resultCode, '0200001', `the OBS codes are already mapped: ${again.raw}`);
  assert.match(env.resultDesc, /already/i);
  assert.match(
    env.resultDesc,
    new RegExp(`^parameter OBS code 0060[23] is already mapped to external result ${ack.defId}$|OBS code 0060[23] is already mapped to external result ${ack.defId}$`),
  );
}

describe('persistence across restarts of `campaignd serve`', () => {
  test('SIGKILL right after the last acknowledged write loses nothing', async () => {
    const dir = newDir();
    const first = await serve(dir);
    const client = new CampaigndClient({ baseUrl: first.url, accessKey: AK, secretKey: SK });
    const ack = await createEverything(client, 'kill9');
    // No pause: the kill follows the last 0200000 at once.
    first.proc.kill('SIGKILL');
    const ended = await first.exited;
    assert.equal(ended.signal, 'SIGKILL');

    const second = await serve(dir);
    try {
      const client2 = new CampaigndClient({ baseUrl: second.url, accessKey: AK, secretKey: SK });
      await assertAllThere(client2, ack, 'kill9');
    } finally {
      await stop(second, 'SIGTERM');
    }
  });

  test('SIGKILL in the middle of concurrent appoint/create load loses no acknowledged reservation (group commit)', async () => {
    const dir = newDir();
    const first = await serve(dir);
    const client = new CampaigndClient({ baseUrl: first.url, accessKey: AK, secretKey: SK });
    const campaignId = await createCampaign(client, 1, { name: 'persist-load' });
    const acked: string[] = [];
    let n = 0;
    let killed = false;
    // 16 clients creating as fast as they are answered (so requests share commits); the kill
    // comes while requests are in flight, right after the 200th acknowledgement.
    const worker = async () => {
      while (!killed) {
        const i = n++;
        try {
          const res = await client.createAppointment(1, { callType: 2, calledNo: String(13700000000 + i), taskId: String(campaignId), appointTime: Date.now() + 3_600_000 });
          // An answer that arrived is acknowledged, even one sent in the instant before the kill.
          if (res.body?.resultCode === '0200000') acked.push(res.body.returnObject!.id);
        } catch {
          /* the connection died with the process: not acknowledged */
        }
        if (acked.length >= 200 && !killed) {
          killed = true;
          first.proc.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const ended = await first.exited;
    assert.equal(ended.signal, 'SIGKILL');
    assert.ok(acked.length >= 200);

    const second = await serve(dir);
    try {
      const client2 = new CampaigndClient({ baseUrl: second.url, accessKey: AK, secretKey: SK });
      const stored = new Set<string>();
      for (let offset = 0; ; offset += 100) {
        const page = await client2.request<Envelope & { totalCount?: number; data?: Array<{ appointId: string }> }>('POST', `${P(1)}/appoint/list`, {
          taskId: String(campaignId),
          offset,
          limit: 100,
        });
        assert.equal(page.body?.resultCode, '0200000', page.raw);
        for (const r of page.body!.data ?? []) stored.add(r.appointId);
        if ((page.body!.data ?? []).length < 100) break;
      }
      const missing = acked.filter((id) => !stored.has(id));
      assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged reservations are gone`);
    } finally {
      await stop(second, 'SIGTERM');
    }
  });

  test('SIGTERM shuts down gracefully (exit 0) and the state survives', async () => {
    const dir = newDir();
    const first = await serve(dir);
    const client = new CampaigndClient({ baseUrl: first.url, accessKey: AK, secretKey: SK });
    const ack = await createEverything(client, 'term');
    const ended = await stop(first, 'SIGTERM');
    assert.deepEqual(ended, { code: 0, signal: null }, `stderr: ${first.stderr()}`);

    const second = await serve(dir);
    try {
      const client2 = new CampaigndClient({ baseUrl: second.url, accessKey: AK, secretKey: SK });
      await assertAllThere(client2, ack, 'term');
      // new objects get fresh ids after the restart
      const dup = await createCampaign(client2, 1, { name: 'after-restart' });
      assert.ok(dup > ack.campaignId, 'campaign ids keep increasing across restarts');
    } finally {
      const e2 = await stop(second, 'SIGTERM');
      assert.equal(e2.code, 0);
    }
  });

  test('a generated key is printed once on first start, not again, and it works', async () => {
    const dir = newDir();
    const first = await serve(dir, {});
    // The key is printed before the server listens, but a pipe may deliver it a moment later.
    const deadline = Date.now() + 5_000;
    while (!/CAMPAIGND_SECRET_KEY=\S+/.test(first.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // On standard error: standard output is the log (JSON lines), which must never carry it.
    const out1 = first.stderr();
    const ak = /^\s*CAMPAIGND_ACCESS_KEY=(\S+)\s*$/m.exec(out1)?.[1];
    const sk = /^\s*CAMPAIGND_SECRET_KEY=(\S+)\s*$/m.exec(out1)?.[1];
    assert.ok(ak && sk, `no generated key in stderr:\n${out1}`);
    assert.equal(out1.split('CAMPAIGND_SECRET_KEY=').length - 1, 1, 'printed exactly once');
    // The log (standard output) never carries the secret.
    assert.ok(!first.stdout().includes(sk), 'the secret reached the log');
    // The log line may come through its pipe a moment after the server answers: wait for it (bounded).
    for (const until = Date.now() + 10_000; !first.stdout().includes('campaignd listening') && Date.now() < until; ) await new Promise((r) => setTimeout(r, 20));
    assert.ok(first.stdout().includes('campaignd listening'), 'the log is on standard output');

    const c1 = new CampaigndClient({ baseUrl: first.url, accessKey: ak, secretKey: sk });
    const r1 = await c1.request<Envelope & { returnObject?: { id: number } }>('POST', P(1), campaignBody({ name: 'gen-1' }));
    assert.equal(r1.status, 200, r1.raw);
    assert.equal(r1.body?.resultCode, '0200000', r1.raw);
    // a wrong secret with that AK is refused
    const bad = await new CampaigndClient({ baseUrl: first.url, accessKey: ak, secretKey: sk + 'x' }).request('POST', P(1), campaignBody({ name: 'gen-x' }));
    assert.equal(bad.status, 401);
    assert.equal((await stop(first, 'SIGTERM')).code, 0);

    const dbFile = path.join(dir, 'campaignd.db');
    if (TEST_PG_URL === undefined) assert.equal(fs.statSync(dbFile).mode & 0o077, 0, 'the database holds secrets: owner-only permissions');
    // On PostgreSQL (CAMPAIGND_DATABASE_URL) nothing is written to a SQLite file.
    else assert.equal(fs.existsSync(dbFile), false, 'a SQLite file was written although CAMPAIGND_DATABASE_URL is set');

    const second = await serve(dir, {});
    try {
      const c2 = new CampaigndClient({ baseUrl: second.url, accessKey: ak, secretKey: sk });
      const r2 = await c2.getCampaign(1, r1.body!.returnObject!.id);
      assert.equal(r2.body?.resultCode, '0200000', `the generated key still works after a restart: ${r2.raw}`);
      // A generated key would be printed before the "campaignd listening" log line; wait for that
      // line (and fail if it never comes), so the check below does not rest on a sleep.
      const until = Date.now() + 5_000;
      while (!second.stdout().includes('campaignd listening')) {
        assert.ok(Date.now() < until, `no "campaignd listening" line within 5 s:\n${second.stdout()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(!second.stdout().includes('CAMPAIGND_SECRET_KEY='), `a key was printed again:\n${second.stdout()}`);
      assert.ok(!second.stdout().includes(sk) && !second.stderr().includes(sk));
    } finally {
      await stop(second, 'SIGTERM');
    }
  });
});
