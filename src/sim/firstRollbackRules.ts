/**
 * Which rule rolls a healthy candidate back: for each replicate of a simulation, the rule behind
 * the first rollback, counted by rule. The simulation summary does not carry reasons, so the
 * lab replays the engine's controller beside the simulator through `runReplicate`'s `onWindow`
 * hook (`step` is pure and deterministic: fed the same window metrics it takes the same
 * decisions, now with their reasons). Plain functions, no DOM; run on a pool of Web Workers by the
 * lab (`workers/rollbackRulesEndpoint.ts`): counts of replicate ranges add up.
 */

import type { DecisionReason } from '../engine/controller/decision.ts';
import { initialState, step } from '../engine/controller/index.ts';
import type { Policy } from '../engine/policy/policy.ts';
import { streamFor } from '../engine/random/streams.ts';
import { runReplicate } from './replicate.ts';
import type { PreparedSimulation } from './runner.ts';
import { prepareSimulation } from './runner.ts';
import type { Scenario } from './scenario.ts';

/** Reasons that say why a check failed or a stage ended, as opposed to bookkeeping (`failureLimit`, `minRequests`, …). */
const firingRules = new Set([
  'ratio',
  'absolute',
  'statistical',
  'shadowGate',
  'abTest',
  'maxDuration',
  'killSwitch',
  'baseline',
  'noBaseline',
  'missingData',
]);

const metricWords: Record<string, string> = {
  errorRate: 'error rate',
  timeoutRate: 'timeout rate',
  latencyP50: 'p50 latency',
  latencyP95: 'p95 latency',
  latencyP99: 'p99 latency',
  agreement: 'agreement',
  successRate: 'success rate',
};

/**
 * The rule of a rollback in the user's words: "error-rate ratio", "timeout-rate ratio",
 * "p95 latency ratio", "absolute error rate", "statistical test (error rate)", "shadow gate
 * (agreement)", "A/B test", "maximum duration", … — from the first reason whose rule fires a
 * rollback (bookkeeping reasons such as the failure limit are skipped); "too little data" when a
 * quiet window counted as failing (onNoData 'fail': minRequests with the failure limit) explains
 * it; "other" when nothing does.
 */
export function rollbackRuleLabel(reasons: readonly DecisionReason[]): string {
  const reason = reasons.find((candidate) => firingRules.has(candidate.rule));
  // A quiet window the policy counts as a failing check (onNoData 'fail') says only minRequests.
  if (!reason) {
    const quietFailure =
      reasons.some((candidate) => candidate.rule === 'minRequests') && reasons.some((candidate) => candidate.rule === 'failureLimit');
    return quietFailure ? 'too little data' : 'other';
  }
  const metric = metricWords[reason.metric] ?? reason.metric;
  switch (reason.rule) {
    case 'ratio':
      return `${metric} ratio`;
    case 'absolute':
      return `absolute ${metric}`;
    case 'statistical':
      return `statistical test (${metric})`;
    case 'shadowGate':
      return `shadow gate (${metric})`;
    case 'abTest':
      return 'A/B test';
    case 'maxDuration':
      return 'maximum duration';
    case 'killSwitch':
      return 'kill switch';

    default:
      return `${reason.rule} (${metric})`;
  }
}

/** Rollbacks counted by the rule that fired, over `replicates` replicates. */
export interface RollbackRuleCounts {
  replicates: number;
  rollbacks: number;
  /** Rule label (`rollbackRuleLabel`) → rollbacks it caused. */
  byRule: Record<string, number>;
}

/** No rollbacks counted yet. */
export function initRollbackRuleCounts(): RollbackRuleCounts {
  return { replicates: 0, rollbacks: 0, byRule: {} };
}

/** Adds `other`'s counts to `into` (in place): counts of disjoint replicate ranges add up. */
export function mergeRollbackRuleCounts(into: RollbackRuleCounts, other: RollbackRuleCounts): RollbackRuleCounts {
  into.replicates += other.replicates;
  into.rollbacks += other.rollbacks;
  for (const [rule, count] of Object.entries(other.byRule)) into.byRule[rule] = (into.byRule[rule] ?? 0) + count;
  return into;
}

/**
 * Runs replicate `replicate` of a simulation prepared in windowed mode (on `streamFor(seed,
 * replicate)`, the stream of the lab's simulations) and folds it into `counts`: one more
 * replicate, and, if it rolled back, one more rollback for the rule behind it
 * (`rollbackRuleLabel` of the rollback's reasons). Cost: the replicate plus one more controller
 * step per window (about 2× the simulation alone).
 */
export function addRollbackRuleReplicate(
  counts: RollbackRuleCounts,
  simulation: PreparedSimulation,
  seed: number,
  replicate: number,
): void {
  const state = initialState(simulation.policy, 0);
  const windowList = [undefined as unknown as Parameters<typeof step>[1][number]];
  let label: string | undefined;
  runReplicate(simulation.world, simulation.policy, simulation.plan, streamFor(seed, replicate), {
    mode: 'window',
    onWindow: (_request, metrics, decision) => {
      windowList[0] = metrics;
      const result = step(state, windowList, simulation.policy);
      state.events.length = 0;
      if (result.decision !== decision) throw new Error(`the controller's replay diverged from the simulation at replicate ${replicate}`);
      if (decision === 'rollback' && label === undefined) label = rollbackRuleLabel(result.reasons);
    },
  });
  counts.replicates += 1;
  if (label !== undefined) {
    counts.rollbacks += 1;
    counts.byRule[label] = (counts.byRule[label] ?? 0) + 1;
  }
}

/**
 * Runs replicates `from` … `to − 1` of `policy` in `scenario` (windowed mode, replicate i on
 * `streamFor(seed, i)` — the same streams as the lab's simulations) and counts each rollback by
 * the rule behind it. Calls `onProgress(done)` every 10 replicates.
 */
export function countRollbackRules(
  scenario: Scenario,
  policy: Policy,
  seed: number,
  from: number,
  to: number,
  onProgress?: (done: number) => void,
): RollbackRuleCounts {
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to)) {
    throw new RangeError(`replicates must run from a whole number to a larger one, got ${from} to ${to}`);
  }
  const simulation = prepareSimulation(scenario, policy, 'window', seed);
  const counts = initRollbackRuleCounts();
  for (let replicate = from; replicate < to; replicate++) {
    addRollbackRuleReplicate(counts, simulation, seed, replicate);
    if ((replicate - from + 1) % 10 === 0) onProgress?.(replicate - from + 1);
  }
  return counts;
}
