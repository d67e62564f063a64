/**
 * The simulated dialer (the default): deterministic outcomes from a seed, so a rehearsal or a
 * test gives the same calls every run. The outcome of an attempt depends only on
 * (seed, called number, attempt number), never on timing or on the order work was claimed in,
 * so restarts and concurrency do not change what a number "answers".
 *
 * Configuration (`CAMPAIGND_SIM_*`, see the README):
 * - an outcome mix: OBS code → weight (default 00000:55, 00603:20, 00537:10, 00604:8, 00538:4, 00602:3);
 * - per-number overrides: a number → a list of codes returned for attempts 1, 2, … (the last one
 *   repeats), for scripted rehearsals and tests;
 * - ring time (s) and talk time (s) ranges;
 * - optionally a recordings base URL, so connected calls carry a `recordPath`.
 */
import { createHash } from 'node:crypto';
import { isKnownObsCode, OBS_SUCCESS_CODE } from '../domain/obs-codes.js';
import { IVR_DEVICE_TYPES } from '../domain/campaign-rules.js';
import type { CallTurn } from '../store/call-records.repository.js';
import type { DialOutcome, Dialer, DialRequest, DialResult } from './dialer.js';

/** What a simulated customer answers the IVR, and the intention the robot reads from it. */
const ANSWERS: ReadonlyArray<readonly [userSaying: string, intention: string]> = [
  ['Yes, tell me more.', 'interested'],
  ['No, thank you.', 'not interested'],
  ['Please call me back later.', 'call back later'],
];

/**
 * The dialogue of a connected IVR call (`callRecord`): greeting, the customer's answer with the
 * robot's reading of it, and a farewell, spread over the talk time; deterministic like the rest.
 */
export function simulatedTurns(seed: string, calledNo: string, attempt: number, beginMs: number, endMs: number): CallTurn[] {
  const [userSaying, intention] = ANSWERS[Math.floor(unit(seed, calledNo, attempt, 'answer') * ANSWERS.length)]!;
  const step = Math.max(1000, Math.floor((endMs - beginMs) / 3));
  const turn = (interNo: number, at: number, systemReply: string, said: string | null, intent: string | null): CallTurn => ({
    interNo,
    systemReply,
    userSaying: said,
    intention: intent,
    requestTime: at,
    systemReplyTime: Math.min(at + 1000, endMs),
    responseSource: 'simulated',
  });
  return [
    turn(1, beginMs, 'Hello, this is an automated call. May I take a minute of your time?', null, null),
    turn(2, beginMs + step, 'Thank you for your answer.', userSaying, intention),
    turn(3, beginMs + 2 * step, 'Goodbye.', null, null),
  ];
}

export interface SimulatedDialerOptions {
  seed: string;
  mix: ReadonlyArray<readonly [code: string, weight: number]>;
  scripts: ReadonlyMap<string, readonly string[]>;
  ringSeconds: readonly [number, number];
  talkSeconds: readonly [number, number];
  /** Base URL of recordings: a connected call gets `recordPath` `{recordUrl}/{callId}.wav`; unset = no recordings. */
  recordUrl?: string;
}

export const DEFAULT_MIX: ReadonlyArray<readonly [string, number]> = [
  ['00000', 55],
  ['00603', 20],
  ['00537', 10],
  ['00604', 8],
  ['00538', 4],
  ['00602', 3],
];

/** `"00000:60,00603:40"` → [['00000',60],['00603',40]]; throws on unknown codes or bad weights. */
export function parseMix(s: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const part of s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^(\d{5}):(\d+)$/.exec(part);
    if (!m || !isKnownObsCode(m[1]!)) throw new Error(`outcome mix entry "${part}" is not CODE:WEIGHT with a known OBS code`);
    out.push([m[1]!, Number(m[2])]);
  }
  if (out.length === 0 || out.every(([, w]) => w === 0)) throw new Error('the outcome mix needs at least one positive weight');
  return out;
}

/** `"66660001=00603,00000;66660002=00538"` → Map. */
export function parseScripts(s: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of s
    .split(';')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const m = /^([0-9*#]{1,24})=([0-9,\s]+)$/.exec(part);
    if (!m) throw new Error(`script entry "${part}" is not NUMBER=CODE,CODE`);
    const codes = m[2]!
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
    for (const c of codes) if (!isKnownObsCode(c)) throw new Error(`script entry "${part}": ${c} is not a known OBS code`);
    out.set(m[1]!, codes);
  }
  return out;
}

/** A uniform number in [0, 1) from a hash of the inputs. */
function unit(...parts: Array<string | number>): number {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000;
}

function between([lo, hi]: readonly [number, number], u: number): number {
  return Math.round(lo + (hi - lo) * u);
}

export class SimulatedDialer implements Dialer {
  readonly name = 'simulated';
  readonly answersAtOnce = true;
  readonly #opts: SimulatedDialerOptions;
  readonly #total: number;

  constructor(opts: SimulatedDialerOptions) {
    this.#opts = opts;
    this.#total = opts.mix.reduce((a, [, w]) => a + w, 0);
  }

  /** The outcome code of an attempt: scripted if the number has a script, else from the mix. */
  codeFor(calledNo: string, attempt: number): string {
    const script = this.#opts.scripts.get(calledNo);
    if (script && script.length > 0) return script[Math.min(attempt, script.length) - 1]!;
    let x = unit(this.#opts.seed, calledNo, attempt, 'code') * this.#total;
    for (const [code, w] of this.#opts.mix) {
      if (x < w) return code;
      x -= w;
    }
    return this.#opts.mix[this.#opts.mix.length - 1]![0];
  }

  async dial(req: DialRequest): Promise<DialResult> {
    const failCode = this.codeFor(req.calledNo, req.attempt);
    const ring = Math.min(between(this.#opts.ringSeconds, unit(this.#opts.seed, req.calledNo, req.attempt, 'ring')), req.maxAlertingTime);
    const ack = req.nowMs + 1000;
    let outcome: DialOutcome;
    if (failCode === OBS_SUCCESS_CODE) {
      const talk = between(this.#opts.talkSeconds, unit(this.#opts.seed, req.calledNo, req.attempt, 'talk'));
      const begin = ack + ring * 1000;
      const recordPath = this.#opts.recordUrl ? `${this.#opts.recordUrl.replace(/\/+$/, '')}/${req.callId}.wav` : null;
      outcome = { failCode, ackBeginTime: ack, callBeginTime: begin, callEndTime: begin + talk * 1000, recordPath };
      if (IVR_DEVICE_TYPES.has(req.deviceType)) outcome.turns = simulatedTurns(this.#opts.seed, req.calledNo, req.attempt, begin, begin + talk * 1000);
    } else {
      const ringing = failCode === '00603' ? req.maxAlertingTime : ring;
      outcome = { failCode, ackBeginTime: ack, callBeginTime: null, callEndTime: ack + ringing * 1000, recordPath: null };
    }
    return { kind: 'settled', outcome };
  }
}
