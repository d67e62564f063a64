/**
 * `localDay` answers from a per-zone cache of the last day's bounds (issue #12, the settle path
 * asks for every attempt): for any instants in any order, in zones with DST (including one whose
 * change happens at midnight), the answer is the uncached Temporal reading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { localDay } from '../src/domain/local-time.js';

const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'America/Santiago', 'Asia/Shanghai', 'Australia/Lord_Howe', 'America/Havana'];
const uncached = (ms: number, tz: string) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz).toPlainDate().toString();

test('property: the cached local day equals the uncached one, whatever the order of instants (DST and midnight changes included)', () => {
  const from = Date.UTC(2029, 0, 1);
  const to = Date.UTC(2031, 0, 1);
  fc.assert(
    fc.property(
      fc.array(fc.record({ tz: fc.constantFrom(...ZONES), base: fc.integer({ min: from, max: to }), near: fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 }) }), {
        minLength: 1,
        maxLength: 40,
      }),
      (asks) => {
        for (const a of asks) {
          // Instants near the local midnight of the base day too, where the cache bounds matter.
          const midnight = Temporal.Instant.fromEpochMilliseconds(a.base).toZonedDateTimeISO(a.tz).startOfDay().epochMilliseconds;
          for (const ms of [a.base, midnight + a.near, midnight - 1, midnight]) assert.equal(localDay(ms, a.tz), uncached(ms, a.tz), `${a.tz} ${new Date(ms).toISOString()}`);
        }
      },
    ),
    { numRuns: 300 },
  );
});
