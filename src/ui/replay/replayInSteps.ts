import type { Policy } from '../../engine/policy/policy.ts';
import type { ParsedLog } from '../../sim/replay/parseLog.ts';
import { replaySteps } from '../../sim/replay/replayWorld.ts';
import type { ReplayLogOptions, ReplayResult } from '../../sim/replay/replayWorld.ts';

/**
 * `replayLog` (src/sim/replay/replayWorld.ts) with a pause between bootstrap series so that a
 * worker can be cancelled: it drives the same `replaySteps` generator, so the result is
 * identical to `replayLog`'s (and to `rollout-lab replay`'s), but it awaits `pause()` before
 * each series, where a worker handles a cancel message, and stops with an `AbortError` once
 * `signal` is aborted. Cost: that of `replayLog`.
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
