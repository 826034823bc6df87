/**
 * One Web Worker kept alive between calls of a Comlink endpoint, for work whose worker-side memos
 * should outlive a call (the lab's exact worker, labExactInWorker.ts: its per-scenario laws cost
 * seconds to build and an edit of a policy threshold changes none of them). The call contract is
 * `callInWorker`'s (callInWorker.ts), so the page's task controller sees no difference:
 *
 * - a call runs on the kept worker, started on the first call or after the last one was discarded;
 * - when the call's signal aborts (a newer edit superseding it) the worker is terminated at once —
 *   real cancellation, the kernel cannot be interrupted otherwise — and the call rejects with an
 *   `AbortError`; the next call starts a fresh worker;
 * - a worker that fails to load or crashes is discarded, and the call rejects with an `Error`
 *   naming it;
 * - the endpoint's own rejection is passed on (a `RangeError` stays one: an input error). After a
 *   `RangeError` the worker is kept (the endpoint checked its input and answered); after any other
 *   error it is discarded, so that an unexpected failure midway cannot leave a half-built memo
 *   behind for the next call;
 * - a call made while another is running on the kept worker runs in a worker of its own
 *   (`callInWorker`), so calls never queue behind each other;
 * - after `idleMs` without a call the worker is terminated, returning its memory; `close()` does it
 *   at once.
 */

import type { Remote } from 'comlink';
import { proxy, wrap } from 'comlink';
import type { WorkerTaskContext } from './callInWorker.ts';
import { abortError, callInWorker, pageError } from './callInWorker.ts';

/** A worker kept between calls (module comment). */
export interface KeptWorker<Endpoint> {
  /**
   * Calls `call(remote, onProgress)` on the kept worker's endpoint. `onProgress` is a Comlink proxy
   * of the context's `reportProgress` (absent when it is) that the endpoint may call with a fraction.
   */
  call<Result>(
    call: (remote: Remote<Endpoint>, onProgress: ((fraction: number) => void) | undefined) => Promise<Result>,
    context: WorkerTaskContext,
  ): Promise<Result>;
  /** Whether a worker is kept now (started and not yet discarded). */
  readonly alive: boolean;
  /** Terminates the kept worker (a running call rejects with an `AbortError`); the next call starts a fresh one. */
  close(): void;
}

export interface KeptWorkerOptions {
  /** Milliseconds without a call after which the worker is terminated (Infinity: kept until `close`). */
  idleMs: number;
}

/** The kept worker and the call running on it. */
interface Kept<Endpoint> {
  worker: Worker;
  remote: Remote<Endpoint>;
  busy: boolean;
  /** Rejects the running call (the worker failed or was closed); a no-op between calls. */
  fail: (error: unknown) => void;
}

/**
 * A kept worker started by `spawn()` — a `new Worker(new URL('./x.worker.ts', import.meta.url),
 * { type: 'module' })`, written by the caller: Vite bundles a worker only from that literal form.
 * `what` names the work in errors ("the exact operating characteristic worker failed: …").
 */
export function keptWorker<Endpoint>(what: string, spawn: () => Worker, options: KeptWorkerOptions): KeptWorker<Endpoint> {
  const { idleMs } = options;
  if (!(idleMs > 0)) throw new RangeError(`idleMs must be a positive number of milliseconds (or Infinity), got ${idleMs}`);
  let kept: Kept<Endpoint> | null = null;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  const discard = (entry: Kept<Endpoint>) => {
    if (kept === entry) kept = null;
    entry.busy = false;
    entry.worker.terminate();
  };

  const start = (): Kept<Endpoint> => {
    const worker = spawn();
    const entry: Kept<Endpoint> = { worker, remote: wrap<Endpoint>(worker), busy: false, fail: () => undefined };
    worker.addEventListener(
      'error',
      (event) => {
        discard(entry);
        entry.fail(new Error(`the ${what} worker failed: ${event.message || 'it did not load or crashed'}`));
      },
      { once: true },
    );
    return entry;
  };

  const stopIdleTimer = () => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    idleTimer = undefined;
  };

  const startIdleTimer = (entry: Kept<Endpoint>) => {
    stopIdleTimer();
    if (idleMs === Number.POSITIVE_INFINITY) return;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      if (kept === entry && !entry.busy) discard(entry);
    }, idleMs);
  };

  return {
    async call<Result>(
      call: (remote: Remote<Endpoint>, onProgress: ((fraction: number) => void) | undefined) => Promise<Result>,
      context: WorkerTaskContext,
    ): Promise<Result> {
      const { signal, reportProgress } = context;
      if (signal.aborted) throw abortError(what);
      if (kept?.busy) return callInWorker<Endpoint, Result>(what, spawn, call, context);
      stopIdleTimer();
      kept ??= start();
      const entry = kept;
      entry.busy = true;
      let stop: () => void = () => undefined;
      const stopped = new Promise<never>((_, reject) => {
        entry.fail = reject;
        stop = () => {
          discard(entry);
          reject(abortError(what));
        };
        signal.addEventListener('abort', stop, { once: true });
      });
      try {
        const onProgress =
          reportProgress === undefined
            ? undefined
            : proxy((fraction: number) => {
                if (!signal.aborted) reportProgress(fraction);
              });
        return await Promise.race([call(entry.remote, onProgress), stopped]);
      } catch (error) {
        const shown = pageError(error);
        // The endpoint's own rejection (the worker is still ours): keep it only after an input error.
        if (kept === entry && !(shown instanceof RangeError)) discard(entry);
        throw shown;
      } finally {
        signal.removeEventListener('abort', stop);
        entry.fail = () => undefined;
        if (kept === entry) {
          entry.busy = false;
          startIdleTimer(entry);
        }
      }
    },
    get alive() {
      return kept !== null;
    },
    close() {
      stopIdleTimer();
      if (kept === null) return;
      const entry = kept;
      const fail = entry.fail;
      discard(entry);
      fail(abortError(what));
    },
  };
}
