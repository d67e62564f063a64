/**
 * Special dates (`holiday`): list, add, modify, delete one, delete all — every documented error
 * code — and the `isSpecialDate` rule the engine uses, fed from what the API stored.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCampaign, envelopeOf, P, startTestServer, type TestServer } from './helpers.js';
import { isSpecialDate, type SpecialDateRule } from '../src/domain/special-dates.js';
import { loadSpecialDays } from '../src/domain/special-dates.service.js';
import { windowDecision } from '../src/domain/calling-windows.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(async () => s.stop());

async function call(method: string, path: string, body?: unknown) {
  const res = await s.client.request(method, path, body);
  assert.equal(res.status, 200, res.raw);
  return envelopeOf(res.body) as ReturnType<typeof envelopeOf> & Record<string, unknown>;
}
const H = (cid: number | string, vdn = 1) => `${P(vdn)}/holiday/${cid}`;

interface Item {
  id: number;
  name: string;
  type: number;
  week: string | null;
  beginTime: string | null;
  endTime: string | null;
}
async function list(cid: number): Promise<Item[]> {
  const env = await call('GET', H(cid));
  assert.equal(env.resultCode, '0200000', env.resultDesc);
  return env.data as Item[];
}
async function add(cid: number, body: Record<string, unknown>): Promise<number> {
  const env = await call('POST', H(cid), body);
  assert.equal(env.resultCode, '0200000', env.resultDesc);
  return (env.returnObject as { id: number }).id;
}

describe('special dates through the interfaces', () => {
  let cid: number;
  before(async () => {
    cid = await createCampaign(s.client);
  });

  test('add answers success with the new id; the list shows every kind with unused fields null', async () => {
    const res = await s.client.request('POST', H(cid), { name: 'Weekend', type: '1', week: '7,6,6' });
    const body = res.body as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['resultCode', 'resultDesc', 'returnCode', 'returnDesc', 'returnObject']);
    assert.equal(body.resultCode, '0200000');
    assert.equal(body.resultDesc, 'success');
    const weekend = (body.returnObject as { id: number }).id;
    assert.ok(Number.isInteger(weekend) && weekend > 0);
    const spring = await add(cid, { name: 'Spring festival', type: 2, beginTime: '2026-02-16', endTime: '2026-02-22', week: '1' });
    const xmas = await add(cid, { name: 'Christmas', type: 3, beginTime: '12-24', endTime: '12-26' });
    assert.deepEqual(await list(cid), [
      { id: weekend, name: 'Weekend', type: 1, week: '6,7', beginTime: null, endTime: null },
      { id: spring, name: 'Spring festival', type: 2, week: null, beginTime: '2026-02-16', endTime: '2026-02-22' },
      { id: xmas, name: 'Christmas', type: 3, week: null, beginTime: '12-24', endTime: '12-26' },
    ]);
  });

  test('the engine loader reads the stored dates: holiday windows apply on them', async () => {
    const special = await loadSpecialDays(s.store.db, cid);
    assert.equal(special({ year: 2026, month: 2, day: 18, weekday: 3 }), true); // inside the range
    assert.equal(special({ year: 2026, month: 2, day: 23, weekday: 1 }), false);
    assert.equal(special({ year: 2031, month: 12, day: 25, weekday: 4 }), true); // yearly
    assert.equal(special({ year: 2026, month: 3, day: 7, weekday: 6 }), true); // Saturday
    const windows = { workday: [{ begin: 8 * 60, end: 20 * 60 }], holiday: [{ begin: 10 * 60, end: 12 * 60 }] };
    // Wednesday 2026-02-18 09:00 UTC: a workday would be open; the special date opens at 10:00.
    const d = windowDecision(Date.UTC(2026, 1, 18, 9), 'UTC', windows, special);
    assert.deepEqual(d, { open: false, opensAt: Date.UTC(2026, 1, 18, 10) });
  });

  test('modify replaces a date; keeping its own name is fine; the list shows the change', async () => {
    const id = await add(cid, { name: 'Audit day', type: 2, beginTime: '2026-05-04', endTime: '2026-05-04' });
    const env = await call('PUT', H(cid), { id, name: 'Audit day', type: 3, beginTime: '05-04', endTime: '05-05', week: '2' });
    assert.deepEqual(env, { resultCode: '0200000', resultDesc: 'success', returnCode: '0200000', returnDesc: 'success' });
    const item = (await list(cid)).find((i) => i.id === id);
    assert.deepEqual(item, { id, name: 'Audit day', type: 3, week: null, beginTime: '05-04', endTime: '05-05' });
    assert.equal((await call('PUT', H(cid), { id: String(id), name: 'Audit days', type: 1, week: '3' })).resultCode, '0200000');
    assert.equal((await list(cid)).find((i) => i.id === id)?.name, 'Audit days');
  });

  test('delete one (vendor path) answers an empty resultDesc; delete by body {id} removes only that date', async () => {
    const a = await add(cid, { name: 'tmp-a', type: 1, week: '1' });
    const b = await add(cid, { name: 'tmp-b', type: 1, week: '2' });
    const before = (await list(cid)).length;
    const env = await call('DELETE', `${H(cid)}/${a}`);
    assert.deepEqual(env, { resultCode: '0200000', resultDesc: '', returnCode: '0200000', returnDesc: '' });
    assert.equal((await call('DELETE', H(cid), { id: b })).resultCode, '0200000');
    const after = await list(cid);
    assert.equal(after.length, before - 2);
    assert.ok(!after.some((i) => i.id === a || i.id === b));
    // The name is free again.
    await add(cid, { name: 'tmp-a', type: 1, week: '1' });
  });

  test('delete all (no body) empties the campaign only; another campaign keeps its dates', async () => {
    const other = await createCampaign(s.client);
    await add(other, { name: 'Keep me', type: 1, week: '7' });
    const env = await call('DELETE', H(cid));
    assert.deepEqual(env, { resultCode: '0200000', resultDesc: 'success', returnCode: '0200000', returnDesc: 'success' });
    assert.deepEqual(await list(cid), []);
    assert.equal((await list(other)).length, 1);
    assert.equal((await call('DELETE', H(cid))).resultCode, '0200000'); // nothing left is fine
    assert.equal((await loadSpecialDays(s.store.db, cid))({ year: 2026, month: 3, day: 7, weekday: 6 }), false);
  });
});

describe('special-date errors', () => {
  let cid: number;
  before(async () => {
    cid = await createCampaign(s.client);
    await add(cid, { name: 'Taken', type: 1, week: '6' });
  });

  const cases: Array<[string, Record<string, unknown> | unknown[], string, RegExp?]> = [
    ['0200001 body is not an object', [1], '0200001'],
    ['0200001 endTime before beginTime (date range)', { name: 'x1', type: 2, beginTime: '2026-03-02', endTime: '2026-03-01' }, '0200001', /endTime/],
    ['0200001 endTime before beginTime (yearly)', { name: 'x2', type: 3, beginTime: '12-24', endTime: '01-02' }, '0200001', /New Year/],
    ['0200013 name already used in the campaign', { name: 'Taken', type: 1, week: '1' }, '0200013', /Taken/],
    ['0200030 type 2 with a yearly date', { name: 'x3', type: 2, beginTime: '03-01', endTime: '2026-03-02' }, '0200030', /beginTime/],
    ['0200030 type 2 with a day that does not exist', { name: 'x4', type: 2, beginTime: '2026-02-29', endTime: '2026-03-02' }, '0200030', /beginTime/],
    ['0200030 type 2 with slashes', { name: 'x5', type: 2, beginTime: '2026-03-01', endTime: '2026/03/02' }, '0200030', /endTime/],
    ['0200030 type 3 with a full date', { name: 'x6', type: 3, beginTime: '2026-12-24', endTime: '12-26' }, '0200030', /beginTime/],
    ['0200030 type 3 month 13', { name: 'x7', type: 3, beginTime: '12-24', endTime: '13-01' }, '0200030', /endTime/],
    ['0200030 date longer than 10 characters', { name: 'x8', type: 2, beginTime: '2026-03-01 00:00', endTime: '2026-03-02' }, '0200030', /beginTime/],
    ['02000001 missing name', { type: 1, week: '1' }, '02000001', /name/],
    ['02000001 empty name', { name: '', type: 1, week: '1' }, '02000001', /name/],
    ['02000001 missing type', { name: 'x9' }, '02000001', /type/],
    ['02000001 weekly without week', { name: 'x10', type: 1 }, '02000001', /week/],
    ['02000001 date range without endTime', { name: 'x11', type: 2, beginTime: '2026-03-01' }, '02000001', /endTime/],
    ['02000002 week with letters', { name: 'x12', type: 1, week: 'sat,sun' }, '02000002', /week/],
    ['02000003 name longer than 30', { name: 'n'.repeat(31), type: 1, week: '1' }, '02000003', /name/],
    ['02000003 week longer than 32', { name: 'x13', type: 1, week: '1,'.repeat(17) + '1' }, '02000003', /week/],
    ['02000006 type not a number', { name: 'x14', type: 'weekly', week: '1' }, '02000006', /type/],
    ['02000007 type 4', { name: 'x15', type: 4, week: '1' }, '02000007', /type/],
    ['02000007 weekday 8', { name: 'x16', type: 1, week: '6,8' }, '02000007', /week/],
  ];
  for (const [name, body, code, desc] of cases) {
    test(`add: ${name}`, async () => {
      const env = await call('POST', H(cid), body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    });
  }

  test('nothing of a refused add was stored', async () => {
    assert.deepEqual(
      (await list(cid)).map((i) => i.name),
      ['Taken'],
    );
  });

  test('0200007 unknown campaign, or a campaign of another VDN, on every interface', async () => {
    const body = { name: 'x', type: 1, week: '1' };
    for (const [method, path, b] of [
      ['GET', H(987654)],
      ['POST', H(987654), body],
      ['PUT', H(987654), { id: 1, ...body }],
      ['DELETE', `${H(987654)}/1`],
      ['DELETE', H(987654)],
      ['GET', H(cid, 2)],
      ['POST', H(cid, 2), body],
    ] as Array<[string, string, unknown?]>) {
      const env = await call(method, path, b);
      assert.equal(env.resultCode, '0200007', `${method} ${path}: ${env.resultDesc}`);
    }
  });

  test('0200015 at most 20 special dates per campaign', async () => {
    const full = await createCampaign(s.client);
    for (let i = 1; i <= 20; i++) await add(full, { name: `d${i}`, type: 1, week: String((i % 7) + 1) });
    const env = await call('POST', H(full), { name: 'd21', type: 1, week: '1' });
    assert.equal(env.resultCode, '0200015', env.resultDesc);
    assert.equal((await list(full)).length, 20);
    // Deleting one makes room again.
    const first = (await list(full))[0]!;
    await call('DELETE', `${H(full)}/${first.id}`);
    await add(full, { name: 'd21', type: 1, week: '1' });
  });

  test("modify: 0200013 another date's name, 0200014 unknown id, 0200030, 02000001 missing id", async () => {
    const id = await add(cid, { name: 'Other', type: 1, week: '2' });
    const cases: Array<[Record<string, unknown>, string, RegExp?]> = [
      [{ id, name: 'Taken', type: 1, week: '2' }, '0200013', /Taken/],
      [{ id: 999999, name: 'Nope', type: 1, week: '2' }, '0200014', /999999/],
      [{ id, name: 'Other', type: 2, beginTime: '2026-3-1', endTime: '2026-03-02' }, '0200030', /beginTime/],
      [{ name: 'Other', type: 1, week: '2' }, '02000001', /id/],
      [{ id: 0, name: 'Other', type: 1, week: '2' }, '02000007', /id/],
    ];
    for (const [body, code, desc] of cases) {
      const env = await call('PUT', H(cid), body);
      assert.equal(env.resultCode, code, env.resultDesc);
      if (desc) assert.match(env.resultDesc, desc);
    }
    // A date of another campaign cannot be modified through this one.
    const other = await createCampaign(s.client);
    const foreign = await add(other, { name: 'Foreign', type: 1, week: '3' });
    assert.equal((await call('PUT', H(cid), { id: foreign, name: 'Mine', type: 1, week: '3' })).resultCode, '0200014');
    assert.equal((await list(other))[0]?.name, 'Foreign');
  });

  test('delete one: 0200014 unknown id (isales-gaps §8.6), 02000006 non-numeric id (path or body)', async () => {
    assert.equal((await call('DELETE', `${H(cid)}/424242`)).resultCode, '0200014');
    assert.equal((await call('DELETE', `${H(cid)}/abc`)).resultCode, '02000006');
    assert.equal((await call('DELETE', H(cid), { id: 'abc' })).resultCode, '02000006');
    assert.equal((await call('DELETE', H(cid), { id: 424242 })).resultCode, '0200014');
    assert.ok((await list(cid)).length >= 1, 'a failed delete-by-body must not delete everything');
  });
});

describe('isSpecialDate', () => {
  const rule = (type: number, week: string | null, beginTime: string | null = null, endTime: string | null = null): SpecialDateRule => ({ type, week, beginTime, endTime });
  const day = (year: number, month: number, d: number) => {
    const wd = new Date(Date.UTC(year, month - 1, d)).getUTCDay();
    return { year, month, day: d, weekday: wd === 0 ? 7 : wd };
  };

  test('weekly, date range (inclusive) and yearly kinds; no dates = never special', () => {
    assert.equal(isSpecialDate([], day(2026, 1, 17)), false);
    assert.equal(isSpecialDate([rule(1, '6,7')], day(2026, 1, 17)), true); // Saturday
    assert.equal(isSpecialDate([rule(1, '6,7')], day(2026, 1, 16)), false);
    const range = [rule(2, null, '2026-01-30', '2026-02-02')];
    assert.deepEqual(
      [day(2026, 1, 29), day(2026, 1, 30), day(2026, 2, 2), day(2026, 2, 3)].map((d) => isSpecialDate(range, d)),
      [false, true, true, false],
    );
    assert.equal(isSpecialDate(range, day(2027, 1, 31)), false);
    const yearly = [rule(3, null, '05-01', '05-03')];
    assert.deepEqual(
      [day(2026, 5, 1), day(2040, 5, 3), day(2026, 5, 4)].map((d) => isSpecialDate(yearly, d)),
      [true, true, false],
    );
  });

  test('29 February only in leap years; a stored yearly range across New Year wraps', () => {
    const leap = [rule(3, null, '02-29', '02-29')];
    assert.equal(isSpecialDate(leap, day(2028, 2, 29)), true);
    assert.equal(isSpecialDate(leap, day(2027, 3, 1)), false);
    const wrap = [rule(3, null, '12-30', '01-02')];
    assert.deepEqual(
      [day(2026, 12, 31), day(2027, 1, 2), day(2027, 1, 3)].map((d) => isSpecialDate(wrap, d)),
      [true, true, false],
    );
  });
});
