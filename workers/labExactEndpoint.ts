/**
 * The endpoint of the lab's exact worker: the exact operating characteristic
 * (`exactOperatingCurve`, src/sim/exact/exactOperatingCurve.ts) off the main thread, so the page
 * never blocks while the chains run.
 *
 * The worker is kept alive between the lab's requests (labExactInWorker.ts), and the endpoint
 * keeps the last `keptScenarioCount` scenarios it was sent, by content: a request whose world is
 * content-equal to a kept one (`scenarioContentKey`, src/sim/scenarioContentKey.ts) is evaluated on the kept object. Every
 * request arrives as a structured clone — a new object — and the evaluator's per-scenario memos
 * are keyed by the scenario OBJECT (baselineLaw.ts `nodesByScenario`: the baseline's count laws,
 * node sets and cells; healthCheckLaw.ts `sharedLawsByScenario`: the binomial rows, Poisson laws,
 * latency pass tables and historical check matrices; concurrentCountTable.ts
 * `tablesByScenario`), so without this every request would rebuild them, though an edit of a
 * policy threshold changes none of them. Each of those memos is documented, and was read, as a
 * pure function of its key (the laws' means, probabilities, tolerances, limits and node counts —
 * never the object's identity as such), so the answer does not depend on what the memo saw before
 * (test/workers/labExactEndpoint.test.ts checks it bit for bit). The evaluator never writes to a
 * scenario, so a kept object stays equal to its key.
 *
 * Memory: the memos live as long as their scenario (WeakMaps); evicting a scenario from this
 * small cache (least recently used first) lets them go, so the cache's bound is the memos' bound.
 */

import type { ExactCurveRequest, ExactCurveResult } from '../src/sim/exact/exactOperatingCurve.ts';
import { exactOperatingCurve } from '../src/sim/exact/exactOperatingCurve.ts';
import type { Scenario } from '../src/sim/scenario.ts';
import { scenarioContentKey } from '../src/sim/scenarioContentKey.ts';

/** What the lab's exact worker serves. */
export interface LabExactEndpoint {
  /** `exactOperatingCurve(request)`, reporting the fraction of settings done; its RangeErrors for invalid policies. */
  operatingCurve(request: ExactCurveRequest, onProgress?: (fraction: number) => void): ExactCurveResult;
}

/**
 * Scenarios an endpoint keeps (module comment). Why 4: the lab sends two worlds (healthy and
 * regressed) per request, so 4 holds the worlds of the current scenario settings and of the
 * previous ones — an edit of a scenario knob and back (or the bench's two questions) stays warm,
 * while the memos' memory stays bounded by a few scenarios' worth.
 */
export const keptScenarioCount = 4;

/**
 * The scenarios an endpoint keeps (module comment): `keep(scenario)` returns the kept scenario
 * content-equal to `scenario`, or keeps `scenario` itself (evicting the least recently used past
 * `capacity`). O(size of the scenario) per call.
 */
export class KeptScenarios {
  private readonly byContent = new Map<string, Scenario>();

  constructor(readonly capacity: number = keptScenarioCount) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`capacity must be a whole number ≥ 1, got ${capacity}`);
  }

  keep(scenario: Scenario): Scenario {
    const key = scenarioContentKey(scenario);
    const known = this.byContent.get(key);
    // Most recently used last (a Map iterates in insertion order).
    this.byContent.delete(key);
    this.byContent.set(key, known ?? scenario);
    while (this.byContent.size > this.capacity) this.byContent.delete(this.byContent.keys().next().value as string);
    return known ?? scenario;
  }

  /** How many scenarios are kept now. */
  get size(): number {
    return this.byContent.size;
  }
}

/** An endpoint with its own kept scenarios (one per worker; tests make fresh ones and may look into `kept`). */
export function createLabExactEndpoint(kept: KeptScenarios = new KeptScenarios()): LabExactEndpoint {
  return {
    operatingCurve: (request, onProgress) =>
      exactOperatingCurve(
        { ...request, healthy: kept.keep(request.healthy), regressed: kept.keep(request.regressed) },
        onProgress === undefined ? undefined : (done, total) => void onProgress(done / total),
      ),
  };
}

/** The endpoint the worker serves (callable in-process too). */
export const labExactEndpoint: LabExactEndpoint = createLabExactEndpoint();
