/**
 * The simulation runner of the browser: one shared pool of simulation Web Workers
 * (`workers/browserPool.ts`), started on first use and kept warm, sized to the machine minus one
 * hardware thread (at most 8) so that the page keeps a core.
 */
import { createBrowserSimulationPool, type BrowserSimulationPool } from '../../../workers/browserPool.ts';
import type { SimulationRunner } from './labModel.ts';

let pool: BrowserSimulationPool | undefined;

/**
 * Runs a simulation in the worker pool. Rejects with the first shard's error when every shard
 * failed; a partly failed run resolves with `complete: false` and what the other workers returned.
 */
export const browserSimulationRunner: SimulationRunner = async (request, replicates, onProgress, signal) => {
  pool ??= createBrowserSimulationPool(Math.max(1, Math.min(8, (navigator.hardwareConcurrency || 2) - 1)));
  const result = await pool.run(request, { replicates, signal, onProgress: (progress) => onProgress(progress.fraction) });
  if (result.status !== 'cancelled' && result.replicatesCompleted === 0 && result.failedShards.length > 0) {
    throw new Error(`the simulation failed: ${result.failedShards[0].error.message}`);
  }
  return { state: result.merged, complete: result.status === 'complete' };
};
