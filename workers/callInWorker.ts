/**
 * The page's one client adapter for work off the main thread, shaped for the UI's task
 * controller (`src/ui/controllers/taskController.ts`): every call takes the task's `AbortSignal`
 * and progress callback, rejects with an `AbortError` when the signal aborts, and re-creates the
 * worker's `RangeError`s as `RangeError`s (input errors the views show as such).
 *
 * - `callInWorker`: one call of a Comlink endpoint in a dedicated worker, terminated when the call
 *   settles or the signal aborts (real cancellation: a kernel loop cannot be interrupted otherwise).
 * - `runInPool`: replicates of a shard kernel on a warm pool of workers (`pool.ts`), cancelled
 *   cooperatively.
 */

import type { Remote } from 'comlink';
import { proxy, wrap } from 'comlink';
import type { WorkerPool } from './pool.ts';
import { incompleteRunError } from './pool.ts';

/** What a task gives a worker call (a subset of the task controller's context). */
export interface WorkerTaskContext {
  signal: AbortSignal;
  /** Fraction done in [0, 1]. */
  reportProgress?: (fraction: number) => void;
}

/** The error a cancelled call rejects with. */
export function abortError(what: string): DOMException {
  return new DOMException(`${what} cancelled`, 'AbortError');
}

/** True for the rejection of a cancelled call. */
export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/**
 * An error as the page should see it: Comlink re-creates a thrown `Error` as a plain `Error`
 * carrying the original `name`; an input error (`RangeError`) becomes one again.
 */
export function pageError(error: unknown): unknown {
  if (error instanceof Error && !(error instanceof RangeError) && error.name === 'RangeError') return new RangeError(error.message);
  return error;
}

/**
 * Starts `spawn()` (a `new Worker(new URL('./x.worker.ts', import.meta.url), { type: 'module' })`
 * — Vite bundles a worker only from that literal form, so the caller writes it), calls
 * `call(remote, onProgress)` on its Comlink endpoint, and terminates the worker when the call
 * settles or `signal` aborts. `onProgress` is a Comlink proxy of `reportProgress` the endpoint
 * may call with a fraction. Rejects with `AbortError` on abort, with the worker's error (a
 * `RangeError` stays one) otherwise, or with an `Error` if the worker fails to load or crashes.
 */
export async function callInWorker<Endpoint, Result>(
  what: string,
  spawn: () => Worker,
  call: (remote: Remote<Endpoint>, onProgress: (fraction: number) => void) => Promise<Result>,
  context: WorkerTaskContext,
): Promise<Result> {
  const { signal, reportProgress } = context;
  if (signal.aborted) throw abortError(what);
  const worker = spawn();
  let stop: () => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = () => reject(abortError(what));
    signal.addEventListener('abort', stop, { once: true });
    worker.addEventListener(
      'error',
      (event) => reject(new Error(`the ${what} worker failed: ${event.message || 'it did not load or crashed'}`)),
      { once: true },
    );
  });
  try {
    const remote = wrap<Endpoint>(worker);
    const onProgress = proxy((fraction: number) => {
      if (!signal.aborted) reportProgress?.(fraction);
    });
    return await Promise.race([call(remote, onProgress), stopped]);
  } catch (error) {
    throw pageError(error);
  } finally {
    signal.removeEventListener('abort', stop);
    worker.terminate();
  }
}

/**
 * Runs replicates [0, `replicates`) of `request` on `pool` for a task. Resolves with the merged
 * state of a complete run; rejects with `AbortError` when `signal` aborts (the workers stop
 * cooperatively and stay warm), and with the first failing shard's error (a `RangeError` stays
 * one) when any shard failed.
 */
export async function runInPool<Request, State>(
  pool: WorkerPool<Request, State>,
  request: Request,
  replicates: number,
  context: WorkerTaskContext,
  what = 'simulation',
): Promise<State> {
  const { signal, reportProgress } = context;
  if (signal.aborted) throw abortError(what);
  const result = await pool.run(request, {
    replicates,
    signal,
    ...(reportProgress !== undefined ? { onProgress: (progress) => reportProgress(progress.fraction) } : {}),
  });
  if (result.status === 'cancelled' || signal.aborted) throw abortError(what);
  if (result.status !== 'complete') throw incompleteRunError(result);
  return result.merged;
}
