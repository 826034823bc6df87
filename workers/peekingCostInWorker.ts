/**
 * The exact cost of peeking in a dedicated Web Worker (`peekingCost.worker.ts`): aborting the
 * signal terminates the worker at once (real cancellation) and rejects with an `AbortError`; an
 * input error is rejected as a `RangeError` carrying the engine's message.
 */
import type { PeekingPoint } from '../src/engine/stats/peekingCost.ts';
import { callInWorker } from './callInWorker.ts';
import type { PeekingCostEndpoint, PeekingRequest } from './peekingCostEndpoint.ts';

export type { PeekingRequest } from './peekingCostEndpoint.ts';

/** Computes `peekingCost` for `request` in a worker. */
export function peekingCostInWorker(request: PeekingRequest, signal: AbortSignal): Promise<PeekingPoint[]> {
  return callInWorker<PeekingCostEndpoint, PeekingPoint[]>(
    'peeking cost',
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    () => new Worker(new URL('./peekingCost.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-peeking-cost' }),
    (remote) => remote.peekingCost(request) as Promise<PeekingPoint[]>,
    { signal },
  );
}
