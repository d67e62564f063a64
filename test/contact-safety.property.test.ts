/**
 * Property tests (fast-check) for issue #7: over random policies, windows, time zones around
 * DST changes, outcomes, pauses, late passes (clock jumps) and business-result re-calls, the
 * dial-time rules the engine runs (attempt-budget gate, window gate, retry decision) never let
 * a number be called more often than its policy allows, on more local days than `retryDay`, or
 * outside its windows. Local times are checked by an independent oracle (Intl), not by the
 * library the code uses. Numbers: every spelling of a subscriber compares equal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { attemptBound, budgetGate } from '../src/domain/attempt-budget.js';
import { windowGate } from '../src/domain/gates.js';
import { canonicalNumber, numberTail } from '../src/domain/phone-numbers.js';
import { decideAfterAttempt, type RetryRules } from '../src/domain/retry-decision.js';
import { isPublicHoliday, packGate, packHours, RULE_PACKS, type RulePack } from '../src/domain/rule-packs.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const oracles = new Map<string, Intl.DateTimeFormat>();
/** Local date and minute of day by Intl (the oracle). */
function oracle(ms: number, tz: string): { date: string; minute: number; weekday: string } {
  let f = oracles.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    });
    oracles.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return { date: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute), weekday: p.weekday! };
}
const dayNumber = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY;

// Instants next to DST changes of 2027 (US, EU, Chile, Lord Howe's half hour) and a plain day.
const BASES = [Date.UTC(2027, 2, 14, 0), Date.UTC(2027, 10, 7, 0), Date.UTC(2027, 2, 28, 0), Date.UTC(2027, 9, 31, 0), Date.UTC(2027, 3, 4, 0), Date.UTC(2027, 5, 15, 0)];
const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Europe/London', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Shanghai', 'Pacific/Chatham'];

const windowsArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 48 }), { minLength: 0, maxLength: 6 })
  .map((edges) => edges.sort((a, b) => a - b).map((e) => e * 30))
  .map((edges) => {
    const out: Array<{ begin: number; end: number }> = [];
    for (let i = 0; i + 1 < edges.length; i += 2) out.push({ begin: edges[i]!, end: edges[i + 1]! });
    return out;
  });

const rulesArb: fc.Arbitrary<RetryRules> = fc.oneof(
  fc.constant<RetryRules>({ mode: 'none', noRetry: new Set() }),
  fc
    .record({ days: fc.integer({ min: 1, max: 4 }), timesPerDay: fc.integer({ min: 1, max: 6 }), intervalMs: fc.integer({ min: 5, max: 600 }).map((m) => m * MIN) })
    .map((o): RetryRules => ({ mode: 'ordinary', ...o, noRetry: new Set() })),
  fc.record({ a: fc.integer({ min: 0, max: 5 }), b: fc.integer({ min: 0, max: 5 }), i: fc.integer({ min: 1, max: 300 }).map((m) => m * MIN) }).map(
    (o): RetryRules => ({
      mode: 'by-result',
      rules: new Map([
        ['00603', { retries: o.a, intervalMs: o.i }],
        ['00537', { retries: o.b, intervalMs: o.i }],
      ]),
      noRetry: new Set(),
    }),
  ),
);

const scenarioArb = fc.record({
  tz: fc.constantFrom(...ZONES),
  start: fc.tuple(fc.constantFrom(...BASES), fc.integer({ min: -36, max: 36 }), fc.integer({ min: 0, max: 59 })).map(([b, h, m]) => b + h * HOUR + m * MIN),
  windows: windowsArb,
  rules: rulesArb,
  outcomes: fc.array(fc.constantFrom('00603', '00537', '00604'), { minLength: 1, maxLength: 20 }),
  /** Lateness of each pass after the record fell due: the clock moved in a jump. */
  late: fc.array(
    fc.integer({ min: 0, max: 8 * 60 }).map((m) => m * MIN),
    { minLength: 1, maxLength: 20 },
  ),
  /** Pauses: [offset from start, length]. */
  pauses: fc.array(
    fc.tuple(fc.integer({ min: 0, max: 5 * 24 }), fc.integer({ min: 1, max: 48 })).map(([o, l]) => [o * HOUR, l * HOUR] as const),
    { maxLength: 3 },
  ),
  /** Business-result "call the same number again" writebacks: offsets from start. */
  writebacks: fc.array(
    fc.integer({ min: 0, max: 6 * 24 }).map((h) => h * HOUR),
    { maxLength: 3 },
  ),
  pack: fc.constantFrom<RulePack | null>(null, RULE_PACKS.FR!, RULE_PACKS.US!, RULE_PACKS['US-FL']!),
});

/** Oracle of a pack's hours: the pack's own table, read with Intl in its zone. */
function insidePack(pack: RulePack, t: number, campaignTz: string): boolean {
  const l = oracle(t, pack.timeZone ?? campaignTz);
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(l.weekday) + 1;
  if (!pack.weekdays.includes(weekday)) return false;
  if (pack.holidays && isPublicHoliday(pack.holidays, { year: Number(l.date.slice(0, 4)), month: Number(l.date.slice(5, 7)), day: Number(l.date.slice(8, 10)) })) return false;
  return pack.windows.some((w) => l.minute >= w.begin && l.minute < w.end);
}

test('property: attempts never exceed the policy, never fall outside the windows or the rule pack, never spill past retryDay local days', () => {
  fc.assert(
    fc.property(scenarioArb, (sc) => {
      const never = () => false;
      const wins = { workday: sc.windows, holiday: [] };
      const hist = { attempts: 0, firstDay: null as string | null, perDay: {} as Record<string, number>, days: [] as string[], perOutcome: {} as Record<string, number> };
      const attempts: number[] = [];
      const writebacks = [...sc.writebacks].sort((a, b) => a - b).map((o) => sc.start + o);
      const end = sc.start + 10 * DAY;
      let t = sc.start;
      let due = sc.start;
      let done = false;
      for (let step = 0; step < 400; step++) {
        if (done) {
          const wb = writebacks.shift();
          if (wb === undefined) break;
          t = Math.max(t, wb);
          due = t + 10 * MIN;
          done = false;
        }
        t = Math.max(t, due) + sc.late[step % sc.late.length]!;
        if (t > end) break;
        const pause = sc.pauses.find(([o, l]) => t >= sc.start + o && t < sc.start + o + l);
        if (pause) {
          due = sc.start + pause[0] + pause[1];
          continue;
        }
        const g = budgetGate(sc.rules, { attempts: hist.attempts, firstDay: hist.days[0] ?? null, perDay: hist.perDay }, t, sc.tz);
        if (!g.go) {
          if (g.until === null) done = true;
          else due = g.until;
          continue;
        }
        const w = windowGate(t, sc.tz, wins, never);
        if (!w.go) {
          if (w.until === null) break;
          assert.ok(w.until > t, 'a hold always points to the future');
          due = w.until;
          continue;
        }
        const p = packGate(sc.pack, t, sc.tz, attempts);
        if (!p.go) {
          if (p.until === null) break;
          assert.ok(p.until > t, 'a pack hold always points to the future');
          due = p.until;
          continue;
        }
        // Dial.
        attempts.push(t);
        const failCode = sc.outcomes[attempts.length % sc.outcomes.length]!;
        const day = oracle(t, sc.tz).date;
        hist.attempts++;
        if (!hist.days.includes(day)) hist.days.push(day);
        hist.perDay[day] = (hist.perDay[day] ?? 0) + 1;
        hist.perOutcome[failCode] = (hist.perOutcome[failCode] ?? 0) + 1;
        const d = decideAfterAttempt({
          success: false,
          failCode,
          resultCode: null,
          rules: sc.rules,
          counters: { attempts: hist.attempts, days: hist.days, today: hist.perDay[day]!, perOutcome: hist.perOutcome },
          hasNextNumber: false,
          nowMs: t,
          tz: sc.tz,
        });
        if (d.kind === 'retry') {
          assert.ok(d.at > t);
          due = d.at;
        } else done = true;
      }
      // The bound, whatever happened.
      assert.ok(attempts.length <= attemptBound(sc.rules), `${attempts.length} attempts > bound ${attemptBound(sc.rules)}`);
      for (const a of attempts) {
        if (sc.pack) assert.ok(insidePack(sc.pack, a, sc.tz), `attempt at ${new Date(a).toISOString()} outside rule pack ${sc.pack.name}`);
        for (const cap of sc.pack?.caps ?? []) {
          const inPeriod = attempts.filter((b) => b <= a && b > a - cap.periodMs).length;
          assert.ok(inPeriod <= cap.max, `${inPeriod} calls within ${cap.label} of ${new Date(a).toISOString()}`);
        }
        const l = oracle(a, sc.tz);
        if (sc.windows.length > 0)
          assert.ok(
            sc.windows.some((w) => l.minute >= w.begin && l.minute < w.end),
            `attempt at ${new Date(a).toISOString()} (${l.date} ${l.minute} min local) outside ${JSON.stringify(sc.windows)}`,
          );
      }
      if (sc.rules.mode === 'ordinary' && attempts.length > 0) {
        const first = dayNumber(oracle(attempts[0]!, sc.tz).date);
        const perDay = new Map<string, number>();
        for (const a of attempts) {
          const d = oracle(a, sc.tz).date;
          perDay.set(d, (perDay.get(d) ?? 0) + 1);
          assert.ok(dayNumber(d) - first < sc.rules.days, `attempt on local day ${d}, beyond retryDay ${sc.rules.days}`);
        }
        for (const [d, n] of perDay) assert.ok(n <= sc.rules.timesPerDay, `${n} attempts on ${d} > retryTimes ${sc.rules.timesPerDay}`);
      }
      // Without writebacks, each outcome is also retried no more than its own retryNumber.
      if (sc.rules.mode === 'by-result' && sc.writebacks.length === 0) {
        for (const code of ['00603', '00537']) {
          const used = attempts.filter((_, i) => sc.outcomes[(i + 1) % sc.outcomes.length] === code).length;
          assert.ok(used <= 1 + sc.rules.rules.get(code)!.retries, `${code}: ${used} outcomes for ${sc.rules.rules.get(code)!.retries} retries`);
        }
      }
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('property: a window decision agrees with the local wall clock (oracle), around DST changes', () => {
  fc.assert(
    fc.property(fc.constantFrom(...ZONES), fc.constantFrom(...BASES), fc.integer({ min: -48 * 60, max: 48 * 60 }), windowsArb, (tz, base, minutes, windows) => {
      const t = base + minutes * MIN;
      const g = windowGate(t, tz, { workday: windows, holiday: [] }, () => false);
      const l = oracle(t, tz);
      const inside = windows.length === 0 || windows.some((w) => l.minute >= w.begin && l.minute < w.end);
      assert.equal(g.go, inside, `${new Date(t).toISOString()} ${tz} local ${l.date} +${l.minute} min, windows ${JSON.stringify(windows)}`);
      if (!g.go && g.until !== null) {
        const o = oracle(g.until, tz);
        assert.ok(
          windows.some((w) => o.minute >= w.begin && o.minute < w.end),
          'the next opening is inside a window',
        );
        const before = oracle(g.until - MIN, tz);
        assert.ok(!windows.some((w) => before.minute >= w.begin && before.minute < w.end) || g.until - MIN < t, 'and the minute before it is not');
      }
    }),
    { numRuns: 500, seed: 7 },
  );
});

test('property: FR pack hours hold for every instant (Mon–Fri, 10–13 and 14–20 Paris)', () => {
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(2027, 0, 1) / MIN, max: Date.UTC(2029, 0, 1) / MIN }), (m) => {
      const t = m * MIN;
      const l = oracle(t, 'Europe/Paris');
      const h = packHours(RULE_PACKS.FR!, t, 'UTC');
      if (h.open) {
        assert.ok(!['Sat', 'Sun'].includes(l.weekday), `${l.date} is a ${l.weekday}`);
        assert.ok((l.minute >= 600 && l.minute < 780) || (l.minute >= 840 && l.minute < 1200), `${l.date} ${l.minute}`);
      }
    }),
    { numRuns: 500, seed: 7 },
  );
});

test('property: every spelling of a subscriber has one canonical form and one lookup tail; different subscribers differ', () => {
  const mobile = fc.tuple(fc.constantFrom('13', '15', '17', '18', '19'), fc.stringMatching(/^\d{9}$/)).map(([a, b]) => a + b);
  fc.assert(
    fc.property(mobile, mobile, (n, m) => {
      const spellings = [n, `86${n}`, `0086${n}`, `+86${n}`];
      const keys = new Set(spellings.map((x) => canonicalNumber(x, 'CN')));
      assert.equal(keys.size, 1, spellings.join(' '));
      assert.equal(new Set(spellings.map(numberTail)).size, 1);
      if (n !== m) assert.notEqual(canonicalNumber(m, 'CN'), canonicalNumber(n, 'CN'));
    }),
    { numRuns: 300, seed: 7 },
  );
});
