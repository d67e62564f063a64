/**
 * Two campaignd nodes on one database (README "Decisions": Call data, Ids): the 1 s spacing of
 * call-data adds is kept in the database, so it holds across nodes; batch and reservation ids
 * are 13 digits of epoch ms, 9 random digits per process and an 8-digit counter, so two
 * processes never collide.
 */
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { CampaigndClient, type Envelope } from '../src/client/index.js';
import { ManualClock } from '../src/engine/clock.js';
import { serve, stop, type Child } from './child.js';
import { AK, createCampaign, envelopeOf, P, SK, startTestServer, tempDir, type TestServer } from './helpers.js';

describe('two nodes sharing one database', () => {
  const clock = new ManualClock(Date.UTC(2030, 0, 7, 9));
  const dir = tempDir();
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startTestServer({ CAMPAIGND_ENGINE: 'off' }, { clock, dir });
    b = await startTestServer({ CAMPAIGND_ENGINE: 'off' }, { clock, dir });
  });
  after(async () => {
    await a.stop();
    await b.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a call-data add on one node holds the next add on the other for 1 s (0200022), then it is accepted', async () => {
    const cid = await createCampaign(a.client, 1, {}, clock.now());
    const add = async (s: TestServer, called: string) => envelopeOf((await s.client.request('POST', `${P(1)}/calldata/${cid}`, { callDataList: [{ called }] })).body);
    assert.equal((await add(a, '5991001')).resultCode, '0200000');
    clock.advance(999);
    const held = await add(b, '5991002');
    assert.equal(held.resultCode, '0200022', held.resultDesc);
    clock.advance(1);
    assert.equal((await add(b, '5991002')).resultCode, '0200000');
  });

  test('a key added on one node signs requests on the other without a restart; removed, it is refused there too', async () => {
    const ak = 'nodeKeyAK01';
    const sk = 'node-key-secret-0001';
    const onB = new CampaigndClient({ baseUrl: b.url, accessKey: ak, secretKey: sk });
    const status = async () => (await onB.request('GET', `${P(1)}/queryOBSResultCode?pageSize=1&pageNum=1`)).status;
    assert.equal(await status(), 401, 'unknown before it is added');
    await a.keys.put(ak, sk, [1], clock.now());
    // PostgreSQL: at once (NOTIFY); SQLite: within the 2 s reload.
    const until = Date.now() + 10_000;
    while ((await status()) !== 200) {
      assert.ok(Date.now() < until, 'the key added on node a never reached node b');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await a.keys.remove(ak), true);
    while ((await status()) !== 401) {
      assert.ok(Date.now() < until, 'the key removed on node a is still accepted by node b');
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  test('ids of one process: the engine-clock millisecond, the same 9 process digits, a counter that grows', async () => {
    const cid = await createCampaign(a.client, 1, {}, clock.now());
    const ids: string[] = [];
    for (const [s, name] of [
      [a, 'one'],
      [b, 'two'],
      [a, 'three'],
    ] as const) {
      const res = await s.client.request<Envelope & { returnObject: { id: string } }>('POST', `${P(1)}/callbatch/${cid}/create`, { name });
      assert.equal(res.body?.resultCode, '0200000', res.raw);
      ids.push(res.body!.returnObject.id);
    }
    for (const id of ids) {
      assert.match(id, /^[0-9]{30}$/);
      assert.equal(id.slice(0, 13), String(clock.now()), 'the first 13 digits are the epoch ms of the engine clock');
    }
    assert.equal(new Set(ids.map((id) => id.slice(13, 22))).size, 1, 'one process: the same 9 random digits');
    const counters = ids.map((id) => Number(id.slice(22)));
    assert.ok(counters[0]! < counters[1]! && counters[1]! < counters[2]!, `the counter grows: ${counters.join(', ')}`);
  });
});

describe('a second process on the same database', () => {
  let child: Child;
  let s: TestServer;
  const dir = tempDir();
  before(async () => {
    s = await startTestServer({ CAMPAIGND_ENGINE: 'off' }, { dir });
    child = await serve(dir, { CAMPAIGND_ACCESS_KEY: AK, CAMPAIGND_SECRET_KEY: SK, CAMPAIGND_ENGINE: 'off' });
  });
  after(async () => {
    await stop(child, 'SIGTERM');
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('batch ids made by two processes differ in their 9 process digits', async () => {
    const cid = await createCampaign(s.client, 1);
    const other = new CampaigndClient({ baseUrl: child.url, accessKey: AK, secretKey: SK });
    const mine = await s.client.request<Envelope & { returnObject: { id: string } }>('POST', `${P(1)}/callbatch/${cid}/create`, { name: 'here' });
    const theirs = await other.request<Envelope & { returnObject: { id: string } }>('POST', `${P(1)}/callbatch/${cid}/create`, { name: 'there' });
    assert.equal(mine.body?.resultCode, '0200000', mine.raw);
    assert.equal(theirs.body?.resultCode, '0200000', theirs.raw);
    assert.notEqual(mine.body!.returnObject.id.slice(13, 22), theirs.body!.returnObject.id.slice(13, 22));
  });
});
