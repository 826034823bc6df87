/**
 * The Monte-Carlo runner: replicates [from, to) of a seed, each from its own stream, folded into
 * a mergeable summary (DESIGN.md §4).
 *
 * Reproducible and shardable: replicate i of seed s always draws from `streamFor(s, i)`, so a
 * run split into any shards (workers, processes, machines) and merged with `mergeSummaries`
 * gives exactly the same summary as one run. Policy comparisons use common random numbers:
 * every policy sees the same streams, so two policies with the same stages and check intervals
 * see identical windows until their decisions diverge (the window generators draw the same
 * numbers whatever the thresholds), which makes their difference far less noisy than two
 * independent runs.
 */

import { compilePolicy } from '../engine/controller/compilePolicy.ts';
import type { Policy } from '../engine/policy/policy.ts';
import { streamFor } from '../engine/random/streams.ts';
import type { PolicyPlan, ReplicateOutcome } from './replicate.ts';
import { planPolicy, runReplicate } from './replicate.ts';
import type { Scenario } from './scenario.ts';
import type { SimulationSummary, SummaryState } from './summary.ts';
import { addOutcome, initSummary, summaryValue } from './summary.ts';
import type { FidelityMode } from './windowRequest.ts';
import type { World } from './world.ts';
import { compileWorld } from './world.ts';

/** A simulation ready to run: compiled once, shared by every replicate of a worker. */
export interface PreparedSimulation {
  world: World;
  policy: Policy;
  plan: PolicyPlan;
  mode: FidelityMode;
  seed: number | string;
}

/** What the runner reports as it goes: replicates done out of the shard's total. */
export type ProgressCallback = (done: number, total: number) => void;

/** The flag group users are bucketed with: the policy flag's group, else its name (as the engine). */
export function flagGroup(policy: Policy): string {
  return policy.flag?.group ?? compilePolicy(policy).flagName;
}

/**
 * Compiles `scenario` and `policy` for simulation (checks the policy with the engine's
 * compiler: RangeError listing its problems if invalid). `seed`: a safe integer or a string.
 * Cost O(users) for the user population.
 */
export function prepareSimulation(scenario: Scenario, policy: Policy, mode: FidelityMode, seed: number | string): PreparedSimulation {
  if (mode !== 'request' && mode !== 'window') throw new RangeError(`mode must be 'request' or 'window', got ${String(mode)}`);
  if (!(typeof seed === 'string' || Number.isSafeInteger(seed)))
    throw new RangeError(`seed must be a safe integer or a string, got ${seed}`);
  const plan = planPolicy(policy);
  return { world: compileWorld(scenario, flagGroup(policy)), policy, plan, mode, seed };
}

/** Runs replicate `index` of a prepared simulation from its own stream `streamFor(seed, index)`. */
export function runOne(simulation: PreparedSimulation, index: number): ReplicateOutcome {
  return runReplicate(simulation.world, simulation.policy, simulation.plan, streamFor(simulation.seed, index), { mode: simulation.mode });
}

/**
 * Runs replicates [from, to) and returns their summary state (mergeable with the states of
 * other shards). `onProgress` is called about 100 times over the shard, and at the end.
 */
export function runReplicates(simulation: PreparedSimulation, from: number, to: number, onProgress?: ProgressCallback): SummaryState {
  if (!(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && to >= from)) {
    throw new RangeError(`replicates must be a range 0 ≤ from ≤ to of whole numbers, got [${from}, ${to})`);
  }
  const state = initSummary();
  const total = to - from;
  const every = Math.max(1, Math.floor(total / 100));
  for (let i = from; i < to; i++) {
    addOutcome(state, runOne(simulation, i));
    if (onProgress && ((i - from + 1) % every === 0 || i + 1 === to)) onProgress(i - from + 1, total);
  }
  return state;
}

/** Options of `simulate`. */
export interface SimulateOptions {
  replicates: number;
  seed: number | string;
  mode?: FidelityMode;
  onProgress?: ProgressCallback;
}

/**
 * Simulates `replicates` replicates (0 … replicates − 1) of `policy` in `scenario` and returns
 * the summary. Default mode: windowed.
 */
export function simulate(scenario: Scenario, policy: Policy, options: SimulateOptions): SimulationSummary {
  const { replicates, seed, mode = 'window', onProgress } = options;
  if (!(Number.isSafeInteger(replicates) && replicates >= 1))
    throw new RangeError(`replicates must be a whole number of at least 1, got ${replicates}`);
  return summaryValue(runReplicates(prepareSimulation(scenario, policy, mode, seed), 0, replicates, onProgress));
}

/**
 * Simulates several policies on the same scenario with common random numbers (the same
 * `streamFor(seed, i)` for replicate i of every policy); summaries in the order of `policies`.
 */
export function comparePolicies(scenario: Scenario, policies: readonly Policy[], options: SimulateOptions): SimulationSummary[] {
  return policies.map((policy) => simulate(scenario, policy, options));
}
