import type { Policy } from '../src/engine/policy/policy.ts';
import type { ParsedLog } from '../src/sim/replay/parseLog.ts';
import type { RequestReplayResult } from '../src/sim/replay/replayReport.ts';
import type { ReplayRequestsOptions } from '../src/sim/replay/replayRequests.ts';
import { replayRequestSteps } from '../src/sim/replay/replayRequests.ts';
import type { ReplayLogOptions, ReplayResult } from '../src/sim/replay/replayWorld.ts';
import { replaySteps } from '../src/sim/replay/replayWorld.ts';

/**
 * `replayRequests` (src/sim/replay/replayRequests.ts, what `rollout-lab replay` runs) with a
 * pause between chunks of replicates so that a worker can be cancelled: it drives the same
 * `replayRequestSteps` generator, so the result is identical to `replayRequests`'s and the CLI's
 * for the same log, policy, seed and options; it awaits `pause()` before each chunk, where a
 * worker handles a cancel message, and stops with an `AbortError` once `signal` is aborted.
 * Cost: that of `replayRequests`.
 */
export async function replayRequestsInSteps(
  log: ParsedLog,
  policy: Policy,
  options: ReplayRequestsOptions,
  pause: () => Promise<void>,
  signal?: AbortSignal,
): Promise<RequestReplayResult> {
  const steps = replayRequestSteps(log, policy, options);
  for (;;) {
    await pause();
    if (signal?.aborted) throw new DOMException('replay cancelled', 'AbortError');
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * The former replay (`replayLog`: arrivals resampled, each error drawn independently at the log's
 * average rate) in steps — kept for comparison with `replayRequestsInSteps`; same contract.
 */
export async function replayInSteps(
  log: ParsedLog,
  policy: Policy,
  options: ReplayLogOptions,
  pause: () => Promise<void>,
  signal?: AbortSignal,
): Promise<ReplayResult> {
  const steps = replaySteps(log, policy, options);
  for (;;) {
    await pause();
    if (signal?.aborted) throw new DOMException('replay cancelled', 'AbortError');
    const next = steps.next();
    if (next.done) return next.value;
  }
}
