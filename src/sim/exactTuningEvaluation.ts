/**
 * One auto-tuning candidate measured exactly (issue 16, "`tune` searches on the exact evaluator
 * when it applies"): the same `TuningEvaluation` as the Monte-Carlo tally (tuningEvaluation.ts),
 * computed by `evaluateExact` in both worlds without a seed — or the features that have no exact
 * form, for the tuner to simulate that candidate instead (never a silent approximation).
 *
 * The fields, from the exact outcome record (src/sim/exact/exactTally.ts):
 * - falseRollbackRate = P(rollback ∧ never worse) / P(never worse), healthy world;
 * - detectionRate = P(rollback ∧ worse ∧ T ≤ c) / P(worse), regressed world, where T is the exact
 *   detection-time distribution (`ExactTally.detectionTimes`: the rollback's end of window minus
 *   the start of the first window that was worse and exposed; 0 when rolled back before), read
 *   with the Monte-Carlo tally's own test `T ≤ c`; missedDetectionRate its complement;
 * - missedRegressionRate = P(promote ∧ worse) / P(worse);
 * - timeToDetect: `count` is P(rollback ∧ worse) (a probability, where the tally has a replicate
 *   count), mean / median / p90 of T given detection (the median and p90 are the distribution's
 *   lower quantiles, where the tally interpolates between sampled times, type 7);
 * - exposure: the expected requests and users served while worse per rollout.
 * Every rate has an interval of zero width (lower = upper = rate): the targets are judged on the
 * exact number, not a bound. `replicates`, `from` and `to` are 0: nothing was sampled.
 *
 * Detection timing: the exact chain starts the clock at the first window the worse candidate is
 * exposed — served or mirrored — while the tuner times from the first window it serves users.
 * They agree unless a stage mirrors without serving (shadow): such a policy is refused here
 * (feature named), and the tuner simulates it.
 */
import { compilePolicy } from '../engine/controller/compilePolicy.ts';
import type { Policy } from '../engine/policy/policy.ts';
import type { ExactOptions, ExactResult, ExactUnsupported } from './exact/evaluateExact.ts';
import { evaluateExactSettings } from './exact/evaluateExact.ts';
import type { ExactSummary, ExactTally } from './exact/exactTally.ts';
import { exactRate } from './exact/exactTally.ts';
import { flagGroup } from './runner.ts';
import type { Scenario } from './scenario.ts';
import type { TuningEvaluation } from './tuningEvaluation.ts';
import type { World } from './world.ts';
import { compileWorld } from './world.ts';

/** An exact evaluation, or the features that need Monte-Carlo. */
export type ExactTuningResult = { supported: true; evaluation: TuningEvaluation } | { supported: false; features: string[] };

/** Evaluates candidates exactly in two fixed worlds; the compiled worlds are kept per flag group. */
export interface ExactTuningEvaluator {
  /** One candidate: `evaluateAll([policy], detectWithin)[0]`. */
  evaluate(policy: Policy, detectWithin: number): ExactTuningResult;
  /**
   * Several candidates (a search round: every value of one coordinate), in order, each answered
   * as `evaluate` answers it alone — the candidates that share the chain's structure run as the
   * columns of ONE vector chain per world (`evaluateExactSettings`, as an exact sweep does).
   */
  evaluateAll(policies: readonly Policy[], detectWithin: number): ExactTuningResult[];
}

/**
 * The features of `policy` whose exact answer the tuner cannot read as its own measure (module
 * comment: a stage that mirrors without serving). O(stages).
 */
export function exactTuningFeatures(policy: Policy): string[] {
  const features: string[] = [];
  for (const stage of compilePolicy(policy).stages) {
    if (stage.mirrorTraffic > 0 && stage.traffic === 0) {
      features.push(
        `detection time through a shadow stage (stage ${stage.index} '${stage.name}': the exact clock starts at the first mirrored window, the tuner's at the first served one)`,
      );
    }
  }
  return features;
}

/**
 * An exact evaluator of tuning candidates in `healthy` and `regressed` (module comment). Each
 * world is compiled once per flag group (the candidates of one search share it, so the O(users)
 * setup is paid once). `evaluate` and `evaluateAll` throw a RangeError when a policy is invalid,
 * or when the worlds cannot measure what they should (the messages of `tuningEvaluationOf`).
 * Cost of `evaluateAll`: per world and flag group, one `evaluateExactSettings` call — one vector
 * chain run per chain structure among the candidates (a round over thresholds, failure limits or
 * minimum requests is one run; a round over check intervals one run per interval); the regressed
 * world only for the candidates the healthy world answered.
 */
export function exactTuningEvaluator(
  healthy: Scenario,
  regressed: Scenario,
  options: Omit<ExactOptions, 'world'> = {},
): ExactTuningEvaluator {
  const worlds = new Map<string, World>();
  const worldOf = (which: 'healthy' | 'regressed', scenario: Scenario, group: string): World => {
    const key = `${which}\u0000${group}`;
    let world = worlds.get(key);
    if (world === undefined) {
      world = compileWorld(scenario, group);
      worlds.set(key, world);
    }
    return world;
  };
  /** `evaluateExactSettings` over `policies` in one world, a call per flag group, answers in order. */
  const evaluateIn = (which: 'healthy' | 'regressed', scenario: Scenario, policies: readonly Policy[]) => {
    const answers: (ExactResult | ExactUnsupported)[] = new Array(policies.length);
    const groups = new Map<string, number[]>();
    for (const [index, policy] of policies.entries()) {
      const group = flagGroup(policy);
      const members = groups.get(group);
      if (members) members.push(index);
      else groups.set(group, [index]);
    }
    for (const [group, indices] of groups) {
      const results = evaluateExactSettings(
        scenario,
        indices.map((index) => policies[index]),
        { ...options, world: worldOf(which, scenario, group) },
      );
      for (const [position, index] of indices.entries()) answers[index] = results[position];
    }
    return answers;
  };
  const evaluateAll = (policies: readonly Policy[], detectWithin: number): ExactTuningResult[] => {
    const results: ExactTuningResult[] = new Array(policies.length);
    const asked: number[] = [];
    for (const [index, policy] of policies.entries()) {
      const tuningFeatures = exactTuningFeatures(policy);
      if (tuningFeatures.length > 0) results[index] = { supported: false, features: tuningFeatures };
      else asked.push(index);
    }
    const healthyAnswers = evaluateIn(
      'healthy',
      healthy,
      asked.map((index) => policies[index]),
    );
    const inRegressed: number[] = [];
    for (const [position, index] of asked.entries()) {
      const answer = healthyAnswers[position];
      if (answer.supported) inRegressed.push(position);
      else results[index] = { supported: false, features: answer.features };
    }
    const regressedAnswers = evaluateIn(
      'regressed',
      regressed,
      inRegressed.map((position) => policies[asked[position]]),
    );
    for (const [slot, position] of inRegressed.entries()) {
      const index = asked[position];
      const healthyResult = healthyAnswers[position] as ExactResult;
      const regressedResult = regressedAnswers[slot];
      if (!regressedResult.supported) {
        results[index] = { supported: false, features: regressedResult.features };
        continue;
      }
      results[index] = {
        supported: true,
        evaluation: exactTuningEvaluationOf(healthyResult.summary, regressedResult.summary, regressedResult.tally, detectWithin, {
          healthy: healthy.name,
          regressed: regressed.name,
        }),
      };
    }
    return results;
  };
  return {
    evaluate: (policy, detectWithin) => evaluateAll([policy], detectWithin)[0],
    evaluateAll,
  };
}

/**
 * The `TuningEvaluation` of the exact records of both worlds (module comment); `tally` is the
 * regressed world's (its detection-time distribution). Throws a RangeError, as the Monte-Carlo
 * tally does, when the healthy world's candidate is surely worse or the regressed world's never is.
 */
export function exactTuningEvaluationOf(
  healthy: ExactSummary,
  regressed: ExactSummary,
  tally: ExactTally,
  detectWithin: number,
  names: { healthy: string; regressed: string },
): TuningEvaluation {
  const notWorse = healthy.falseRollbackRate.total;
  if (!(notWorse > 0)) {
    throw new RangeError(
      `the healthy scenario '${names.healthy}' has a candidate worse than its truth tolerance in every replicate: it cannot measure false rollbacks`,
    );
  }
  const worse = regressed.missedRegressionRate.total;
  if (!(worse > 0)) {
    throw new RangeError(
      `the regressed scenario '${names.regressed}' never has a candidate worse than its truth tolerance: it cannot measure detection`,
    );
  }
  let detected = 0;
  for (const [time, mass] of tally.detectionTimes) if (time <= detectWithin) detected += mass;
  const detectionRate = exactRate(detected, worse);
  const missed = Math.max(0, worse - detected);
  const time = regressed.detectionTime;
  return {
    replicates: 0,
    from: 0,
    to: 0,
    falseRollbackRate: healthy.falseRollbackRate,
    detectionRate,
    missedDetectionRate: exactRate(missed, worse),
    missedRegressionRate: regressed.missedRegressionRate,
    timeToDetect: { count: time.count, median: time.median, mean: time.mean, p90: time.p90 },
    exposure: {
      requestsServedWhileWorse: regressed.exposure.requestsServedWhileWorse,
      usersServedWhileWorse: regressed.exposure.usersServedWhileWorse,
    },
  };
}
