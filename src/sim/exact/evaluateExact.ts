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
 * difference, times a safety factor (`discretisationSafety`), is added to the neglected mass. When
 * that estimate puts the answer above `maxNeglected`, the nodes are doubled (16 → 32 → … up to
 * `maxBaselineNodes`, default 256; the answers at n and n/2 reused, so each doubling runs only the
 * 2n new nodes) until the estimate over (2n, n, n/2) meets it; at the cap the evaluator refuses
 * ("numerical tolerance: historical baseline discretisation"), and it does not refine when the
 * rest of the neglected mass is above the tolerance on its own (no node count would help).
 * `ExactResult.baselineNodes` says how many nodes the answer used.
 *
 * Accuracy: every probability is exact within `summary.neglectedMass` (truncated Poisson and
 * binomial sums, pruned states, the baseline's law's dropped atoms and tails, the estimated discretisation error); the evaluator refuses (feature
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
import { scenarioContentKey } from '../scenarioContentKey.ts';
import type { World } from '../world.ts';
import { compileWorld } from '../world.ts';
import { abTestApproximations, abTestFeatures } from './abTestLaw.ts';
import type { BaselineLaw, BaselineNode } from './baselineLaw.ts';
import { baselineLaw } from './baselineLaw.ts';
import { ExactUnsupportedError } from './checkLaw.ts';
import { exactChainLaws } from './exactChainLaws.ts';
import { exactSupport } from './exactSupport.ts';
import type { ExactSummary, ExactTally } from './exactTally.ts';
import { averageColumns, exactSummary } from './exactTally.ts';
import type { ChainLaws } from './stageChain.ts';
import type { ChainColumn } from './vectorChain.ts';
import { chainStructureKey, runVectorChain } from './vectorChain.ts';

/** An exact answer. */
export interface ExactResult {
  supported: true;
  summary: ExactSummary;
  /** The probability masses behind the summary (mergeable: `mergeTally`, e.g. over a sweep's scenarios). */
  tally: ExactTally;
  /**
   * Nodes of the historical baseline's law the answer used (1 with a concurrent baseline): the
   * requested count, or more when the evaluator refined it to meet the tolerance
   * (`ExactOptions.maxBaselineNodes`).
   */
  baselineNodes: number;
  /**
   * The estimated error of the baseline's node average (`discretisationSafety` × the largest
   * difference between the answers at n, n/2 and n/4 nodes), included in
   * `summary.neglectedMass`; 0 when there is no law to discretise.
   */
  discretisation: number;
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
  /**
   * Set only when the refusal is for numerical tolerance alone (every feature starts with
   * "numerical tolerance"): the answer the evaluator refused, with its whole neglected mass
   * (the discretisation estimate included) in `summary.neglectedMass` — a bound on each rate's
   * error, rigorous but for the discretisation part, which is an estimate (× `discretisationSafety`).
   * Never an exact answer: a caller that shows it says it is bounded, by how much and why
   * (`ExactCurveRequest.boundedUpTo`). Computed anyway, so it costs nothing more.
   */
  bounded?: ExactResult;
}

/** Settings of `evaluateExact`. */
export interface ExactOptions {
  /** The scenario's compiled world, when the caller already has it for this policy's flag group. */
  world?: World;
  /**
   * Nodes of the historical baseline's law to start from (default 16; a multiple of 4: the
   * discretisation's error is estimated from the answers at n, n/2 and n/4 nodes); refined from
   * there up to `maxBaselineNodes` when that estimate is above the tolerance.
   */
  baselineNodes?: number;
  /**
   * Most nodes the historical baseline's law is refined to (default 256). When the
   * discretisation estimate at n nodes is above `maxNeglected`, the evaluator doubles n (reusing
   * the answers at n and n/2) while 2n is at most this cap, and refuses only at the cap. At most
   * `baselineNodes`: no refinement.
   */
  maxBaselineNodes?: number;
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
 * arithmetic, the bookkeeping once — plus the laws' sums (cached per window); and, when the
 * discretisation estimate is above the tolerance, one more run of 2n nodes per doubling.
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

/**
 * Where a setting's refinement stands: the node averages at n/4, n/2 and n nodes (or the one
 * average of a setting with a single level) and the law at n nodes.
 */
interface SettingProgress {
  plan: SettingPlan;
  /** n: the nodes asked of the latest law (`requested` × 2^k), null without a historical baseline stage. */
  nodes: number | null;
  /** The law at n nodes (its neglected mass and node count). */
  law: BaselineLaw;
  /** The node averages at [n/4, n/2, n] nodes, or [the one level]. */
  averages: ExactTally[];
}

/** The baseline law of a setting without a historical baseline stage: one column, reference null. */
const noBaseline: BaselineLaw = { nodes: [{ weight: 1, reference: null as unknown as BaselineNode['reference'] }], neglected: 0 };

/**
 * The compiled worlds of a scenario object, by flag group, kept between calls while the
 * scenario's content (`scenarioContentKey`) is unchanged: the memos keyed by the world — the shadow
 * gates' law (shadowGateLaw.ts), the A/B test's (abTestLaw.ts) and the historical baseline's
 * (`sharedBaselineLaw`), each a pure function of what it reads — then serve the next question about the same scenario object, as the lab's kept worker
 * asks them (the current setting, then the curve, then every edit of a threshold). A scenario
 * edited in place no longer matches its text: its worlds are compiled again, so no world (and no
 * memo behind it) outlives the content it was compiled from. A WeakMap: the worlds go with the
 * scenario. O(size of the scenario's JSON) a call.
 */
const worldsByScenario = new WeakMap<Scenario, { text: string; worlds: Map<string, World> }>();

/** The kept worlds of `scenario` by flag group (above): the same Map while its content is unchanged, a new empty one otherwise. */
export function scenarioWorlds(scenario: Scenario): Map<string, World> {
  const text = scenarioContentKey(scenario);
  const known = worldsByScenario.get(scenario);
  if (known !== undefined && known.text === text) return known.worlds;
  const worlds = new Map<string, World>();
  worldsByScenario.set(scenario, { text, worlds });
  return worlds;
}

/**
 * `evaluateExact` for several policies in one scenario — the settings of an operating curve or a
 * sweep — in as few chain runs as their structures allow: the settings whose chains share a
 * structure (`chainStructureKey`: the stages, durations, check intervals, counting and traffic;
 * thresholds, rule limits and minimum requests may differ) and a world (flag group) run as ONE
 * vector chain over all their (setting, baseline node) columns. Each answer is the one
 * `evaluateExact` gives for that policy alone (the same columns, the same arithmetic, each column
 * pruned as its own run; only the order in which merged states are summed can differ, by rounding).
 * The settings whose discretisation estimate is above the tolerance are refined together: each
 * doubling of the nodes is one more vector run over those settings' new columns (`refine`).
 * When a law refuses mid-run (`ExactUnsupportedError`), that group's settings are answered
 * one by one, each exactly as `evaluateExact` alone would refuse or answer. Throws a RangeError
 * when a policy is invalid. Cost: one vector run per group and refinement level,
 * O(windows × live states × columns).
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
  if (options.maxBaselineNodes !== undefined && !(Number.isInteger(options.maxBaselineNodes) && options.maxBaselineNodes >= 4))
    throw new RangeError(`maxBaselineNodes must be an integer of at least 4, got ${options.maxBaselineNodes}`);
  const results: (ExactResult | ExactUnsupported)[] = new Array(policies.length);
  const worlds = scenarioWorlds(scenario);
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
  for (const plans of groups.values()) answerGroup(plans, options, results);
  return results;
}

/**
 * Answers `plans` (one world and chain structure) into `results`: one vector run over their
 * levels' columns, then `refine`. When a law refuses mid-run, each plan is answered alone (a
 * plan alone: refused with the law's features).
 */
function answerGroup(plans: readonly SettingPlan[], options: ExactOptions, results: (ExactResult | ExactUnsupported)[]): void {
  let tallies: ExactTally[][];
  try {
    tallies = runColumns(
      plans,
      plans.map((plan) => plan.levels),
      options,
    );
  } catch (error) {
    if (!(error instanceof ExactUnsupportedError)) throw error;
    if (plans.length === 1) results[plans[0].index] = { supported: false, features: error.features };
    else for (const plan of plans) answerGroup([plan], options, results);
    return;
  }
  refine(
    plans.map((plan, position) => ({
      plan,
      nodes: plan.requested,
      law: plan.levels[plan.levels.length - 1],
      averages: tallies[position],
    })),
    options,
    results,
  );
}

/**
 * The discretisation estimate of a setting (0 with a single level): `discretisationSafety` × the
 * larger difference between the node averages at n and n/2, n/2 and n/4. O(1).
 */
function discretisationOf(progress: SettingProgress): number {
  if (progress.averages.length < 3) return 0;
  const [quarter, half, full] = progress.averages;
  return discretisationSafety * Math.max(outcomeDifference(full, half), outcomeDifference(half, quarter));
}

/** The neglected mass of a setting's answer at n nodes other than the discretisation: the chain's and the law's. */
function otherNeglected(progress: SettingProgress): number {
  return progress.averages[progress.averages.length - 1].neglected + progress.law.neglected;
}

/**
 * Whether doubling a setting's nodes can turn a refusal into an answer: the answer at n is
 * refused for its discretisation (the estimate, or the estimate with the rest, above
 * `maxNeglected`), the rest of the neglected mass is below the tolerance on its own (otherwise no
 * node count helps), and 2n is within `maxBaselineNodes`.
 */
function worthRefining(progress: SettingProgress, options: ExactOptions): boolean {
  if (progress.nodes === null || progress.averages.length < 3) return false;
  const maxNeglected = options.maxNeglected ?? 1e-6;
  const discretisation = discretisationOf(progress);
  const other = otherNeglected(progress);
  return (
    discretisation > 0 &&
    discretisation + other > maxNeglected &&
    other < maxNeglected &&
    2 * progress.nodes <= (options.maxBaselineNodes ?? defaultMaxBaselineNodes)
  );
}

/**
 * Refines the settings whose discretisation estimate is above the tolerance, all together, and
 * answers every setting into `results`. Each round doubles n for the settings still worth
 * refining (`worthRefining`) and runs ONE vector chain over their 2n-node laws' columns: the
 * answers at n and n/2 are reused, so a round costs 2n columns a setting (n/4 + n/2 + n at the
 * start). The cells of 2n nodes do not nest in those of n (baselineLaw.ts cuts equal widths
 * between the quantiles at 1/(4n²) and 1 − 1/(4n²), which move with n, and the joint law's cells
 * halve one axis at a time), so no column of n nodes is part of the 2n-node average: only the
 * averages are reused. A setting answered at n leaves the next round; a law that refuses mid-run
 * sends the round's settings on alone, as each alone would refuse.
 */
function refine(progress: readonly SettingProgress[], options: ExactOptions, results: (ExactResult | ExactUnsupported)[]): void {
  let pending = [...progress];
  while (pending.length > 0) {
    const next: { progress: SettingProgress; law: BaselineLaw }[] = [];
    for (const setting of pending) {
      if (!worthRefining(setting, options)) {
        results[setting.plan.index] = assemble(setting, options);
        continue;
      }
      try {
        const nodes = 2 * (setting.nodes as number);
        next.push({ progress: setting, law: sharedBaselineLaw(setting.plan.world, setting.plan.compiled, nodes) });
      } catch (error) {
        if (!(error instanceof ExactUnsupportedError)) throw error;
        results[setting.plan.index] = { supported: false, features: error.features };
      }
    }
    if (next.length === 0) return;
    let tallies: ExactTally[][];
    try {
      tallies = runColumns(
        next.map((entry) => entry.progress.plan),
        next.map((entry) => [entry.law]),
        options,
      );
    } catch (error) {
      if (!(error instanceof ExactUnsupportedError)) throw error;
      if (next.length === 1) results[next[0].progress.plan.index] = { supported: false, features: error.features };
      else for (const entry of next) refine([entry.progress], options, results);
      return;
    }
    pending = next.map(({ progress: setting, law }, position) => ({
      plan: setting.plan,
      nodes: 2 * (setting.nodes as number),
      law,
      averages: [setting.averages[1], setting.averages[2], tallies[position][0]],
    }));
  }
}

/**
 * What `baselineLaw` reads of a policy, as a string: the metrics its historical ratio rules read
 * (`referencedMetrics`: which rates and pooled latency percentiles the reference carries) and the baseline
 * stage (its place, duration, check interval and minimum requests, the whole compiled stage
 * written out) — not the rules' thresholds, nor any other stage. So the settings of a threshold
 * curve share one law per node count (test/sim/exact/evaluateExactSettings.test.ts checks that
 * `baselineLaw` gives equal laws for policies with equal keys). O(stages + rules).
 */
export function baselineLawKey(compiled: CompiledPolicy, nodes: number): string {
  const metrics = new Set<string>();
  for (const stage of compiled.stages) for (const rule of stage.rules) if (rule.type === 'ratio') metrics.add(rule.metric);
  const baseline = compiled.stages.find((stage) => stage.kind === 'baseline');
  return `${nodes}|${[...metrics].sort().join(',')}|${JSON.stringify(baseline)}`;
}

/** The baseline laws asked so far, per world and `baselineLawKey` (a WeakMap: they go with the world). */
const baselineLaws = new WeakMap<World, Map<string, BaselineLaw>>();

/**
 * `baselineLaw(world, compiled, { nodes })`, shared by the policies with the same
 * `baselineLawKey` in one world: every setting of a threshold curve asked it at n, n/2 and n/4
 * nodes (and at each refinement) — the baseline's windows walked, its latency references' law looked up
 * by a key of a day of windows — 638 of 6,257 ms of CPU over three 20-setting firstVisit curves
 * (00:35 UTC 2026-12-05). The law's nodes and references are built once and never edited
 * (baselineLaw.ts), so sharing them changes no result. A refusal (`ExactUnsupportedError`) is not
 * kept: asked again, it is thrown again.
 */
function sharedBaselineLaw(world: World, compiled: CompiledPolicy, nodes: number): BaselineLaw {
  let laws = baselineLaws.get(world);
  if (laws === undefined) {
    laws = new Map();
    baselineLaws.set(world, laws);
  }
  const key = baselineLawKey(compiled, nodes);
  let law = laws.get(key);
  if (law === undefined) {
    law = baselineLaw(world, compiled, { nodes });
    laws.set(key, law);
  }
  return law;
}

/** The baseline laws of a setting (`SettingPlan.levels`). Throws `ExactUnsupportedError` as `baselineLaw` does. */
function planSetting(index: number, world: World, compiled: CompiledPolicy, options: ExactOptions): SettingPlan {
  if (!(compiled.baselineMode === 'historical' && compiled.stages.some((stage) => stage.kind === 'baseline')))
    return { index, compiled, world, levels: [noBaseline], requested: null };
  const requested = options.baselineNodes ?? 16;
  const law = sharedBaselineLaw(world, compiled, requested);
  if (law.nodes.length <= 1) return { index, compiled, world, levels: [law], requested };
  const quarter = sharedBaselineLaw(world, compiled, requested / 4);
  const half = sharedBaselineLaw(world, compiled, requested / 2);
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
      const average = averageColumns(
        vector,
        column,
        law.nodes.map((node) => node.weight),
      );
      column += law.nodes.length;
      return average;
    }),
  );
}

/** The baseline law's notes on what it neglects (baselineLaw.ts `notes`), as a refusal's clause: empty when none. */
function notesOf(law: BaselineLaw): string {
  return law.notes === undefined || law.notes.length === 0 ? '' : `; ${law.notes.join('; ')}`;
}

/**
 * A setting's answer from its node averages at n/4, n/2 and n nodes (or its one level): the
 * discretisation estimate, the neglected mass and the refusals of the module comment, saying
 * whether the nodes were refined to the cap or not refined because the rest of the neglected
 * mass already exceeds the tolerance.
 */
function assemble(progress: SettingProgress, options: ExactOptions): ExactResult | ExactUnsupported {
  const maxNeglected = options.maxNeglected ?? 1e-6;
  const { plan, law, averages } = progress;
  const total = averages[averages.length - 1];
  const discretisation = discretisationOf(progress);
  const other = otherNeglected(progress);
  // The answer at n nodes with all its neglected mass, whether it meets the tolerance or not: a
  // refusal below carries it as `bounded` (nothing computed twice). `total` is this setting's own
  // last average, assembled once (refine stops using a setting's averages once it assembles it).
  if (progress.nodes !== null) total.neglected = other + discretisation;
  const answer: ExactResult = {
    supported: true,
    summary: exactSummary(total),
    tally: total,
    baselineNodes: progress.nodes === null ? 1 : law.nodes.length,
    discretisation,
    approximations: abTestApproximations(plan.compiled),
  };
  if (progress.nodes !== null && discretisation > maxNeglected) {
    const n = progress.nodes;
    const cap = options.maxBaselineNodes ?? defaultMaxBaselineNodes;
    const why =
      other >= maxNeglected
        ? `; not refined: the rest of the neglected mass, ${other.toExponential(2)}, is above the tolerance already${notesOf(law)}`
        : 2 * n > cap && n > (plan.requested as number)
          ? `; refined from ${plan.requested} nodes up to the cap, maxBaselineNodes ${cap}`
          : 2 * n > cap
            ? `; ${n} nodes is the cap, maxBaselineNodes ${cap}`
            : '';
    return {
      supported: false,
      features: [
        `numerical tolerance: historical baseline discretisation (the answers at ${n}, ${n / 2} and ${n / 4} nodes of the baseline's law differ by up to ${(discretisation / discretisationSafety).toExponential(2)}; × ${discretisationSafety} is above ${maxNeglected}${why})`,
      ],
      bounded: answer,
    };
  }
  if (!(total.neglected <= maxNeglected)) {
    return {
      supported: false,
      features: [
        `numerical tolerance (the exact sums neglect ${total.neglected.toExponential(2)} of probability, above ${maxNeglected}${notesOf(law)})`,
      ],
      bounded: answer,
    };
  }
  return answer;
}

/**
 * Default cap of the historical baseline's refinement (`ExactOptions.maxBaselineNodes`): 16 → 256
 * is four doublings, 16 + 8 + 4 + 32 + 64 + 128 + 256 = 508 columns a setting at most.
 *
 * How far refinement gets depends on the check's staircase in the baseline's rate. With many
 * requests per window (many small steps in a cell) the answers converge faster than 1/n: the
 * 2-hour-baseline case of evaluateExact.test.ts differs by 9.1e-7, 3.0e-7, 9.4e-8, 2.9e-8 between
 * 8/16, 16/32, 32/64, 64/128 nodes (answered at 64). With few requests per window (the lab's 5%
 * canary at 20 req/s, ~300 a window, steps a few errors apart) the cells become finer than the
 * steps and the error falls only as 1/n: the lab's first visit (framework default, 24 h baseline,
 * healthy world, commit 7d95599, 21:25 UTC 2026-12-04, latency brackets set aside) differs by
 * 3.0e-5, 1.4e-5, 6.6e-6, 3.2e-6, 1.7e-6, 1.0e-6, 8.1e-7, 3.2e-7 from 4/8 to 512/1024 nodes —
 * still 2 × 8.1e-7 above 1e-6 at 1024 nodes.
 */
export const defaultMaxBaselineNodes = 256;

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
  // Per stage, once: the chain asks this for every window law of every column.
  const established = compiled.stages.map((stage) => baselineBefore(compiled, stage.index));
  return {
    shadowGates: (window) => laws.shadowGates(window),
    servedRequests: (window) => laws.servedRequests(window),
    healthCheck: (window) => (established[window.stage.index] ? laws.healthCheck(window) : { hold: 1, pass: 0, fail: 0 }),
    abTest: laws.abTest,
  };
}
