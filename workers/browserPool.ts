/**
 * The simulation pool in the browser: Web Workers (module workers bundled by Vite from
 * `simulation.worker.ts`) driven by the environment-agnostic pool of `pool.ts`, serving batches
 * of simulations (`simulationBatch.ts`; a single simulation is a batch of one, with the same
 * result as a run of its own).
 *
 * ```ts
 * const pool = createBrowserSimulationPool(1);
 * const result = await runSimulationBatch(pool, [healthyRequest, regressedRequest], 200, {
 *   signal, onProgress: (p) => reportProgress(p.fraction), onSimulation: (i, state) => show(i, state),
 * });
 * pool.terminate(); // when no longer needed
 * ```
 *
 * Runs are served one after another; workers start on the first run and stay warm until
 * `terminate()`. Results are identical whatever the pool size. See `pool.ts` for cancellation
 * (cooperative, then termination after `cancelGraceMs`) and failure semantics.
 */
import { wrap } from 'comlink';
import { comlinkPoolWorker } from './comlinkPoolWorker.ts';
import type { PoolWorker } from './pool.ts';
import { createWorkerPool } from './pool.ts';
import type { ShardEndpoint } from './shardEndpoint.ts';
import type { SimulationBatchPool, SimulationBatchRequest, SimulationBatchState } from './simulationBatch.ts';
import { mergeSimulationBatchStates } from './simulationBatch.ts';

export type { CompletedShard, FailedShard, PoolProgress, PoolResult, PoolRunOptions, ShardError } from './pool.ts';
export type { SimulationRequest } from './simulationEndpoint.ts';

/** The browser's simulation pool: runs batches of `SimulationRequest`s (`runSimulationBatch`). */
export type BrowserSimulationPool = SimulationBatchPool;

/**
 * A Web Worker exposing a `ShardEndpoint` (over Comlink) as the pool sees it; an uncaught error in
 * it (or a script that fails to load) fails its shard, named by `label`.
 */
export function webPoolWorker<Request, State>(worker: Worker, label: string): PoolWorker<Request, State> {
  const remote = wrap<ShardEndpoint<Request, State>>(worker);
  return comlinkPoolWorker(remote, {
    onDeath(listener) {
      worker.addEventListener('error', (event) => listener(new Error(event.message || `the ${label} worker failed to load or crashed`)), {
        once: true,
      });
    },
    terminate() {
      worker.terminate();
    },
  });
}

/** One simulation Web Worker as the pool sees it. */
function browserSimulationWorker(): PoolWorker<SimulationBatchRequest, SimulationBatchState> {
  // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle
  // the worker and its imports as a separate chunk.
  return webPoolWorker(
    new Worker(new URL('./simulation.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-simulation' }),
    'simulation',
  );
}

/**
 * A pool of `size` simulation Web Workers (default `navigator.hardwareConcurrency`, or 4 when
 * the browser does not say). Cost per run: the replicates divided among the workers, plus one
 * copy of the batch per worker and one message per shard.
 */
export function createBrowserSimulationPool(size: number = navigator.hardwareConcurrency || 4): BrowserSimulationPool {
  return createWorkerPool<SimulationBatchRequest, SimulationBatchState>({
    createWorker: browserSimulationWorker,
    size,
    init: () => [],
    merge: mergeSimulationBatchStates,
  });
}
