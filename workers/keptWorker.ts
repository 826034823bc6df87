/**
 * One Web Worker kept alive between calls of a Comlink endpoint, for work whose worker-side memos
 * should outlive a call (the lab's exact worker, labExactInWorker.ts: its per-scenario laws cost
 * seconds to build and an edit of a policy threshold changes none of them). The call contract is
 * `callInWorker`'s (callInWorker.ts), so the page's task controller sees no difference:
 *
 * - a call runs on the kept worker, started on the first call or after the last one was discarded;
 * - when the call's signal aborts (a newer edit superseding it) the call rejects at once with an
 *   `AbortError`. Without `cancel` (options) the worker is terminated at once — the kernel cannot
 *   be interrupted otherwise — and the next call starts a fresh one. With `cancel` the worker is
 *   asked to stop (`cancel.send`: an endpoint that works in steps and listens between them) and
 *   kept if its call settles within `cancel.withinMs` (a number, or a function of how long the
 *   worker's first call took: what a fresh worker costs) — answering "cancelled", or its result if it
 *   was finishing, or an input error; it is terminated as without `cancel` when the bound passes
 *   first (a step too long, a runaway), when the call fails otherwise, or when the worker crashes.
 *   A call made meanwhile waits for that (never longer than the bound), then runs on the kept
 *   worker, or on a fresh one;
 * - a worker that fails to load or crashes is discarded, and the call rejects with an `Error`
 *   naming it;
 * - the endpoint's own rejection is passed on (a `RangeError` stays one: an input error). After a
 *   `RangeError` the worker is kept (the endpoint checked its input and answered); after any other
 *   error it is discarded, so that an unexpected failure midway cannot leave a half-built memo
 *   behind for the next call;
 * - a call made while another is running on the kept worker (not being cancelled) runs in a
 *   worker of its own (`callInWorker`), so calls never queue behind a running one;
 * - after `idleMs` without a call the worker is terminated, returning its memory; `close()` does it
 *   at once.
 */

import type { Remote } from 'comlink';
import { proxy, wrap } from 'comlink';
import type { WorkerTaskContext } from './callInWorker.ts';
import { abortError, callInWorker, pageError } from './callInWorker.ts';

/**
 * A call of the kept worker's endpoint: `call(remote, onProgress, callId)`. `onProgress` is a
 * Comlink proxy of the context's `reportProgress` (absent when it is) that the endpoint may call
 * with a fraction; `callId` names the call to `cancel.send` (KeptWorkerOptions), unique per kept worker.
 */
export type KeptWorkerCall<Endpoint, Result> = (
  remote: Remote<Endpoint>,
  onProgress: ((fraction: number) => void) | undefined,
  callId: number,
) => Promise<Result>;

/** A worker kept between calls (module comment). */
export interface KeptWorker<Endpoint> {
  /** Calls `call(remote, onProgress, callId)` on the kept worker's endpoint (module comment). */
  call<Result>(call: KeptWorkerCall<Endpoint, Result>, context: WorkerTaskContext): Promise<Result>;
  /** Whether a worker is kept now (started and not yet discarded). */
  readonly alive: boolean;
  /** Terminates the kept worker (a running call rejects with an `AbortError`); the next call starts a fresh one. */
  close(): void;
}

/** How an aborted call's worker was stopped (`KeptWorkerOptions.onCancelSettled`). */
export interface CancelOutcome {
  /** True when the call settled within the bound and the worker was kept; false when it was terminated. */
  kept: boolean;
  /** Milliseconds from the abort to the call's settling (kept) or to the termination. */
  milliseconds: number;
  /** The bound this cancel had (milliseconds). */
  withinMs: number;
}

export interface KeptWorkerOptions<Endpoint> {
  /** Milliseconds without a call after which the worker is terminated (Infinity: kept until `close`). */
  idleMs: number;
  /**
   * Cooperative cancellation (module comment): `send(remote, callId)` asks the endpoint to stop
   * call `callId`; the worker is terminated when the call has not settled `withinMs` after the
   * abort — a number, or `withinMs(firstCallMs)` of the milliseconds the worker's first call took
   * from its start (module load and cold memos included; undefined while it has none), asked at
   * the abort. Absent: an abort terminates the worker at once.
   */
  cancel?: {
    send: (remote: Remote<Endpoint>, callId: number) => Promise<unknown>;
    withinMs: number | ((firstCallMs: number | undefined) => number);
    /** Called once per cancelled call with how it ended (the bench's measurement), after the worker is kept or terminated. */
    onCancelSettled?: (outcome: CancelOutcome) => void;
  };
}

/** The kept worker and the call running on it. */
interface Kept<Endpoint> {
  worker: Worker;
  remote: Remote<Endpoint>;
  busy: boolean;
  /** Milliseconds the worker's first call took from the worker's start, once it has settled (`cancel.withinMs`). */
  firstCallMs: number | undefined;
  /** When the worker was started (`performance.now()`), while its first call runs. */
  startedAt: number | undefined;
  /** Set while an aborted call is being cancelled: resolves once the worker is kept or terminated. */
  cancelling: Promise<void> | undefined;
  /** Rejects the running call, or ends a cancellation (the worker failed or was closed); a no-op between calls. */
  fail: (error: unknown) => void;
}

/**
 * A kept worker started by `spawn()` — a `new Worker(new URL('./x.worker.ts', import.meta.url),
 * { type: 'module' })`, written by the caller: Vite bundles a worker only from that literal form.
 * `what` names the work in errors ("the exact operating characteristic worker failed: …").
 */
export function keptWorker<Endpoint>(what: string, spawn: () => Worker, options: KeptWorkerOptions<Endpoint>): KeptWorker<Endpoint> {
  const { idleMs, cancel } = options;
  if (!(idleMs > 0)) throw new RangeError(`idleMs must be a positive number of milliseconds (or Infinity), got ${idleMs}`);
  if (cancel !== undefined && typeof cancel.withinMs === 'number' && !(cancel.withinMs >= 0 && Number.isFinite(cancel.withinMs)))
    throw new RangeError(`cancel.withinMs must be a finite number of milliseconds ≥ 0, got ${cancel.withinMs}`);
  /** The bound of a cancel on `entry` (milliseconds); a function's answer that is not a finite number ≥ 0 counts as 0 (terminate at once). */
  const boundOf = (entry: Kept<Endpoint>, how: NonNullable<KeptWorkerOptions<Endpoint>['cancel']>): number => {
    const withinMs = typeof how.withinMs === 'function' ? how.withinMs(entry.firstCallMs) : how.withinMs;
    return withinMs >= 0 && Number.isFinite(withinMs) ? withinMs : 0;
  };
  let kept: Kept<Endpoint> | null = null;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let lastCallId = 0;

  const discard = (entry: Kept<Endpoint>) => {
    if (kept === entry) kept = null;
    entry.busy = false;
    entry.worker.terminate();
  };

  const start = (): Kept<Endpoint> => {
    const worker = spawn();
    const entry: Kept<Endpoint> = {
      worker,
      remote: wrap<Endpoint>(worker),
      busy: false,
      firstCallMs: undefined,
      startedAt: performance.now(),
      cancelling: undefined,
      fail: () => undefined,
    };
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

  /** The call is over and the worker kept: free for the next call, idle clock started. */
  const release = (entry: Kept<Endpoint>) => {
    entry.fail = () => undefined;
    if (kept === entry) {
      entry.busy = false;
      startIdleTimer(entry);
    }
  };

  /**
   * Cancels the aborted call `callId` whose endpoint promise is `pending` (module comment): sends
   * the cancel, keeps the worker when `pending` settles within the bound (but for an error other
   * than an input error), terminates it otherwise. Resolves once it is kept or terminated.
   */
  const cancelCall = (
    entry: Kept<Endpoint>,
    pending: Promise<unknown>,
    callId: number,
    how: NonNullable<KeptWorkerOptions<Endpoint>['cancel']>,
  ): Promise<void> =>
    new Promise<void>((resolve) => {
      const aborted = performance.now();
      const withinMs = boundOf(entry, how);
      let timer: ReturnType<typeof setTimeout> | undefined;
      let over = false;
      const end = (keep: boolean) => {
        if (over) return;
        over = true;
        clearTimeout(timer);
        entry.cancelling = undefined;
        if (keep && kept === entry) release(entry);
        else discard(entry);
        how.onCancelSettled?.({ kept: keep && kept === entry, milliseconds: performance.now() - aborted, withinMs });
        resolve();
      };
      entry.fail = () => end(false);
      timer = setTimeout(() => end(false), withinMs);
      pending.then(
        () => end(true),
        (error: unknown) => end(pageError(error) instanceof RangeError),
      );
      // A worker that cannot take the message (closed meanwhile) ends by its bound or its error event;
      // a send that throws at once is caught too (then), so the cancellation still ends.
      Promise.resolve()
        .then(() => how.send(entry.remote, callId))
        .catch(() => undefined);
    });

  /** Resolves when `waiting` does; rejects with an `AbortError` when `signal` aborts first. */
  const waitUnlessAborted = (waiting: Promise<void>, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const stop = () => reject(abortError(what));
      signal.addEventListener('abort', stop, { once: true });
      waiting.then(() => {
        signal.removeEventListener('abort', stop);
        resolve();
      });
    });

  return {
    async call<Result>(call: KeptWorkerCall<Endpoint, Result>, context: WorkerTaskContext): Promise<Result> {
      const { signal, reportProgress } = context;
      // Behind a call being cancelled: wait for its worker to be kept or terminated (at most the bound).
      for (let waiting = kept?.cancelling; ; waiting = kept?.cancelling) {
        if (signal.aborted) throw abortError(what);
        if (waiting === undefined) break;
        await waitUnlessAborted(waiting, signal);
      }
      const callId = ++lastCallId;
      if (kept?.busy) return callInWorker<Endpoint, Result>(what, spawn, (remote, onProgress) => call(remote, onProgress, callId), context);
      stopIdleTimer();
      kept ??= start();
      const entry = kept;
      entry.busy = true;
      const onProgress =
        reportProgress === undefined
          ? undefined
          : proxy((fraction: number) => {
              if (!signal.aborted) reportProgress(fraction);
            });
      const pending = call(entry.remote, onProgress, callId);
      // What a fresh worker costs: its first call's time from the worker's start, whether or not the caller still waits.
      if (entry.startedAt !== undefined) {
        const startedAt = entry.startedAt;
        entry.startedAt = undefined;
        pending.then(
          () => {
            // A call cut short by a cancel says nothing of what a fresh worker costs.
            if (!signal.aborted) entry.firstCallMs = performance.now() - startedAt;
          },
          () => undefined,
        );
      }
      let stop: () => void = () => undefined;
      const stopped = new Promise<never>((_, reject) => {
        entry.fail = reject;
        stop = () => {
          if (cancel === undefined) discard(entry);
          else entry.cancelling = cancelCall(entry, pending, callId, cancel);
          reject(abortError(what));
        };
        signal.addEventListener('abort', stop, { once: true });
      });
      try {
        return await Promise.race([pending, stopped]);
      } catch (error) {
        const shown = pageError(error);
        // The endpoint's own rejection (the worker is still ours): keep it only after an input error.
        if (kept === entry && entry.cancelling === undefined && !(shown instanceof RangeError)) discard(entry);
        throw shown;
      } finally {
        signal.removeEventListener('abort', stop);
        // A call being cancelled releases its worker when the cancellation ends (`cancelCall`).
        if (entry.cancelling === undefined) release(entry);
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
