/**
 * The exact evaluator's entry point: a scenario × policy → the outcome record `simulate` returns
 * (false-rollback, missed-regression, rollback, promote and undecided rates; decision- and
 * detection-time distributions; expected requests and users served by a worse candidate),
 * computed without sampling — or the list of features that have no exact form here, for the
 * caller to fall back to Monte-Carlo (never a silent approximation).
 *
 * How: the stage walk is a Markov chain over check windows (stageChain.ts) whose transition
 * probabilities are the per-check laws (checkLaw.ts and healthCheckLaw.ts). With a historical
 * baseline, the reference every ratio rule compares with is the baseline stage's measurement,
 * random itself: the chain runs once per node of its law (baselineLaw.ts) and the tallies are
 * averaged with the nodes' weights — the baseline's own noise integrated over, not ignored. That
 * average is a discretisation: it runs again at a half and a quarter of the nodes and the largest
 * difference, times a safety factor (`discretisationSafety`), is added to the neglected mass; above `maxNeglected` the evaluator
 * refuses ("numerical tolerance: historical baseline discretisation").
 *
 * Accuracy: every probability is exact within `summary.neglectedMass` (truncated Poisson and
 * binomial sums, pruned states, the baseline's law's bracket, the estimated discretisation error); the evaluator refuses (feature
 * "numerical tolerance") when that mass exceeds `maxNeglected` (default 1e-6), the issue's
 * tolerance on rates.
 *
 * Covered: baseline, canary and full stages with ratio and absolute rules on error rate, timeout
 * rate and latency percentiles (historical or concurrent baseline; the concurrent full stage
 * excepted, below), failure limits, minRequests holds, min/max durations and onMaxDuration, the
 * kill switch, Poisson arrivals with the daily cycle and bursts, the realized sticky share, faults
 * at known times; shadow stages (shadowGateLaw.ts: the agreement gate exactly, the error and p95
 * ratio gates bounded — refused, naming the gate, when they sit near their thresholds). Not
 * covered (`chainFeatures` and the laws' `exactSupport` name them): A/B stages, statistical rules, and a full stage
 * under a concurrent baseline, whose reference is the previous stage's accumulated control —
 * random, and dependent on that stage's own checks, which a chain over (stage, time, failures)
 * cannot carry.
 */

import type { CompiledPolicy } from '../../engine/controller/compilePolicy.ts';
import { compilePolicy } from '../../engine/controller/compilePolicy.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { flagGroup } from '../runner.ts';
import type { Scenario } from '../scenario.ts';
import type { World } from '../world.ts';
import { compileWorld } from '../world.ts';
import { abTestApproximations, abTestFeatures } from './abTestLaw.ts';
import type { BaselineLaw } from './baselineLaw.ts';
import { baselineLaw } from './baselineLaw.ts';
import { ExactUnsupportedError } from './checkLaw.ts';
import { exactChainLaws } from './exactChainLaws.ts';
import { exactSupport } from './exactSupport.ts';
import type { ExactSummary, ExactTally } from './exactTally.ts';
import { emptyTally, exactSummary, mergeTally } from './exactTally.ts';
import type { ChainLaws } from './stageChain.ts';
import { runStageChain } from './stageChain.ts';

/** An exact answer. */
export interface ExactResult {
  supported: true;
  summary: ExactSummary;
  /** The probability masses behind the summary (mergeable: `mergeTally`, e.g. over a sweep's scenarios). */
  tally: ExactTally;
  /** Nodes of the historical baseline's law the chain ran for (1 with a concurrent baseline). */
  baselineNodes: number;
  /**
   * Approximations the answer makes, one sentence each (empty: none) — today the A/B stages'
   * tests, by the normal law of their z statistics (abTestLaw.ts). Never silent: the CLI prints them.
   */
  approximations: string[];
}

/** No exact answer: the features that need simulation. */
export interface ExactUnsupported {
  supported: false;
  features: string[];
}

/** Settings of `evaluateExact`. */
export interface ExactOptions {
  /** The scenario's compiled world, when the caller already has it for this policy's flag group. */
  world?: World;
  /**
   * Nodes of the historical baseline's law (default 16; a multiple of 4: the discretisation's
   * error is estimated from the answers at n, n/2 and n/4 nodes).
   */
  baselineNodes?: number;
  /** Largest neglected probability mass accepted (default 1e-6). */
  maxNeglected?: number;
}

/**
 * The policy features the chain itself cannot walk exactly (the laws' `exactSupport` adds the
 * scenario's and the rules'). Each names the stage. O(stages).
 */
export function chainFeatures(compiled: CompiledPolicy): string[] {
  const features: string[] = [];
  for (const stage of compiled.stages) {
    const where = `stage ${stage.index} '${stage.name}'`;
    if (stage.kind === 'ab') features.push(...abTestFeatures(compiled, stage));
    if (stage.kind === 'full' && compiled.baselineMode === 'concurrent' && stage.rules.length > 0) {
      features.push(
        `full stage under a concurrent baseline (${where}: its reference is the previous stage's accumulated control, which depends on that stage's checks)`,
      );
    }
    for (const rule of stage.rules) {
      if (rule.type === 'statistical')
        features.push(`statistical rule on ${rule.metric} (${where}: it tests counts accumulated over the stage)`);
    }
  }
  return features;
}

/** Whether a stage before `index` is a baseline stage (the historical baseline is then established). */
function baselineBefore(compiled: CompiledPolicy, index: number): boolean {
  return compiled.stages.some((stage) => stage.kind === 'baseline' && stage.index < index);
}

/**
 * Evaluates `policy` in `scenario` exactly (module comment), or returns the features that need
 * Monte-Carlo. Throws a RangeError when the policy is invalid (as `simulate`). Cost: one chain run
 * per baseline node, 1.75 × the nodes in all (0.75 × when refused early) — O(windows × live states) each — plus the laws' sums (cached per window).
 */
export function evaluateExact(scenario: Scenario, policy: Policy, options: ExactOptions = {}): ExactResult | ExactUnsupported {
  const compiled = compilePolicy(policy);
  const maxNeglected = options.maxNeglected ?? 1e-6;
  if (
    options.baselineNodes !== undefined &&
    !(Number.isInteger(options.baselineNodes) && options.baselineNodes >= 4 && options.baselineNodes % 4 === 0)
  )
    throw new RangeError(`baselineNodes must be a multiple of 4 (at least 4), got ${options.baselineNodes}`);
  const support = exactSupport(scenario, policy);
  const features = [...(support.supported ? [] : support.features), ...chainFeatures(compiled)];
  if (features.length > 0) return { supported: false, features: [...new Set(features)] };
  const world = options.world ?? compileWorld(scenario, flagGroup(policy));
  try {
    const total = emptyTally();
    let nodes = 1;
    let discretisation = 0;
    if (compiled.baselineMode === 'historical' && compiled.stages.some((stage) => stage.kind === 'baseline')) {
      const requested = options.baselineNodes ?? 16;
      const law = baselineLaw(world, compiled, { nodes: requested });
      nodes = law.nodes.length;
      if (nodes > 1) {
        // The node average is a discretisation (baselineLaw.ts): estimate its error from the
        // answers at n/4 and n/2 nodes first (refusing early, before the n-node run, when they
        // already differ by too much), then at n (outcomeDifference × discretisationSafety).
        const quarter = emptyTally();
        nodeAverage(world, compiled, baselineLaw(world, compiled, { nodes: requested / 4 }), quarter);
        const half = emptyTally();
        nodeAverage(world, compiled, baselineLaw(world, compiled, { nodes: requested / 2 }), half);
        discretisation = discretisationSafety * outcomeDifference(half, quarter);
        if (discretisation <= maxNeglected) {
          nodeAverage(world, compiled, law, total);
          discretisation = discretisationSafety * Math.max(outcomeDifference(total, half), outcomeDifference(half, quarter));
        }
      } else {
        nodeAverage(world, compiled, law, total);
      }
      if (discretisation > maxNeglected) {
        return {
          supported: false,
          features: [
            `numerical tolerance: historical baseline discretisation (the answers at ${requested}, ${requested / 2} and ${requested / 4} nodes of the baseline's law differ by up to ${(discretisation / discretisationSafety).toExponential(2)}; × ${discretisationSafety} is above ${maxNeglected})`,
          ],
        };
      }
      total.neglected += law.neglected + discretisation;
    } else {
      mergeTally(total, runStageChain(world, compiled, withEstablishment(compiled, exactChainLaws(world, compiled, null))));
    }
    if (!(total.neglected <= maxNeglected)) {
      return {
        supported: false,
        features: [
          `numerical tolerance (the exact sums neglect ${total.neglected.toExponential(2)} of probability, above ${maxNeglected})`,
        ],
      };
    }
    return {
      supported: true,
      summary: exactSummary(total),
      tally: total,
      baselineNodes: nodes,
      approximations: abTestApproximations(compiled),
    };
  } catch (error) {
    if (error instanceof ExactUnsupportedError) return { supported: false, features: error.features };
    throw error;
  }
}

/** Adds the weighted chain runs over the nodes of `law` into `total` (in place). One chain run per node. */
function nodeAverage(world: World, compiled: CompiledPolicy, law: BaselineLaw, total: ExactTally): void {
  for (const node of law.nodes)
    mergeTally(
      total,
      runStageChain(world, compiled, withEstablishment(compiled, exactChainLaws(world, compiled, node.reference))),
      node.weight,
    );
}

/**
 * Safety factor on the discretisation's error estimate. The node average is the midpoint rule
 * in probability (baselineLaw.ts) on an integrand that is not smooth — the checks read lattice
 * counts, so the rollback probability is a staircase in the baseline's rate — and it converges
 * erratically, about as 1/n, not 1/n². Measured (test/sim/exact/evaluateExact.test.ts's
 * discretisation case: identical-candidate.json, 2 h historical baseline, error-ratio rule, 14:14
 * UTC 2026-12-04), P(rollback) at 4/8/12/16/24/32/48/64/128/256 nodes: 0.0422929, 0.0423753,
 * 0.0423603, 0.0424102, 0.0424227, 0.0424167, 0.0424401, 0.0424576, 0.0424306, 0.0424463 —
 * still moving by 1.6e-5 between 128 and 256. Against the mean of the last three (0.0424448, itself uncertain by ~1e-5),
 * the error at n = 16, 32, 64 was 0.42, 0.81 and 0.31 of max(|Qₙ − Qₙ/₂|, |Qₙ/₂ − Qₙ/₄|); a
 * factor 2 covers that with a margin of 2.5. It is an estimate, not a proof.
 */
export const discretisationSafety = 2;

/**
 * The largest difference between two answers' outcome probabilities (rollback, promote,
 * undecided, worse, false rollback, missed regression): the discretisation's error estimate
 * compares the node averages at n, n/2 and n/4 nodes with it. O(1).
 */
export function outcomeDifference(fine: ExactTally, coarse: ExactTally): number {
  const fields = ['rollback', 'promote', 'undecided', 'worse', 'falseRollback', 'missedRegression'] as const;
  return Math.max(...fields.map((field) => Math.abs(fine[field] - coarse[field])));
}

/**
 * In historical mode a check before any baseline stage holds (the controller's "no established
 * historical baseline"): the laws are asked only about checks that have a baseline.
 */
function withEstablishment(compiled: CompiledPolicy, laws: ChainLaws): ChainLaws {
  if (compiled.baselineMode !== 'historical') return laws;
  return {
    shadowGates: (window) => laws.shadowGates(window),
    servedRequests: (window) => laws.servedRequests(window),
    healthCheck: (window) => (baselineBefore(compiled, window.stage.index) ? laws.healthCheck(window) : { hold: 1, pass: 0, fail: 0 }),
    abTest: laws.abTest,
  };
}
