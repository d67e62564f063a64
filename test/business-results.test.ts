/**
 * Business-result definitions: add (two-level tree) and the paged query, and their use by
 * busiPolicy and by the write-back check other interfaces call.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';
import { matchBusinessResult } from '../src/domain/business-results.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.stop());

type Env = { resultCode: string; resultDesc: string; [k: string]: unknown };
async function call(method: string, path: string, body?: unknown, query?: Record<string, string | number>): Promise<Env> {
  const res = await s.client.request(method, path, body, query);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}
const add = (body: unknown, vdn = 1) => call('POST', `${P(vdn)}/addBusinessResult`, body);
const query = (q: Record<string, string | number>, vdn = 1) => call('GET', `${P(vdn)}/queryBusinessResults`, undefined, q);

interface Item {
  id: string;
  name: string;
  code: string | null;
  description: string | null;
  children: Omit<Item, 'children'>[];
}

describe('addBusinessResult and queryBusinessResults', () => {
  test('adds a result with sub-results; the query shows the tree', async () => {
    const env = await add(
      {
        name: 'Interested',
        code: 'INT',
        description: 'wants an offer',
        children: [{ name: 'Call back later', code: 'INT-CB', description: 'next week' }, { name: 'Send mail' }],
      },
      3,
    );
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal(env.resultDesc, 'success');
    const id = (env.returnObject as { id: string }).id;
    assert.match(id, /^\d+$/);

    const q = await query({ pageNum: 1, pageSize: 10 }, 3);
    assert.equal(q.resultCode, '0200000');
    assert.equal(q.totalCount, 1);
    const [item] = q.data as Item[];
    assert.equal(item!.id, id);
    assert.equal(item!.name, 'Interested');
    assert.equal(item!.code, 'INT');
    assert.equal(item!.description, 'wants an offer');
    assert.deepEqual(
      item!.children.map((c) => [c.name, c.code, c.description]),
      [
        ['Call back later', 'INT-CB', 'next week'],
        ['Send mail', null, null],
      ],
    );
    assert.ok(item!.children.every((c) => /^\d+$/.test(c.id) && c.id !== id));
  });

  test('paging counts top-level results; pages are in creation order', async () => {
    for (const n of ['A', 'B', 'C']) assert.equal((await add({ name: `page ${n}`, code: `PG-${n}` }, 4)).resultCode, '0200000');
    const p2 = await query({ pageNum: 2, pageSize: 2 }, 4);
    assert.equal(p2.totalCount, 3);
    assert.deepEqual(
      (p2.data as Item[]).map((i) => i.code),
      ['PG-C'],
    );
    const p9 = await query({ pageNum: '9', pageSize: '2' }, 4);
    assert.deepEqual(p9.data, []);
    assert.equal(p9.totalCount, 3);
  });

  test('definitions are usable by busiPolicy and by the write-back check', async () => {
    await add({ name: 'Sold', code: 'SOLD', children: [{ name: 'Upsell', code: 'SOLD-UP' }] });
    const cid = await createCampaign(s.client);
    const env = await call('POST', `${P(1)}/retryPolicy/${cid}`, {
      policyType: 0,
      policyJson: "[{'type':0,'retryDay':1,'retryTimes':1}]",
      busiPolicy: [{ busiResultCode: 'SOLD', busiResultSubCode: 'SOLD-UP', busiResultPolicy: 1, callInterval: 60 }],
    });
    assert.equal(env.resultCode, '0200000', env.resultDesc);
    assert.equal(await matchBusinessResult(s.store.db, 1, 'SOLD', 'SOLD-UP'), 'ok');
    assert.equal(await matchBusinessResult(s.store.db, 1, 'SOLD'), 'ok');
    assert.equal(await matchBusinessResult(s.store.db, 1, 'SOLD', 'INT-CB'), 'sub-mismatch');
    assert.equal(await matchBusinessResult(s.store.db, 1, 'NOPE'), 'unknown');
    assert.equal(await matchBusinessResult(s.store.db, 2, 'SOLD'), 'unknown', 'definitions belong to their VDN');
  });

  test('0200001 codes are unique per VDN across both levels; another VDN may reuse them', async () => {
    assert.equal((await add({ name: 'Busy', code: 'BSY', children: [{ name: 'Really', code: 'BSY-1' }] })).resultCode, '0200000');
    const asChild = await add({ name: 'Other', children: [{ name: 'x', code: 'BSY' }] });
    assert.equal(asChild.resultCode, '0200001');
    assert.match(asChild.resultDesc, /BSY/);
    assert.equal((await add({ name: 'Other2', code: 'BSY-1' })).resultCode, '0200001');
    assert.equal((await add({ name: 'Busy', code: 'BSY' }, 2)).resultCode, '0200000');
    // nothing of a refused request was stored
    const all = await query({ pageNum: 1, pageSize: 50 });
    assert.ok(!(all.data as Item[]).some((i) => i.name === 'Other' || i.name === 'Other2'));
  });

  const cases: Array<[string, unknown, string, RegExp?]> = [
    ['0200001 duplicate top-level name', { name: 'Busy' }, '0200001', /Busy/],
    ['0200001 the same code twice in one request', { name: 'Twice', code: 'TW', children: [{ name: 'c', code: 'TW' }] }, '0200001', /TW/],
    ['0200001 the same sub-result name twice', { name: 'Twice2', children: [{ name: 'c' }, { name: 'c' }] }, '0200001', /c/],
    ['0200001 a third level', { name: 'Deep', children: [{ name: 'c', children: [{ name: 'd' }] }] }, '0200001', /children\[0\]\.children/],
    ['02000001 missing name', { code: 'X' }, '02000001', /name/],
    ['02000001 empty name', { name: '' }, '02000001', /name/],
    ['02000001 sub-result without a name', { name: 'NoChildName', children: [{ code: 'NCN' }] }, '02000001', /children\[0\]\.name/],
    ['02000002 special characters in the name', { name: 'a<b>' }, '02000002', /name/],
    ['02000002 code outside [0-9A-Za-z-]', { name: 'Code', code: 'a_b' }, '02000002', /code/],
    ['02000003 name longer than 50', { name: 'n'.repeat(51) }, '02000003', /name/],
    ['02000003 code longer than 50', { name: 'LongCode', code: 'c'.repeat(51) }, '02000003', /code/],
    ['02000003 description longer than 200', { name: 'LongDesc', description: 'd'.repeat(201) }, '02000003', /description/],
    ['02000006 children not a list', { name: 'Kids', children: 'x' }, '02000006', /children/],
    ['02000011 more than 100 sub-results', { name: 'Many', children: Array.from({ length: 101 }, (_, i) => ({ name: `c${i}` })) }, '02000011', /children/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(`add: ${name}`, async () => {
      const env = await add(body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  const qcases: Array<[string, Record<string, string | number>, string, RegExp?]> = [
    ['02000001 missing pageSize', { pageNum: 1 }, '02000001', /pageSize/],
    ['02000001 missing pageNum', { pageSize: 10 }, '02000001', /pageNum/],
    ['02000006 pageNum not a number', { pageNum: 'x', pageSize: 10 }, '02000006', /pageNum/],
    ['02000007 pageSize 51', { pageNum: 1, pageSize: 51 }, '02000007', /pageSize/],
    ['02000007 pageSize 0', { pageNum: 1, pageSize: 0 }, '02000007', /pageSize/],
    ['02000007 pageNum 0', { pageNum: 0, pageSize: 10 }, '02000007', /pageNum/],
  ];
  for (const [name, q, code, desc] of qcases) {
    test(`query: ${name}`, async () => {
      const env = await query(q);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }
});
