/**
 * The per-request fidelity mode: every request is generated — its user, its route through the
 * engine's sticky flag bucketing, its latency (and so its timeout), its error and outcome — and
 * its latency folded into one `LatencySketch` per arm per window (DESIGN.md §4).
 *
 * Routing: user u's bucket is the engine's Unleash-compatible `normalizedValue("user-u", group)`,
 * computed once per run (`userPopulation`); a request of user u goes to the candidate when
 * `isInRollout(bucket, percentage)`, i.e. bucket ≤ percentage — the same rule as the engine's
 * `evaluateFlag`, read from a precomputed table so the hot loop does no hashing. Users are sticky:
 * all of a user's requests go to the same model (and stay there as the percentage grows).
 *
 * Errors, wrong outcomes and shadow disagreements are Bernoulli per request, independent of the
 * rest; instead of one uniform per request and event type, the loop counts down a geometric gap
 * to the next event, G = ⌊ln(1 − U)/ln(1 − p)⌋ requests without one (Devroye, "Non-Uniform Random
 * Variate Generation", 1986, §X.2): the same law, one draw per event instead of per request. The
 * countdown restarts at each window with that window's p (exact, by memorylessness).
 *
 * The number of arrivals in a window is Poisson(Λ) (or the replayed count), as in the windowed
 * mode; the world's conditions are those of the window's midpoint (see world.ts).
 *
 * Latencies are counted in the sketch's buckets by a `SketchBuffer` and handed to a
 * `LatencySketch` once per window — the same buckets, counts, min and max, so the same
 * percentiles, as adding them one by one; lognormal latencies are drawn and bucketed in log
 * space (no exp or log per request; sketchBuffer.ts explains why the buckets are still exact).
 *
 * Inputs (when the scenario has `inputs`): each served or mirrored request draws each feature's
 * value from the window-midpoint law (a standard normal scaled and shifted, or a uniform for a
 * category) and counts it in its bin (inputDrift.ts); without inputs nothing is drawn, so the
 * random stream is unchanged.
 *
 * Segments (an A/B stage with segment keys): each served request also draws its segment from
 * the window's mix (one uniform) and is counted there; its outcome is judged with its segment's
 * accuracy (one geometric countdown per arm and segment). Without segment keys nothing is drawn.
 *
 * Metric values (a scenario whose models give `values`, in A/B stages): each served request's
 * values are drawn for its user (metricValuesWindow.ts) from a sub-stream forked at the start of
 * the replicate, and each arm's window carries the per-user sums (`ArmWindow.values`). Scenarios
 * without values fork nothing and draw nothing more: their streams are unchanged.
 *
 * Baseline sketches (`WindowRequest.needsLatencySketch`: the baseline stage of a historical policy
 * whose ratio rules read latency): the control arm's latency also carries the window's sketch as
 * JSON (`LatencySketch.toJSON`: the same buckets and counts as adding the latencies one by one,
 * exact min and max; sketchBuffer.ts), for the engine to pool. Nothing more is drawn.
 *
 * Memory does not grow with the number of requests: per arm a 32 KiB bucket table, per window a
 * sketch per arm (bounded by its bucket limit) and a few counters; per replicate one byte per user (distinct users served while
 * worse). The inner loop allocates nothing. Cost O(requests) per window.
 */
import type { ArmWindow, WindowMetrics } from '../engine/metrics/windowMetrics.ts';
import { poissonSampler } from '../engine/random/poisson.ts';
import type { Random } from '../engine/random/prng.ts';
import { forkStream } from '../engine/random/streams.ts';
import { inputBinCount, inputBinOf, inputBinProbabilities, numericInputLaw } from './inputDrift.ts';
import type { ValueUnits } from './metricValuesWindow.ts';
import { attachMetricValues, MetricValuesTally } from './metricValuesWindow.ts';
import { SketchBuffer } from './sketchBuffer.ts';
import { expectedArrivals, replayArrivals, rolloutPercentage, userSampler } from './traffic.ts';
import type { Exposure, WindowGenerator, WindowRequest } from './windowRequest.ts';
import type { World } from './world.ts';
import { zigguratNormal } from './zigguratNormal.ts';

/** ln(1 − p), the rate of the geometric gaps between events of probability p. */
function logComplement(p: number): number {
  return Math.log1p(-Math.min(1, Math.max(0, p)));
}

/**
 * Requests before the next event of probability p = 1 − exp(logQ): ⌊ln(1 − U)/ln(1 − p)⌋
 * (Infinity when p = 0, 0 when p = 1).
 */
function geometricGap(random: Random, logQ: number): number {
  if (logQ === 0) return Infinity;
  return Math.floor(Math.log1p(-random()) / logQ);
}

/** Per-arm state of one window: counters and the geometric countdowns. */
interface ArmCounters {
  requests: number;
  errors: number;
  timeouts: number;
  /** Outcomes judged wrong, and shadow disagreements (successes = requests − wrong). */
  wrong: number;
  disagreements: number;
  untilError: number;
  untilWrong: number;
  untilDisagreement: number;
  logNoError: number;
  logRight: number;
  logAgree: number;
  scale: number;
  timeout: number;
  /** ln(timeout / scale): the lognormal path compares ln(latency / scale) with it. */
  logTimeout: number;
  /** Per input feature, the window's bin counts (empty without inputs). */
  inputCounts: number[][];
  /** The window's latencies (when a rule reads them), folded into sketch buckets. */
  sketch: SketchBuffer | null;
  buffer: SketchBuffer;
  /** Per segment (A/B stages with segment keys): counts, wrong outcomes and their countdowns. */
  segmentRequests: Float64Array;
  segmentErrors: Float64Array;
  segmentTimeouts: Float64Array;
  segmentWrong: Float64Array;
  segmentUntilWrong: Float64Array;
  segmentLogRight: Float64Array;
}

function counters(segments: number): ArmCounters {
  return {
    segmentRequests: new Float64Array(segments),
    segmentErrors: new Float64Array(segments),
    segmentTimeouts: new Float64Array(segments),
    segmentWrong: new Float64Array(segments),
    segmentUntilWrong: new Float64Array(segments),
    segmentLogRight: new Float64Array(segments),
    requests: 0,
    errors: 0,
    timeouts: 0,
    wrong: 0,
    disagreements: 0,
    untilError: 0,
    untilWrong: 0,
    untilDisagreement: 0,
    logNoError: 0,
    logRight: 0,
    logAgree: 0,
    scale: 1,
    timeout: Infinity,
    logTimeout: Infinity,
    inputCounts: [],
    sketch: null,
    buffer: new SketchBuffer(),
  };
}

/** A per-request generator for one replicate drawing from `random`. */
export function perRequestWindows(world: World, random: Random, valueUnits: ValueUnits = 'user'): WindowGenerator {
  const scenario = world.scenario;
  const traffic = scenario.traffic;
  const population = world.population;
  const buckets = population.buckets;
  const drawUser = userSampler(population, random);
  // Lognormal laws draw ln(latency) (the same draws: sketchBuffer.ts); the others, the latency.
  const controlLogLatency = world.controlLatency.logSampler?.(random) ?? null;
  const candidateLogLatency = world.candidateLatency.logSampler?.(random) ?? null;
  const controlLatency = controlLogLatency === null ? world.controlLatency.sampler(random) : () => 0;
  const candidateLatency = candidateLogLatency === null ? world.candidateLatency.sampler(random) : () => 0;
  const segmentNames = world.segments;
  const segmentCount = segmentNames.length;
  const control = counters(segmentCount);
  const candidate = counters(segmentCount);
  /** Cumulative segment shares of the window (A/B stages with segment keys). */
  const segmentCumulative = new Float64Array(segmentCount);
  let segmented = false;
  const inputs = scenario.inputs;
  const inputFeatures = inputs ? Object.values(inputs) : [];
  const inputNames = inputs ? Object.keys(inputs) : [];
  const inputProbabilities = inputFeatures.map((feature) => new Float64Array(inputBinCount(feature)));
  const inputShift = new Float64Array(inputFeatures.length);
  const inputScale = new Float64Array(inputFeatures.length);
  const normal = inputFeatures.length > 0 ? zigguratNormal(random) : () => 0;
  for (const arm of [control, candidate])
    arm.inputCounts = inputFeatures.map((feature) => new Array<number>(inputBinCount(feature)).fill(0));

  /** Draws one request's inputs and counts them in `arm`'s bins. */
  function drawInputs(arm: ArmCounters): void {
    for (let f = 0; f < inputFeatures.length; f++) {
      const feature = inputFeatures[f];
      const draw = feature.kind === 'categorical' ? random() : normal();
      arm.inputCounts[f][inputBinOf(feature, inputProbabilities[f], inputShift[f], inputScale[f], draw)] += 1;
    }
  }
  // Metric values (scenarios that give them): drawn from a sub-stream in A/B stages only, so
  // scenarios without values draw exactly as before; the tally is built at the first A/B window.
  const valuesStream = world.metricValues !== null ? forkStream(random, 'metric values') : null;
  let valuesTally: MetricValuesTally | null = null;
  let servedWhileWorse: Uint8Array | null = null;
  const totals: Exposure = { candidateRequests: 0, requestsServedWhileWorse: 0, usersServedWhileWorse: 0, failedRequests: 0 };

  function reset(arm: ArmCounters, request: WindowRequest, isCandidate: boolean): void {
    const conditions = isCandidate ? request.candidate : request.control;
    const timeout = isCandidate ? scenario.candidate.timeout : scenario.control.timeout;
    arm.requests = arm.errors = arm.timeouts = arm.wrong = arm.disagreements = 0;
    arm.logNoError = logComplement(conditions.errorRate);
    arm.logRight = logComplement(1 - conditions.accuracy);
    arm.logAgree = logComplement(1 - conditions.agreement);
    arm.untilError = geometricGap(random, arm.logNoError);
    arm.untilWrong = request.needsOutcomes && !segmented ? geometricGap(random, arm.logRight) : Infinity;
    if (segmented) {
      arm.segmentRequests.fill(0);
      arm.segmentErrors.fill(0);
      arm.segmentTimeouts.fill(0);
      arm.segmentWrong.fill(0);
      for (let s = 0; s < segmentCount; s++) {
        arm.segmentLogRight[s] = logComplement(1 - conditions.segmentAccuracy[s]);
        arm.segmentUntilWrong[s] = geometricGap(random, arm.segmentLogRight[s]);
      }
    }
    arm.untilDisagreement = isCandidate && request.mirrorShare > 0 ? geometricGap(random, arm.logAgree) : Infinity;
    arm.scale = conditions.latencyMultiplier;
    arm.timeout = timeout === undefined ? Infinity : timeout;
    arm.logTimeout = Math.log(arm.timeout) - Math.log(arm.scale);
    arm.buffer.reset(arm.scale);
    arm.sketch = request.needsLatency ? arm.buffer : null;
    for (const counts of arm.inputCounts) counts.fill(0);
  }

  /**
   * Serves one request on `arm` with latency sampler `latency` (or, for a lognormal law,
   * `logLatency`, which draws ln of the same latency: see sketchBuffer.ts). Allocation-free.
   */
  function serve(arm: ArmCounters, latency: () => number, logLatency: (() => number) | null, drawLatency: boolean): void {
    arm.requests += 1;
    if (drawLatency) {
      if (logLatency !== null) {
        const y = logLatency();
        if (arm.logTimeout < Infinity) {
          // In log space; next to the timeout, compare the exact latency as the value path does.
          const margin = y - arm.logTimeout;
          if (margin > 1e-9 || (margin > -1e-9 && arm.buffer.latencyOf(y) > arm.timeout)) arm.timeouts += 1;
        }
        if (arm.sketch !== null) arm.sketch.addLog(y);
      } else {
        const value = arm.scale * latency();
        if (value > arm.timeout) arm.timeouts += 1;
        if (arm.sketch !== null) arm.sketch.add(value);
      }
    }
    if (arm.untilError === 0) {
      arm.errors += 1;
      arm.untilError = geometricGap(random, arm.logNoError);
    } else arm.untilError -= 1;
    if (arm.untilWrong === 0) {
      arm.wrong += 1;
      arm.untilWrong = geometricGap(random, arm.logRight);
    } else arm.untilWrong -= 1;
  }

  /**
   * Serves one request as `serve` does, then draws its segment (one uniform against the window's
   * cumulative shares) and counts it there: its error and timeout, and a wrong outcome by the
   * segment's own countdown (the arm-wide one is off in this mode).
   */
  function serveSegmented(arm: ArmCounters, latency: () => number, logLatency: (() => number) | null, drawLatency: boolean): void {
    const errors = arm.errors;
    const timeouts = arm.timeouts;
    serve(arm, latency, logLatency, drawLatency);
    const u = random();
    let s = 0;
    while (s < segmentCount - 1 && u >= segmentCumulative[s]) s++;
    arm.segmentRequests[s] += 1;
    arm.segmentErrors[s] += arm.errors - errors;
    arm.segmentTimeouts[s] += arm.timeouts - timeouts;
    if (arm.segmentUntilWrong[s] === 0) {
      arm.segmentWrong[s] += 1;
      arm.wrong += 1;
      arm.segmentUntilWrong[s] = geometricGap(random, arm.segmentLogRight[s]);
    } else arm.segmentUntilWrong[s] -= 1;
  }

  /** An arm's window; `withSketch`: its latency also carries the window's sketch (`toJSON`). */
  function armWindow(arm: ArmCounters, outcomes: boolean, mirrored: boolean, withSketch: boolean): ArmWindow {
    const window: ArmWindow = { requests: arm.requests, errors: arm.errors, timeouts: arm.timeouts };
    const sketch = arm.sketch === null ? null : arm.sketch.flush();
    if (sketch !== null && sketch.count > 0) {
      window.latency = withSketch
        ? { p50: sketch.quantile(0.5), p95: sketch.quantile(0.95), p99: sketch.quantile(0.99), sketch: sketch.toJSON() }
        : { p50: sketch.quantile(0.5), p95: sketch.quantile(0.95), p99: sketch.quantile(0.99) };
    }
    if (outcomes) {
      window.successes = arm.requests - arm.wrong;
      window.outcomes = arm.requests;
    }
    if (segmented) {
      const segments: Record<string, ArmWindow> = {};
      for (let s = 0; s < segmentCount; s++) {
        const requests = arm.segmentRequests[s];
        segments[segmentNames[s]] = {
          requests,
          errors: arm.segmentErrors[s],
          timeouts: arm.segmentTimeouts[s],
          successes: requests - arm.segmentWrong[s],
          outcomes: requests,
        };
      }
      window.segments = segments;
    }
    if (mirrored) {
      window.agreements = arm.requests - arm.disagreements;
      window.compared = arm.requests;
    }
    if (inputs !== undefined) {
      const counts: Record<string, number[]> = {};
      for (let f = 0; f < inputNames.length; f++) counts[inputNames[f]] = [...arm.inputCounts[f]];
      window.inputs = counts;
    }
    return window;
  }

  return {
    next(request) {
      const { start, duration } = request;
      const replay = traffic.arrivals.kind === 'replay' ? traffic.arrivals : null;
      const total = replay
        ? replayArrivals(replay.times, replay.period, start, start + duration)
        : poissonSampler(random, expectedArrivals(traffic, start, start + duration))();
      const mirror = request.mirrorShare > 0;
      const shadowOrBaseline = mirror || request.candidateShare === 0;
      segmented = request.needsSegments && request.needsOutcomes && !shadowOrBaseline && segmentCount > 0;
      if (segmented) {
        const shares = request.control.segmentShares;
        let total = 0;
        for (let s = 0; s < segmentCount; s++) total += shares[s];
        let sum = 0;
        for (let s = 0; s < segmentCount; s++) segmentCumulative[s] = (sum += shares[s]) / total;
      }
      reset(control, request, false);
      reset(candidate, request, true);
      const withInputs = inputFeatures.length > 0;
      if (withInputs) {
        const middle = start + duration / 2;
        for (let f = 0; f < inputFeatures.length; f++) {
          const feature = inputFeatures[f];
          inputBinProbabilities(feature, middle, inputProbabilities[f]);
          if (feature.kind !== 'categorical') {
            const law = numericInputLaw(feature, middle);
            inputShift[f] = law.shift;
            inputScale[f] = law.scale;
          }
        }
      }
      const percentage = shadowOrBaseline ? rolloutPercentage(request.mirrorShare) : rolloutPercentage(request.candidateShare);
      const trackUsers = request.candidateWorse && !shadowOrBaseline;
      if (trackUsers && servedWhileWorse === null) servedWhileWorse = new Uint8Array(population.count);
      const seen = trackUsers ? servedWhileWorse : null;
      const controlDraws = request.needsLatency || control.timeout < Infinity;
      const candidateDraws = request.needsLatency || candidate.timeout < Infinity;

      if (shadowOrBaseline) {
        for (let i = 0; i < total; i++) {
          serve(control, controlLatency, controlLogLatency, controlDraws);
          if (withInputs) drawInputs(control);
          if (mirror && buckets[drawUser()] <= percentage) {
            serve(candidate, candidateLatency, candidateLogLatency, candidateDraws);
            if (withInputs) drawInputs(candidate);
            if (candidate.untilDisagreement === 0) {
              candidate.disagreements += 1;
              candidate.untilDisagreement = geometricGap(random, candidate.logAgree);
            } else candidate.untilDisagreement -= 1;
          }
        }
      } else {
        if (valuesStream !== null && request.stageKind === 'ab')
          valuesTally ??= new MetricValuesTally(world.metricValues ?? [], population, valuesStream, 'request', valueUnits);
        const values = request.stageKind === 'ab' ? valuesTally : null;
        values?.beginWindow(start, duration, request.stageStart);
        for (let i = 0; i < total; i++) {
          const user = drawUser();
          if (buckets[user] <= percentage) {
            if (segmented) serveSegmented(candidate, candidateLatency, candidateLogLatency, candidateDraws);
            else serve(candidate, candidateLatency, candidateLogLatency, candidateDraws);
            if (withInputs) drawInputs(candidate);
            if (seen !== null) seen[user] = 1;
            if (values !== null) values.addRequest(user, 1);
          } else {
            if (segmented) serveSegmented(control, controlLatency, controlLogLatency, controlDraws);
            else serve(control, controlLatency, controlLogLatency, controlDraws);
            if (withInputs) drawInputs(control);
            if (values !== null) values.addRequest(user, 0);
          }
        }
      }

      const window: WindowMetrics = { startTime: start, duration };
      if (request.candidateShare < 1) {
        window.control = armWindow(control, request.needsOutcomes, false, request.needsLatencySketch === true);
      }
      if (mirror || !shadowOrBaseline) {
        window.candidate = armWindow(candidate, request.needsOutcomes, mirror, false);
        if (!mirror) {
          totals.failedRequests += candidate.errors;
          totals.candidateRequests += candidate.requests;
          if (request.candidateWorse) totals.requestsServedWhileWorse += candidate.requests;
        }
      }
      if (valuesTally !== null && request.stageKind === 'ab' && !shadowOrBaseline) {
        const controlValues = valuesTally.flush(0);
        const candidateValues = valuesTally.flush(1);
        attachMetricValues(window.control, controlValues, valuesTally.valuesSince);
        attachMetricValues(window.candidate, candidateValues, valuesTally.valuesSince);
      }
      return window;
    },
    exposure() {
      let users = 0;
      if (servedWhileWorse) for (let u = 0; u < servedWhileWorse.length; u++) users += servedWhileWorse[u];
      return { ...totals, usersServedWhileWorse: users };
    },
  };
}
