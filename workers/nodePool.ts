/**
 * Worker pools on Node `worker_threads`, for the CLI and benchmarks: the same pool and endpoint
 * as the browser, with Comlink's Node adapter.
 *
 * Workers run compiled JavaScript: `tsconfig.cli.json` compiles this folder to `dist/workers/`,
 * and the simulation worker is `dist/workers/simulation.node-worker.js` (the tuning worker,
 * `dist/workers/tuning.node-worker.js`), found next to this
 * module once compiled. When this module itself runs from source (vitest, a TypeScript loader),
 * the compiled worker in `dist/workers/` is used: run `npm run build:cli` first.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { SimulationSummary, SummaryState } from '../src/sim/summary.ts';
import { initSummary, summaryValue } from '../src/sim/summary.ts';
import type { TuningBatch } from '../src/sim/tune.ts';
import type { TuningEvaluation } from '../src/sim/tuningEvaluation.ts';
import { comlinkPoolWorker } from './comlinkPoolWorker.ts';
import type { PoolProgress, PoolResult, PoolWorker, WorkerPool } from './pool.ts';
import { createWorkerPool } from './pool.ts';
import type { ShardEndpoint } from './shardEndpoint.ts';
import type { SimulationRequest } from './simulationEndpoint.ts';
import { mergeSimulationStates } from './simulationEndpoint.ts';
import type { TuningBatchState, TuningShardRequest } from './tuningEndpoint.ts';
import { evaluateTuningBatch, mergeTuningBatchStates } from './tuningEndpoint.ts';

/**
 * The compiled simulation worker: beside this module in `dist/workers/`, or, when this module
 * runs from source, `dist/workers/` of the repository.
 */
export function simulationNodeWorkerUrl(): URL {
  const beside = new URL('./simulation.node-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../dist/workers/simulation.node-worker.js', import.meta.url);
}

/**
 * One `worker_threads` worker running `workerUrl` (a module that exposes a `ShardEndpoint` with
 * `exposeOnNodeThread`), as the pool sees it. A worker's uncaught error or exit rejects its
 * pending shard.
 */
export function nodePoolWorker<Request, State>(workerUrl: URL): PoolWorker<Request, State> {
  const worker = new Worker(workerUrl);
  const remote = wrap<ShardEndpoint<Request, State>>(nodeEndpoint(worker));
  return comlinkPoolWorker(remote, {
    onDeath(listener) {
      worker.once('error', (error: unknown) => listener(error instanceof Error ? error : new Error(String(error))));
      worker.once('exit', (code: number) => listener(new Error(`the worker exited with code ${code}`)));
    },
    terminate() {
      void worker.terminate();
    },
  });
}

/** Options of a Node pool. */
export interface NodeWorkerPoolOptions<State> {
  /** The compiled worker module (it must expose a `ShardEndpoint` with `exposeOnNodeThread`). */
  workerUrl: URL;
  /** Number of workers (default `os.availableParallelism()`). */
  size?: number;
  init: () => State;
  merge: (into: State, other: State) => State;
  cancelGraceMs?: number;
}

/** A pool of `worker_threads` workers running `options.workerUrl`. Call `terminate()` when done, or Node will not exit. */
export function createNodeWorkerPool<Request, State>(options: NodeWorkerPoolOptions<State>): WorkerPool<Request, State> {
  const { workerUrl, init, merge, cancelGraceMs } = options;
  return createWorkerPool<Request, State>({
    createWorker: () => nodePoolWorker<Request, State>(workerUrl),
    size: options.size ?? availableParallelism(),
    init,
    merge,
    ...(cancelGraceMs !== undefined ? { cancelGraceMs } : {}),
  });
}

/** A pool of simulation workers on `worker_threads` (default size: `os.availableParallelism()`). */
export function createNodeSimulationPool(size: number = availableParallelism()): WorkerPool<SimulationRequest, SummaryState> {
  return createNodeWorkerPool<SimulationRequest, SummaryState>({
    workerUrl: simulationNodeWorkerUrl(),
    size,
    init: initSummary,
    merge: mergeSimulationStates,
  });
}

/** A simulation to run: the request plus how many replicates (0 … replicates − 1). */
export interface SimulationRunRequest extends SimulationRequest {
  replicates: number;
}

/** Options of `runSimulationInWorkers`. */
export interface SimulationRunOptions {
  /** Number of worker threads (default `os.availableParallelism()`); results do not depend on it. */
  workers?: number;
  /** Replicates per shard (default `defaultShardSize(replicates)`). */
  shardSize?: number;
  onProgress?: (progress: PoolProgress) => void;
  signal?: AbortSignal;
}

/** The pool's result plus the summary of the merged state as people read it. */
export interface SimulationRunResult extends PoolResult<SummaryState> {
  /** `summaryValue(merged)`: of the completed replicates only when the status is not `complete`. */
  summary: SimulationSummary;
}

/**
 * Runs a simulation on a fresh pool of worker threads and terminates them afterwards. The
 * summary equals `runReplicates(prepareSimulation(...), 0, replicates)` of `src/sim/runner.ts`
 * whatever `workers` is. Resolves (never rejects) on a failing shard (`status: 'partial'`,
 * `failedShards` with ranges and errors) or a cancellation (`status: 'cancelled'`); rejects
 * only on invalid `replicates` / `shardSize` / `workers` (RangeError).
 */
export async function runSimulationInWorkers(
  request: SimulationRunRequest,
  options: SimulationRunOptions = {},
): Promise<SimulationRunResult> {
  const { replicates, ...simulation } = request;
  const pool = createNodeSimulationPool(options.workers ?? availableParallelism());
  try {
    const result = await pool.run(simulation, {
      replicates,
      ...(options.shardSize !== undefined ? { shardSize: options.shardSize } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    return { ...result, summary: summaryValue(result.merged) };
  } finally {
    pool.terminate();
  }
}

/** The compiled tuning worker (see `simulationNodeWorkerUrl`). */
export function tuningNodeWorkerUrl(): URL {
  const beside = new URL('./tuning.node-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  return new URL('../dist/workers/tuning.node-worker.js', import.meta.url);
}

/** The auto-tuner's simulations on a pool of worker threads: pass `evaluate` to `tuneWith`, then `terminate()`. */
export interface NodeTuningEvaluator {
  evaluate(batch: TuningBatch): Promise<TuningEvaluation[]>;
  terminate(): void;
}

/**
 * Evaluates tuning batches on `size` worker threads (default `os.availableParallelism()`): each
 * batch is one pool run over policies × replicates (tuningEndpoint.ts), cut into shards that do
 * not depend on `size`, so `tuneWith(…, evaluator.evaluate)` gives exactly `tune`'s result.
 * A failing shard rejects the batch with the worker's error (a RangeError stays one).
 */
export function createNodeTuningEvaluator(size: number = availableParallelism()): NodeTuningEvaluator {
  const pool = createNodeWorkerPool<TuningShardRequest, TuningBatchState>({
    workerUrl: tuningNodeWorkerUrl(),
    size,
    init: () => [],
    merge: mergeTuningBatchStates,
  });
  return {
    evaluate: (batch) => evaluateTuningBatch(pool, batch),
    terminate() {
      pool.terminate();
    },
  };
}
