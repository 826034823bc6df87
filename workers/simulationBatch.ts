/**
 * Several simulations as ONE pool run (issue 16: the lab's sweep ran setting by setting, so every
 * worker waited at the end of each of its 12 simulations for the slowest shard, and every
 * simulation paid its own request round trip). Simulation c's replicates occupy pool replicates
 * [c·P, c·P + R) with P = R rounded up to a multiple of the shard size S (the padding replicates
 * do nothing): each shard then lies inside one simulation and covers exactly the replicates that
 * shard of a standalone run of that simulation covers, and shards merge in order — so each
 * simulation's state is the one `pool.run(request, { replicates: R })` gives, bit for bit,
 * whatever the number of workers. Each worker compiles a simulation (`prepareSimulation`) on its
 * first replicate of it.
 */

import type { PreparedSimulation } from '../src/sim/runner.ts';
import { prepareSimulation, runOne } from '../src/sim/runner.ts';
import type { SummaryState } from '../src/sim/summary.ts';
import { addOutcome, initSummary, mergeSummaries } from '../src/sim/summary.ts';
import type { PoolProgress, WorkerPool } from './pool.ts';
import { incompleteRunError } from './pool.ts';
import type { ShardEndpoint, ShardEndpointOptions, ShardKernel } from './shardEndpoint.ts';
import { createShardEndpoint } from './shardEndpoint.ts';
import { defaultShardSize } from './shardRange.ts';
import type { SimulationRequest } from './simulationEndpoint.ts';

/** A batch, sent to every worker once (plain data). */
export interface SimulationBatchRequest {
  simulations: SimulationRequest[];
  /** Replicates of each simulation. */
  replicates: number;
  /** Shard size of each simulation (the standalone run's: `defaultShardSize(replicates)`). */
  shardSize: number;
}

/** One summary per simulation (a hole until a shard of it completes). */
export type SimulationBatchState = SummaryState[];

/** Pool replicates per simulation: `replicates` rounded up to a whole number of shards. */
export function paddedReplicates(replicates: number, shardSize: number): number {
  return Math.ceil(replicates / shardSize) * shardSize;
}

/** The kernel: pool replicate r is simulation ⌊r / P⌋'s replicate (r mod P) + its `firstReplicate`, or nothing in the padding. */
export const simulationBatchKernel: ShardKernel<SimulationBatchRequest, SimulationBatchState> = {
  init: () => [],
  prepare(request) {
    const { simulations, replicates, shardSize } = request;
    if (!(Number.isSafeInteger(replicates) && replicates >= 0))
      throw new RangeError(`replicates must be a whole number ≥ 0, got ${replicates}`);
    if (!(Number.isSafeInteger(shardSize) && shardSize >= 1))
      throw new RangeError(`shardSize must be a whole number ≥ 1, got ${shardSize}`);
    simulations.forEach((simulation, index) => {
      const first = simulation.firstReplicate ?? 0;
      if (!(Number.isSafeInteger(first) && first >= 0))
        throw new RangeError(`simulations[${index}].firstReplicate must be a whole number ≥ 0, got ${first}`);
    });
    const padded = paddedReplicates(replicates, shardSize);
    const prepared: (PreparedSimulation | undefined)[] = [];
    return (state, replicate) => {
      const index = Math.floor(replicate / padded);
      const local = replicate - index * padded;
      if (index >= simulations.length) throw new RangeError(`replicate ${replicate} is past the batch's ${simulations.length} simulations`);
      state[index] ??= initSummary();
      if (local >= replicates) return;
      const simulation = simulations[index];
      if (simulation.failAtReplicate === local) throw new Error(`fault injected at replicate ${local} (failAtReplicate, a test-only hook)`);
      const ready = (prepared[index] ??= prepareSimulation(simulation.scenario, simulation.policy, simulation.mode, simulation.seed));
      addOutcome(state[index], runOne(ready, (simulation.firstReplicate ?? 0) + local));
    };
  },
};

/** Merges batch states simulation by simulation, in place. */
export function mergeSimulationBatchStates(into: SimulationBatchState, other: SimulationBatchState): SimulationBatchState {
  other.forEach((summary, index) => {
    if (summary === undefined) return;
    into[index] = mergeSummaries(into[index] ?? initSummary(), summary);
  });
  return into;
}

/** The endpoint a simulation worker exposes over Comlink. */
export function createSimulationBatchEndpoint(
  options: ShardEndpointOptions = {},
): ShardEndpoint<SimulationBatchRequest, SimulationBatchState> {
  return createShardEndpoint(simulationBatchKernel, options);
}

/** A pool of simulation workers (Web Workers or `worker_threads`) serving batches. */
export type SimulationBatchPool = WorkerPool<SimulationBatchRequest, SimulationBatchState>;

/** Options of `runSimulationBatch`. */
export interface SimulationBatchOptions {
  signal?: AbortSignal;
  /** Progress of the whole batch (padding excluded from neither count: it costs nothing). */
  onProgress?: (progress: PoolProgress) => void;
  /** Called once per simulation, in order, as soon as it and every one before it are complete: results stream in. */
  onSimulation?: (index: number, state: SummaryState) => void;
}

/** What a batch gives: each simulation's state, and how the run ended. */
export interface SimulationBatchResult {
  status: 'complete' | 'partial' | 'cancelled';
  /** Simulation i's merged state (`initSummary()` when none of its shards completed). */
  states: SummaryState[];
  /** Per simulation: true when every one of its shards completed. */
  complete: boolean[];
  /** The first failed shard's error, if any. */
  error?: Error;
}

/**
 * Runs `simulations` (each with `replicates` replicates) as one pool run. Never rejects for a
 * shard's failure or a cancellation (see the status); rejects on invalid `replicates`.
 */
export async function runSimulationBatch(
  pool: SimulationBatchPool,
  simulations: SimulationRequest[],
  replicates: number,
  options: SimulationBatchOptions = {},
): Promise<SimulationBatchResult> {
  const shardSize = defaultShardSize(replicates);
  const padded = paddedReplicates(replicates, shardSize);
  const shardsPerSimulation = padded / shardSize;
  const { onSimulation, onProgress, signal } = options;
  // Streaming: shard states kept per simulation until all of its shards are in, then merged in order.
  const shardStates: SummaryState[][] = simulations.map(() => []);
  const shardsIn = simulations.map(() => 0);
  let nextToReport = 0;
  const reportReady = (): void => {
    while (nextToReport < simulations.length && shardsIn[nextToReport] === shardsPerSimulation) {
      const merged = initSummary();
      for (const state of shardStates[nextToReport]) mergeSummaries(merged, state);
      shardStates[nextToReport] = [];
      onSimulation?.(nextToReport, merged);
      nextToReport += 1;
    }
  };
  const result = await pool.run(
    { simulations, replicates, shardSize },
    {
      replicates: simulations.length * padded,
      shardSize,
      ...(onProgress !== undefined ? { onProgress } : {}),
      ...(signal !== undefined ? { signal } : {}),
      ...(onSimulation !== undefined
        ? {
            onShardComplete: (shard: number, state: SimulationBatchState) => {
              const index = Math.floor(shard / shardsPerSimulation);
              shardStates[index][shard - index * shardsPerSimulation] = state[index] ?? initSummary();
              shardsIn[index] += 1;
              reportReady();
            },
          }
        : {}),
    },
  );
  const failedSimulations = new Set(result.failedShards.concat().map((failed) => Math.floor(failed.range.from / padded)));
  const cancelledSimulations = new Set(result.cancelledShards.map((range) => Math.floor(range.from / padded)));
  const states = simulations.map((_, index) => result.merged[index] ?? initSummary());
  const complete = simulations.map((_, index) => !failedSimulations.has(index) && !cancelledSimulations.has(index));
  return {
    status: result.status,
    states,
    complete,
    ...(result.failedShards.length > 0 ? { error: incompleteRunError(result) } : {}),
  };
}
