/**
 * The simulator's shard kernel and the endpoint workers expose (browser and Node alike): a
 * shard of replicates of `src/sim/runner.ts`, folded into the mergeable summary of
 * `src/sim/summary.ts`.
 */
import type { Policy } from '../src/engine/policy/policy.ts';
import { prepareSimulation, runOne } from '../src/sim/runner.ts';
import type { Scenario } from '../src/sim/scenario.ts';
import type { SummaryState } from '../src/sim/summary.ts';
import { addOutcome, initSummary, mergeSummaries } from '../src/sim/summary.ts';
import type { FidelityMode } from '../src/sim/windowRequest.ts';
import type { ShardEndpoint, ShardEndpointOptions, ShardKernel } from './shardEndpoint.ts';
import { createShardEndpoint } from './shardEndpoint.ts';

/** One simulation run, sent to every worker (plain data: it is copied by structured clone). */
export interface SimulationRequest {
  /** A scenario as returned by `parseScenario` (already validated). */
  scenario: Scenario;
  policy: Policy;
  mode: FidelityMode;
  /** Replicate i draws from `streamFor(seed, i)`. */
  seed: number | string;
  /**
   * Pool replicate r is replicate `firstReplicate + r` (default 0): lets a pool run replicates
   * [from, to) — one shard of a sharded sweep — as [0, to − from).
   */
  firstReplicate?: number;
  /**
   * Fault-injection hook for tests only: the replicate with this index throws instead of
   * running, so that tests can check how the pool reports a failing worker. Never set it in
   * production.
   */
  failAtReplicate?: number;
}

/**
 * Replicate by replicate, `runOne` of the runner folded with `addOutcome`: the same additions in
 * the same order as `runReplicates(prepared, from, to)`, hence the same state.
 */
export const simulationKernel: ShardKernel<SimulationRequest, SummaryState> = {
  init: initSummary,
  prepare(request) {
    const prepared = prepareSimulation(request.scenario, request.policy, request.mode, request.seed);
    const failAt = request.failAtReplicate;
    const first = request.firstReplicate ?? 0;
    if (!(Number.isSafeInteger(first) && first >= 0)) throw new RangeError(`firstReplicate must be a whole number ≥ 0, got ${first}`);
    return (state, replicate) => {
      if (failAt === replicate) {
        throw new Error(`fault injected at replicate ${replicate} (failAtReplicate, a test-only hook)`);
      }
      addOutcome(state, runOne(prepared, first + replicate));
    };
  },
};

/** Merges summary states in place (`mergeSummaries` of the simulator), for the pool. */
export const mergeSimulationStates = (into: SummaryState, other: SummaryState): SummaryState => mergeSummaries(into, other);

/** The endpoint a simulation worker exposes over Comlink. */
export function createSimulationEndpoint(options: ShardEndpointOptions = {}): ShardEndpoint<SimulationRequest, SummaryState> {
  return createShardEndpoint(simulationKernel, options);
}
