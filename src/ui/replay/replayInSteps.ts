import type { Policy } from '../../engine/policy/policy.ts';
import { streamFor } from '../../engine/random/streams.ts';
import { prepareSimulation, runReplicates } from '../../sim/runner.ts';
import { initSummary, mergeSummaries, summaryValue } from '../../sim/summary.ts';
import type { ParsedLog } from '../../sim/replay/parseLog.ts';
import { replayScenario } from '../../sim/replay/replayWorld.ts';
import type { ReplayLogOptions, ReplayResult, ReplayRoles } from '../../sim/replay/replayWorld.ts';

/**
 * `replayLog` (src/sim/replay/replayWorld.ts) cut into steps so that a worker can be cancelled:
 * the same bootstrap series r from `streamFor(seed, r, 'replay-bootstrap')`, the same share of
 * replicates per series, the same merge order — so the result is identical to `replayLog`'s (and
 * to `rollout-lab replay`'s), which test/ui/replay/replayInSteps.test.ts checks — but it awaits
 * `pause()` between series, where a worker handles a cancel message, and stops with an
 * `AbortError` once `signal` is aborted. Cost: that of `replayLog`.
 */
export async function replayInSteps(
  log: ParsedLog,
  policy: Policy,
  options: ReplayLogOptions,
  pause: () => Promise<void>,
  signal?: AbortSignal,
): Promise<ReplayResult> {
  const { replicates, seed, mode = 'window', onProgress } = options;
  if (!(Number.isSafeInteger(replicates) && replicates >= 1)) throw new RangeError(`replicates must be a whole number of at least 1, got ${replicates}`);
  const resamples = options.resamples ?? Math.min(replicates, 20);
  if (!(Number.isSafeInteger(resamples) && resamples >= 1 && resamples <= replicates)) {
    throw new RangeError(`resamples must be a whole number between 1 and replicates (${replicates}), got ${resamples}`);
  }
  const state = initSummary();
  let roles: ReplayRoles | undefined;
  let blockMinutes = 0;
  let done = 0;
  for (let r = 0; r < resamples; r++) {
    await pause();
    if (signal?.aborted) throw new DOMException('replay cancelled', 'AbortError');
    const world = replayScenario(log, streamFor(seed, r, 'replay-bootstrap'), options);
    roles = world.roles;
    blockMinutes = world.blockMinutes;
    const from = Math.floor((r * replicates) / resamples);
    const to = Math.floor(((r + 1) * replicates) / resamples);
    const simulation = prepareSimulation(world.scenario, policy, mode, seed);
    const base = done;
    mergeSummaries(state, runReplicates(simulation, from, to, onProgress ? (d) => onProgress(base + d, replicates) : undefined));
    done += to - from;
  }
  return { summary: summaryValue(state), roles: roles as ReplayRoles, resamples, blockMinutes };
}
