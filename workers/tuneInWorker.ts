/**
 * Runs the auto-tuner in the browser on a pool of Web Workers (`tuning.worker.ts`, bundled by
 * Vite as module workers): the tuner's bookkeeping runs here (`tuneWith`, a few comparisons per
 * candidate), every simulation in the workers — each coordinate's values and the finalists as one
 * pool run, spread over `navigator.hardwareConcurrency` workers, with the same result as one
 * thread. Progress after every simulated candidate; real cancellation.
 */

import type { TuneProgress, TuneResult } from '../src/sim/tune.ts';
import { tuneWith } from '../src/sim/tune.ts';
import { webPoolWorker } from './browserPool.ts';
import type { PoolWorker } from './pool.ts';
import { createWorkerPool } from './pool.ts';
import type { TuneRequest } from './tuneRequest.ts';
import type { TuningBatchState, TuningPool, TuningShardRequest } from './tuningEndpoint.ts';
import { evaluateTuningBatch, mergeTuningBatchStates } from './tuningEndpoint.ts';

export type { TuneRequest } from './tuneRequest.ts';

/** One tuning Web Worker as the pool sees it. */
function browserTuningWorker(): PoolWorker<TuningShardRequest, TuningBatchState> {
  // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
  return webPoolWorker(
    new Worker(new URL('./tuning.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-tuning' }),
    'tuning',
  );
}

/** A pool of `size` tuning Web Workers (default `navigator.hardwareConcurrency`, or 4). */
export function createBrowserTuningPool(size: number = navigator.hardwareConcurrency || 4): TuningPool {
  return createWorkerPool<TuningShardRequest, TuningBatchState>({
    createWorker: browserTuningWorker,
    size,
    init: () => [],
    merge: mergeTuningBatchStates,
  });
}

/**
 * Tunes `request` on a fresh pool of Web Workers, terminated at the end. `onProgress` receives
 * the tuner's progress after every simulated candidate. Aborting `signal` cancels the pool's run
 * (cooperatively, then by terminating a worker that does not stop within the pool's grace time)
 * and rejects with an `AbortError`; the tuner's input errors are rejected as `RangeError`s with its
 * message.
 */
export async function tuneInWorker(
  request: TuneRequest,
  options: { signal: AbortSignal; onProgress?: (progress: TuneProgress) => void },
): Promise<TuneResult> {
  const { signal, onProgress } = options;
  if (signal.aborted) throw new DOMException('tuning cancelled', 'AbortError');
  const pool = createBrowserTuningPool();
  try {
    const { basePolicy, healthy, regressed } = request;
    return await tuneWith(basePolicy, healthy, regressed, { ...request.options, ...(onProgress ? { onProgress } : {}) }, (batch) => {
      if (signal.aborted) throw new DOMException('tuning cancelled', 'AbortError');
      return evaluateTuningBatch(pool, batch, signal);
    });
  } finally {
    pool.terminate();
  }
}
