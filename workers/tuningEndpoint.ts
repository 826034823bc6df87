/**
 * The auto-tuner's shard kernel and the endpoint tuning workers expose: one batch of the tuner
 * (`TuningBatch` of src/sim/tune.ts — several policies, each on replicates [from, to) of both
 * worlds) as ONE pool run, so that the policies of a coordinate and their replicates spread over
 * every worker. Pool replicate r is policy ⌊r / R⌋'s replicate from + (r mod R), R = to − from;
 * the state holds one mergeable `TuningTally` per policy, merged in shard order, hence in
 * replicate order: the evaluations equal `evaluateCandidate`'s whatever the number of workers.
 */
import type { Policy } from '../src/engine/policy/policy.ts';
import type { TuningBatch } from '../src/sim/tune.ts';
import type { PreparedCandidate, TuningEvaluation, TuningTally, TuningWorlds } from '../src/sim/tuningEvaluation.ts';
import {
  addTuningReplicate,
  initTuningTally,
  mergeTuningTallies,
  prepareCandidate,
  tuningEvaluationOf,
} from '../src/sim/tuningEvaluation.ts';
import type { WorkerPool } from './pool.ts';
import { incompleteRunError } from './pool.ts';
import type { ShardEndpoint, ShardEndpointOptions, ShardKernel } from './shardEndpoint.ts';
import { createShardEndpoint } from './shardEndpoint.ts';

/** One tuning batch, sent to every worker (plain data). */
export interface TuningShardRequest {
  policies: Policy[];
  worlds: TuningWorlds;
  from: number;
  to: number;
  detectWithin: number;
}

/** One tally per policy of the batch (empty until a shard reaches it). */
export type TuningBatchState = TuningTally[];

/** The kernel: each policy is compiled for both worlds once per worker, on its first replicate there. */
export const tuningKernel: ShardKernel<TuningShardRequest, TuningBatchState> = {
  init: () => [],
  prepare(request) {
    const perPolicy = request.to - request.from;
    if (!(Number.isSafeInteger(perPolicy) && perPolicy > 0))
      throw new RangeError(`a tuning batch needs from < to, got [${request.from}, ${request.to})`);
    const prepared: (PreparedCandidate | undefined)[] = [];
    return (state, replicate) => {
      const index = Math.floor(replicate / perPolicy);
      if (index >= request.policies.length)
        throw new RangeError(`replicate ${replicate} is past the batch's ${request.policies.length} × ${perPolicy}`);
      const candidate = (prepared[index] ??= prepareCandidate(request.policies[index], request.worlds));
      while (state.length <= index) state.push(initTuningTally(0));
      addTuningReplicate(state[index], candidate, request.from + (replicate % perPolicy), request.detectWithin);
    };
  },
};

/** Merges batch states policy by policy, in place (shard order = replicate order). */
export function mergeTuningBatchStates(into: TuningBatchState, other: TuningBatchState): TuningBatchState {
  other.forEach((tally, index) => {
    if (into[index] === undefined) into[index] = initTuningTally(0);
    mergeTuningTallies(into[index], tally);
  });
  return into;
}

/** The endpoint a tuning worker exposes over Comlink. */
export function createTuningEndpoint(options: ShardEndpointOptions = {}): ShardEndpoint<TuningShardRequest, TuningBatchState> {
  return createShardEndpoint(tuningKernel, options);
}

/** A pool of tuning workers (Node `worker_threads` or Web Workers). */
export type TuningPool = WorkerPool<TuningShardRequest, TuningBatchState>;

/**
 * Evaluates one tuning batch on `pool`: one run over policies × replicates, in shards of about a
 * quarter of a policy's replicates (enough to keep every worker busy; never derived from the pool
 * size, so the result does not depend on it). Calls `batch.evaluated()` once per policy as its
 * replicates complete. Rejects with the worker's error when a shard fails (a RangeError stays
 * one), and with an `AbortError` when `signal` aborts.
 */
export async function evaluateTuningBatch(pool: TuningPool, batch: TuningBatch, signal?: AbortSignal): Promise<TuningEvaluation[]> {
  const perPolicy = batch.to - batch.from;
  const request: TuningShardRequest = {
    policies: batch.policies,
    worlds: batch.worlds,
    from: batch.from,
    to: batch.to,
    detectWithin: batch.detectWithin,
  };
  let reported = 0;
  const report = (done: number) => {
    while (reported < done && reported < batch.policies.length) {
      reported += 1;
      batch.evaluated();
    }
  };
  const result = await pool.run(request, {
    replicates: batch.policies.length * perPolicy,
    shardSize: Math.max(1, Math.ceil(perPolicy / 4)),
    // A policy counts as evaluated once as many replicates as it has are done (progress only).
    onProgress: (progress) => report(Math.floor(progress.replicatesDone / perPolicy)),
    ...(signal !== undefined ? { signal } : {}),
  });
  if (result.status === 'cancelled' || signal?.aborted) throw new DOMException('tuning cancelled', 'AbortError');
  if (result.status !== 'complete') throw incompleteRunError(result);
  report(batch.policies.length);
  const names = { healthy: batch.worlds.healthy.name, regressed: batch.worlds.regressed.name };
  return batch.policies.map((_, index) => tuningEvaluationOf(result.merged[index] ?? initTuningTally(batch.from), names));
}
