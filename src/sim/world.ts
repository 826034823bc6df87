/**
 * The simulated world compiled from a scenario: latency models, the user population under the
 * policy's flag, and the condition of each model at a given time (error rate, latency scale,
 * timeout probability, accuracy, agreement) after faults and drift — plus the truth: whether the
 * candidate is worse than the tolerance at that time.
 *
 * Conditions are piecewise constant per check window, evaluated at the window's midpoint, in
 * BOTH fidelity modes, so the modes see the same world (a step fault inside a 5-minute window
 * takes effect for the whole window whose midpoint follows it).
 */

import { decayedProbability, segmentMixAt } from './drift.ts';
import type { CombinedEffect } from './faults.ts';
import { applyEffect, faultStrength, hitsBothModels, noEffect } from './faults.ts';
import { inputAccuracyLoss } from './inputDrift.ts';
import type { LatencyModel } from './latencyModel.ts';
import { latencyModel } from './latencyModel.ts';
import type { NamedMetricValues } from './metricValuesWindow.ts';
import type { ModelBehaviour, Scenario } from './scenario.ts';
import type { UserPopulation } from './traffic.ts';
import { userPopulation } from './traffic.ts';

/** The state of one model during one window. */
export interface ArmConditions {
  /** Probability that a request fails. */
  errorRate: number;
  /** Latencies are the base law × this factor. */
  latencyMultiplier: number;
  /** P(latency > timeout); 0 without a timeout. */
  timeoutProbability: number;
  /** Probability that an outcome is judged correct (mixed over the segment mix, after accuracy decay and the input-drift loss of inputDrift.ts). */
  accuracy: number;
  /** Probability that the candidate's answer agrees with control's (shadow). */
  agreement: number;
  /** True p95 latency, ms. */
  p95: number;
  /** Per segment (in `World.segments` order): its share of the traffic now. */
  segmentShares: number[];
  /**
   * Per segment: the probability that an outcome is judged correct (after decay and input drift,
   * each clipped at 0). `accuracy` is their mix, except where a clip bites.
   */
  segmentAccuracy: number[];
}

/** Empty conditions, to be filled by `conditionsAt` (so the hot loop reuses objects). */
export function emptyConditions(): ArmConditions {
  return {
    errorRate: 0,
    latencyMultiplier: 1,
    timeoutProbability: 0,
    accuracy: 0,
    agreement: 1,
    p95: 0,
    segmentShares: [],
    segmentAccuracy: [],
  };
}

/** A scenario compiled for simulation; shared, read-only, by every replicate of a run. */
export interface World {
  scenario: Scenario;
  controlLatency: LatencyModel;
  candidateLatency: LatencyModel;
  /** p95 of the base laws (before faults). */
  controlBaseP95: number;
  candidateBaseP95: number;
  population: UserPopulation;
  /** Segment names, in the traffic's order. */
  segments: string[];
  /** No faults and no drift: the conditions are the same in every window (computed once). */
  timeInvariant: boolean;
  /**
   * The scenario's named metric values, each with both models' laws (`ModelBehaviour.values`),
   * drawn in A/B stages (metricValuesWindow.ts); null when the scenario gives none.
   */
  metricValues: NamedMetricValues[] | null;
  /** Scratch space of `conditionsAt` (so it allocates nothing): not shared across threads. */
  scratch: { mix: Record<string, number>; shared: CombinedEffect; own: CombinedEffect };
}

/**
 * Compiles `scenario` for a policy whose flag buckets users with `flagGroup`. Cost: O(users)
 * hashes for the population (done once per run), a few quantile evaluations.
 */
export function compileWorld(scenario: Scenario, flagGroup: string): World {
  const controlLatency = latencyModel(scenario.control.latency);
  const candidateLatency = latencyModel(scenario.candidate.latency);
  return {
    scenario,
    controlLatency,
    candidateLatency,
    controlBaseP95: controlLatency.quantile(0.95),
    candidateBaseP95: candidateLatency.quantile(0.95),
    population: userPopulation(scenario.traffic, flagGroup),
    segments: Object.keys(scenario.traffic.segments),
    timeInvariant:
      scenario.faults.length === 0 &&
      scenario.drift.segmentMix === undefined &&
      scenario.drift.accuracyDecayPerDay.control === 0 &&
      scenario.drift.accuracyDecayPerDay.candidate === 0 &&
      scenario.drift.agreementDecayPerDay === 0 &&
      scenario.inputs === undefined,
    scratch: { mix: {}, shared: noEffect(), own: noEffect() },
    metricValues: namedMetricValues(scenario),
  };
}

function namedMetricValues(scenario: Scenario): NamedMetricValues[] | null {
  const control = scenario.control.values;
  const candidate = scenario.candidate.values;
  if (control === undefined || candidate === undefined) return null;
  return Object.keys(control).map((name) => ({ name, control: control[name], candidate: candidate[name] }));
}

function fill(
  world: World,
  behaviour: ModelBehaviour,
  latency: LatencyModel,
  baseP95: number,
  effect: CombinedEffect,
  accuracyDecay: number,
  agreementDecay: number,
  model: 'control' | 'candidate',
  time: number,
  into: ArmConditions,
): ArmConditions {
  const scenario = world.scenario;
  into.errorRate = Math.min(1, behaviour.errorRate * effect.errorRateMultiplier + effect.extraErrorRate);
  into.latencyMultiplier = effect.latencyMultiplier;
  into.timeoutProbability = behaviour.timeout === undefined ? 0 : 1 - latency.cdf(behaviour.timeout / effect.latencyMultiplier);
  const mix = segmentMixAt(scenario.traffic, scenario.drift, time, world.scratch.mix);
  const inputLoss = scenario.inputs !== undefined ? inputAccuracyLoss(scenario.inputs, model, time) : 0;
  let accuracy = 0;
  const segments = world.segments;
  for (let s = 0; s < segments.length; s++) {
    const segmentAccuracy = behaviour.accuracy[segments[s]] ?? behaviour.accuracy.all ?? 0;
    accuracy += mix[segments[s]] * segmentAccuracy;
    into.segmentShares[s] = mix[segments[s]];
    into.segmentAccuracy[s] = Math.max(0, decayedProbability(segmentAccuracy, accuracyDecay, time) - inputLoss);
  }
  into.accuracy = decayedProbability(accuracy, accuracyDecay, time);
  if (scenario.inputs !== undefined) into.accuracy = Math.max(0, into.accuracy - inputLoss);
  into.agreement = decayedProbability(behaviour.agreement, agreementDecay, time);
  into.p95 = baseP95 * effect.latencyMultiplier;
  return into;
}

/**
 * Fills `control` and `candidate` with the models' conditions at `time` (s), given the hours
 * the candidate has served traffic (for leaks). Faults hit the candidate, outages both.
 * Mutates and returns nothing; O(faults + segments). Uses `world.scratch`: one replicate at a time per
 * world (each worker compiles its own).
 */
export function conditionsAt(world: World, time: number, hoursServed: number, control: ArmConditions, candidate: ArmConditions): void {
  const scenario = world.scenario;
  const { shared, own } = world.scratch;
  shared.errorRateMultiplier = own.errorRateMultiplier = 1;
  shared.extraErrorRate = own.extraErrorRate = 0;
  shared.latencyMultiplier = own.latencyMultiplier = 1;
  for (const fault of scenario.faults) {
    const strength = faultStrength(fault, time, hoursServed);
    if (hitsBothModels(fault)) applyEffect(shared, fault.effect, strength);
    else applyEffect(own, fault.effect, strength);
  }
  fill(
    world,
    scenario.control,
    world.controlLatency,
    world.controlBaseP95,
    shared,
    scenario.drift.accuracyDecayPerDay.control,
    0,
    'control',
    time,
    control,
  );
  // The outage hits the candidate too: fold the shared effect into its own.
  own.errorRateMultiplier *= shared.errorRateMultiplier;
  own.extraErrorRate += shared.extraErrorRate;
  own.latencyMultiplier *= shared.latencyMultiplier;
  fill(
    world,
    scenario.candidate,
    world.candidateLatency,
    world.candidateBaseP95,
    own,
    scenario.drift.accuracyDecayPerDay.candidate,
    scenario.drift.agreementDecayPerDay,
    'candidate',
    time,
    candidate,
  );
}

/**
 * The truth at one time: the candidate is worse when its error rate exceeds
 * `truth.errorRateRatio` × control's, or its true p95 exceeds `truth.p95Ratio` × control's, or
 * (when `truth.accuracyDrop` is set) its accuracy is below control's by more than that.
 * A small relative slack (1e-9) keeps an identical candidate from being "worse" by rounding.
 */
export function candidateIsWorse(world: World, control: ArmConditions, candidate: ArmConditions): boolean {
  const truth = world.scenario.truth;
  const slack = 1 + 1e-9;
  if (candidate.errorRate > truth.errorRateRatio * control.errorRate * slack) return true;
  if (candidate.p95 > truth.p95Ratio * control.p95 * slack) return true;
  if (truth.accuracyDrop !== undefined && control.accuracy - candidate.accuracy > truth.accuracyDrop * slack) return true;
  return false;
}
