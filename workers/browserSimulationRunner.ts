/**
 * The simulation runner of the page: one shared pool of simulation Web Workers
 * (`browserPool.ts`), started on first use and kept warm, sized to the machine minus one hardware
 * thread (at most 8) so that the page keeps a core. A single simulation runs as a batch of one
 * (`simulationBatch.ts`): the same result as a run of its own. Its signature is the lab's
 * `SimulationRunner` (src/ui/lab/labModel.ts).
 */
import type { SummaryState } from '../src/sim/summary.ts';
import type { BrowserSimulationPool } from './browserPool.ts';
import { createBrowserSimulationPool } from './browserPool.ts';
import { runSimulationBatch } from './simulationBatch.ts';
import type { SimulationRequest } from './simulationEndpoint.ts';

let pool: BrowserSimulationPool | undefined;

/** The shared pool (the lab, the export view and anything else that simulates in the page). */
export function sharedSimulationPool(): BrowserSimulationPool {
  pool ??= createBrowserSimulationPool(Math.max(1, Math.min(8, (navigator.hardwareConcurrency || 2) - 1)));
  return pool;
}

/**
 * Runs a simulation in the shared pool. Rejects with the first shard's error when every shard
 * failed; a partly failed run resolves with `complete: false` and what the other workers returned;
 * a cancelled one with what had completed (the caller drops it).
 */
export async function browserSimulationRunner(
  request: SimulationRequest,
  replicates: number,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<{ state: SummaryState; complete: boolean }> {
  const result = await runSimulationBatch(sharedSimulationPool(), [request], replicates, {
    signal,
    onProgress: (progress) => onProgress(progress.fraction),
  });
  if (result.status === 'partial' && result.error !== undefined && result.states[0].replicates === 0) {
    throw new Error(`the simulation failed: ${result.error.message}`);
  }
  return { state: result.states[0], complete: result.status === 'complete' };
}

/**
 * The lab's batch runner (`SimulationBatchRunner` of src/ui/lab/labModel.ts): every simulation of
 * the sweep as one run of the shared pool, streamed in order; a simulation some of whose shards
 * failed is reported at the end with `complete: false`. Rejects when every shard of a simulation
 * failed.
 */
export const browserSimulationBatchRunner = {
  async batch(
    requests: SimulationRequest[],
    replicates: number,
    onSimulation: (index: number, state: SummaryState, complete: boolean) => void,
    onProgress: (fraction: number) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let reported = 0;
    const result = await runSimulationBatch(sharedSimulationPool(), requests, replicates, {
      signal,
      onProgress: (progress) => onProgress(progress.fraction),
      onSimulation: (index, state) => {
        reported = index + 1;
        onSimulation(index, state, true);
      },
    });
    if (result.status === 'cancelled' || signal.aborted) return;
    const emptyFailure = result.states.findIndex((state, index) => index >= reported && state.replicates === 0);
    if (emptyFailure >= 0 && result.error !== undefined) throw new Error(`the simulation failed: ${result.error.message}`);
    for (let index = reported; index < requests.length; index++) onSimulation(index, result.states[index], result.complete[index]);
  },
};
