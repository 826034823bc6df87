/**
 * The auto-tuner's request and messages, shared by the tuning worker (`tune.worker.ts`) and its
 * client (`tuneInWorker.ts`). Plain data: copied by structured clone.
 */
import type { Policy } from '../src/engine/policy/policy.ts';
import type { Scenario } from '../src/sim/scenario.ts';
import type { TuneOptions, TuneProgress, TuneResult } from '../src/sim/tune.ts';

/** One tuning run: `tune(basePolicy, healthy, regressed, options)` without the progress callback. */
export interface TuneRequest {
  basePolicy: Policy;
  /** Scenarios as returned by `parseScenario` (already validated). */
  healthy: Scenario;
  regressed: Scenario;
  options: Omit<TuneOptions, 'onProgress'>;
}

/** What the tuning worker posts: progress while it runs, then one result or one error. */
export type TuneMessage =
  | { type: 'progress'; progress: TuneProgress }
  | { type: 'result'; result: TuneResult }
  | { type: 'error'; message: string; rangeError: boolean };
