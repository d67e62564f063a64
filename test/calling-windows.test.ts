/** Calling windows: time zones, DST changes, special days. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localParts, windowDecision } from '../src/domain/calling-windows.js';
import { instantAt, type Disambiguation } from '../src/domain/local-time.js';

const zonedTimeToUtc = (y: number, m: number, d: number, minutes: number, tz: string, how: Disambiguation = 'compatible') =>
  instantAt({ year: y, month: m, day: d }, minutes, tz, how);

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

test('a local time in the spring-forward gap moves forward by the gap (Temporal "compatible"); an ambiguous one maps to the earlier instant', () => {
  // 2026-03-29 02:00 → 03:00 in Berlin (01:00 UTC): 02:30 does not exist, 03:30 CEST is 01:30 UTC.
  assert.equal(iso(zonedTimeToUtc(2026, 3, 29, 2 * 60 + 30, 'Europe/Berlin')), '2026-03-29T01:30:00.000Z');
  // 2026-10-25 03:00 → 02:00: 02:30 happens twice (00:30 and 01:30 UTC).
  assert.equal(iso(zonedTimeToUtc(2026, 10, 25, 2 * 60 + 30, 'Europe/Berlin')), '2026-10-25T00:30:00.000Z');
  // Explicit: the later of the two, and a refusal of a time that does not exist.
  assert.equal(iso(zonedTimeToUtc(2026, 10, 25, 2 * 60 + 30, 'Europe/Berlin', 'later')), '2026-10-25T01:30:00.000Z');
  assert.throws(() => zonedTimeToUtc(2026, 3, 29, 2 * 60 + 30, 'Europe/Berlin', 'reject'), RangeError);
});

test('issue #7 example 2: DST fall-back, window 01:30–02:00 New York: closed at 01:10 of the repeated hour, open in both passes', () => {
  const ny = { workday: [W('01:30', '02:00')], holiday: [] };
  // 2027-11-07: 02:00 EDT → 01:00 EST at 06:00Z. 06:10Z is 01:10 EST (second pass of the hour).
  const second = windowDecision(Date.UTC(2027, 10, 7, 6, 10), 'America/New_York', ny, never);
  assert.deepEqual(second, { open: false, opensAt: Date.UTC(2027, 10, 7, 6, 30) }, 'opens at 01:30 EST, not before');
  // First pass: 05:30Z = 01:30 EDT is inside; it closes when the clock falls back to 01:00 (06:00Z).
  assert.deepEqual(windowDecision(Date.UTC(2027, 10, 7, 5, 30), 'America/New_York', ny, never), { open: true, closesAt: Date.UTC(2027, 10, 7, 6, 0) });
  // Second pass 01:30–02:00 EST = 06:30Z–07:00Z.
  assert.deepEqual(windowDecision(Date.UTC(2027, 10, 7, 6, 45), 'America/New_York', ny, never), { open: true, closesAt: Date.UTC(2027, 10, 7, 7, 0) });
  // A window over the whole repeated hour stays open through the fall-back and closes at 02:00 EST.
  const wide = { workday: [W('01:00', '02:00')], holiday: [] };
  assert.deepEqual(windowDecision(Date.UTC(2027, 10, 7, 5, 10), 'America/New_York', wide, never), { open: true, closesAt: Date.UTC(2027, 10, 7, 7, 0) });
});

test('spring-forward: a window starting inside the gap opens when the gap ends', () => {
  // New York 2027-03-14: 02:00 EST → 03:00 EDT at 07:00Z; window 02:30–03:30 local.
  const w = { workday: [W('02:30', '03:30')], holiday: [] };
  assert.deepEqual(windowDecision(Date.UTC(2027, 2, 14, 6, 0), 'America/New_York', w, never), { open: false, opensAt: Date.UTC(2027, 2, 14, 7, 0) });
  assert.deepEqual(windowDecision(Date.UTC(2027, 2, 14, 7, 0), 'America/New_York', w, never), { open: true, closesAt: Date.UTC(2027, 2, 14, 7, 30) });
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
