import type { Policy } from '../src/engine/policy/policy.ts';
import type { ParsedLog } from '../src/sim/replay/parseLog.ts';
import type { RequestReplayResult } from '../src/sim/replay/replayReport.ts';
import type { ReplayRequestsOptions } from '../src/sim/replay/replayRequests.ts';
import { replayRequestSteps } from '../src/sim/replay/replayRequests.ts';
import type { ReplayLogOptions, ReplayResult } from '../src/sim/replay/replayWorld.ts';
import { replaySteps } from '../src/sim/replay/replayWorld.ts';

/**
 * Drives a replay's step generator with a pause before each chunk of replicates, so that a worker
 * can be cancelled: it awaits `pause()` (where the worker handles a cancel message) and stops with
 * an `AbortError` once `signal` is aborted. The result is the generator's, so identical to the
 * one-call replay's and the CLI's for the same log, policy, seed and options.
 */
async function drainInSteps<T>(steps: Generator<unknown, T>, pause: () => Promise<void>, signal?: AbortSignal): Promise<T> {
  for (;;) {
    await pause();
    if (signal?.aborted) throw new DOMException('replay cancelled', 'AbortError');
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** `replayRequests` (src/sim/replay/replayRequests.ts, what `rollout-lab replay` runs) in steps. Cost: that of `replayRequests`. */
export function replayRequestsInSteps(
  log: ParsedLog,
  policy: Policy,
  options: ReplayRequestsOptions,
  pause: () => Promise<void>,
  signal?: AbortSignal,
): Promise<RequestReplayResult> {
  return drainInSteps(replayRequestSteps(log, policy, options), pause, signal);
}

/**
 * The former replay (`replayLog`: arrivals resampled, each error drawn independently at the log's
 * average rate) in steps — kept for comparison with `replayRequestsInSteps`; same contract.
 */
export function replayInSteps(
  log: ParsedLog,
  policy: Policy,
  options: ReplayLogOptions,
  pause: () => Promise<void>,
  signal?: AbortSignal,
): Promise<ReplayResult> {
  return drainInSteps(replaySteps(log, policy, options), pause, signal);
}
