/**
 * The lab's exact operating characteristic in a Web Worker (`labExact.worker.ts`) KEPT ALIVE
 * between the lab's requests (keptWorker.ts), so that the evaluator's per-scenario memos — the
 * historical baseline's count laws and cells, the binomial rows, the pooled latency references' laws, the check
 * matrices; kept by the endpoint for content-equal scenarios (labExactEndpoint.ts) — and the
 * worker's compiled code serve the lab's second request (the curve, right after the current
 * setting) and every later edit, instead of being rebuilt from a cold worker each time.
 * Aborting the signal — a newer edit superseding this request — rejects at once with an
 * `AbortError` and asks the worker to stop at its next step (labExactEndpoint.ts evaluates the
 * curve in steps and listens between them): the worker is kept, warm, when it answers
 * "cancelled" within `labExactCancelBound`, and terminated otherwise (the next request then
 * starts a fresh one); the next request waits for that, on the same worker. An invalid policy is
 * rejected as a `RangeError` carrying the engine's message.
 *
 * Idle time (`labExactIdleMs`, 10 minutes): the kept worker's heap is 9–10 MB when started and
 * 50–68 MB after the lab's first visit and one edit at 20 thresholds (bench/labExact.ts, measured
 * in a Node worker thread, 2026-12-05) — the memos of the two worlds; up to four scenarios are
 * kept (labExactEndpoint.ts), so a few edits of the worlds can hold a few times that. Small
 * enough to keep while the user works (a pause to read the answer costs nothing), too much to
 * leave in a tab the user has left: after ten minutes without a request the worker is terminated
 * and the next request starts a fresh one (the app's simulation pool, by contrast, holds no
 * memos and is kept for the page's life).
 */
import type { ExactCurveRequest, ExactCurveResult } from '../src/sim/exact/exactOperatingCurve.ts';
import type { WorkerTaskContext } from './callInWorker.ts';
import { abortError } from './callInWorker.ts';
import type { CancelOutcome, KeptWorker, KeptWorkerOptions } from './keptWorker.ts';
import { keptWorker } from './keptWorker.ts';
import type { CancelledCurve, LabExactEndpoint } from './labExactEndpoint.ts';

/** Milliseconds without a request after which the lab's exact worker is terminated (module comment). */
export const labExactIdleMs = 10 * 60 * 1000;

/**
 * How long the page waits, after aborting a request, for the worker to answer "cancelled" before
 * terminating it (keptWorker.ts): as long as a fresh worker took to answer its first request —
 * the worker's start, module load, cold memos and the current setting: what terminating would
 * cost again — but at least `labExactCancelWithinMs` and at most `labExactCancelAtMostMs`.
 * Why: what the wait buys is the warm worker (its memos serve the edit and every later one), what
 * the bound caps is the loss when the worker does not answer in time. Waiting as long as a
 * restart costs and then restarting costs at most twice the restart, whatever the step's length
 * (the ski-rental rule, Karlin, Manasse, Rudolph & Sleator 1988), and the bound grows with the
 * machine's load as the steps do: a fixed bound chosen on an idle machine terminated most
 * workers under load (the e2e test's edit during the first visit's curve, run at load 5–10, 2 of
 * 3 runs terminated at 500 ms; none of 6 with this bound at load 5–8). Measured with it
 * (bench/labExact.ts, edits 100–1,000 ms into the first visit's curve, Chromium, 03:25–03:30 UTC
 * 2026-12-05, load 0.5–4; bounds 764–1,772 ms): 20 thresholds, 6 of 6 workers kept, cancel →
 * "cancelled" 19–505 ms, the edit's current setting answered in 165–697 ms (median 289) against
 * 651–1,106 (median 798) from a terminated worker's successor; 51 thresholds, 6 of 6 kept, cancel
 * → "cancelled" 5–697 ms, the edit answered in 218–876 ms (median 435) against 808–1,495 (median
 * 1,154).
 */
export function labExactCancelBound(firstCallMs: number | undefined): number {
  return Math.min(labExactCancelAtMostMs, Math.max(labExactCancelWithinMs, firstCallMs ?? 0));
}

/**
 * The least the page waits for a cancel (`labExactCancelBound`), milliseconds. Why 500: the
 * longest step of the lab's curves is 300–480 ms in Node on an idle machine
 * (labExactEndpoint.ts `labExactSettingsPerStep`: two settings a step), so on an idle machine
 * most cancels end within it even before the worker's first answer is in; a 250 ms bound cut off
 * two thirds of the first visit's cancels in Chromium (bench/labExact.ts, 02:45 UTC 2026-12-05:
 * without a bound the cancel took 30–1,093 ms at four settings a step). With two settings a step
 * and a fixed 500 ms (bench/labExact.ts, edits 100–1,000 ms into the first visit's curve,
 * Chromium, 02:51–02:58 UTC, load 2–3): 20 thresholds, 5 of 6 workers kept, the edit's current
 * setting answered in 248–2,305 ms (median 549) against 1,174–2,217 (median 1,459) from a
 * terminated worker's successor; 51 thresholds, 6 of 6 kept, cancel → "cancelled" 48–477 ms, the
 * edit answered in 222–664 ms (median 505) against 924–1,513 (median 1,096).
 */
export const labExactCancelWithinMs = 500;

/** The most the page waits for a cancel (`labExactCancelBound`), milliseconds: an edit is never held back longer by a superseded curve. */
export const labExactCancelAtMostMs = 2000;

/**
 * The lab's cooperative cancel (keptWorker.ts `cancel`): the endpoint's `cancel(callId)`, waited
 * for `withinMs` (default `labExactCancelBound`); `onCancelSettled` hears how each cancel ended (the bench).
 */
export function labExactCancel(
  withinMs: number | ((firstCallMs: number | undefined) => number) = labExactCancelBound,
  onCancelSettled?: (outcome: CancelOutcome) => void,
): NonNullable<KeptWorkerOptions<LabExactEndpoint>['cancel']> {
  return { send: (remote, callId) => remote.cancel(callId), withinMs, ...(onCancelSettled ? { onCancelSettled } : {}) };
}

/**
 * A kept exact worker of its own (the bench's cold and warm figures; the lab uses
 * `labExactInWorker`). `cancel`: how an aborted request is stopped (`labExactCancel`), or null to
 * terminate the worker at once (the lab before its worker listened for a cancel).
 */
export function labExactWorker(
  idleMs: number = labExactIdleMs,
  cancel: KeptWorkerOptions<LabExactEndpoint>['cancel'] | null = labExactCancel(),
): KeptWorker<LabExactEndpoint> {
  return keptWorker<LabExactEndpoint>(
    'exact operating characteristic',
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    () => new Worker(new URL('./labExact.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-exact' }),
    { idleMs, ...(cancel === null ? {} : { cancel }) },
  );
}

/** `labExactCurve(request)` (labExactEndpoint.ts) on `worker`, as the lab asks it. */
export async function exactCurveOn(
  worker: KeptWorker<LabExactEndpoint>,
  request: ExactCurveRequest,
  context: WorkerTaskContext,
): Promise<ExactCurveResult> {
  const answer = await worker.call(
    (remote, onProgress, callId) => remote.operatingCurve(request, onProgress, callId) as Promise<ExactCurveResult | CancelledCurve>,
    context,
  );
  // Only a call whose signal aborted is sent a cancel, and that call has rejected already.
  if ('cancelled' in answer) throw abortError('exact operating characteristic');
  return answer;
}

/** The page's one exact worker, started on the lab's first request. */
let pageWorker: KeptWorker<LabExactEndpoint> | undefined;

/** Computes `exactOperatingCurve(request)` on the page's kept exact worker. */
export function labExactInWorker(request: ExactCurveRequest, context: WorkerTaskContext): Promise<ExactCurveResult> {
  pageWorker ??= labExactWorker();
  return exactCurveOn(pageWorker, request, context);
}
