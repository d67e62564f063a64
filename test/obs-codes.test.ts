import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OBS_CODES, OBS_SUCCESS_CODE, findObsCode, isKnownObsCode, isSuccessFailCode, normalizeFailCode, pageObsCodes } from '../src/domain/obs-codes.js';

test('catalogue size is pinned: 77 reference rows plus 34609', () => {
  assert.equal(OBS_CODES.length, 78);
  assert.equal(OBS_CODES.filter((c) => c.code !== '34609').length, 77);
  assert.equal(findObsCode('34609')?.group, 'other');
  assert.match(findObsCode('34609')?.description ?? '', /not publicly documented/);
});

test('codes are unique, sorted, five digits, frozen', () => {
  const codes = OBS_CODES.map((c) => c.code);
  assert.equal(new Set(codes).size, codes.length);
  assert.deepEqual([...codes].sort(), codes);
  for (const c of codes) assert.match(c, /^[0-9]{5}$/);
  assert.ok(Object.isFrozen(OBS_CODES));
  assert.ok(Object.isFrozen(OBS_CODES[0]));
  assert.equal(codes[0], '00000');
  assert.equal(codes.at(-1), '34611');
  for (const c of OBS_CODES) assert.ok(c.description.length > 0);
});

test('00602–00606 use the exact sample texts', () => {
  assert.equal(findObsCode('00602')?.description, 'No resource available on the ACD.');
  assert.equal(findObsCode('00603')?.description, 'The called party does not answer the call.');
  assert.equal(findObsCode('00604')?.description, 'The call is rejected.');
  assert.equal(findObsCode('00605')?.description, 'The switch is busy.');
  assert.equal(findObsCode('00606')?.description, 'The ACD times out.');
});

test('groups follow the callback page', () => {
  const group = (code: string) => findObsCode(code)?.group;
  assert.equal(group('00000'), 'success');
  assert.equal(group('00537'), 'user');
  assert.equal(group('00551'), 'user');
  assert.equal(group('00701'), 'user');
  assert.equal(group('01040'), 'platform');
  assert.equal(group('34601'), 'platform');
  assert.equal(group('34606'), 'resource');
  assert.equal(group('01048'), 'resource');
  assert.equal(group('00606'), 'system');
  assert.equal(group('34611'), 'system');
  assert.equal(group('00008'), 'other');
  assert.equal(group('00129'), 'other');
  assert.equal(OBS_CODES.filter((c) => c.group === 'user').length, 10);
  assert.equal(OBS_CODES.filter((c) => c.group === 'platform').length, 8);
  assert.equal(OBS_CODES.filter((c) => c.group === 'resource').length, 4);
  assert.equal(OBS_CODES.filter((c) => c.group === 'system').length, 2);
  assert.equal(OBS_CODES.filter((c) => c.group === 'success').length, 1);
});

test('lookup', () => {
  assert.equal(findObsCode('00537')?.code, '00537');
  assert.equal(findObsCode('99999'), undefined);
  assert.equal(findObsCode('0'), undefined);
  assert.ok(isKnownObsCode('01288'));
  assert.ok(!isKnownObsCode('34602'));
  assert.ok(!isKnownObsCode(''));
});

test('normalizeFailCode / isSuccessFailCode', () => {
  assert.equal(OBS_SUCCESS_CODE, '00000');
  assert.equal(normalizeFailCode('0'), '00000');
  assert.equal(normalizeFailCode('00000'), '00000');
  assert.equal(normalizeFailCode('00537'), '00537');
  assert.equal(normalizeFailCode(''), '');
  assert.ok(isSuccessFailCode('0'));
  assert.ok(isSuccessFailCode('00000'));
  assert.ok(!isSuccessFailCode('00537'));
  // Issue #8: numeric codes are normalised once to the 5-digit form, so a CTI's '603' is 00603
  // and a shortened '000' is the success code too.
  assert.equal(normalizeFailCode('603'), '00603');
  assert.ok(isSuccessFailCode('000'));
  assert.ok(!isSuccessFailCode('603'));
});

test('paging', () => {
  const first = pageObsCodes(1, 10);
  assert.equal(first.totalCount, 78);
  assert.equal(first.obsCodes.length, 10);
  assert.deepEqual(first.obsCodes[0], { obsCode: '00000', obsCodeDesc: 'The outbound call succeeded.' });

  const last = pageObsCodes(8, 10);
  assert.equal(last.totalCount, 78);
  assert.equal(last.obsCodes.length, 8);
  assert.equal(last.obsCodes.at(-1)?.obsCode, '34611');

  const all = [1, 2].flatMap((p) => pageObsCodes(p, 50).obsCodes.map((c) => c.obsCode));
  assert.deepEqual(
    all,
    OBS_CODES.map((c) => c.code),
  );

  const past = pageObsCodes(9, 10);
  assert.equal(past.totalCount, 78);
  assert.deepEqual(past.obsCodes, []);
});
