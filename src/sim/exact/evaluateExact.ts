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
 * random itself: the chain runs for every node of its law (baselineLaw.ts) and the tallies are
 * averaged with the nodes' weights — the baseline's own noise integrated over, not ignored. The
 * nodes share the chain's states, so they are the columns of ONE vector run (vectorChain.ts), the
 * n, n/2 and n/4 nodes of the discretisation estimate with them (and, in `evaluateExactSettings`,
 * every setting of a curve or sweep that shares the chain's structure). That
 * average is a discretisation: it is computed at a half and a quarter of the nodes too and the largest
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
 * ratio gates bounded — refused, naming the gate, when they sit near their thresholds); A/B
 * stages with the fixed and group-sequential designs (abTestLaw.ts: the guardrails as canary
 * windows, the test of the success rate by the normal law of its z statistics — an approximation
 * the answer names in `approximations` — at look windows whose law comes from the arms' Poisson
 * counts). Not covered (`chainFeatures` and the laws' `exactSupport` name them): always-valid A/B
 * designs, A/B metric lists and segment reports, a group-sequential design with a guardrail
 * failure limit above 1 or random look windows, statistical rules, and a full stage
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
import type { BaselineLaw, BaselineNode } from './baselineLaw.ts';
import { baselineLaw } from './baselineLaw.ts';
import { ExactUnsupportedError } from './checkLaw.ts';
import { exactChainLaws } from './exactChainLaws.ts';
import { exactSupport } from './exactSupport.ts';
import type { ExactSummary, ExactTally } from './exactTally.ts';
import { columnTally, emptyTally, exactSummary, mergeTally } from './exactTally.ts';
import type { ChainLaws } from './stageChain.ts';
import type { ChainColumn } from './vectorChain.ts';
import { chainStructureKey, runVectorChain } from './vectorChain.ts';

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
  /** Record the per-stage tallies (`ExactTally.stages`: the audit's stage breakdown). Default false. */
  stageBreakdown?: boolean;
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
 * Monte-Carlo. Throws a RangeError when the policy is invalid (as `simulate`). Cost: one vector
 * chain run (vectorChain.ts) over the 1.75 × n baseline nodes — O(windows × live states × nodes)
 * arithmetic, the bookkeeping once — plus the laws' sums (cached per window).
 */
export function evaluateExact(scenario: Scenario, policy: Policy, options: ExactOptions = {}): ExactResult | ExactUnsupported {
  return evaluateExactSettings(scenario, [policy], options)[0];
}

/** One setting's columns of a vector run, and how its answer is assembled from them. */
interface SettingPlan {
  index: number;
  compiled: CompiledPolicy;
  world: World;
  /**
   * The baseline laws whose node averages make the answer: [n/4, n/2, n] nodes, or one law
   * ([n] with one node; a single null reference without a historical baseline stage).
   */
  levels: BaselineLaw[];
  /** Nodes asked for (historical), null without a historical baseline stage. */
  requested: number | null;
}

/** The baseline law of a setting without a historical baseline stage: one column, reference null. */
const noBaseline: BaselineLaw = { nodes: [{ weight: 1, reference: null as unknown as BaselineNode['reference'] }], neglected: 0 };

/**
 * `evaluateExact` for several policies in one scenario — the settings of an operating curve or a
 * sweep — in as few chain runs as their structures allow: the settings whose chains share a
 * structure (`chainStructureKey`: the stages, durations, check intervals, counting and traffic;
 * thresholds, rule limits and minimum requests may differ) and a world (flag group) run as ONE
 * vector chain over all their (setting, baseline node) columns. Each answer is the one
 * `evaluateExact` gives for that policy alone (the same columns, the same arithmetic, each column
 * pruned as its own run; only the order in which merged states are summed can differ, by rounding).
 * When a law refuses mid-run (`ExactUnsupportedError`), that group's settings are answered
 * one by one, each exactly as `evaluateExact` alone would refuse or answer. Throws a RangeError
 * when a policy is invalid. Cost: one vector run per group, O(windows × live states × columns).
 */
export function evaluateExactSettings(
  scenario: Scenario,
  policies: readonly Policy[],
  options: ExactOptions = {},
): (ExactResult | ExactUnsupported)[] {
  const compiledPolicies = policies.map((policy) => compilePolicy(policy));
  if (
    options.baselineNodes !== undefined &&
    !(Number.isInteger(options.baselineNodes) && options.baselineNodes >= 4 && options.baselineNodes % 4 === 0)
  )
    throw new RangeError(`baselineNodes must be a multiple of 4 (at least 4), got ${options.baselineNodes}`);
  const results: (ExactResult | ExactUnsupported)[] = new Array(policies.length);
  const worlds = new Map<string, World>();
  const groups = new Map<string, SettingPlan[]>();
  for (const [index, policy] of policies.entries()) {
    const compiled = compiledPolicies[index];
    const support = exactSupport(scenario, policy);
    const features = [...(support.supported ? [] : support.features), ...chainFeatures(compiled)];
    if (features.length > 0) {
      results[index] = { supported: false, features: [...new Set(features)] };
      continue;
    }
    const group = flagGroup(policy);
    let world = options.world ?? worlds.get(group);
    if (world === undefined) {
      world = compileWorld(scenario, group);
      worlds.set(group, world);
    }
    try {
      const plan = planSetting(index, world, compiled, options);
      const key = `${group}\u0000${chainStructureKey(compiled)}`;
      const members = groups.get(key);
      if (members) members.push(plan);
      else groups.set(key, [plan]);
    } catch (error) {
      if (error instanceof ExactUnsupportedError) results[index] = { supported: false, features: error.features };
      else throw error;
    }
  }
  for (const plans of groups.values()) {
    let tallies: ExactTally[][];
    try {
      tallies = runColumns(
        plans,
        plans.map((plan) => plan.levels),
        options,
      );
    } catch (error) {
      if (!(error instanceof ExactUnsupportedError)) throw error;
      for (const plan of plans) results[plan.index] = evaluateAlone(plan, options);
      continue;
    }
    for (const [position, plan] of plans.entries()) results[plan.index] = assemble(plan, tallies[position], options);
  }
  return results;
}

/** The baseline laws of a setting (`SettingPlan.levels`). Throws `ExactUnsupportedError` as `baselineLaw` does. */
function planSetting(index: number, world: World, compiled: CompiledPolicy, options: ExactOptions): SettingPlan {
  if (!(compiled.baselineMode === 'historical' && compiled.stages.some((stage) => stage.kind === 'baseline')))
    return { index, compiled, world, levels: [noBaseline], requested: null };
  const requested = options.baselineNodes ?? 16;
  const law = baselineLaw(world, compiled, { nodes: requested });
  if (law.nodes.length <= 1) return { index, compiled, world, levels: [law], requested };
  const quarter = baselineLaw(world, compiled, { nodes: requested / 4 });
  const half = baselineLaw(world, compiled, { nodes: requested / 2 });
  return { index, compiled, world, levels: [quarter, half, law], requested };
}

/**
 * One vector run over the columns of `plans` (all of one world and chain structure), each plan's
 * `levels[i]` its laws to average: returns per plan, per level, the node-weighted average tally.
 */
function runColumns(plans: readonly SettingPlan[], levels: readonly (readonly BaselineLaw[])[], options: ExactOptions): ExactTally[][] {
  const columns: ChainColumn[] = [];
  for (const [position, plan] of plans.entries())
    for (const law of levels[position])
      for (const node of law.nodes)
        columns.push({
          compiled: plan.compiled,
          laws: withEstablishment(plan.compiled, exactChainLaws(plan.world, plan.compiled, node.reference)),
        });
  const vector = runVectorChain(plans[0].world, columns, options.stageBreakdown ? { stageBreakdown: true } : {});
  let column = 0;
  return levels.map((planLevels) =>
    planLevels.map((law) => {
      const average = emptyTally();
      for (const node of law.nodes) mergeTally(average, columnTally(vector, column++), node.weight);
      return average;
    }),
  );
}

/**
 * One setting alone, in the order the evaluator has always taken (n/4 and n/2 nodes first,
 * refusing before the n-node run when they already differ by too much): the answer, or the
 * refusal, that `evaluateExact` gives for it alone.
 */
function evaluateAlone(plan: SettingPlan, options: ExactOptions): ExactResult | ExactUnsupported {
  try {
    if (plan.levels.length === 1) return assemble(plan, runColumns([plan], [plan.levels], options)[0], options);
    const [quarter, half] = runColumns([plan], [plan.levels.slice(0, 2)], options)[0];
    const early = discretisationSafety * outcomeDifference(half, quarter);
    if (early > (options.maxNeglected ?? 1e-6)) return assemble(plan, [quarter, half, null], options);
    const [total] = runColumns([plan], [plan.levels.slice(2)], options)[0];
    return assemble(plan, [quarter, half, total], options);
  } catch (error) {
    if (error instanceof ExactUnsupportedError) return { supported: false, features: error.features };
    throw error;
  }
}

/**
 * A setting's answer from its levels' averages ([n/4, n/2, n] or [n]; the n-node average null
 * when the evaluator refused before it): the discretisation estimate, the neglected mass and the
 * refusals of the module comment.
 */
function assemble(plan: SettingPlan, averages: readonly (ExactTally | null)[], options: ExactOptions): ExactResult | ExactUnsupported {
  const maxNeglected = options.maxNeglected ?? 1e-6;
  let total: ExactTally;
  let nodes = 1;
  if (plan.requested !== null) {
    const requested = plan.requested;
    const law = plan.levels[plan.levels.length - 1];
    nodes = law.nodes.length;
    let discretisation = 0;
    if (averages.length === 3) {
      // The node average is a discretisation (baselineLaw.ts): its error estimated from the
      // answers at n/4, n/2 and n nodes (outcomeDifference × discretisationSafety).
      const [quarter, half, full] = averages as [ExactTally, ExactTally, ExactTally | null];
      discretisation = discretisationSafety * outcomeDifference(half, quarter);
      if (discretisation <= maxNeglected && full !== null)
        discretisation = discretisationSafety * Math.max(outcomeDifference(full, half), outcomeDifference(half, quarter));
      total = full ?? half;
    } else total = averages[0] as ExactTally;
    if (discretisation > maxNeglected) {
      return {
        supported: false,
        features: [
          `numerical tolerance: historical baseline discretisation (the answers at ${requested}, ${requested / 2} and ${requested / 4} nodes of the baseline's law differ by up to ${(discretisation / discretisationSafety).toExponential(2)}; × ${discretisationSafety} is above ${maxNeglected})`,
        ],
      };
    }
    total.neglected += law.neglected + discretisation;
  } else total = averages[0] as ExactTally;
  if (!(total.neglected <= maxNeglected)) {
    return {
      supported: false,
      features: [`numerical tolerance (the exact sums neglect ${total.neglected.toExponential(2)} of probability, above ${maxNeglected})`],
    };
  }
  return {
    supported: true,
    summary: exactSummary(total),
    tally: total,
    baselineNodes: nodes,
    approximations: abTestApproximations(plan.compiled),
  };
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
