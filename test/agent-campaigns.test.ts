/**
 * Agent (skill-queue) campaigns through the full stack: HTTP, the engine on the manual clock,
 * SQLite, the simulated dialer and its simulated agent pool (engine/agent-desk.ts). Short
 * rehearsals (hundreds of records, hours); the week of 100,000 records runs as a simulation of the
 * same domain modules in dialing-simulation.test.ts and `npm run bench:agents`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ManualClock } from '../src/engine/clock.js';
import { envelopeOf, startTestServer, type TestServer } from './helpers.js';
import { addData, advance, campaign, DAY, HOUR, MIN, ok, results, SEC } from './engine-helpers.js';

const start = Date.UTC(2030, 5, 3, 9); // Monday 09:00 UTC
const numbers = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
const skill = (deviceType: number, skillId: number) => ({ deviceType, ivrParam: undefined, skillParam: { skillId, skillName: 'Voice Skill Queue', outBoundType: 2 } });

async function progress(s: TestServer, cid: number) {
  return (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/progress`)).returnObject as Record<string, unknown> & {
    agentCampaign?: { mode: string; agents: Record<string, number>; answered: number; abandoned: number; abandonRate: number; target: number; occupancy: number };
  };
}

/** Calls started at the same instant, largest group. */
function largestBurst(rows: Array<{ created_at: number | string }>): number {
  const m = new Map<number, number>();
  for (const r of rows) m.set(Number(r.created_at), (m.get(Number(r.created_at)) ?? 0) + 1);
  return Math.max(0, ...m.values());
}

describe('skill-queue campaigns with 5 simulated agents, 30 % answered', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(
      { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_CALLDATA_MAX: '10000', CAMPAIGND_SIM_MIX: '00000:30,00603:70', CAMPAIGND_SIM_AGENTS: '5', CAMPAIGND_SIM_AGENT_TALK_SECONDS: '60-240' },
      { clock: new ManualClock(start) },
    );
  });
  after(async () => s.stop());

  test('progressive (deviceType 6): one call per free agent, never an abandoned call', async () => {
    const cid = await campaign(s, skill(6, 61));
    await addData(s, cid, numbers('5710', 200));
    await advance(s, 2 * HOUR);
    const rows = await results(s, { campaignId: cid });
    assert.ok(rows.length > 50, `dialled ${rows.length}`);
    assert.equal(largestBurst(rows), 5, 'the first burst is one call per agent');
    assert.equal(rows.filter((r) => r.fail_code === '01046').length, 0);
    const p = await progress(s, cid);
    assert.equal(p.agentCampaign?.mode, 'progressive');
    assert.equal(p.agentCampaign?.abandoned, 0);
    assert.ok((p.agentCampaign?.answered ?? 0) > 10);
    assert.equal(
      Object.values(p.agentCampaign!.agents).reduce((a, b) => a + b, 0),
      5,
    );
  });

  test('predictive (deviceType 2): busier agents than progressive over the same time, abandon rate ≤ 3 %', async () => {
    const prog = await campaign(s, skill(6, 71));
    const pred = await campaign(s, skill(2, 72));
    await addData(s, prog, numbers('5720', 300));
    await addData(s, pred, numbers('5730', 300));
    await advance(s, 30 * MIN);
    const a = await results(s, { campaignId: prog });
    const b = await results(s, { campaignId: pred });
    // Predictive keeps the agents busier (answered calls, occupancy) than progressive over the same list.
    const q = await progress(s, prog);
    assert.ok(b.filter((r) => r.fail_code === '00000').length >= a.filter((r) => r.fail_code === '00000').length);
    const p = await progress(s, pred);
    assert.equal(p.agentCampaign?.mode, 'predictive');
    assert.ok(p.agentCampaign!.answered > 10, `answered ${p.agentCampaign!.answered}`);
    assert.ok(p.agentCampaign!.abandonRate <= 0.03, `rate ${p.agentCampaign!.abandonRate}`);
    assert.equal(p.agentCampaign!.abandoned, b.filter((r) => r.fail_code === '01046').length);
    assert.ok(
      p.agentCampaign!.occupancy > q.agentCampaign!.occupancy && p.agentCampaign!.occupancy <= 1,
      `occupancy ${p.agentCampaign!.occupancy} > ${q.agentCampaign!.occupancy}`,
    );
    // The same numbers in /metrics.
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, new RegExp(`campaignd_agent_answered_calls\\{campaign_id="${pred}"\\} ${p.agentCampaign!.answered}\\n`));
    assert.match(metrics, new RegExp(`campaignd_agent_abandon_rate\\{campaign_id="${pred}"\\} ${p.agentCampaign!.abandonRate}\\n`));
    assert.match(metrics, new RegExp(`campaignd_agent_agents\\{campaign_id="${pred}",state="talking"\\} ${p.agentCampaign!.agents.talking}\\n`));
  });

  test('preview (deviceType 5): nothing is dialled but what an agent accepted', async () => {
    const cid = await campaign(s, skill(5, 81));
    const ids = await addData(s, cid, numbers('5740', 10));
    await advance(s, 10 * MIN);
    assert.equal((await results(s, { campaignId: cid })).length, 0, 'the engine dials nothing by itself');
    assert.equal((await progress(s, cid)).agentCampaign?.mode, 'preview');
    const accepted: string[] = [];
    const offered: string[] = [];
    for (let i = 0; i < 12; i++) {
      const next = (await ok(s, 'POST', `/campaignd/v1/campaigns/1/${cid}/preview/next`, { agentId: 'agent.7' })).returnObject as {
        record: { dataId: number; calledNo: string } | null;
      };
      if (!next.record) break;
      offered.push(String(next.record.dataId));
      // The agent calls every other record and skips the rest.
      const decision = i % 2 === 0 ? 'call' : 'skip';
      const r = await ok(s, 'POST', `/campaignd/v1/campaigns/1/${cid}/preview/${next.record.dataId}`, { agentId: 'agent.7', decision });
      if (decision === 'call') {
        assert.ok((r.returnObject as { callId: string | null }).callId);
        accepted.push(next.record.calledNo);
      }
      await advance(s, 5 * MIN);
    }
    assert.deepEqual([...offered].sort(), [...ids].sort(), 'every record was offered once');
    const dialled = (await results(s, { campaignId: cid })).map((r) => r.called_no);
    assert.deepEqual([...dialled].sort(), [...accepted].sort());
    assert.equal(dialled.length, 5);
    assert.equal((await results(s, { campaignId: cid })).filter((r) => r.fail_code === '01046').length, 0);
    // Nothing left; a decision on a record not on offer, or a preview call on another mode, is refused.
    const none = (await ok(s, 'POST', `/campaignd/v1/campaigns/1/${cid}/preview/next`, { agentId: 'agent.7' })).returnObject as { record: unknown };
    assert.equal(none.record, null);
    const late = await s.client.request('POST', `/campaignd/v1/campaigns/1/${cid}/preview/${ids[0]}`, { agentId: 'agent.7', decision: 'call' });
    assert.equal(envelopeOf(late.body).resultCode, '0200001');
    const other = await campaign(s, skill(6, 82));
    const wrong = await s.client.request('POST', `/campaignd/v1/campaigns/1/${other}/preview/next`, { agentId: 'agent.7' });
    assert.equal(envelopeOf(wrong.body).resultCode, '0200001');
  });

  test('agents reported by the CTI: stored, listed, bad states refused', async () => {
    await ok(s, 'POST', '/campaignd/v1/agents/1/99', {
      agents: [
        { agentId: 'a1', state: 'ready' },
        { agentId: 'a2', state: 'talking' },
      ],
    });
    await ok(s, 'POST', '/campaignd/v1/agents/1/99', { agents: [{ agentId: 'a2', state: 'wrap-up' }] });
    const r = await ok(s, 'GET', '/campaignd/v1/agents/1/99');
    const list = (r.returnObject as { agents: Array<{ agentId: string; state: string }> }).agents;
    assert.deepEqual(
      list.map((a) => [a.agentId, a.state]),
      [
        ['a1', 'ready'],
        ['a2', 'wrap-up'],
      ],
    );
    const bad = await s.client.request('POST', '/campaignd/v1/agents/1/99', { agents: [{ agentId: 'a3', state: 'sleeping' }] });
    assert.equal(bad.status, 200);
    assert.notEqual(envelopeOf(bad.body).resultCode, '0200000');
  });
});

describe('abandoned calls: 01046, the hand-off event, and the 72 h quiet period', () => {
  let s: TestServer;
  before(async () => {
    // Every call answered, one agent and a lax target: the predictive controller does abandon some calls.
    s = await startTestServer(
      { CAMPAIGND_CLOCK: 'manual', CAMPAIGND_CALLDATA_MAX: '10000', CAMPAIGND_SIM_MIX: '00000:1', CAMPAIGND_SIM_AGENTS: '2', CAMPAIGND_ABANDON_TARGET_PERCENT: '50' },
      { clock: new ManualClock(start) },
    );
  });
  after(async () => s.stop());

  test('an abandoned number is held by abandon-quiet for 72 h, in the trail, then dialled', async () => {
    const handoffs: string[] = [];
    s.engine!.events.on('call:abandoned', (e) => handoffs.push(`${e.calledNo}:${e.handoff}`));
    const cid = await campaign(s, skill(2, 91));
    await addData(s, cid, numbers('5750', 60));
    await advance(s, 2 * HOUR);
    const abandoned = (await results(s, { campaignId: cid })).filter((r) => r.fail_code === '01046');
    assert.ok(abandoned.length > 0, 'some calls were abandoned');
    const p = await progress(s, cid);
    assert.ok(p.agentCampaign!.abandonRate <= 0.5);
    assert.equal(handoffs.length, abandoned.length);
    assert.ok(handoffs.every((h) => h.endsWith(':recorded-message')));
    // The same number in a new record: held until 72 h after the abandon.
    const number = abandoned[0]!.called_no;
    const abandonedAt = Number(abandoned[0]!.created_at);
    const [dataId] = await addData(s, cid, [number]);
    await advance(s, MIN);
    const trail = (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/calldata/${dataId}/trail`)).returnObject as {
      decisions: Array<{ kind: string; gate: string | null; until: number | null }>;
    };
    const held = trail.decisions.find((e) => e.gate === 'abandon-quiet');
    assert.ok(held, JSON.stringify(trail));
    assert.ok(held.until! >= abandonedAt + 72 * HOUR && held.until! <= abandonedAt + 72 * HOUR + 60_000, `until ${held.until}`);
    // The abandoned attempt's own trail carries the campaign's numbers.
    const first = (await ok(s, 'GET', `/campaignd/v1/campaigns/1/${cid}/calldata/${abandoned[0]!.data_id}/trail`)).returnObject as {
      decisions: Array<{ kind: string; failCode: string | null; detail: string | null }>;
    };
    assert.ok(
      first.decisions.some((d) => d.kind === 'note' && d.failCode === '01046' && /abandon rate \d+\.\d\d %/.test(d.detail ?? '')),
      JSON.stringify(first.decisions),
    );
    assert.equal((await results(s, { calledNo: number })).length, 1);
    await advance(s, 3 * DAY);
    assert.equal((await results(s, { calledNo: number })).length, 2);
  });
});

describe('automatic reservations of a skill-queue campaign wait for a free agent', () => {
  let s: TestServer;
  before(async () => {
    // One agent, every call answered, 60 s talks, and a lax target that lets the predictive controller over-dial call data.
    s = await startTestServer(
      {
        CAMPAIGND_CLOCK: 'manual',
        CAMPAIGND_SIM_MIX: '00000:1',
        CAMPAIGND_SIM_AGENTS: '1',
        CAMPAIGND_SIM_AGENT_TALK_SECONDS: '60-60',
        CAMPAIGND_ABANDON_TARGET_PERCENT: '50',
      },
      { clock: new ManualClock(start) },
    );
  });
  after(async () => s.stop());

  test('four due together are dialled one at a time, as the agent frees up: none abandoned', async () => {
    const cid = await campaign(s, skill(2, 95));
    const appointTime = start + 10 * MIN;
    const ids: string[] = [];
    for (const n of numbers('5790', 4)) {
      const r = (await ok(s, 'POST', '/rest/isales/v1/openapi/campaigns/1/appoint/create', { callType: 2, calledNo: n, taskId: String(cid), appointTime })).returnObject as {
        id: string;
      };
      ids.push(r.id);
    }
    await advance(s, HOUR);
    const rows = (await results(s, { campaignId: cid })).filter((r) => r.reservation_id !== null);
    assert.deepEqual(rows.map((r) => r.reservation_id).sort(), [...ids].sort());
    assert.equal(rows.filter((r) => r.fail_code === '01046').length, 0, JSON.stringify(rows.map((r) => r.fail_code)));
    const calls = rows.map((r) => [Number(r.call_begin_time), Number(r.call_end_time)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < calls.length; i++) assert.ok(calls[i]![0] >= calls[i - 1]![1], `call ${i} began before the one agent was free: ${JSON.stringify(calls)}`);
    const p = await progress(s, cid);
    assert.equal(p.agentCampaign?.answered, 4);
    assert.equal(p.agentCampaign?.abandoned, 0);
  });
});

describe('with the webhook dialer: agents from the CTI, the abandon rule in each request', () => {
  let s: TestServer;
  let cti: http.Server;
  const got: Array<Record<string, unknown>> = [];
  before(async () => {
    cti = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => cti.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(cti.address() as AddressInfo).port}/dial`;
    s = await startTestServer({ CAMPAIGND_CLOCK: 'manual', CAMPAIGND_DIALER: 'webhook', CAMPAIGND_WEBHOOK_URL: url }, { clock: new ManualClock(start) });
  });
  after(async () => {
    await s.stop();
    cti.closeAllConnections();
    await new Promise<void>((r) => cti.close(() => r()));
  });

  test('progressive dials one call per ready agent the CTI reports; results 00000 / 01046 feed the abandon rate', async () => {
    const cid = await campaign(s, skill(6, 55));
    await addData(s, cid, numbers('5760', 10));
    await advance(s, MIN);
    assert.equal(got.length, 0, 'no agent reported: nothing dialled');
    await ok(s, 'POST', '/campaignd/v1/agents/1/55', {
      agents: [
        { agentId: 'w1', state: 'ready' },
        { agentId: 'w2', state: 'ready' },
        { agentId: 'w3', state: 'ready' },
        { agentId: 'w4', state: 'talking' },
      ],
    });
    await advance(s, SEC);
    await advance(s, 10 * SEC);
    assert.equal(got.length, 3, 'one call per ready agent, none while they are in progress');
    assert.deepEqual(got[0]!.agentQueue, { skillId: 55, mode: 'progressive', abandonGraceMs: 2000, onAbandon: 'recorded-message' });
    const t = s.clock.now();
    const [a, b] = got as Array<{ resultPath: string }>;
    await ok(s, 'POST', a!.resultPath, { failCode: '01046', ackBeginTime: t - 9000, callBeginTime: t - 2000, callEndTime: t });
    await ok(s, 'POST', b!.resultPath, { failCode: '00000', ackBeginTime: t - 9000, callBeginTime: t - 3000, callEndTime: t });
    const p = await progress(s, cid);
    assert.equal(p.agentCampaign?.answered, 2);
    assert.equal(p.agentCampaign?.abandoned, 1);
    assert.equal(p.agentCampaign?.abandonRate, 0.5);
    assert.deepEqual(p.agentCampaign?.agents, { ready: 3, reserved: 0, talking: 1, 'wrap-up': 0, offline: 0 });
  });

  test('a CTI result and its abandon commit together: a failure after the agent_calls write leaves neither (issue #16 settle window)', async () => {
    const cid = await campaign(s, skill(6, 56));
    await addData(s, cid, numbers('5761', 1));
    await ok(s, 'POST', '/campaignd/v1/agents/1/56', { agents: [{ agentId: 'v1', state: 'ready' }] });
    await advance(s, SEC);
    await advance(s, 10 * SEC);
    const mine = got.filter((g) => g.campaignId === cid) as Array<{ resultPath: string }>;
    assert.equal(mine.length, 1, 'one call for the one ready agent');
    const { resultPath } = mine[0]!;
    const desk = s.engine!.agents!;
    const settled = desk.settled.bind(desk);
    let writes = 0;
    // Injected failure after the abandon accounting is written, before the settle commits.
    desk.settled = async (...args: Parameters<typeof desk.settled>) => {
      await settled(...args);
      writes++;
      throw new Error('injected failure between the agent_calls write and the commit');
    };
    const t = s.clock.now();
    const outcome = { failCode: '01046', ackBeginTime: t - 9000, callBeginTime: t - 2000, callEndTime: t };
    const state = async () => ({
      record: (await s.store.db.selectFrom('call_data').select('state').where('campaign_id', '=', cid).executeTakeFirstOrThrow()).state,
      results: (await results(s, { campaignId: cid })).length,
      agentCalls: (await s.store.db.selectFrom('agent_calls').select('call_id').where('campaign_id', '=', cid).execute()).length,
      ledgerAnswered: Number((await s.store.db.selectFrom('agent_ledger').select('answered').where('campaign_id', '=', cid).executeTakeFirst())?.answered ?? 0),
    });
    try {
      const res = await s.client.request('POST', resultPath, outcome);
      assert.notEqual(envelopeOf(res.body).resultCode, '0200000', 'the failed settle is not acknowledged');
    } finally {
      desk.settled = settled;
    }
    assert.equal(writes, 1, 'the agent_calls row and the ledger were written inside the settle');
    assert.deepEqual(await state(), { record: 'dialing', results: 0, agentCalls: 0, ledgerAnswered: 0 }, 'neither the settle nor the abandon');
    await ok(s, 'POST', resultPath, outcome);
    assert.deepEqual(await state(), { record: 'done', results: 1, agentCalls: 1, ledgerAnswered: 1 }, 'both, once retried');
    const p = await progress(s, cid);
    assert.equal(p.agentCampaign?.abandoned, 1);
  });
});
