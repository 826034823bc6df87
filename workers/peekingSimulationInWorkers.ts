/**
 * The sizer's peeking Monte-Carlo on a warm pool of Web Workers (`peekingSimulation.worker.ts`),
 * through the shard pool: progress, cooperative cancellation, the same counts whatever the
 * number of workers.
 */
import type { PeekingSimulationRequest, PeekingSimulationState } from '../src/sim/peekingSimulation.ts';
import { initPeekingState } from '../src/sim/peekingSimulation.ts';
import { webPoolWorker } from './browserPool.ts';
import { isAbortError, runInPool } from './callInWorker.ts';
import { mergePeekingStates } from './peekingSimulationEndpoint.ts';
import type { WorkerPool } from './pool.ts';
import { createWorkerPool } from './pool.ts';

let pool: WorkerPool<PeekingSimulationRequest, PeekingSimulationState> | undefined;

/**
 * Runs `replicates` seeded A/A replicates in the pool; resolves with the merged counts (null when
 * cancelled). Rejects with the worker's error (a RangeError for an invalid request) when a shard
 * failed.
 */
export async function simulatePeekingInWorkers(
  request: PeekingSimulationRequest,
  replicates: number,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<PeekingSimulationState | null> {
  pool ??= createWorkerPool<PeekingSimulationRequest, PeekingSimulationState>({
    size: Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1)),
    init: initPeekingState,
    merge: mergePeekingStates,
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    createWorker: () =>
      webPoolWorker(
        new Worker(new URL('./peekingSimulation.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-peeking' }),
        'peeking',
      ),
  });
  try {
    return await runInPool(pool, request, replicates, { signal, reportProgress: onProgress }, 'peeking simulation');
  } catch (error) {
    if (isAbortError(error)) return null;
    throw error;
  }
}
