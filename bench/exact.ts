/**
 * Benchmark of the exact evaluator (src/sim/exact/, issue 16 "Speed"): the lab's question — a
 * policy on the lab's two worlds (`scenarios/identical-candidate.json` healthy; the same with 3×
 * the candidate's errors from the start, the lab's default fault), 20 error-ratio thresholds —
 * answered exactly, timed in Node on one core; and the same operating characteristic by the
 * windowed Monte-Carlo mode at 2,000 replicates, for the ratio.
 *
 * The lab's default policy (the framework default) has a shadow and an A/B stage, which the exact
 * evaluator does not cover (evaluateExact.ts says why): it falls back to Monte-Carlo, and this
 * bench says so. The question is timed on the framework default without those two stages —
 * historical baseline 24 h → canary 5% 2 h → canary 25% 6 h → full 1 h, the same guards and
 * thresholds, the latency ratio rules as absolute limits, and the timeout-rate ratio as an
 * absolute limit at the same multiple of the control's timeout rate (ratio rules on both the
 * error and the timeout rate read a joint baseline law the evaluator refuses) (`coveredPolicy`).
 *
 * Tolerance: with a historical error-ratio rule the baseline's discretisation error is estimated
 * at up to ~1e-3 here (evaluateExact.ts), so at the default 1e-6 the evaluator refuses and the lab falls
 * back to Monte-Carlo; the bench asks at `--max-neglected` (default 1e-2) and prints the largest
 * neglected mass, so the figure is the cost of the same computation, not of a refusal.
 *
 * Monte-Carlo at 2,000 replicates × 20 settings × 2 worlds is long (≈ a minute per setting on
 * this machine): it is timed on `--mc-settings` settings (default 2) and scaled to 20 — the cost
 * per setting does not depend on the threshold beyond the windows simulated, which the
 * measurement includes. Run: `npx tsc -p tsconfig.cli.json --outDir /tmp/bench-exact && node
 * /tmp/bench-exact/bench/exact.js [--mc-settings N] [--max-neglected P]`.
 */
import { cpus, loadavg } from 'node:os';
import { defaultPolicy } from '../src/engine/policy/defaultPolicy.ts';
import { evaluateExact } from '../src/sim/exact/evaluateExact.ts';
import { simulate } from '../src/sim/runner.ts';
import { withParameter } from '../src/sim/sweep.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../src/sim/world.ts';
import { coveredPolicy, labWorlds } from './labExactSetup.ts';

const thresholds = Array.from({ length: 20 }, (_, i) => Number((1.2 + (i * 2.8) / 19).toFixed(3)));
const argument = process.argv.indexOf('--mc-settings');
const monteCarloSettings = argument > 0 ? Number(process.argv[argument + 1]) : 2;
const toleranceArgument = process.argv.indexOf('--max-neglected');
const maxNeglected = toleranceArgument > 0 ? Number(process.argv[toleranceArgument + 1]) : 1e-2;
const worlds = labWorlds();
const control = emptyConditions();
conditionsAt(compileWorld(worlds.healthy, 'bench'), 0, 0, control, emptyConditions());

const fallback = evaluateExact(worlds.healthy, defaultPolicy());
console.log(`node ${process.version}; load average ${loadavg()[0].toFixed(2)} on ${cpus().length} CPUs; one core`);
console.log(`the lab's default policy: ${fallback.supported ? 'exact' : `falls back to Monte-Carlo (${fallback.features.join('; ')})`}`);

const base = coveredPolicy(control.timeoutProbability);
const policies = thresholds.map((errorRatio) => withParameter(base, 'errorRatio', errorRatio));
// Warm-up (JIT), not counted.
evaluateExact(worlds.healthy, policies[0], { maxNeglected });
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const answers = policies.map((policy) => {
  const healthy = evaluateExact(worlds.healthy, policy, { maxNeglected });
  const regressed = evaluateExact(worlds.regressed, policy, { maxNeglected });
  if (!healthy.supported || !regressed.supported)
    throw new Error(`the covered policy must be exact: ${[healthy, regressed].flatMap((r) => (r.supported ? [] : r.features)).join('; ')}`);
  return {
    neglected: Math.max(healthy.summary.neglectedMass, regressed.summary.neglectedMass),
    falseRollback: healthy.summary.falseRollbackRate.rate,
    missedRegression: regressed.summary.missedRegressionRate.rate,
    detection: regressed.summary.detectionTime.mean,
  };
});
const exactWall = (performance.now() - wallStart) / 1000;
const exactCpuUsage = process.cpuUsage(cpuStart);
const exactCpu = (exactCpuUsage.user + exactCpuUsage.system) / 1e6;
console.log(
  `exact: ${thresholds.length} settings × 2 worlds in ${(1000 * exactWall).toFixed(0)} ms wall, ${(1000 * exactCpu).toFixed(0)} ms CPU (${base.name}); largest neglected mass ${Math.max(...answers.map((a) => a.neglected)).toExponential(2)} (max ${maxNeglected})`,
);
for (let i = 0; i < thresholds.length; i += 1) {
  const a = answers[i];
  console.log(
    `  errorRatio ${thresholds[i].toFixed(3)}: false rollback ${a.falseRollback?.toFixed(6)}, missed regression ${a.missedRegression?.toFixed(6)}, mean detection ${a.detection === null ? '—' : `${(a.detection / 60).toFixed(1)} min`}`,
  );
}

const replicates = 2000;
const mcCpuStart = process.cpuUsage();
const mcWallStart = performance.now();
for (let i = 0; i < monteCarloSettings; i += 1) {
  const policy = policies[Math.floor((i * thresholds.length) / monteCarloSettings)];
  simulate(worlds.healthy, policy, { replicates, seed: 1, mode: 'window' });
  simulate(worlds.regressed, policy, { replicates, seed: 1, mode: 'window' });
}
const mcWall = ((performance.now() - mcWallStart) / 1000) * (thresholds.length / monteCarloSettings);
const mcCpuUsage = process.cpuUsage(mcCpuStart);
const mcCpu = ((mcCpuUsage.user + mcCpuUsage.system) / 1e6) * (thresholds.length / monteCarloSettings);
console.log(
  `windowed Monte-Carlo, ${replicates} replicates: ${monteCarloSettings} settings × 2 worlds timed, scaled to ${thresholds.length}: ${mcWall.toFixed(1)} s wall, ${mcCpu.toFixed(1)} s CPU`,
);
console.log(
  `exact vs windowed Monte-Carlo at ${replicates} replicates: ${(mcCpu / exactCpu).toFixed(0)}× less CPU (${(mcWall / exactWall).toFixed(0)}× wall; target ≥ 100×)`,
);
