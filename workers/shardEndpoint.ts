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
export type ShardOutcome<State> = { status: 'complete'; state: State } | { status: 'cancelled'; replicatesDone: number };

/**
 * The functions a worker exposes over Comlink. A run is loaded once per worker (`load`: the
 * request is copied and prepared once, not once per shard), then run shard by shard.
 *
 * Shards may be sent before the previous one ended (the pool keeps two in flight per worker, so
 * that a worker never idles while its result crosses to the page and the next shard comes back:
 * issue 16). They run one at a time, in the order they arrived.
 */
export interface ShardEndpoint<Request, State> {
  /**
   * Checks and prepares `request` as run `runId` (replacing the previously loaded run). Rejects
   * with the kernel's error if the request is invalid. `onProgress(from, replicatesDone)`, if
   * given, receives the progress of every shard of the run (named by its first replicate): one
   * callback (one message port) per run instead of one per shard.
   */
  load(runId: number, request: Request, onProgress?: (from: number, replicatesDone: number) => void): void;
  /**
   * Runs replicates [range.from, range.to) of the loaded run `runId` once the shards sent before
   * it have ended, calling `onProgress(replicatesDone)` (done within this shard; or the run's
   * callback of `load`) at most every `progressEveryMs` and, for a per-shard callback, once at
   * the end. Rejects with the kernel's error if a replicate throws.
   */
  runShard(runId: number, range: ShardRange, onProgress?: (replicatesDone: number) => void): Promise<ShardOutcome<State>>;
  /** Asks every shard sent so far to stop before its next replicate; they then resolve `cancelled`. */
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
 * An endpoint running `kernel` shard by shard, one at a time in arrival order. Cost: one
 * `prepare` per run and worker, the kernel's steps, and one timer turn per `yieldEveryMs`.
 */
export function createShardEndpoint<Request, State>(
  kernel: ShardKernel<Request, State>,
  options: ShardEndpointOptions = {},
): ShardEndpoint<Request, State> {
  const yieldEveryMs = options.yieldEveryMs ?? 20;
  const progressEveryMs = options.progressEveryMs ?? 50;
  const now = options.now ?? (() => performance.now());
  // Shards are numbered as they arrive; cancel() stops every shard that arrived before it (a
  // shard sent after a cancel is a new request and runs). Messages are handled in order.
  let arrived = 0;
  let cancelledThrough = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let loaded:
    | { runId: number; step: (state: State, replicate: number) => void; onProgress?: (from: number, replicatesDone: number) => void }
    | undefined;

  async function run(
    ticket: number,
    runId: number,
    range: ShardRange,
    onShardProgress: ((replicatesDone: number) => void) | undefined,
  ): Promise<ShardOutcome<State>> {
    if (loaded === undefined || loaded.runId !== runId) throw new Error(`run ${runId} was not loaded in this worker`);
    const step = loaded.step;
    const runProgress = loaded.onProgress;
    const progress =
      onShardProgress ?? (runProgress !== undefined ? (replicatesDone: number) => runProgress(range.from, replicatesDone) : undefined);
    const state = kernel.init();
    let lastYield = now();
    let lastProgress = lastYield;
    for (let replicate = range.from; replicate < range.to; replicate++) {
      if (now() - lastYield >= yieldEveryMs) {
        await yieldToEventLoop();
        lastYield = now();
      }
      if (ticket <= cancelledThrough) return { status: 'cancelled', replicatesDone: replicate - range.from };
      step(state, replicate);
      if (progress !== undefined && now() - lastProgress >= progressEveryMs) {
        lastProgress = now();
        report(progress, replicate + 1 - range.from);
      }
    }
    // The run's callback does not need the final count: the shard's result says it.
    if (onShardProgress !== undefined) report(onShardProgress, range.to - range.from);
    return { status: 'complete', state };
  }

  return {
    load(runId, request, onProgress) {
      if (loaded?.onProgress !== undefined) release(loaded.onProgress);
      loaded = undefined;
      loaded = { runId, step: kernel.prepare(request), ...(onProgress !== undefined ? { onProgress } : {}) };
    },
    runShard(runId, range, onProgress) {
      const ticket = ++arrived;
      const result = queue.then(() => run(ticket, runId, range, onProgress)).finally(() => release(onProgress));
      queue = result.catch(() => undefined);
      return result;
    },
    cancel() {
      cancelledThrough = arrived;
    },
  };
}
