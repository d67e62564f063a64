/**
 * A discrete-event simulation of one skill-queue campaign: the simulated agent pool
 * (agent-pool.ts), the dispatch budget of the campaign's mode (domain/dialing-modes.ts, the
 * predictive controller) and the abandon accounting (domain/abandon.ts) — the same modules the
 * engine uses — on simulated time, without HTTP or a database, so a week of 100,000 records runs
 * in seconds. Used by the tests (test/dialing-simulation.test.ts) and `npm run bench:agents`.
 *
 * Model: the campaign dials from `openHour` to `closeHour` (UTC) every day; agents log in at the
 * opening and out at the closing (after their current call). A started call is answered by a
 * person with probability `answerRate` after `answerSeconds`, else it fails after
 * `noAnswerSeconds`. An answered call takes the agent ready the longest; with none, it waits, and
 * is abandoned if no agent is free within the grace time: the number goes back to the list, due
 * again after the quiet period. Every record is otherwise dialled once.
 */
import { ABANDON_WINDOW_MS, AbandonLedger, DEFAULT_ABANDON_GRACE_MS, DEFAULT_ABANDON_QUIET_MS, DEFAULT_ABANDON_TARGET, quietUntil } from '../domain/abandon.js';
import { dispatchBudget, type DialingMode } from '../domain/dialing-modes.js';
import { type Agent, AgentPool, type SimulatedPoolOptions, seededUnit } from './agent-pool.js';

export interface SimulationOptions {
  mode: DialingMode;
  records: number;
  /** Start instant (epoch ms, best a UTC midnight) and length in days. */
  start: number;
  days: number;
  openHour: number;
  closeHour: number;
  pool: SimulatedPoolOptions;
  /** Share of calls answered by a person. */
  answerRate: number;
  answerSeconds: readonly [number, number];
  noAnswerSeconds: readonly [number, number];
  graceMs?: number;
  quietMs?: number;
  target?: number;
  /** Progressive ratio (≥ 1). */
  ratio?: number;
  /** Preview: share of offered records the agent calls, and the time the agent takes to decide (s). */
  previewAcceptRate?: number;
  previewSeconds?: number;
  seed: number;
  tickMs?: number;
}

export interface SimulationResult {
  dialled: number;
  answered: number;
  abandoned: number;
  /** The highest abandoned ÷ answered reached at any instant over the window ending there (life, if shorter). */
  maxRate: number;
  /** The rolling 30-day rate at the end (the ledger's). */
  finalRate: number;
  occupancy: number;
  meanWaitSeconds: number;
  /** Dials of a number within the quiet period after its abandoned call (must be 0). */
  quietViolations: number;
  /** Preview: records the agents accepted, and the records dialled (same set when the mode works). */
  previewAccepted: number[];
  previewDialled: number[];
  recordsLeft: number;
  simulatedMs: number;
  runMs: number;
}

interface Call {
  record: number;
  startedAt: number;
  answeredAt: number | null;
  agent: Agent | null;
}

type Ev =
  | { t: number; seq: number; kind: 'answer' | 'fail'; call: Call }
  | { t: number; seq: number; kind: 'abandon-check'; call: Call }
  | { t: number; seq: number; kind: 'end-talk' | 'end-wrap'; agent: Agent }
  | { t: number; seq: number; kind: 'preview'; agent: Agent; record: number; accept: boolean };

type WithoutSeq<E> = E extends unknown ? Omit<E, 'seq'> : never;
type NewEv = WithoutSeq<Ev>;

/** A binary min-heap of events by (time, sequence). */
class EventQueue {
  readonly #h: Ev[] = [];
  #seq = 0;
  get size(): number {
    return this.#h.length;
  }
  peek(): Ev | undefined {
    return this.#h[0];
  }
  push(e: NewEv): void {
    const ev = { ...e, seq: this.#seq++ } as Ev;
    const h = this.#h;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Ev | undefined {
    const h = this.#h;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Ev, b: Ev): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

const DAY = 86_400_000;

/** Runs the simulation to its end and returns what it measured. Deterministic for a given seed. */
export function simulateCampaign(o: SimulationOptions): SimulationResult {
  const began = performance.now();
  const tick = o.tickMs ?? 1000;
  const grace = o.graceMs ?? DEFAULT_ABANDON_GRACE_MS;
  const quiet = o.quietMs ?? DEFAULT_ABANDON_QUIET_MS;
  const target = o.target ?? DEFAULT_ABANDON_TARGET;
  const unit = seededUnit(o.seed ^ 0x5eed);
  const between = ([lo, hi]: readonly [number, number]) => Math.round((lo + (hi - lo) * unit()) * 1000);
  const pool = new AgentPool(o.pool, o.start);
  const ledger = new AbandonLedger({ windowMs: ABANDON_WINDOW_MS });
  const q = new EventQueue();
  const end = o.start + o.days * DAY;
  const horizonMs = o.noAnswerSeconds[1] * 1000 + o.answerSeconds[1] * 1000 + grace;

  let nextFresh = 0;
  /** Numbers due again after the quiet period: [due, record], in due order (abandons happen in time order). */
  const again: Array<[number, number]> = [];
  const abandonedAt = new Map<number, number>();
  let inFlight = 0;
  const waiting: Call[] = [];
  const res = { dialled: 0, answered: 0, abandoned: 0, failed: 0, maxRate: 0, quietViolations: 0 };
  const previewAccepted: number[] = [];
  const previewDialled: number[] = [];
  let handle = { n: 0, totalMs: 0 };
  let answerDelay = { n: 0, totalMs: 0 };

  const open = (t: number) => {
    const h = (t - Math.floor(t / DAY) * DAY) / 3_600_000;
    return h >= o.openHour && h < o.closeHour;
  };
  const nextRecord = (t: number): number | null => {
    if (again.length > 0 && again[0]![0] <= t) return again.shift()![1];
    if (nextFresh < o.records) return nextFresh++;
    return null;
  };
  const hasRecord = (t: number) => nextFresh < o.records || (again.length > 0 && again[0]![0] <= t);

  const dial = (record: number, t: number, agent: Agent | null) => {
    const last = abandonedAt.get(record);
    if (last !== undefined && t < quietUntil(last, quiet)) res.quietViolations++;
    res.dialled++;
    inFlight++;
    const call: Call = { record, startedAt: t, answeredAt: null, agent };
    if (unit() < o.answerRate) q.push({ t: t + between(o.answerSeconds), kind: 'answer', call });
    else q.push({ t: t + between(o.noAnswerSeconds), kind: 'fail', call });
  };
  const connect = (agent: Agent, t: number) => {
    pool.set(agent, 'talking', t);
    const talk = pool.talkMs();
    q.push({ t: t + talk, kind: 'end-talk', agent });
  };
  const agentFree = (agent: Agent, t: number) => {
    const w = waiting.shift();
    if (w) {
      pool.set(agent, 'ready', t);
      connect(agent, t);
    } else pool.set(agent, open(t) || inFlight > 0 ? 'ready' : 'offline', t);
  };
  const trackRate = (t: number) => {
    // Life-so-far inside the first 30 days; the ledger's window after.
    const rate = t - o.start < ABANDON_WINDOW_MS ? res.abandoned / Math.max(1, res.answered) : ledger.window(t).rate;
    if (rate > res.maxRate) res.maxRate = rate;
  };

  const handleEvent = (e: Ev) => {
    switch (e.kind) {
      case 'answer': {
        inFlight--;
        res.answered++;
        ledger.answered(e.t);
        answerDelay = { n: answerDelay.n + 1, totalMs: answerDelay.totalMs + (e.t - e.call.startedAt) };
        e.call.answeredAt = e.t;
        const agent = e.call.agent ?? pool.longestReady();
        if (agent) connect(agent, e.t);
        else {
          waiting.push(e.call);
          q.push({ t: e.t + grace, kind: 'abandon-check', call: e.call });
        }
        break;
      }
      case 'fail':
        inFlight--;
        res.failed++;
        if (e.call.agent) agentFree(e.call.agent, e.t);
        break;
      case 'abandon-check': {
        const i = waiting.indexOf(e.call);
        if (i < 0) break; // an agent took it in time
        waiting.splice(i, 1);
        res.abandoned++;
        ledger.abandoned(e.t);
        abandonedAt.set(e.call.record, e.t);
        again.push([quietUntil(e.t, quiet), e.call.record]);
        trackRate(e.t);
        break;
      }
      case 'end-talk': {
        handle = { n: handle.n + 1, totalMs: handle.totalMs + (e.t - e.agent.since) };
        const wrap = pool.wrapUpMs();
        pool.set(e.agent, 'wrap-up', e.t);
        q.push({ t: e.t + wrap, kind: 'end-wrap', agent: e.agent });
        break;
      }
      case 'end-wrap':
        handle = { n: handle.n, totalMs: handle.totalMs + (e.t - e.agent.since) };
        agentFree(e.agent, e.t);
        break;
      case 'preview':
        if (e.accept) {
          previewAccepted.push(e.record);
          previewDialled.push(e.record);
          dial(e.record, e.t, e.agent);
        } else {
          pool.set(e.agent, open(e.t) ? 'ready' : 'offline', e.t);
        }
        break;
    }
  };

  let t = o.start;
  let wasOpen = false;
  while (t < end) {
    while (q.size > 0 && q.peek()!.t <= t) handleEvent(q.pop()!);
    const isOpen = open(t);
    if (isOpen && !wasOpen) for (const a of pool.agents) if (a.state === 'offline') agentFree(a, t);
    // After the closing, agents log out once no call of the campaign can still need them.
    if (!isOpen && inFlight === 0 && waiting.length === 0) for (const a of pool.agents) if (a.state === 'ready') pool.set(a, 'offline', t);
    wasOpen = isOpen;
    if (isOpen && hasRecord(t)) {
      if (o.mode === 'preview') {
        for (const a of pool.agents) {
          if (a.state !== 'ready' || !hasRecord(t)) continue;
          const record = nextRecord(t)!;
          pool.set(a, 'reserved', t);
          q.push({ t: t + (o.previewSeconds ?? 5) * 1000, kind: 'preview', agent: a, record, accept: unit() < (o.previewAcceptRate ?? 0.8) });
        }
      } else {
        const { rate } = ledger.window(t);
        const n = dispatchBudget({
          mode: o.mode,
          ratio: o.ratio,
          freeAgents: pool.count('ready'),
          busyAgents: pool.count('talking') + pool.count('wrap-up'),
          inFlight,
          waiting: waiting.length,
          answerRate: (res.answered + 1) / (res.answered + res.failed + 2),
          meanHandleSeconds: handle.n === 0 ? 180 : handle.totalMs / handle.n / 1000,
          meanAnswerSeconds: answerDelay.n === 0 ? 10 : answerDelay.totalMs / answerDelay.n / 1000,
          graceSeconds: grace / 1000,
          target,
          measuredRate: rate,
          headroom: ledger.headroom(t, target, horizonMs),
        });
        for (let i = 0; i < n; i++) {
          const r = nextRecord(t);
          if (r === null) break;
          dial(r, t, null);
        }
      }
      t += tick;
    } else if (q.size > 0 || isOpen) {
      // Nothing to dial: jump to the next event (or the next tick while open).
      const next = q.size > 0 ? q.peek()!.t : t + tick;
      t = Math.max(t + tick, Math.min(next, isOpen ? t + tick : next));
      if (!isOpen && q.size === 0) t = nextOpening(t, o.openHour);
    } else t = nextOpening(t, o.openHour);
  }
  while (q.size > 0 && q.peek()!.t <= end) handleEvent(q.pop()!);
  const occ = pool.occupancy(end);
  return {
    dialled: res.dialled,
    answered: res.answered,
    abandoned: res.abandoned,
    maxRate: res.maxRate,
    finalRate: ledger.window(end).rate,
    occupancy: occ.occupancy,
    meanWaitSeconds: occ.meanWaitSeconds,
    quietViolations: res.quietViolations,
    previewAccepted,
    previewDialled,
    recordsLeft: o.records - nextFresh + again.length,
    simulatedMs: end - o.start,
    runMs: performance.now() - began,
  };
}

function nextOpening(t: number, openHour: number): number {
  const day = Math.floor(t / DAY) * DAY;
  const today = day + openHour * 3_600_000;
  return today > t ? today : today + DAY;
}
