/**
 * A `PoolWorker` over a Comlink-wrapped `ShardEndpoint`, for any environment: the caller wraps
 * its worker (Web Worker, or `worker_threads` through Comlink's Node adapter) and says how to
 * hear of its death and how to terminate it.
 *
 * Comlink never settles a call whose worker died or was terminated, so every call here races
 * against a "death" promise: a crashed or terminated worker rejects its pending shard instead of
 * hanging the pool.
 */
import { proxy } from 'comlink';
import type { Remote } from 'comlink';
import type { PoolWorker } from './pool.ts';
import type { ShardEndpoint, ShardOutcome } from './shardEndpoint.ts';

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
  const die = (error: Error): void => {
    if (!alive) return;
    alive = false;
    rejectDeath(error);
  };
  lifecycle.onDeath((error) => die(error));
  let loadedRunId: number | undefined;
  // A cancel() that arrives while the run is being loaded must not be lost: the endpoint clears
  // its flag when a shard starts, so it is checked here before the shard is sent.
  let cancelRequested = false;
  return {
    get alive() {
      return alive;
    },
    async runShard(run, range, onProgress) {
      if (!alive) throw new Error('the worker is no longer running');
      cancelRequested = false;
      if (loadedRunId !== run.id) {
        loadedRunId = undefined;
        // (Comlink's Remote type cannot see through the generic Request; it is cloned as is.)
        await Promise.race([remote.load(run.id, run.request as never), death]);
        loadedRunId = run.id;
      }
      if (cancelRequested) return { status: 'cancelled', replicatesDone: 0 };
      // The proxied callback is released by the endpoint when the shard ends.
      const call = remote.runShard(run.id, range, proxy(onProgress)) as Promise<ShardOutcome<State>>;
      return Promise.race([call, death]);
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
