/**
 * The simulation pool in the browser: Web Workers (module workers bundled by Vite from
 * `simulation.worker.ts`) driven by the environment-agnostic pool of `pool.ts`.
 *
 * Usage (e.g. from a Lit reactive controller shaped like `@lit/task`):
 *
 * ```ts
 * import { createBrowserSimulationPool } from '../../workers/browserPool.ts';
 * import { summaryValue } from '../sim/summary.ts';
 *
 * const pool = createBrowserSimulationPool();            // navigator.hardwareConcurrency workers
 * const controller = new AbortController();              // abort() when the inputs change
 * const result = await pool.run(
 *   { scenario, policy, mode: 'window', seed: 1 },       // SimulationRequest (plain data)
 *   { replicates: 2000, signal: controller.signal,
 *     onProgress: (p) => (this.progress = p.fraction) }, // PoolProgress
 * );
 * if (result.status === 'cancelled') return;              // stale: drop it
 * const summary = summaryValue(result.merged);            // rates with Wilson intervals
 * // result.status === 'partial': result.failedShards lists { range, error } of shards that
 * // failed; result.merged (and summary) cover the result.replicatesCompleted others.
 * pool.terminate();                                       // when the element disconnects
 * ```
 *
 * `run` never rejects because of a shard (only for invalid `replicates` / `shardSize`); runs are
 * served one after another; workers start on the first run and stay warm until `terminate()`.
 * Results are identical whatever the pool size. See `pool.ts` for cancellation (cooperative,
 * then termination after `cancelGraceMs`) and failure semantics.
 */
import { wrap } from 'comlink';
import { initSummary } from '../src/sim/summary.ts';
import type { SummaryState } from '../src/sim/summary.ts';
import { comlinkPoolWorker } from './comlinkPoolWorker.ts';
import { createWorkerPool } from './pool.ts';
import type { PoolWorker, WorkerPool } from './pool.ts';
import type { ShardEndpoint } from './shardEndpoint.ts';
import { mergeSimulationStates } from './simulationEndpoint.ts';
import type { SimulationRequest } from './simulationEndpoint.ts';

export type { PoolProgress, PoolResult, PoolRunOptions, FailedShard, CompletedShard, ShardError } from './pool.ts';
export type { SimulationRequest } from './simulationEndpoint.ts';

/** The browser's simulation pool: runs `SimulationRequest`s, merges `SummaryState`s. */
export type BrowserSimulationPool = WorkerPool<SimulationRequest, SummaryState>;

/**
 * A Web Worker exposing a `ShardEndpoint` (over Comlink) as the pool sees it; an uncaught error in
 * it (or a script that fails to load) fails its shard, named by `label`.
 */
export function webPoolWorker<Request, State>(worker: Worker, label: string): PoolWorker<Request, State> {
  const remote = wrap<ShardEndpoint<Request, State>>(worker);
  return comlinkPoolWorker(remote, {
    onDeath(listener) {
      worker.addEventListener('error', (event) => listener(new Error(event.message || `the ${label} worker failed to load or crashed`)), { once: true });
    },
    terminate() {
      worker.terminate();
    },
  });
}

/** One simulation Web Worker as the pool sees it. */
function browserSimulationWorker(): PoolWorker<SimulationRequest, SummaryState> {
  // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle
  // the worker and its imports as a separate chunk.
  return webPoolWorker(new Worker(new URL('./simulation.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-simulation' }), 'simulation');
}

/**
 * A pool of `size` simulation Web Workers (default `navigator.hardwareConcurrency`, or 4 when
 * the browser does not say). Cost per run: the replicates divided among the workers, plus one
 * copy of the request per worker and one message per shard.
 */
export function createBrowserSimulationPool(size: number = navigator.hardwareConcurrency || 4): BrowserSimulationPool {
  return createWorkerPool<SimulationRequest, SummaryState>({
    createWorker: browserSimulationWorker,
    size,
    init: initSummary,
    merge: mergeSimulationStates,
  });
}
