/**
 * A `PoolWorker` over a Comlink-wrapped `ShardEndpoint`, for any environment: the caller wraps
 * its worker (Web Worker, or `worker_threads` through Comlink's Node adapter) and says how to
 * hear of its death and how to terminate it.
 *
 * Comlink never settles a call whose worker died or was terminated, so every call here races
 * against a "death" promise: a crashed or terminated worker rejects its pending shard instead of
 * hanging the pool.
 */

import type { Remote } from 'comlink';
import { proxy } from 'comlink';
import type { PoolWorker } from './pool.ts';
import type { ShardEndpoint, ShardOutcome } from './shardEndpoint.ts';
import type { ShardRange } from './shardRange.ts';

/**
 * The rejection of a shard that was still queued in a worker (behind the shard that was running)
 * when the worker died or was terminated: it never ran, so the pool runs it again elsewhere.
 */
export class ShardNotStartedError extends Error {
  constructor(cause: Error) {
    super(`the shard had not started when its worker stopped: ${cause.message}`);
    this.name = 'ShardNotStartedError';
  }
}

/** The environment-specific part of a worker. */
export interface WorkerLifecycle {
  /** Registers `listener`, to be called once if the worker dies (uncaught error, exit). */
  onDeath(listener: (error: Error) => void): void;
  /** Stops the worker at once. */
  terminate(): void;
}

/**
 * The pool's view of a Comlink worker. `remote` is `Comlink.wrap(endpoint)` of a worker that
 * exposes a `ShardEndpoint`.
 */
export function comlinkPoolWorker<Request, State>(
  remote: Remote<ShardEndpoint<Request, State>>,
  lifecycle: WorkerLifecycle,
): PoolWorker<Request, State> {
  let alive = true;
  let rejectDeath: (error: Error) => void = () => undefined;
  const death = new Promise<never>((_, reject) => {
    rejectDeath = reject;
  });
  death.catch(() => undefined); // observed by runShard calls; not an unhandled rejection otherwise
  // Shards sent and not settled, in the order the endpoint runs them: the first is the running one.
  const sent: ShardRange[] = [];
  let runningAtDeath: ShardRange | undefined;
  const die = (error: Error): void => {
    if (!alive) return;
    alive = false;
    runningAtDeath = sent[0];
    rejectDeath(error);
  };
  lifecycle.onDeath((error) => die(error));
  // The run loaded in the worker, and the progress callbacks of its shards in flight by first
  // replicate: one Comlink proxy (one message port) per run and worker, not one per shard.
  let loading: { runId: number; done: Promise<void> } | undefined;
  const shardProgress = new Map<number, (replicatesDone: number) => void>();
  const runProgress = proxy((from: number, replicatesDone: number) => shardProgress.get(from)?.(replicatesDone));
  // A cancel() that arrives while the run is being loaded must not be lost: the shards are sent
  // after it, so the endpoint's cancel would not reach them; they are checked here first.
  let cancelRequested = false;
  return {
    get alive() {
      return alive;
    },
    async runShard(run, range, onProgress) {
      if (!alive) throw new Error('the worker is no longer running');
      if (loading?.runId !== run.id) {
        cancelRequested = false;
        shardProgress.clear();
        // (Comlink's Remote type cannot see through the generic Request; it is cloned as is.)
        loading = { runId: run.id, done: Promise.race([remote.load(run.id, run.request as never, runProgress as never), death]) };
        loading.done.catch(() => undefined);
      }
      const load = loading;
      try {
        await load.done;
      } catch (error) {
        if (loading === load) loading = undefined;
        throw error;
      }
      if (cancelRequested) return { status: 'cancelled', replicatesDone: 0 };
      shardProgress.set(range.from, onProgress);
      sent.push(range);
      try {
        return await Promise.race([remote.runShard(run.id, range) as Promise<ShardOutcome<State>>, death]);
      } catch (error) {
        if (!alive && runningAtDeath !== range && error instanceof Error) throw new ShardNotStartedError(error);
        throw error;
      } finally {
        shardProgress.delete(range.from);
        sent.splice(sent.indexOf(range), 1);
      }
    },
    cancel() {
      cancelRequested = true;
      if (alive) void remote.cancel().catch(() => undefined);
    },
    terminate() {
      if (!alive) return;
      die(new Error('the worker was terminated'));
      lifecycle.terminate();
    },
  };
}
