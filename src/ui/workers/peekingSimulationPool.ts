/**
 * The pool of peeking Monte-Carlo workers (the generic pool of `workers/pool.ts` over
 * `peekingSimulation.worker.ts`), started on first use and kept warm.
 */
import { wrap } from 'comlink';
import { comlinkPoolWorker } from '../../../workers/comlinkPoolWorker.ts';
import { createWorkerPool, type WorkerPool } from '../../../workers/pool.ts';
import type { ShardEndpoint } from '../../../workers/shardEndpoint.ts';
import { mergePeekingStates, type PeekingSimulationRequest, type PeekingSimulationState } from '../sizer/peekingSimulation.ts';

let pool: WorkerPool<PeekingSimulationRequest, PeekingSimulationState> | undefined;

/**
 * Runs `replicates` seeded A/A replicates in the pool; resolves with the merged counts (null when
 * cancelled). Rejects with the worker's message when every shard failed (e.g. an invalid request).
 */
export async function simulatePeekingInWorkers(
  request: PeekingSimulationRequest,
  replicates: number,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<PeekingSimulationState | null> {
  pool ??= createWorkerPool<PeekingSimulationRequest, PeekingSimulationState>({
    size: Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)),
    init: () => ({ replicates: 0, naive: [], sequential: [] }),
    merge: mergePeekingStates,
    createWorker: () => {
      const worker = new Worker(new URL('./peekingSimulation.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-peeking' });
      return comlinkPoolWorker(wrap<ShardEndpoint<PeekingSimulationRequest, PeekingSimulationState>>(worker), {
        onDeath: (listener) => worker.addEventListener('error', (event) => listener(new Error(event.message || 'the peeking worker crashed')), { once: true }),
        terminate: () => worker.terminate(),
      });
    },
  });
  const result = await pool.run(request, { replicates, signal, onProgress: (progress) => onProgress(progress.fraction) });
  if (result.status === 'cancelled') return null;
  if (result.replicatesCompleted === 0 && result.failedShards.length > 0) throw new RangeError(result.failedShards[0].error.message);
  return result.merged;
}
