/**
 * The lab's exact operating characteristic in a Web Worker (`labExact.worker.ts`) KEPT ALIVE
 * between the lab's requests (keptWorker.ts), so that the evaluator's per-scenario memos — the
 * historical baseline's count laws and cells, the binomial rows, the latency brackets, the check
 * matrices; kept by the endpoint for content-equal scenarios (labExactEndpoint.ts) — and the
 * worker's compiled code serve the lab's second request (the curve, right after the current
 * setting) and every later edit, instead of being rebuilt from a cold worker each time.
 * Aborting the signal — a newer edit superseding this request — still terminates the worker at
 * once and rejects with an `AbortError` (the next request starts a fresh one); an invalid policy
 * is rejected as a `RangeError` carrying the engine's message.
 *
 * Idle time (`labExactIdleMs`, 10 minutes): the worker's heap after the lab's first visit and an
 * edit is tens of megabytes (bench/labExact.ts prints it), small beside the page's own, so it is
 * kept while the user works — a pause to read the answer or the docs costs nothing — and returned
 * after ten minutes without a request, when the user has most likely moved on (the app keeps its
 * simulation pool for the page's life; this worker's memos are what an idle tab should not hold).
 */
import type { ExactCurveRequest, ExactCurveResult } from '../src/sim/exact/exactOperatingCurve.ts';
import type { WorkerTaskContext } from './callInWorker.ts';
import type { KeptWorker } from './keptWorker.ts';
import { keptWorker } from './keptWorker.ts';
import type { LabExactEndpoint } from './labExactEndpoint.ts';

/** Milliseconds without a request after which the lab's exact worker is terminated (module comment). */
export const labExactIdleMs = 10 * 60 * 1000;

/** A kept exact worker of its own (the bench's cold and warm figures; the lab uses `labExactInWorker`). */
export function labExactWorker(idleMs: number = labExactIdleMs): KeptWorker<LabExactEndpoint> {
  return keptWorker<LabExactEndpoint>(
    'exact operating characteristic',
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    () => new Worker(new URL('./labExact.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-exact' }),
    { idleMs },
  );
}

/** `exactOperatingCurve(request)` on `worker`, as the lab asks it. */
export function exactCurveOn(
  worker: KeptWorker<LabExactEndpoint>,
  request: ExactCurveRequest,
  context: WorkerTaskContext,
): Promise<ExactCurveResult> {
  return worker.call((remote, onProgress) => remote.operatingCurve(request, onProgress) as Promise<ExactCurveResult>, context);
}

/** The page's one exact worker, started on the lab's first request. */
let pageWorker: KeptWorker<LabExactEndpoint> | undefined;

/** Computes `exactOperatingCurve(request)` on the page's kept exact worker. */
export function labExactInWorker(request: ExactCurveRequest, context: WorkerTaskContext): Promise<ExactCurveResult> {
  pageWorker ??= labExactWorker();
  return exactCurveOn(pageWorker, request, context);
}
