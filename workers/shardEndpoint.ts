/**
 * The object a worker exposes over Comlink: it runs one shard of replicates of a pure kernel,
 * reports progress, and can be cancelled cooperatively.
 *
 * A worker's event loop is blocked while a synchronous loop runs, so a `cancel()` message could
 * never be read. The endpoint therefore yields to the event loop (a zero-delay timer) every
 * `yieldEveryMs` of work; pending messages such as `cancel()` are handled then, and the flag is
 * checked between replicates. Yielding every 20 ms costs about 1–5% of throughput (a timer turn
 * is ≈0.2–1 ms) and bounds the cancellation delay by one replicate plus 20 ms.
 */
import { releaseProxy } from 'comlink';
import type { ShardRange } from './shardRange.ts';

/**
 * A pure computation, split by replicate (DESIGN.md §4: replicate i of seed s has its own stream,
 * so any split gives the same replicates). `prepare` checks the request once and returns the
 * cheap per-replicate step, which folds replicate `replicate` into `state` (d3-random's
 * "check once, return a closure" pattern).
 */
export interface ShardKernel<Request, State> {
  /** An empty, plain-JSON state (it crosses threads by structured clone). */
  init(): State;
  /** Checks `request` (throws on invalid input) and returns the step folding one replicate in. */
  prepare(request: Request): (state: State, replicate: number) => void;
}

/** How a shard ended: its state, or cancelled after `replicatesDone` replicates. */
export type ShardOutcome<State> =
  | { status: 'complete'; state: State }
  | { status: 'cancelled'; replicatesDone: number };

/**
 * The functions a worker exposes over Comlink. A run is loaded once per worker (`load`: the
 * request is copied and prepared once, not once per shard), then run shard by shard.
 */
export interface ShardEndpoint<Request, State> {
  /**
   * Checks and prepares `request` as run `runId` (replacing the previously loaded run). Rejects
   * with the kernel's error if the request is invalid.
   */
  load(runId: number, request: Request): void;
  /**
   * Runs replicates [range.from, range.to) of the loaded run `runId`, calling
   * `onProgress(replicatesDone)` (done within this shard) at most every `progressEveryMs` and once
   * at the end. Rejects with the kernel's error if a replicate throws.
   */
  runShard(runId: number, range: ShardRange, onProgress?: (replicatesDone: number) => void): Promise<ShardOutcome<State>>;
  /** Asks the running shard to stop before its next replicate; it then resolves `cancelled`. */
  cancel(): void;
}

/** Timing of an endpoint (the defaults suit both browsers and Node). */
export interface ShardEndpointOptions {
  /** Work between two yields to the event loop, ms (default 20). */
  yieldEveryMs?: number;
  /** Minimum interval between two progress reports, ms (default 50). */
  progressEveryMs?: number;
  /** Clock, ms (default `performance.now`). */
  now?: () => number;
}

/**
 * Calls a progress callback that may be a Comlink proxy of a function in another thread: its
 * promise may reject if that thread has gone, which must not crash this one.
 */
function report(onProgress: (replicatesDone: number) => void, replicatesDone: number): void {
  const result: unknown = onProgress(replicatesDone);
  if (result instanceof Promise) result.catch(() => undefined);
}

/** Frees the message port of a Comlink proxy (a plain function has nothing to free). */
function release(callback: unknown): void {
  const free = (callback as { [releaseProxy]?: unknown } | undefined)?.[releaseProxy];
  if (typeof free === 'function') (free as () => void)();
}

/** Lets queued messages (e.g. `cancel`) run: one turn of the timer queue. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * An endpoint running `kernel` shard by shard. One shard runs at a time per endpoint (the pool
 * sends a worker its next shard only after the previous one settled). Cost: one `prepare` per
 * run and worker, the kernel's steps, and one timer turn per `yieldEveryMs`.
 */
export function createShardEndpoint<Request, State>(
  kernel: ShardKernel<Request, State>,
  options: ShardEndpointOptions = {},
): ShardEndpoint<Request, State> {
  const yieldEveryMs = options.yieldEveryMs ?? 20;
  const progressEveryMs = options.progressEveryMs ?? 50;
  const now = options.now ?? (() => performance.now());
  let cancelRequested = false;
  let loaded: { runId: number; step: (state: State, replicate: number) => void } | undefined;
  return {
    load(runId, request) {
      loaded = undefined;
      loaded = { runId, step: kernel.prepare(request) };
    },
    async runShard(runId, range, onProgress) {
      // Messages are handled in order, so a stale cancel() of an earlier shard was read before
      // this call: start clean.
      cancelRequested = false;
      try {
        if (loaded === undefined || loaded.runId !== runId) throw new Error(`run ${runId} was not loaded in this worker`);
        const step = loaded.step;
        const state = kernel.init();
        let lastYield = now();
        let lastProgress = lastYield;
        for (let replicate = range.from; replicate < range.to; replicate++) {
          if (now() - lastYield >= yieldEveryMs) {
            await yieldToEventLoop();
            lastYield = now();
          }
          if (cancelRequested) return { status: 'cancelled', replicatesDone: replicate - range.from };
          step(state, replicate);
          if (onProgress !== undefined && now() - lastProgress >= progressEveryMs) {
            lastProgress = now();
            report(onProgress, replicate + 1 - range.from);
          }
        }
        if (onProgress !== undefined) report(onProgress, range.to - range.from);
        return { status: 'complete', state };
      } finally {
        release(onProgress);
      }
    },
    cancel() {
      cancelRequested = true;
    },
  };
}
