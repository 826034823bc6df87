/**
 * The audit of a rollout policy at the user's traffic: how often it rolls back the healthy
 * candidate (false rollback), lets the stated regression through (missed regression), and how
 * fast it catches it — overall and stage by stage: for each stage, the probability of reaching it,
 * of a rollback in it in each world, the time to detect of the regressions it rolls back, and the
 * requests the regressed candidate serves in it.
 *
 * Two methods, and the result says which:
 * - **exact** (src/sim/exact/evaluateExact.ts) whenever the evaluator covers the policy and both
 *   worlds: rates without sampling error (within the evaluator's neglected mass). The stage
 *   breakdown is the chain's per-stage tally (`ExactTally.stages`, one evaluation per world): the
 *   mass entering each stage, rolled back in it (never worse: false), the detection times and
 *   exposures of its windows — what the policy's prefixes would give (the policy cut after stage k
 *   and promoted there walks the same chain up to the end of stage k, so P(rollback in stage k) =
 *   P(rollback | prefix k) − P(rollback | prefix k − 1)), without an evaluation per prefix;
 * - **Monte-Carlo** (the windowed runner, src/sim/runner.ts) otherwise, with the features that
 *   sent it there: each rate with its Wilson 95% interval over `replicates` replicates of `seed`
 *   (replicate i of both worlds from `streamFor(seed, i)`: common random numbers, so an original
 *   and a tuned policy are compared on the same streams), the stage of each rollback read from the
 *   replicate's outcome (`stageReached`).
 *
 * Detection time is the simulator's (`ReplicateOutcome.detectionTime`): from the start of the
 * candidate's first worse window with traffic to the rollback. Pure.
 */
import { compilePolicy } from '../../engine/controller/compilePolicy.ts';
import type { Policy, StageKind } from '../../engine/policy/policy.ts';
import { streamFor } from '../../engine/random/streams.ts';
import type { ExactResult } from '../exact/evaluateExact.ts';
import { evaluateExact } from '../exact/evaluateExact.ts';
import type { ExactTally, StageTally } from '../exact/exactTally.ts';
import { emptyStageTally, exactRate } from '../exact/exactTally.ts';
import { runReplicate } from '../replicate.ts';
import { prepareSimulation } from '../runner.ts';
import type { Scenario } from '../scenario.ts';
import type { RateEstimate, SimulationSummary } from '../summary.ts';
import { addOutcome, histogramQuantile, initSummary, rateEstimate, summaryValue } from '../summary.ts';

/** How the audit measures. */
export interface AuditOptions {
  /** `'auto'` (default): exact when the evaluator covers the policy, else Monte-Carlo; `'monteCarlo'`: always simulate. */
  method?: 'auto' | 'monteCarlo';
  /** Monte-Carlo replicates per world (default 2,000). */
  replicates?: number;
  /** Monte-Carlo seed (default 1). */
  seed?: number | string;
  /** The detection target's window, seconds: `detectionRate` counts rollbacks within it (default 2 h). */
  detectWithin?: number;
}

/** Time to detect: mean, median and 90th percentile in seconds (null without a detected regression). */
export interface DetectionTimes {
  mean: number | null;
  median: number | null;
  p90: number | null;
}

/** One stage of the audited policy. */
export interface StageAudit {
  index: number;
  name: string;
  kind: StageKind;
  /** The candidate's share of users in the stage (0 for baseline and shadow). */
  traffic: number;
  /** P(the rollout reaches the stage), healthy and regressed world. */
  reachedHealthy: RateEstimate;
  reachedRegressed: RateEstimate;
  /** P(rolled back in this stage) in the healthy world: its share of the false rollbacks. */
  falseRollback: RateEstimate;
  /** P(rolled back in this stage) in the regressed world: where the regression is caught. */
  regressionRollback: RateEstimate;
  /** Time to detect of the regressions rolled back in this stage. */
  timeToDetect: DetectionTimes;
  /** Expected requests the regressed candidate serves in this stage. */
  requestsServedWhileWorse: number;
  /**
   * Expected distinct users it serves for the first time in this stage (exact: the increase of
   * the expected users served while worse; null in Monte-Carlo, which counts users per rollout only).
   */
  usersServedWhileWorse: number | null;
}

/** The audit of one policy. */
export interface RolloutAudit {
  method: 'exact' | 'monteCarlo';
  /** Why not exact (the features the evaluator names), empty when exact or when Monte-Carlo was asked for. */
  fallback: string[];
  /** Monte-Carlo replicates per world and seed (null when exact). */
  replicates: number | null;
  seed: number | string | null;
  /** Bound on the error of every exact rate (its neglected probability mass); null for Monte-Carlo. */
  neglectedMass: number | null;
  detectWithin: number;
  stages: StageAudit[];
  /** Healthy world: P(rollback). */
  falseRollbackRate: RateEstimate;
  /** Regressed world: P(promote). */
  missedRegressionRate: RateEstimate;
  /** Regressed world: P(rolled back within `detectWithin` of its first worse window with traffic). */
  detectionRate: RateEstimate;
  /** Regressed world: P(neither rolled back nor promoted by the horizon), and the healthy world's. */
  undecidedRegressed: RateEstimate;
  undecidedHealthy: RateEstimate;
  timeToDetect: DetectionTimes;
  /** Regressed world, expectations per rollout: requests and distinct users served by the worse candidate. */
  exposure: { requestsServedWhileWorse: number; usersServedWhileWorse: number };
}

/** The stages a breakdown reports: every stage but promote. */
function auditedStages(policy: Policy): { index: number; name: string; kind: StageKind; traffic: number }[] {
  const compiled = compilePolicy(policy);
  return compiled.stages
    .filter((stage) => stage.kind !== 'promote')
    .map((stage) => ({ index: stage.index, name: stage.name, kind: stage.kind, traffic: stage.traffic }));
}

/**
 * Mean, median and 90th percentile (lower quantiles) of a detection-time distribution (time → mass);
 * all null when its mass is at most `negligible` (a detection within the evaluation's error is no detection).
 */
function timesOf(masses: Map<number, number> | Record<string, number>, negligible = 0): DetectionTimes {
  const entries = (masses instanceof Map ? [...masses.entries()] : Object.entries(masses).map(([t, m]) => [Number(t), m] as const))
    .filter(([, mass]) => mass > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((sum, [, mass]) => sum + mass, 0);
  if (!(total > negligible)) return { mean: null, median: null, p90: null };
  const quantile = (q: number): number => {
    let running = 0;
    for (const [time, mass] of entries) {
      running += mass;
      if (running >= q * total * (1 - 1e-12)) return time;
    }
    return entries[entries.length - 1][0];
  };
  return { mean: entries.reduce((sum, [time, mass]) => sum + time * mass, 0) / total, median: quantile(0.5), p90: quantile(0.9) };
}

function exactOf(scenario: Scenario, policy: Policy): ExactResult | string[] {
  const result = evaluateExact(scenario, policy, { stageBreakdown: true });
  return result.supported ? result : result.features;
}

/** The exact audit, or the features that need simulation. One exact evaluation per world, with its per-stage tallies. */
function exactAudit(policy: Policy, healthy: Scenario, regressed: Scenario, detectWithin: number): RolloutAudit | string[] {
  const stages = auditedStages(policy);
  const healthyFull = exactOf(healthy, policy);
  const regressedFull = exactOf(regressed, policy);
  const refused = [...(Array.isArray(healthyFull) ? healthyFull : []), ...(Array.isArray(regressedFull) ? regressedFull : [])];
  if (refused.length > 0) return [...new Set(refused)];
  const fullHealthy = healthyFull as ExactResult;
  const fullRegressed = regressedFull as ExactResult;
  const total = (tally: ExactTally) => tally.rollback + tally.promote + tally.undecided;
  const healthyTotal = total(fullHealthy.tally);
  const regressedTotal = total(fullRegressed.tally);
  const regressedTally = fullRegressed.tally;
  const stageOf = (tally: ExactTally, index: number): StageTally => (tally.stages ?? [])[index] ?? emptyStageTally();
  const rows: StageAudit[] = stages.map((stage) => {
    const inHealthy = stageOf(fullHealthy.tally, stage.index);
    const inRegressed = stageOf(regressedTally, stage.index);
    return {
      ...stage,
      reachedHealthy: exactRate(inHealthy.reached, healthyTotal),
      reachedRegressed: exactRate(inRegressed.reached, regressedTotal),
      falseRollback: exactRate(Math.max(0, inHealthy.rollback), healthyTotal),
      regressionRollback: exactRate(Math.max(0, inRegressed.rollback), regressedTotal),
      timeToDetect: timesOf(inRegressed.detectionTimes, regressedTally.neglected),
      requestsServedWhileWorse: Math.max(0, inRegressed.requestsServedWhileWorse),
      usersServedWhileWorse: Math.max(0, inRegressed.usersServedWhileWorse),
    };
  });
  const h = fullHealthy.summary;
  const r = fullRegressed.summary;
  let detected = 0;
  for (const [time, mass] of regressedTally.detectionTimes) if (time <= detectWithin) detected += mass;
  return {
    method: 'exact',
    fallback: [],
    replicates: null,
    seed: null,
    neglectedMass: fullHealthy.tally.neglected + fullRegressed.tally.neglected,
    detectWithin,
    stages: rows,
    falseRollbackRate: h.falseRollbackRate,
    missedRegressionRate: r.missedRegressionRate,
    detectionRate: exactRate(detected, regressedTally.worse),
    undecidedRegressed: r.undecidedRate,
    undecidedHealthy: h.undecidedRate,
    timeToDetect: timesOf(regressedTally.detectionTimes, regressedTally.neglected),
    exposure: { requestsServedWhileWorse: r.exposure.requestsServedWhileWorse, usersServedWhileWorse: r.exposure.usersServedWhileWorse },
  };
}

/** One world simulated replicate by replicate, with each rollback's stage and each stage's served-while-worse requests. */
function simulateWorld(scenario: Scenario, policy: Policy, replicates: number, seed: number | string, stageCount: number) {
  const simulation = prepareSimulation(scenario, policy, 'window', seed);
  const state = initSummary();
  const reached = new Array<number>(stageCount).fill(0);
  const rollbacks = new Array<number>(stageCount).fill(0);
  const detection: Record<string, number>[] = Array.from({ length: stageCount }, () => ({}));
  const served = new Array<number>(stageCount).fill(0);
  for (let i = 0; i < replicates; i++) {
    let stage = 0;
    const outcome = runReplicate(simulation.world, simulation.policy, simulation.plan, streamFor(seed, i), {
      mode: 'window',
      onWindow: (request, metrics, decision) => {
        if (request.candidateWorse && request.candidateShare > 0) served[stage] += metrics.candidate?.requests ?? 0;
        if (decision === 'advance') stage += 1;
      },
    });
    addOutcome(state, outcome);
    for (let k = 0; k <= Math.min(outcome.stageReached, stageCount - 1); k++) reached[k] += 1;
    if (outcome.decision === 'rollback' && outcome.stageReached < stageCount) {
      rollbacks[outcome.stageReached] += 1;
      if (outcome.detectionTime !== null) {
        const key = String(outcome.detectionTime);
        detection[outcome.stageReached][key] = (detection[outcome.stageReached][key] ?? 0) + 1;
      }
    }
  }
  return { summary: summaryValue(state), state, reached, rollbacks, detection, served };
}

/** Type-7 time to detect of a histogram (value → count), as the Monte-Carlo summary reports it. */
function histogramTimes(histogram: Record<string, number>): DetectionTimes {
  const entries = Object.entries(histogram);
  const count = entries.reduce((sum, [, n]) => sum + n, 0);
  if (count === 0) return { mean: null, median: null, p90: null };
  return {
    mean: entries.reduce((sum, [time, n]) => sum + Number(time) * n, 0) / count,
    median: histogramQuantile(histogram, 0.5),
    p90: histogramQuantile(histogram, 0.9),
  };
}

function monteCarloAudit(
  policy: Policy,
  healthy: Scenario,
  regressed: Scenario,
  replicates: number,
  seed: number | string,
  detectWithin: number,
  fallback: string[],
): RolloutAudit {
  const stages = auditedStages(policy);
  const count = compilePolicy(policy).stages.length;
  const h = simulateWorld(healthy, policy, replicates, seed, count);
  const r = simulateWorld(regressed, policy, replicates, seed, count);
  const detected = Object.entries(r.summary.detectionTime.histogram).reduce(
    (sum, [time, n]) => (Number(time) <= detectWithin ? sum + n : sum),
    0,
  );
  const regressedSummary: SimulationSummary = r.summary;
  return {
    method: 'monteCarlo',
    fallback,
    replicates,
    seed,
    neglectedMass: null,
    detectWithin,
    stages: stages.map((stage) => ({
      ...stage,
      reachedHealthy: rateEstimate(h.reached[stage.index], replicates),
      reachedRegressed: rateEstimate(r.reached[stage.index], replicates),
      falseRollback: rateEstimate(h.rollbacks[stage.index], replicates),
      regressionRollback: rateEstimate(r.rollbacks[stage.index], replicates),
      timeToDetect: histogramTimes(r.detection[stage.index]),
      requestsServedWhileWorse: r.served[stage.index] / replicates,
      usersServedWhileWorse: null,
    })),
    falseRollbackRate: h.summary.falseRollbackRate,
    missedRegressionRate: regressedSummary.missedRegressionRate,
    detectionRate: rateEstimate(detected, r.state.worseCandidates),
    undecidedRegressed: regressedSummary.undecidedRate,
    undecidedHealthy: h.summary.undecidedRate,
    timeToDetect: {
      mean: regressedSummary.detectionTime.mean,
      median: regressedSummary.detectionTime.median,
      p90: regressedSummary.detectionTime.p90,
    },
    exposure: {
      requestsServedWhileWorse: regressedSummary.exposure.requestsServedWhileWorse,
      usersServedWhileWorse: regressedSummary.exposure.usersServedWhileWorse,
    },
  };
}

/**
 * Audits `policy` in the `healthy` and `regressed` worlds (module comment; build them with
 * `auditScenario`). Checks its options once (RangeError naming the field); the policy is checked
 * by the engine's compiler. Cost: exact — 2 evaluations (one per world); Monte-Carlo — 2 × replicates
 * windowed replicates.
 */
export function auditRollout(policy: Policy, healthy: Scenario, regressed: Scenario, options: AuditOptions = {}): RolloutAudit {
  const method = options.method ?? 'auto';
  if (method !== 'auto' && method !== 'monteCarlo') throw new RangeError(`method must be 'auto' or 'monteCarlo', got ${String(method)}`);
  const replicates = options.replicates ?? 2000;
  if (!(Number.isSafeInteger(replicates) && replicates >= 1))
    throw new RangeError(`replicates must be a whole number of at least 1, got ${replicates}`);
  const seed = options.seed ?? 1;
  if (!(typeof seed === 'string' || Number.isSafeInteger(seed)))
    throw new RangeError(`seed must be a safe integer or a string, got ${seed}`);
  const detectWithin = options.detectWithin ?? 7200;
  if (!(detectWithin > 0 && Number.isFinite(detectWithin)))
    throw new RangeError(`detectWithin must be a positive number of seconds, got ${detectWithin}`);
  compilePolicy(policy);
  if (method === 'monteCarlo') return monteCarloAudit(policy, healthy, regressed, replicates, seed, detectWithin, []);
  const exact = exactAudit(policy, healthy, regressed, detectWithin);
  if (!Array.isArray(exact)) return exact;
  return monteCarloAudit(policy, healthy, regressed, replicates, seed, detectWithin, exact);
}
