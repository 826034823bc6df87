/**
 * The lab's exact operating characteristic in a dedicated Web Worker (`labExact.worker.ts`):
 * aborting the signal — a newer edit superseding this one — terminates the worker at once (real
 * cancellation: the chains cannot be interrupted otherwise) and rejects with an `AbortError`; an
 * invalid policy is rejected as a `RangeError` carrying the engine's message.
 */
import type { ExactCurveRequest, ExactCurveResult } from '../src/sim/exact/exactOperatingCurve.ts';
import type { WorkerTaskContext } from './callInWorker.ts';
import { callInWorker } from './callInWorker.ts';
import type { LabExactEndpoint } from './labExactEndpoint.ts';

/** Computes `exactOperatingCurve(request)` in a worker. */
export function labExactInWorker(request: ExactCurveRequest, context: WorkerTaskContext): Promise<ExactCurveResult> {
  return callInWorker<LabExactEndpoint, ExactCurveResult>(
    'exact operating characteristic',
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    () => new Worker(new URL('./labExact.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-exact' }),
    (remote, onProgress) => remote.operatingCurve(request, onProgress) as Promise<ExactCurveResult>,
    context,
  );
}
