/**
 * Blocklist groups (`blackCategory`) and types (`blackType`): create, update, query (fuzzy by
 * name, paged), delete; names unique (02000012 / 02000014); unknown ids (02000013 / 02000015)
 * also on blocklist add and query; a group or type still in use cannot be deleted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { envelopeOf, P, startTestServer, type TestServer } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ CAMPAIGND_ENGINE: 'off' });
});
after(async () => s.stop());

type Env = { resultCode: string; resultDesc: string; returnObject?: { id: string }; totalCount?: number; data?: Array<Record<string, string>> };
async function call(method: string, path: string, body?: unknown, vdn = 1): Promise<Env> {
  const res = await s.client.request(method, `${P(vdn)}${path}`, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as unknown as Env;
}
async function create(kind: 'blackCategory' | 'blackType', body: Record<string, unknown>, vdn = 1): Promise<string> {
  const r = await call('POST', `/${kind}/create`, body, vdn);
  assert.equal(r.resultCode, '0200000', r.resultDesc);
  assert.match(r.returnObject!.id, /^[0-9]{30}$/);
  return r.returnObject!.id;
}

describe('blocklist groups', () => {
  test('create, query (fuzzy, paged, per VDN), update, delete', async () => {
    const a = await create('blackCategory', { name: 'Complaints 100%', description: 'asked not to be called' });
    const b = await create('blackCategory', { name: 'Fraud' });
    await create('blackCategory', { name: 'Other VDN' }, 2);
    const all = await call('POST', '/blackCategory/query', { offset: 0, limit: 10 });
    assert.equal(all.totalCount, 2);
    assert.deepEqual(all.data, [
      { id: a, name: 'Complaints 100%', description: 'asked not to be called' },
      { id: b, name: 'Fraud', description: '' },
    ]);
    assert.deepEqual(
      (await call('POST', '/blackCategory/query', { name: 'plaint', offset: 0, limit: 10 })).data!.map((d) => d.id),
      [a],
    );
    assert.deepEqual(
      (await call('POST', '/blackCategory/query', { name: '0%', offset: 0, limit: 10 })).data!.map((d) => d.id),
      [a],
    );
    assert.equal((await call('POST', '/blackCategory/query', { name: '_', offset: 0, limit: 10 })).totalCount, 0, 'a _ matches itself only');
    assert.deepEqual(
      (await call('POST', '/blackCategory/query', { offset: 1, limit: 1 })).data!.map((d) => d.id),
      [b],
    );
    assert.equal((await call('POST', '/blackCategory/update', { id: b, name: 'Fraud cases', description: 'x' })).resultCode, '0200000');
    assert.deepEqual((await call('POST', '/blackCategory/query', { name: 'fraud', offset: 0, limit: 10 })).data, [{ id: b, name: 'Fraud cases', description: 'x' }]);
    assert.equal((await call('DELETE', `/blackCategory/${b}`)).resultCode, '0200000');
    assert.equal((await call('POST', '/blackCategory/query', { offset: 0, limit: 10 })).totalCount, 1);
  });

  test('02000012 duplicate name (create and update), 02000013 unknown id, validation codes', async () => {
    const a = await create('blackCategory', { name: 'Dup' });
    const b = await create('blackCategory', { name: 'Dup2' });
    assert.equal((await call('POST', '/blackCategory/create', { name: 'Dup' })).resultCode, '02000012');
    assert.equal((await call('POST', '/blackCategory/update', { id: b, name: 'Dup' })).resultCode, '02000012');
    assert.equal((await call('POST', '/blackCategory/update', { id: a, name: 'Dup' })).resultCode, '0200000', 'keeping its own name');
    assert.equal((await call('POST', '/blackCategory/create', { name: 'Dup' }, 3)).resultCode, '0200000', 'names are per VDN');
    assert.equal((await call('POST', '/blackCategory/update', { id: '1', name: 'Z' })).resultCode, '02000013');
    assert.equal((await call('DELETE', '/blackCategory/1')).resultCode, '02000013');
    assert.equal((await call('DELETE', `/blackCategory/${a}`, undefined, 3)).resultCode, '02000013', "another VDN's group is unknown");
    assert.equal((await call('POST', '/blackCategory/create', { name: 'n'.repeat(65) })).resultCode, '02000003');
    assert.equal((await call('POST', '/blackCategory/create', { name: '' })).resultCode, '02000001');
    assert.equal((await call('POST', '/blackCategory/create', { name: 'd', description: 'd'.repeat(256) })).resultCode, '02000003');
    // Text is never altered: control characters and lone surrogates are refused, not replaced.
    for (const bad of ['a\u0000b', 'tab\there', 'x\ud800y']) {
      assert.equal((await call('POST', '/blackCategory/create', { name: bad })).resultCode, '02000002', JSON.stringify(bad));
      assert.equal((await call('POST', '/blackType/create', { name: 'ok', description: bad, actionType: '1' }, 5)).resultCode, '02000002');
    }
    assert.equal((await call('POST', '/blackCategory/create', { name: 'Beschwerden 投诉 😀' })).resultCode, '0200000');
    // Names compare after NFC and are kept as sent.
    const nfd = await create('blackCategory', { name: 'Cafe\u0301' });
    assert.equal((await call('POST', '/blackCategory/create', { name: 'Caf\u00e9' })).resultCode, '02000012');
    assert.equal((await call('POST', '/blackType/create', { name: 'Caf\u00e9', actionType: '1' }, 5)).resultCode, '0200000');
    assert.equal((await call('POST', '/blackType/create', { name: 'Cafe\u0301', actionType: '1' }, 5)).resultCode, '02000014');
    assert.deepEqual(
      (await call('POST', '/blackCategory/query', { name: 'cafe', offset: 0, limit: 10 })).data!.map((d) => [d.id, d.name]),
      [[nfd, 'Cafe\u0301']],
    );
    assert.equal((await call('POST', '/blackCategory/query', { offset: 0, limit: 101 })).resultCode, '02000007');
  });
});

describe('blocklist types', () => {
  test('create, query with orgName/actionType/action, update, delete; 02000014, 02000015, bad actionType', async () => {
    const t = await create('blackType', { name: 'Auto hang-up', description: 'd', actionType: '1', action: 'hangup' });
    const u = await create('blackType', { name: 'Prompt', actionType: 2 });
    const q = await call('POST', '/blackType/query', { offset: 0, limit: 10 });
    assert.deepEqual(q.data, [
      { id: t, name: 'Auto hang-up', description: 'd', orgName: '', actionType: '1', action: 'hangup' },
      { id: u, name: 'Prompt', description: '', orgName: '', actionType: '2', action: '' },
    ]);
    assert.deepEqual(
      (await call('POST', '/blackType/query', { name: 'HANG', offset: 0, limit: 10 })).data!.map((d) => d.id),
      [t],
    );
    assert.equal((await call('POST', '/blackType/create', { name: 'Prompt', actionType: '1' })).resultCode, '02000014');
    assert.equal((await call('POST', '/blackType/update', { id: t, name: 'Prompt', actionType: '1' })).resultCode, '02000014');
    assert.equal((await call('POST', '/blackType/update', { id: t, name: 'Auto', actionType: '2', action: 'warn' })).resultCode, '0200000');
    assert.deepEqual((await call('POST', '/blackType/query', { name: 'auto', offset: 0, limit: 10 })).data![0], {
      id: t,
      name: 'Auto',
      description: '',
      orgName: '',
      actionType: '2',
      action: 'warn',
    });
    assert.equal((await call('POST', '/blackType/update', { id: '77', name: 'X', actionType: '1' })).resultCode, '02000015');
    assert.equal((await call('DELETE', '/blackType/77')).resultCode, '02000015');
    assert.equal((await call('POST', '/blackType/create', { name: 'Bad', actionType: '3' })).resultCode, '02000007');
    assert.equal((await call('POST', '/blackType/create', { name: 'Bad' })).resultCode, '02000001');
    assert.equal((await call('DELETE', `/blackType/${u}`)).resultCode, '0200000');
  });
});

describe('groups and types on the blocklist', () => {
  test('add and query check relCategoryId (02000013) and typeId (02000015); a group in use cannot be deleted', async () => {
    const g = await create('blackCategory', { name: 'In use' }, 4);
    const t = await create('blackType', { name: 'In use', actionType: '1' }, 4);
    assert.equal((await call('POST', '/blocklist/add', { blocklist: ['7000001'], relCategoryId: '123' }, 4)).resultCode, '02000013');
    assert.equal((await call('POST', '/blocklist/add', { blocklist: ['7000001'], typeId: '123' }, 4)).resultCode, '02000015');
    assert.equal((await call('POST', '/blocklist/query', { blocklist: ['7000001'] }, 4)).totalCount, 0, 'a refused add adds nothing');
    assert.equal((await call('POST', '/blocklist/add', { blocklist: ['7000001'], relCategoryId: g, typeId: t }, 4)).resultCode, '0200000');
    assert.equal((await call('POST', '/blocklist/query', { offset: 0, limit: 10, relCategoryId: '123' }, 4)).resultCode, '02000013');
    assert.equal((await call('POST', '/blocklist/query', { offset: 0, limit: 10, typeId: '123' }, 4)).resultCode, '02000015');
    assert.equal((await call('POST', '/blocklist/query', { offset: 0, limit: 10, relCategoryId: g }, 4)).totalCount, 1);
    const del = await call('DELETE', `/blackCategory/${g}`, undefined, 4);
    assert.equal(del.resultCode, '0200001');
    assert.match(del.resultDesc, /still used by 1 blocklist entry/);
    assert.equal((await call('DELETE', `/blackType/${t}`, undefined, 4)).resultCode, '0200001');
    assert.equal((await call('POST', '/blocklist/delete', { blocklistNo: '7000001' }, 4)).resultCode, '0200000');
    assert.equal((await call('DELETE', `/blackCategory/${g}`, undefined, 4)).resultCode, '0200000');
    assert.equal((await call('DELETE', `/blackType/${t}`, undefined, 4)).resultCode, '0200000');
  });
});

describe('blank names', () => {
  test('a group or type name of spaces only is empty (02000001) and nothing is stored', async () => {
    for (const kind of ['blackCategory', 'blackType']) {
      const r = await call('POST', `/${kind}/create`, { name: '   ', ...(kind === 'blackType' ? { actionType: '1' } : {}) });
      assert.equal(r.resultCode, '02000001', JSON.stringify(r));
    }
    const all = await call('POST', '/blackCategory/query', { offset: 0, limit: 100 });
    assert.ok(!JSON.stringify(all).includes('"   "'));
  });
});
