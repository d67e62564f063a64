/** Calling windows: time zones, DST changes, special days. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localParts, windowDecision, zonedTimeToUtc } from '../src/domain/calling-windows.js';

const W = (b: string, e: string) => ({ begin: Number(b.slice(0, 2)) * 60 + Number(b.slice(3)), end: Number(e.slice(0, 2)) * 60 + Number(e.slice(3)) });
const never = () => false;
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

test('local wall clock and its inverse, in winter and in summer', () => {
  // Berlin: UTC+1 in January, UTC+2 in July.
  assert.equal(iso(zonedTimeToUtc(2026, 1, 15, 8 * 60, 'Europe/Berlin')), '2026-01-15T07:00:00.000Z');
  assert.equal(iso(zonedTimeToUtc(2026, 7, 15, 8 * 60, 'Europe/Berlin')), '2026-07-15T06:00:00.000Z');
  const p = localParts(Date.UTC(2026, 6, 15, 6, 0), 'Europe/Berlin');
  assert.deepEqual([p.hour, p.minute, p.weekday], [8, 0, 3]);
  assert.equal(iso(zonedTimeToUtc(2026, 1, 15, 8 * 60, 'UTC')), '2026-01-15T08:00:00.000Z');
});

test('a local time in the spring-forward gap maps to the end of the gap; an ambiguous one to the earlier instant', () => {
  // 2026-03-29 02:00 → 03:00 in Berlin (01:00 UTC).
  assert.equal(iso(zonedTimeToUtc(2026, 3, 29, 2 * 60 + 30, 'Europe/Berlin')), '2026-03-29T01:00:00.000Z');
  // 2026-10-25 03:00 → 02:00: 02:30 happens twice (00:30 and 01:30 UTC).
  assert.equal(iso(zonedTimeToUtc(2026, 10, 25, 2 * 60 + 30, 'Europe/Berlin')), '2026-10-25T00:30:00.000Z');
});

test('windows follow the wall clock across a DST change', () => {
  const windows = { workday: [W('08:00', '20:00')], holiday: [] };
  // Saturday before the change: 08:00 local = 07:00 UTC; Sunday after it: 08:00 local = 06:00 UTC.
  const sat = windowDecision(Date.UTC(2026, 2, 28, 6, 59), 'Europe/Berlin', windows, never);
  assert.equal(sat.open, false);
  assert.equal(iso(sat.opensAt), '2026-03-28T07:00:00.000Z');
  const sunBefore = windowDecision(Date.UTC(2026, 2, 29, 5, 59), 'Europe/Berlin', windows, never);
  assert.equal(sunBefore.open, false);
  assert.equal(iso(sunBefore.opensAt), '2026-03-29T06:00:00.000Z');
  const sunOpen = windowDecision(Date.UTC(2026, 2, 29, 6, 0), 'Europe/Berlin', windows, never);
  assert.equal(sunOpen.open, true);
  assert.equal(iso(sunOpen.closesAt), '2026-03-29T18:00:00.000Z');
  // New York: DST starts 2026-03-08; 09:00 local is 14:00 UTC before and 13:00 UTC after.
  const ny = { workday: [W('09:00', '17:00')], holiday: [] };
  assert.equal(iso(windowDecision(Date.UTC(2026, 2, 7, 12), 'America/New_York', ny, never).opensAt), '2026-03-07T14:00:00.000Z');
  assert.equal(iso(windowDecision(Date.UTC(2026, 2, 9, 12), 'America/New_York', ny, never).opensAt), '2026-03-09T13:00:00.000Z');
});

test('several windows a day; after the last one the next day opens', () => {
  const windows = { workday: [W('13:00', '17:00'), W('08:00', '11:00')], holiday: [] };
  const t = (h: number, m = 0) => Date.UTC(2026, 0, 14, h, m);
  assert.deepEqual(windowDecision(t(7), 'UTC', windows, never), { open: false, opensAt: t(8) });
  assert.deepEqual(windowDecision(t(8), 'UTC', windows, never), { open: true, closesAt: t(11) });
  assert.deepEqual(windowDecision(t(11), 'UTC', windows, never), { open: false, opensAt: t(13) });
  assert.deepEqual(windowDecision(t(17), 'UTC', windows, never), { open: false, opensAt: Date.UTC(2026, 0, 15, 8) });
});

test('special days use the holiday windows; a special day without them is closed; no workday windows = open all day', () => {
  const weekend = (d: { weekday: number }) => d.weekday >= 6;
  const windows = { workday: [W('08:00', '20:00')], holiday: [W('10:00', '12:00')] };
  // 2026-01-17 is a Saturday.
  const sat = windowDecision(Date.UTC(2026, 0, 17, 9), 'UTC', windows, weekend);
  assert.deepEqual(sat, { open: false, opensAt: Date.UTC(2026, 0, 17, 10) });
  const closedHoliday = windowDecision(Date.UTC(2026, 0, 17, 9), 'UTC', { workday: [W('08:00', '20:00')], holiday: [] }, weekend);
  assert.deepEqual(closedHoliday, { open: false, opensAt: Date.UTC(2026, 0, 19, 8) });
  const allDay = windowDecision(Date.UTC(2026, 0, 14, 3), 'UTC', { workday: [], holiday: [] }, never);
  assert.deepEqual(allDay, { open: true, closesAt: Date.UTC(2026, 0, 15, 0) });
  const nothingEver = windowDecision(Date.UTC(2026, 0, 14, 3), 'UTC', { workday: [], holiday: [] }, () => true, 10);
  assert.deepEqual(nothingEver, { open: false });
});
