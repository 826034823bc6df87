/**
 * The peeking Monte-Carlo (`src/sim/peekingSimulation.ts`) as a shard kernel, and the endpoint
 * its workers expose over Comlink.
 */

import type { PeekingSimulationRequest, PeekingSimulationState } from '../src/sim/peekingSimulation.ts';
import { initPeekingState, mergePeekingStates, preparePeekingReplicate } from '../src/sim/peekingSimulation.ts';
import type { ShardEndpoint, ShardEndpointOptions, ShardKernel } from './shardEndpoint.ts';
import { createShardEndpoint } from './shardEndpoint.ts';

/** The kernel: the request is checked and the boundaries computed once per worker and run. */
export const peekingSimulationKernel: ShardKernel<PeekingSimulationRequest, PeekingSimulationState> = {
  init: initPeekingState,
  prepare: preparePeekingReplicate,
};

/** The endpoint a peeking worker exposes over Comlink. */
export function createPeekingSimulationEndpoint(
  options: ShardEndpointOptions = {},
): ShardEndpoint<PeekingSimulationRequest, PeekingSimulationState> {
  return createShardEndpoint(peekingSimulationKernel, options);
}

export { mergePeekingStates };
