/**
 * The rules of imported rows, for every input (fast-check): a call-data row made from any valid
 * record reads back as that record; a scheduled start is the next instant at which the local
 * clock shows hour:minute; blocklist rows follow the blocklist-add rules.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CALL_DATA_COLUMNS, BLOCKLIST_COLUMNS, columnMap, parseBlockRow, parseCallDataRow, parseLocalDateTime, scheduledStart } from '../src/domain/import-rows.js';
import { localParts } from '../src/domain/calling-windows.js';
import { parseDateTime } from '../src/domain/time.js';

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
const byPosition = columnMap(['a', 'b'], CALL_DATA_COLUMNS);

describe('call-data rows', () => {
  test('any valid record written as a template row reads back unchanged', () => {
    const number = fc.record({ calledNo: fc.stringMatching(/^[0-9*#]{1,24}$/), delayTime: fc.option(fc.integer({ min: 0, max: 7200 }), { nil: undefined }) });
    fc.assert(
      fc.property(
        fc.array(number, { minLength: 1, maxLength: 5 }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9-]{1,32}$/), { nil: undefined }),
        fc.option(digits(1, 24), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
        (called, sessionId, caller, priority) => {
          const clean = called.map((c) => (c.delayTime === undefined ? { calledNo: c.calledNo } : { calledNo: c.calledNo, delayTime: c.delayTime }));
          const row = [sessionId ?? '', JSON.stringify(clean), caller ?? '', '', '', '', priority === undefined ? '' : String(priority)];
          const r = parseCallDataRow(row, byPosition, 0, parseDateTime);
          assert.ok(r.ok, JSON.stringify(r));
          assert.deepEqual(r.value, {
            called: clean,
            ...(sessionId !== undefined ? { sessionId } : {}),
            ...(caller !== undefined ? { caller } : {}),
            ...(priority !== undefined ? { priority } : {}),
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a row with any invalid number is refused with a reason, never loaded', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/^[0-9*#]{1,24}$/.test(s.trim()) && s.trim() !== ''),
        (bad) => {
          const r = parseCallDataRow(['s', JSON.stringify([{ calledNo: bad }])], byPosition, 0, parseDateTime);
          assert.equal(r.ok, false);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('named headers are read in any order; unknown headers fall back to the template order', () => {
    const m = columnMap(['Called', 'sessionid'], CALL_DATA_COLUMNS);
    assert.deepEqual([m.get('called'), m.get('sessionId')], [0, 1]);
    const p = columnMap(['号码', '会话'], CALL_DATA_COLUMNS);
    assert.deepEqual([p.get('sessionId'), p.get('called')], [0, 1]);
    assert.equal(columnMap(['blockNum'], BLOCKLIST_COLUMNS).get('number'), 0);
  });
});

describe('scheduled start', () => {
  const zones = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'];
  test('the first instant at or after now at which the local clock shows hour:minute', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom(...zones),
        (now, hour, minute, tz) => {
          const at = scheduledStart(now, hour, minute, tz);
          assert.ok(at >= now, 'never in the past');
          assert.ok(at - now <= 26 * 3600_000, 'within a day (and a DST hour)');
          const p = localParts(at, tz);
          // In a DST gap the wall time does not exist: the gap's end is used instead.
          if (p.hour !== hour || p.minute !== minute) assert.ok(Math.abs(p.hour * 60 + p.minute - (hour * 60 + minute)) <= 60, `${tz} ${hour}:${minute}`);
        },
      ),
      { numRuns: 500 },
    );
    assert.equal(scheduledStart(1000, undefined, undefined, 'UTC'), 1000);
  });
});

describe('blocklist rows', () => {
  const m = columnMap(['number', 'expiryTime', 'validityTime', 'restrictTimes', 'restrictPeriod'], BLOCKLIST_COLUMNS);
  const now = Date.UTC(2030, 0, 1);
  test('validity in hours 1–120 from now; expiry read in the tenant zone and wins', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), (h) => {
        const r = parseBlockRow(['123', '', String(h), '', ''], m, now, 'UTC');
        assert.ok(r.ok);
        assert.equal(r.value.expiresAt, now + h * 3600_000);
      }),
    );
    const r = parseBlockRow(['123', '2030-01-02 08:00:00', '5', '', ''], m, now, 'Asia/Shanghai');
    assert.ok(r.ok);
    assert.equal(r.value.expiresAt, Date.UTC(2030, 0, 2, 0, 0, 0));
    assert.equal(parseLocalDateTime('2030-02-30 00:00:00', 'UTC'), null);
    for (const bad of [['12a'], ['1', '', '121'], ['1', '', '0'], ['1', '', '', '3'], ['1', '', '', '0', '1'], ['1', '', '', '3', '2'], ['1', '2029-12-31 00:00:00']]) {
      assert.equal(parseBlockRow(bad, m, now, 'UTC').ok, false, JSON.stringify(bad));
    }
  });
});
