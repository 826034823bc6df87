/**
 * The auto-tuner's request as the app builds it (`labTuning.ts`) for `tuneInWorker.ts`. Plain
 * data.
 */
import type { Policy } from '../src/engine/policy/policy.ts';
import type { Scenario } from '../src/sim/scenario.ts';
import type { TuneOptions } from '../src/sim/tune.ts';

/** One tuning run: `tune(basePolicy, healthy, regressed, options)` without the progress callback. */
export interface TuneRequest {
  basePolicy: Policy;
  /** Scenarios as returned by `parseScenario` (already validated). */
  healthy: Scenario;
  regressed: Scenario;
  options: Omit<TuneOptions, 'onProgress'>;
}
