/**
 * "Which rule fired" in the browser: the healthy candidate's rollbacks counted by rule on one warm
 * Web Worker (`rollbackRules.worker.ts`; one, because it runs beside the lab's simulation pool,
 * which takes the other cores), through the shard pool: progress, cooperative cancellation.
 */
import type { RollbackRuleCounts } from '../src/sim/firstRollbackRules.ts';
import { webPoolWorker } from './browserPool.ts';
import type { WorkerTaskContext } from './callInWorker.ts';
import { runInPool } from './callInWorker.ts';
import type { WorkerPool } from './pool.ts';
import { createWorkerPool } from './pool.ts';
import type { RollbackRulesRequest } from './rollbackRulesEndpoint.ts';
import { initRollbackRuleCounts, mergeRollbackRuleCounts } from './rollbackRulesEndpoint.ts';

export type { RollbackRulesRequest } from './rollbackRulesEndpoint.ts';

let pool: WorkerPool<RollbackRulesRequest, RollbackRuleCounts> | undefined;

/**
 * Counts rollbacks by rule over replicates [0, `replicates`); `onProgress` gets the fraction
 * done. Rejects with `AbortError` when `signal` aborts.
 */
export function rollbackRulesInWorker(
  request: RollbackRulesRequest & { replicates: number },
  options: { signal: AbortSignal; onProgress?: (fraction: number) => void },
): Promise<RollbackRuleCounts> {
  const context: WorkerTaskContext = {
    signal: options.signal,
    ...(options.onProgress !== undefined ? { reportProgress: options.onProgress } : {}),
  };
  pool ??= createWorkerPool<RollbackRulesRequest, RollbackRuleCounts>({
    size: 1,
    init: initRollbackRuleCounts,
    merge: mergeRollbackRuleCounts,
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    createWorker: () =>
      webPoolWorker(
        new Worker(new URL('./rollbackRules.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-rollback-rules' }),
        'rollback-rules',
      ),
  });
  const { replicates, ...rest } = request;
  return runInPool(pool, rest, replicates, context, 'rollback rules');
}
