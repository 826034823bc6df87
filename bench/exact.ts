/**
 * Benchmark of the exact evaluator against windowed Monte-Carlo (src/sim/exact/, issue 16
 * "Speed": exact ≥ 100× faster than windowed Monte-Carlo at 2,000 replicates for the same
 * operating characteristic). The operating characteristic: a policy on the lab's two worlds
 * (`scenarios/identical-candidate.json`, 100 req/s with a daily cycle, healthy; the same with 3×
 * the candidate's errors from the start, the lab's default fault) over 20 error-ratio thresholds.
 * Exact: one request per world for all 20 settings (evaluateExactSettings, as the lab and
 * `sweep --mode exact` ask), from cold memos (fresh world objects), in Node on one core after a
 * JIT warm-up on other copies. Windowed Monte-Carlo: 2,000 replicates per setting and world,
 * timed on `--mc-settings` settings (default 1; 0 times the exact part alone) and scaled to 20 — the cost per setting does not
 * depend on the threshold beyond the windows simulated, which the measurement includes.
 *
 * Two policies:
 * - the framework default itself (shadow 24 h → canary → A/B 50 % → full; historical baseline,
 *   error, timeout and latency ratio rules): exact with one named approximation, the A/B test's
 *   normal law at its look (evaluateExact says so; printed);
 * - `coveredPolicy` (bench/labExactSetup.ts): the framework default without its shadow and A/B
 *   stages, latency and timeout ratio rules as absolute limits — no named approximation, the
 *   historical error-rate baseline's law discretised.
 * Tolerance: the historical baseline's discretisation estimate on these worlds reaches ~1e-4
 * (the 5 % canary's staircase), so the evaluator is asked at `--max-neglected` (default 1e-2) and
 * the largest neglected mass is printed: the figure is the cost of the answer, not of a refusal.
 *
 * Part of `npm run bench` (bench/run.ts); alone: `npm run build:cli && node dist/bench/exact.js
 * [--mc-settings N] [--max-neglected P]` from the repository root.
 */
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defaultPolicy } from '../src/engine/policy/defaultPolicy.ts';
import type { Policy } from '../src/engine/policy/policy.ts';
import { evaluateExactSettings } from '../src/sim/exact/evaluateExact.ts';
import { simulate } from '../src/sim/runner.ts';
import { withParameter } from '../src/sim/sweep.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../src/sim/world.ts';
import { coveredPolicy, labWorlds } from './labExactSetup.ts';

/** The 20 error-ratio thresholds, 1.2× … 4×. */
const thresholds = Array.from({ length: 20 }, (_, i) => Number((1.2 + (i * 2.8) / 19).toFixed(3)));
const replicates = 2000;

/** One policy's figures. */
export interface ExactVsWindowedTiming {
  policy: string;
  settings: number;
  exactCpuSeconds: number;
  exactWallSeconds: number;
  /** Windowed Monte-Carlo at 2,000 replicates, scaled to every setting. */
  windowedCpuSeconds: number;
  windowedWallSeconds: number;
  /** The largest neglected mass over the settings and worlds. */
  neglectedMass: number;
  /** The evaluator's named approximations (first words). */
  approximations: string[];
}

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

function timePolicy(base: Policy, monteCarloSettings: number, maxNeglected: number): ExactVsWindowedTiming {
  const policies = thresholds.map((errorRatio) => withParameter(base, 'errorRatio', errorRatio));
  // Warm-up (JIT), not counted, on copies of the worlds: the timed run starts with cold memos.
  evaluateExactSettings(labWorlds().healthy, policies.slice(0, 2), { maxNeglected });
  const worlds = labWorlds();
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const answers = [
    ...evaluateExactSettings(worlds.healthy, policies, { maxNeglected }),
    ...evaluateExactSettings(worlds.regressed, policies, { maxNeglected }),
  ];
  const exactWallSeconds = (performance.now() - wallStart) / 1000;
  const exactCpuSeconds = cpuSeconds(cpuStart);
  const approximations = new Set<string>();
  let neglectedMass = 0;
  for (const answer of answers) {
    if (!answer.supported) throw new Error(`${base.name} must be answered exactly: ${answer.features.join('; ')}`);
    neglectedMass = Math.max(neglectedMass, answer.summary.neglectedMass);
    for (const note of answer.approximations ?? []) approximations.add(note.split(' (')[0]);
  }
  const simulated = labWorlds();
  const mcCpuStart = process.cpuUsage();
  const mcWallStart = performance.now();
  for (let i = 0; i < monteCarloSettings; i += 1) {
    const policy = policies[Math.floor((i * thresholds.length) / monteCarloSettings)];
    simulate(simulated.healthy, policy, { replicates, seed: 1, mode: 'window' });
    simulate(simulated.regressed, policy, { replicates, seed: 1, mode: 'window' });
  }
  // --mc-settings 0: the exact part alone (the windowed figures are NaN, printed as not timed).
  const scale = monteCarloSettings > 0 ? thresholds.length / monteCarloSettings : Number.NaN;
  return {
    policy: base.name ?? 'policy',
    settings: thresholds.length,
    exactCpuSeconds,
    exactWallSeconds,
    windowedCpuSeconds: cpuSeconds(mcCpuStart) * scale,
    windowedWallSeconds: ((performance.now() - mcWallStart) / 1000) * scale,
    neglectedMass,
    approximations: [...approximations],
  };
}

/** Runs the entry (module comment) and prints its lines. */
export function exactVsWindowedBenchmark(options: { monteCarloSettings?: number; maxNeglected?: number } = {}): ExactVsWindowedTiming[] {
  const monteCarloSettings = options.monteCarloSettings ?? 1;
  const maxNeglected = options.maxNeglected ?? 1e-2;
  const control = emptyConditions();
  conditionsAt(compileWorld(labWorlds().healthy, 'bench'), 0, 0, control, emptyConditions());
  console.log(
    `exact vs windowed Monte-Carlo at ${replicates} replicates (target ≥ 100×): ${thresholds.length} error-ratio thresholds × healthy and regressed world, scenarios/identical-candidate.json; node ${process.version}, one core, load average ${loadavg()[0].toFixed(2)} on ${cpus().length} CPUs`,
  );
  const timings = [defaultPolicy(), coveredPolicy(control.timeoutProbability)].map((policy) =>
    timePolicy(policy, monteCarloSettings, maxNeglected),
  );
  for (const timing of timings) {
    console.log(
      `  ${timing.policy}: exact ${timing.exactCpuSeconds.toFixed(2)} s CPU (${timing.exactWallSeconds.toFixed(2)} s wall; neglected mass ≤ ${timing.neglectedMass.toExponential(1)}${
        timing.approximations.length > 0 ? `; approximation: ${timing.approximations.join('; ')}` : ''
      })${
        monteCarloSettings > 0
          ? `; windowed ${timing.windowedCpuSeconds.toFixed(1)} s CPU (${monteCarloSettings} of ${timing.settings} settings timed, scaled); exact ${(timing.windowedCpuSeconds / timing.exactCpuSeconds).toFixed(1)}× less CPU (${(timing.windowedWallSeconds / timing.exactWallSeconds).toFixed(1)}× wall)`
          : '; windowed not timed'
      }`,
    );
  }
  return timings;
}

// Run alone: `node dist/bench/exact.js [--mc-settings N] [--max-neglected P]`.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const settingsArgument = process.argv.indexOf('--mc-settings');
  const toleranceArgument = process.argv.indexOf('--max-neglected');
  exactVsWindowedBenchmark({
    monteCarloSettings: settingsArgument > 0 ? Number(process.argv[settingsArgument + 1]) : undefined,
    maxNeglected: toleranceArgument > 0 ? Number(process.argv[toleranceArgument + 1]) : undefined,
  });
}
