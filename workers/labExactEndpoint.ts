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
 *
 * Cancellation: a superseded request (an edit while the curve computes) should not cost the warm
 * worker. The evaluator runs synchronously, so the endpoint evaluates the curve in steps of
 * `labExactSettingsPerStep` settings per world (`exactOperatingCurveSteps`) and yields to the
 * worker's event loop between them; a `cancel(callId)` heard there stops the call, which answers
 * `{ cancelled: true }` with the kept scenarios and their memos intact (a step is never cut
 * short, so no memo is left half-built). The page waits a bounded time for that answer and
 * terminates the worker otherwise (keptWorker.ts).
 */

import type { ExactCurveRequest, ExactCurveResult } from '../src/sim/exact/exactOperatingCurve.ts';
import { exactOperatingCurveSteps } from '../src/sim/exact/exactOperatingCurve.ts';
import type { Scenario } from '../src/sim/scenario.ts';
import { scenarioContentKey } from '../src/sim/scenarioContentKey.ts';

/** The answer of a call cancelled before it finished (`LabExactEndpoint.cancel`). */
export interface CancelledCurve {
  cancelled: true;
}

/** What the lab's exact worker serves. */
export interface LabExactEndpoint {
  /**
   * The lab's exact curve (`labExactCurve(request)`, in steps: module comment), reporting the
   * fraction of settings done; its RangeErrors for invalid policies. `callId` names the call to
   * `cancel`; a cancelled call answers `{ cancelled: true }`.
   */
  operatingCurve(
    request: ExactCurveRequest,
    onProgress?: (fraction: number) => void,
    callId?: number,
  ): Promise<ExactCurveResult | CancelledCurve>;
  /** Stops call `callId` at its next step (it answers `{ cancelled: true }`); a no-op when it is not running. */
  cancel(callId: number): void;
}

/**
 * Settings per step of the worker's curve (`exactOperatingCurveSteps`): between steps the worker
 * hears a cancel, so a step's length bounds how long a superseded curve keeps the worker (the
 * page waits `labExactCancelBound`, labExactInWorker.ts, then terminates it). A step cannot be
 * shorter than one setting's run, and a setting that builds new laws (the historical baseline's
 * finer nodes near the current threshold) costs 150–380 ms alone. Measured in Node, the curve
 * right after its current setting on the same scenario objects (as the lab asks it), 02:46–02:48
 * UTC 2026-12-05, load 1–2, two rounds, total / longest step in ms, one block of every setting →
 * blocks of 4 → 2 → 1: the first visit's 20 thresholds 1,775–1,982 / 1,759–1,974 → 1,352–1,462 /
 * 635–746 → 1,369–1,665 / 400–449 → 1,548–2,087 / 229–379; its 51 thresholds 3,976–5,277 /
 * 3,904–5,258 → 3,631–5,090 / 870–1,277 → 3,314–3,392 / 384–412 → 3,672–4,024 / 231–321; the
 * canary-and-full part (51) 2,943–3,244 / 1,630–1,666 → 2,503–3,236 / 428–474 → 2,586–3,418 /
 * 302–375 → 2,739–3,421 / 153–231; 100 req/s without the daily cycle (51) 2,273–2,317 / 2,237–2,267
 * → 1,780–1,915 / 757–784 → 1,695–1,913 / 419–475 → 1,779–2,182 / 197–276. Two settings a step
 * costs the curve nothing measurable against one block (the vector runs stay wide enough) and
 * halves the longest step of four; one a step costs 10–20% more in all for a shorter longest step.
 */
export const labExactSettingsPerStep = 2;

/**
 * The worker's answer to `request` (module comment), as one synchronous call: the curve in steps
 * of `labExactSettingsPerStep` settings. Its numbers are the steps', which may differ from one
 * `exactOperatingCurve` run of every setting in the last bits — a vector chain's column agrees
 * with the same column run beside other columns within 1e-12, not always to the bit
 * (exactOperatingCurveSteps) — so the worker's answer is defined by its steps: a pure function of
 * the request, whether the worker is cold, warm or has cancelled other calls. Measured against
 * `exactOperatingCurve` (02:54 UTC 2026-12-05): byte-identical on the lab's three 20-threshold
 * questions; on the first visit's 51 thresholds one number differs, by one ulp.
 */
export function labExactCurve(request: ExactCurveRequest, onProgress?: (done: number, total: number) => void): ExactCurveResult {
  const steps = exactOperatingCurveSteps(request, labExactSettingsPerStep, onProgress);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * One macrotask: lets the worker's queued messages (a cancel) be handled before the next step. A
 * message through a fresh MessageChannel rather than `setTimeout(0)`, which browsers clamp to
 * 4 ms once timers nest five deep (HTML standard, timer initialisation steps): measured in a
 * Chromium worker (100 ticks, 3 rounds, 02:35 UTC 2026-12-05, load ~8), 4.3–7.7 ms a tick by
 * `setTimeout(0)` against 0.08–0.10 ms by a MessageChannel — a 51-threshold curve's 26 steps
 * would pay 110–200 ms. Both ports are closed after, so no port keeps a Node process alive.
 */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.addEventListener(
      'message',
      () => {
        port1.close();
        port2.close();
        resolve();
      },
      { once: true },
    );
    port1.start();
    port2.postMessage(null);
  });
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
  /** The calls running now, and whether each was asked to stop. */
  const running = new Map<number, { cancelled: boolean }>();
  let anonymousCalls = 0;
  return {
    async operatingCurve(request, onProgress, callId = --anonymousCalls) {
      const steps = exactOperatingCurveSteps(
        { ...request, healthy: kept.keep(request.healthy), regressed: kept.keep(request.regressed) },
        labExactSettingsPerStep,
        onProgress === undefined ? undefined : (done, total) => void onProgress(done / total),
      );
      const call = { cancelled: false };
      running.set(callId, call);
      try {
        for (;;) {
          const step = steps.next();
          if (step.done) return step.value;
          await nextTask();
          if (call.cancelled) return { cancelled: true };
        }
      } finally {
        running.delete(callId);
      }
    },
    cancel(callId) {
      const call = running.get(callId);
      if (call !== undefined) call.cancelled = true;
    },
  };
}

/** The endpoint the worker serves (callable in-process too). */
export const labExactEndpoint: LabExactEndpoint = createLabExactEndpoint();
