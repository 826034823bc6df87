/**
 * A pool of workers running shards of a replicated computation, environment-agnostic: the same
 * code drives Web Workers in the browser (`browserPool.ts`) and `worker_threads` in Node
 * (`nodePool.ts`); only the worker factory differs.
 *
 * - **Determinism.** [0, N) is cut into shards whose boundaries depend only on N and the shard
 *   size (`shardRange.ts`), and the completed shards' states are merged in shard order, so the
 *   result is identical whatever the number of workers.
 * - **Progress.** Workers report replicates done within their shard; the pool adds them up and
 *   calls `onProgress` with the run's total; the last event of a fully completed run has
 *   `fraction === 1`.
 * - **Cancellation** (an `AbortSignal`): cooperative first — no new shard starts and each busy
 *   worker is asked to stop before its next replicate (`ShardEndpoint.cancel`), which keeps the
 *   workers warm for the next run; a worker that has not stopped within `cancelGraceMs` (a
 *   replicate longer than that) is terminated and replaced by a fresh one when next needed. The
 *   run then resolves with `status: 'cancelled'` and whatever shards had completed: it does not
 *   reject.
 * - **Failures.** A shard whose worker throws (or whose worker dies) is reported with its range
 *   and error; the other shards still run, and the result merges everything that completed
 *   (`status: 'partial'`). A dead worker is replaced for the remaining shards. Failed shards are
 *   not retried: the kernel is deterministic, so they would fail again.
 */
import type { ShardOutcome } from './shardEndpoint.ts';
import type { ShardRange } from './shardRange.ts';
import { splitIntoShards } from './shardRange.ts';

/** One worker as the pool sees it (see `comlinkPoolWorker.ts` for the Comlink implementation). */
export interface PoolWorker<Request, State> {
  /**
   * Runs one shard of run `run.id` (whose request is sent to and prepared by a worker once, on
   * its first shard of the run); rejects with the worker's error if the request is invalid or a
   * replicate throws, or with an error if the worker dies or is terminated meanwhile.
   */
  runShard(run: PoolRun<Request>, range: ShardRange, onProgress: (replicatesDone: number) => void): Promise<ShardOutcome<State>>;
  /** Asks the running shard to stop cooperatively. */
  cancel(): void;
  /** Stops the worker at once; pending `runShard` calls reject. */
  terminate(): void;
  /** False once the worker has died or been terminated. */
  readonly alive: boolean;
}

/** A run as workers see it: an id unique within the pool, and the request. */
export interface PoolRun<Request> {
  id: number;
  request: Request;
}

/** How to build a pool. */
export interface WorkerPoolOptions<Request, State> {
  /** Starts one worker (called lazily, at most `size` live at a time). */
  createWorker: () => PoolWorker<Request, State>;
  /**
   * Number of workers: pass the machine's parallelism (`navigator.hardwareConcurrency`,
   * `os.availableParallelism()`); the pool itself reads no globals. A positive integer.
   */
  size: number;
  /** The empty state, and the in-place merge of two states (an `init / merge` reducer). */
  init: () => State;
  merge: (into: State, other: State) => State;
  /** How long a cancelled worker may take to stop before it is terminated, ms (default 250). */
  cancelGraceMs?: number;
  /**
   * Shards sent to a worker before its previous ones ended (default 2): with 1 a worker idles
   * for a round trip to the page after every shard — on a loaded 2-core machine, a wait for the
   * page's thread to be scheduled (issue 16). Results do not depend on it.
   */
  shardsInFlight?: number;
}

/** Progress of a run. */
export interface PoolProgress {
  /** Replicates done, in completed and running shards. */
  replicatesDone: number;
  replicates: number;
  /** replicatesDone / replicates (1 for an empty run). */
  fraction: number;
  shards: number;
  shardsCompleted: number;
  shardsFailed: number;
}

/** Options of one run. */
export interface PoolRunOptions<State = unknown> {
  /** Replicates [0, replicates) are run. A non-negative integer. */
  replicates: number;
  /** Replicates per shard (default `defaultShardSize(replicates)`); do not derive it from the pool size, or results would depend on it. */
  shardSize?: number;
  onProgress?: (progress: PoolProgress) => void;
  /**
   * Called as each shard completes (in completion order, not shard order), with its index in
   * shard order and its state: lets a caller stream results before the run ends. The state is
   * also merged into the result afterwards: do not modify it.
   */
  onShardComplete?: (index: number, state: State) => void;
  signal?: AbortSignal;
}

/** An error as it crossed the thread boundary (plain data). */
export interface ShardError {
  name: string;
  message: string;
  stack?: string;
}

/** A shard that completed, with its state. */
export interface CompletedShard<State> {
  range: ShardRange;
  state: State;
}

/** A shard that failed: its range and the error. */
export interface FailedShard {
  range: ShardRange;
  error: ShardError;
}

/** The outcome of a run. */
export interface PoolResult<State> {
  /** `complete`: every shard completed; `partial`: some failed; `cancelled`: the signal fired. */
  status: 'complete' | 'partial' | 'cancelled';
  /** The merge, in shard order, of every completed shard's state (`init()` if none). */
  merged: State;
  /** Replicates in completed shards. */
  replicatesCompleted: number;
  replicates: number;
  completedShards: CompletedShard<State>[];
  failedShards: FailedShard[];
  /** Shards not run, or stopped, because the run was cancelled. */
  cancelledShards: ShardRange[];
}

/** A pool: runs are served one after another (a run started while another runs waits for it). */
export interface WorkerPool<Request, State> {
  readonly size: number;
  /** Runs replicates [0, options.replicates) of `request` across the workers. Never rejects for a shard's failure. */
  run(request: Request, options: PoolRunOptions<State>): Promise<PoolResult<State>>;
  /** Terminates every worker; the pool can still run (it starts new workers). */
  terminate(): void;
}

/** A thrown value as plain data (what Comlink carries across threads for an Error). */
export function toShardError(error: unknown): ShardError {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message, stack } = error as { name?: unknown; message: unknown; stack?: unknown };
    return { name: typeof name === 'string' ? name : 'Error', message: String(message), ...(typeof stack === 'string' ? { stack } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * The error of a run that did not complete, for callers that need every replicate: the first
 * failed shard's error (a RangeError stays one), or says how the run ended.
 */
export function incompleteRunError(result: PoolResult<unknown>): Error {
  const failure = result.failedShards[0]?.error;
  if (failure === undefined) return new Error(`the run ended ${result.status}`);
  return failure.name === 'RangeError' ? new RangeError(failure.message) : new Error(failure.message);
}

/**
 * A pool of `options.size` workers. Cost of a run: the kernel's work divided among the workers,
 * plus one message round trip per shard and one merge per completed shard.
 */
export function createWorkerPool<Request, State>(options: WorkerPoolOptions<Request, State>): WorkerPool<Request, State> {
  const { createWorker, size, init, merge } = options;
  const cancelGraceMs = options.cancelGraceMs ?? 250;
  const shardsInFlight = options.shardsInFlight ?? 2;
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
  if (!Number.isSafeInteger(shardsInFlight) || shardsInFlight < 1)
    throw new RangeError(`shardsInFlight must be a positive integer, got ${shardsInFlight}`);
  if (!(cancelGraceMs >= 0)) throw new RangeError(`cancelGraceMs must be non-negative, got ${cancelGraceMs}`);
  const slots: (PoolWorker<Request, State> | undefined)[] = new Array(size).fill(undefined);
  let queue: Promise<unknown> = Promise.resolve();
  let runs = 0;

  function workerAt(slot: number): PoolWorker<Request, State> {
    let worker = slots[slot];
    if (worker === undefined || !worker.alive) {
      worker = createWorker();
      slots[slot] = worker;
    }
    return worker;
  }

  function retire(slot: number, worker: PoolWorker<Request, State>): void {
    worker.terminate();
    if (slots[slot] === worker) slots[slot] = undefined;
  }

  async function runNow(request: Request, runOptions: PoolRunOptions<State>): Promise<PoolResult<State>> {
    const { replicates, onProgress, onShardComplete, signal } = runOptions;
    const run: PoolRun<Request> = { id: ++runs, request };
    const shards = splitIntoShards(replicates, runOptions.shardSize);
    const states: (State | undefined)[] = new Array(shards.length).fill(undefined);
    const errors: (ShardError | undefined)[] = new Array(shards.length).fill(undefined);
    const running: number[] = new Array(shards.length).fill(0);
    // Progress comes through its own message port, so a late report may arrive after its
    // shard's result: reports of settled shards are dropped.
    const settled: boolean[] = new Array(shards.length).fill(false);
    /** Lane → the worker running (or holding) its shard. */
    const busy = new Map<number, PoolWorker<Request, State>>();
    let next = 0;
    /** Shards to run again: they were queued in a worker that died before they started. */
    const retry: number[] = [];
    let completedReplicates = 0;
    let shardsCompleted = 0;
    let shardsFailed = 0;
    let cancelled = signal?.aborted ?? false;
    let finished = false;

    const emit = (): void => {
      if (onProgress === undefined || finished) return;
      const inFlight = running.reduce((sum, done) => sum + done, 0);
      const replicatesDone = completedReplicates + inFlight;
      onProgress({
        replicatesDone,
        replicates,
        fraction: replicates === 0 ? 1 : replicatesDone / replicates,
        shards: shards.length,
        shardsCompleted,
        shardsFailed,
      });
    };

    // Lane `lane` feeds worker `lane % size`: each worker has `shardsInFlight` lanes, so its next
    // shard is already queued in it when the current one ends.
    const drive = async (lane: number): Promise<void> => {
      const slot = lane % size;
      while (!cancelled && (retry.length > 0 || next < shards.length)) {
        const index = retry.shift() ?? next++;
        const range = shards[index];
        const worker = workerAt(slot);
        busy.set(lane, worker);
        try {
          const outcome = await worker.runShard(run, range, (done) => {
            if (finished || cancelled || settled[index]) return;
            running[index] = done;
            emit();
          });
          settled[index] = true;
          running[index] = 0;
          if (outcome.status === 'complete') {
            states[index] = outcome.state;
            completedReplicates += range.to - range.from;
            shardsCompleted += 1;
            if (!cancelled) onShardComplete?.(index, outcome.state);
            emit();
          }
        } catch (error) {
          running[index] = 0;
          if (!worker.alive) retire(slot, worker);
          // Queued behind the shard that killed its worker: it never ran; run it on the replacement.
          if (!cancelled && error instanceof Error && error.name === 'ShardNotStartedError') {
            retry.push(index);
            continue;
          }
          settled[index] = true;
          if (!cancelled) {
            errors[index] = toShardError(error);
            shardsFailed += 1;
            emit();
          }
        } finally {
          if (busy.get(lane) === worker) busy.delete(lane);
        }
      }
    };

    // Cooperative stop first; after the grace period, terminate the workers still busy (their
    // pending runShard rejects, which the drivers record as cancelled, not failed).
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => {
      cancelled = true;
      for (const worker of new Set(busy.values())) worker.cancel();
      graceTimer = setTimeout(() => {
        for (const [lane, worker] of busy) retire(lane % size, worker);
      }, cancelGraceMs);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.all(Array.from({ length: Math.min(size * shardsInFlight, shards.length) }, (_, lane) => drive(lane)));
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
    }
    finished = true;
    return collect();

    function collect(): PoolResult<State> {
      const merged = init();
      const completedShards: CompletedShard<State>[] = [];
      const failedShards: FailedShard[] = [];
      const cancelledShards: ShardRange[] = [];
      let replicatesCompleted = 0;
      shards.forEach((range, index) => {
        const state = states[index];
        const error = errors[index];
        if (state !== undefined) {
          completedShards.push({ range, state });
          merge(merged, state);
          replicatesCompleted += range.to - range.from;
        } else if (error !== undefined) {
          failedShards.push({ range, error });
        } else {
          cancelledShards.push(range);
        }
      });
      const status = cancelled ? 'cancelled' : failedShards.length > 0 || cancelledShards.length > 0 ? 'partial' : 'complete';
      return { status, merged, replicatesCompleted, replicates, completedShards, failedShards, cancelledShards };
    }
  }

  return {
    size,
    run(request, runOptions) {
      const result = queue.then(() => runNow(request, runOptions));
      queue = result.catch(() => undefined);
      return result;
    },
    terminate() {
      slots.forEach((worker, slot) => {
        if (worker !== undefined) retire(slot, worker);
      });
    },
  };
}
