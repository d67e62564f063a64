/**
 * The week-long rehearsal of an agent campaign: 100,000 records, 20 simulated agents, 30 % of
 * calls answered by a person, talk 60–240 s, wrap-up 5–15 s, dialling 09:00–21:00 UTC for 7 days,
 * in each mode. Runs the discrete-event simulation (src/engine/dialing-simulation.ts: the simulated
 * agent pool, the real dispatch budget, predictive controller and abandon ledger) and prints the
 * abandon rate (highest at any instant, and at the end), agent occupancy, agent wait and run time.
 *
 *   npm run bench:agents      (also part of `npm run bench`; BENCH_AGENT_SEED to change the seed)
 */
import { simulateCampaign, type SimulationOptions } from '../src/engine/dialing-simulation.js';

const seed = Number(process.env.BENCH_AGENT_SEED ?? 7);
const week: SimulationOptions = {
  mode: 'predictive',
  records: 100_000,
  start: Date.UTC(2026, 0, 5),
  days: 7,
  openHour: 9,
  closeHour: 21,
  pool: { agents: 20, talkSeconds: [60, 240], wrapUpSeconds: [5, 15], seed },
  answerRate: 0.3,
  answerSeconds: [3, 15],
  noAnswerSeconds: [10, 30],
  seed,
};

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
console.log('agent campaign, one simulated week: 100,000 records, 20 agents, 30 % answered, talk 60–240 s, target 3 %');
for (const mode of ['predictive', 'progressive', 'preview'] as const) {
  const r = simulateCampaign({ ...week, mode });
  console.log(
    `${mode.padEnd(12)} dialled ${String(r.dialled).padStart(6)}  answered ${String(r.answered).padStart(6)}  abandoned ${String(r.abandoned).padStart(4)}  ` +
      `abandon rate max ${pct(r.maxRate)} / end ${pct(r.finalRate)}  occupancy ${pct(r.occupancy)}  agent wait ${r.meanWaitSeconds.toFixed(1)} s  ` +
      `records left ${r.recordsLeft}  run ${(r.runMs / 1000).toFixed(2)} s`,
  );
  if (mode === 'predictive' && (r.maxRate > 0.03 || r.occupancy <= 0.7)) {
    console.log('predictive: OUTSIDE THE TARGET (abandon ≤ 3 %, occupancy > 70 %)');
    process.exitCode = 1;
  }
}
