/**
 * The shard kernel and endpoint of "which rule fired": the healthy candidate's rollbacks counted
 * by the rule behind them (`src/sim/firstRollbackRules.ts`), replicate by replicate, so that the
 * count runs on a pool of workers like the simulations (progress, cooperative cancellation,
 * the same counts whatever the number of workers: counts add up).
 */
import type { Policy } from '../src/engine/policy/policy.ts';
import type { RollbackRuleCounts } from '../src/sim/firstRollbackRules.ts';
import { addRollbackRuleReplicate, initRollbackRuleCounts, mergeRollbackRuleCounts } from '../src/sim/firstRollbackRules.ts';
import { prepareSimulation } from '../src/sim/runner.ts';
import type { Scenario } from '../src/sim/scenario.ts';
import type { ShardEndpoint, ShardEndpointOptions, ShardKernel } from './shardEndpoint.ts';
import { createShardEndpoint } from './shardEndpoint.ts';

/** Replicates of `policy` in `scenario` (windowed mode, the lab's seed): plain data. */
export interface RollbackRulesRequest {
  /** A scenario as returned by `parseScenario` (already validated). */
  scenario: Scenario;
  policy: Policy;
  seed: number;
}

/** The kernel: the simulation is compiled once per worker and run; each replicate folds into the counts. */
export const rollbackRulesKernel: ShardKernel<RollbackRulesRequest, RollbackRuleCounts> = {
  init: initRollbackRuleCounts,
  prepare(request) {
    const simulation = prepareSimulation(request.scenario, request.policy, 'window', request.seed);
    return (counts, replicate) => addRollbackRuleReplicate(counts, simulation, request.seed, replicate);
  },
};

/** The endpoint a rollback-rules worker exposes over Comlink. */
export function createRollbackRulesEndpoint(options: ShardEndpointOptions = {}): ShardEndpoint<RollbackRulesRequest, RollbackRuleCounts> {
  return createShardEndpoint(rollbackRulesKernel, options);
}

export { initRollbackRuleCounts, mergeRollbackRuleCounts };
