// The worker pool on REAL worker_threads, with a tiny test-only kernel
// (fixtures/countingKernel.mjs) served by the real compiled endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeWorkerPool } from '../../workers/nodePool.ts';
import type { PoolProgress, WorkerPool } from '../../workers/pool.ts';
import { createShardEndpoint } from '../../workers/shardEndpoint.ts';
import type { ShardRange } from '../../workers/shardRange.ts';
import { splitIntoShards } from '../../workers/shardRange.ts';
import { buildWorkersIfStale } from './buildWorkers.ts';
import type { CountingRequest, CountingState } from './fixtures/countingKernel.mjs';
import { countingKernel } from './fixtures/countingKernel.mjs';

const workerUrl = new URL('./fixtures/counting.node-worker.mjs', import.meta.url);

function mergeCounting(into: CountingState, other: CountingState): CountingState {
  into.count += other.count;
  into.sum += other.sum;
  into.replicates.push(...other.replicates);
  return into;
}

function countingPool(size: number, cancelGraceMs?: number): WorkerPool<CountingRequest, CountingState> {
  return createNodeWorkerPool<CountingRequest, CountingState>({
    workerUrl,
    size,
    init: countingKernel.init,
    merge: mergeCounting,
    ...(cancelGraceMs !== undefined ? { cancelGraceMs } : {}),
  });
}

/** The reference: each shard run in this thread by the same kernel, merged in shard order. */
function inProcess(request: CountingRequest, shards: ShardRange[]): CountingState {
  const step = countingKernel.prepare(request);
  const merged = countingKernel.init();
  for (const { from, to } of shards) {
    const state = countingKernel.init();
    for (let i = from; i < to; i++) step(state, i);
    mergeCounting(merged, state);
  }
  return merged;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

const pools: WorkerPool<CountingRequest, CountingState>[] = [];
function track(pool: WorkerPool<CountingRequest, CountingState>): WorkerPool<CountingRequest, CountingState> {
  pools.push(pool);
  return pool;
}

beforeAll(() => {
  buildWorkersIfStale();
});

afterAll(() => {
  for (const pool of pools) pool.terminate();
});

describe('worker pool on worker_threads', () => {
  it('gives identical results on 1, 2 and 3 workers, equal to the in-process shard run', async () => {
    const request = { seed: 7 };
    const replicates = 1000;
    const shardSize = 37; // 28 shards, the last one short
    const expected = inProcess(request, splitIntoShards(replicates, shardSize));
    expect(expected.count).toBe(1000);
    expect(expected.replicates).toEqual(range(0, 1000));
    for (const size of [1, 2, 3]) {
      const pool = track(countingPool(size));
      const result = await pool.run(request, { replicates, shardSize });
      expect(result.status).toBe('complete');
      expect(result.failedShards).toEqual([]);
      expect(result.cancelledShards).toEqual([]);
      expect(result.completedShards.map((shard) => shard.range)).toEqual(splitIntoShards(replicates, shardSize));
      expect(result.replicatesCompleted).toBe(1000);
      // toEqual on numbers is Object.is: the floating-point sum must match to the last bit.
      expect(result.merged).toEqual(expected);
      pool.terminate();
    }
  });

  it('reports progress that never decreases and ends at 100%', async () => {
    const pool = track(countingPool(2));
    const events: PoolProgress[] = [];
    // 2 ms per replicate: a shard of 50 lasts 100 ms, so workers also report within shards
    // (every 50 ms).
    const result = await pool.run({ seed: 3, slowMs: 2 }, { replicates: 200, shardSize: 50, onProgress: (p) => events.push({ ...p }) });
    expect(result.status).toBe('complete');
    expect(events.length).toBeGreaterThanOrEqual(4);
    for (let k = 1; k < events.length; k++) expect(events[k].replicatesDone).toBeGreaterThanOrEqual(events[k - 1].replicatesDone);
    const last = events[events.length - 1];
    expect(last).toEqual({ replicatesDone: 200, replicates: 200, fraction: 1, shards: 4, shardsCompleted: 4, shardsFailed: 0 });
    // Some report came from inside a running shard (not a multiple of the shard size).
    expect(events.some((p) => p.replicatesDone % 50 !== 0)).toBe(true);
    pool.terminate();
  });

  it('cancels promptly and cooperatively, keeps completed shards, and stays usable', async () => {
    // A 5 s grace: stopping sooner proves the stop was cooperative, not a termination.
    const pool = track(countingPool(2, 5000));
    const controller = new AbortController();
    let abortedAt = 0;
    // 400 replicates × 5 ms on 2 workers would take ≈1 s; abort once 40 are done.
    const running = pool.run(
      { seed: 5, slowMs: 5 },
      {
        replicates: 400,
        shardSize: 20,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.replicatesDone >= 40 && abortedAt === 0) {
            abortedAt = performance.now();
            controller.abort();
          }
        },
      },
    );
    const result = await running;
    const stopDelay = performance.now() - abortedAt;
    expect(abortedAt).toBeGreaterThan(0);
    expect(result.status).toBe('cancelled');
    // Cooperative stop: one replicate (5 ms) plus a yield period (20 ms) plus messaging,
    // with a wide margin for a loaded machine.
    expect(stopDelay).toBeLessThan(1000);
    expect(result.replicatesCompleted).toBeGreaterThanOrEqual(20);
    expect(result.replicatesCompleted).toBeLessThan(200);
    expect(result.failedShards).toEqual([]);
    // Every shard is accounted for, once.
    const accounted = [...result.completedShards.map((shard) => shard.range), ...result.cancelledShards].sort((a, b) => a.from - b.from);
    expect(accounted).toEqual(splitIntoShards(400, 20));
    expect(result.merged).toEqual(
      inProcess(
        { seed: 5 },
        result.completedShards.map((shard) => shard.range),
      ),
    );
    // The same (warm) workers serve the next run correctly.
    const again = await pool.run({ seed: 5 }, { replicates: 100, shardSize: 20 });
    expect(again.status).toBe('complete');
    expect(again.merged).toEqual(inProcess({ seed: 5 }, splitIntoShards(100, 20)));
    pool.terminate();
  });

  it('does not lose a cancellation that arrives while workers are loading the run', async () => {
    const pool = track(countingPool(2, 5000));
    const controller = new AbortController();
    let abortedAt = 0;
    setTimeout(() => {
      abortedAt = performance.now();
      controller.abort();
    }, 100);
    // Loading takes 400 ms; the shards would then take 2 s more if the cancel were lost.
    const result = await pool.run({ seed: 4, prepareMs: 400, slowMs: 10 }, { replicates: 400, shardSize: 20, signal: controller.signal });
    expect(result.status).toBe('cancelled');
    expect(result.replicatesCompleted).toBe(0);
    expect(performance.now() - abortedAt).toBeLessThan(1500);
    pool.terminate();
  });

  it('terminates a worker stuck in a replicate after the grace period, and respawns workers', async () => {
    const pool = track(countingPool(1, 100));
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 100);
    // Replicate 3 spins for 10 s without yielding: only termination can stop it.
    const result = await pool.run(
      { seed: 1, stallAtReplicate: 3, stallMs: 10_000 },
      { replicates: 10, shardSize: 10, signal: controller.signal },
    );
    const elapsed = performance.now() - started;
    expect(result.status).toBe('cancelled');
    expect(result.failedShards).toEqual([]);
    expect(result.cancelledShards).toEqual([{ from: 0, to: 10 }]);
    // Well under the 10 s stall (termination, not the replicate's end), with room for a loaded CI machine.
    expect(elapsed).toBeLessThan(5000);
    const again = await pool.run({ seed: 1 }, { replicates: 10, shardSize: 5 });
    expect(again.status).toBe('complete');
    expect(again.merged.replicates).toEqual(range(0, 10));
    pool.terminate();
  });

  it('reports a shard whose worker throws, with its range, and merges the other shards', async () => {
    const pool = track(countingPool(3));
    const request = { seed: 11, failAtReplicate: 57 };
    const result = await pool.run(request, { replicates: 200, shardSize: 20 });
    expect(result.status).toBe('partial');
    expect(result.failedShards).toHaveLength(1);
    expect(result.failedShards[0].range).toEqual({ from: 40, to: 60 });
    expect(result.failedShards[0].error.message).toBe('fault injected at replicate 57');
    expect(result.completedShards).toHaveLength(9);
    expect(result.replicatesCompleted).toBe(180);
    const others = splitIntoShards(200, 20).filter((shard) => shard.from !== 40);
    expect(result.merged).toEqual(inProcess({ seed: 11 }, others));
    expect(result.merged.replicates).toEqual([...range(0, 40), ...range(60, 200)]);
    pool.terminate();
  });

  it('reports a shard whose worker dies, replaces the worker, and keeps the other shards', async () => {
    const pool = track(countingPool(2));
    const result = await pool.run({ seed: 2, crashAtReplicate: 25 }, { replicates: 100, shardSize: 10 });
    expect(result.status).toBe('partial');
    expect(result.failedShards).toEqual([
      { range: { from: 20, to: 30 }, error: expect.objectContaining({ message: 'the worker exited with code 3' }) },
    ]);
    expect(result.replicatesCompleted).toBe(90);
    expect(result.merged).toEqual(
      inProcess(
        { seed: 2 },
        splitIntoShards(100, 10).filter((shard) => shard.from !== 20),
      ),
    );
    pool.terminate();
  });

  it('reports an invalid request on every shard without hanging', async () => {
    const pool = track(countingPool(2));
    const result = await pool.run({ seed: 0.5 }, { replicates: 30, shardSize: 10 });
    expect(result.status).toBe('partial');
    expect(result.completedShards).toEqual([]);
    expect(result.failedShards.map((shard) => shard.range)).toEqual(splitIntoShards(30, 10));
    expect(result.failedShards[0].error).toMatchObject({ name: 'RangeError', message: 'seed must be a safe integer, got 0.5' });
    pool.terminate();
  });

  it('serves runs one after another and checks its inputs', async () => {
    const pool = track(countingPool(2));
    const [first, second] = await Promise.all([
      pool.run({ seed: 1 }, { replicates: 50, shardSize: 10 }),
      pool.run({ seed: 2 }, { replicates: 50, shardSize: 10 }),
    ]);
    expect(first.merged).toEqual(inProcess({ seed: 1 }, splitIntoShards(50, 10)));
    expect(second.merged).toEqual(inProcess({ seed: 2 }, splitIntoShards(50, 10)));
    await expect(pool.run({ seed: 1 }, { replicates: -1 })).rejects.toThrow('replicates must be a non-negative integer, got -1');
    const empty = await pool.run({ seed: 1 }, { replicates: 0 });
    expect(empty).toMatchObject({ status: 'complete', replicatesCompleted: 0, merged: { count: 0, sum: 0, replicates: [] } });
    expect(() => countingPool(0)).toThrow('size must be a positive integer, got 0');
    pool.terminate();
  });

  it('resolves at once, running nothing, when the signal is already aborted', async () => {
    const pool = track(countingPool(2));
    const result = await pool.run({ seed: 1 }, { replicates: 30, shardSize: 10, signal: AbortSignal.abort() });
    expect(result).toMatchObject({
      status: 'cancelled',
      replicatesCompleted: 0,
      completedShards: [],
      cancelledShards: splitIntoShards(30, 10),
    });
    pool.terminate();
  });
});

describe('shard endpoint in process', () => {
  it('runs a loaded shard and refuses an unknown run', async () => {
    const endpoint = createShardEndpoint(countingKernel);
    endpoint.load(1, { seed: 9 });
    const done: number[] = [];
    const outcome = await endpoint.runShard(1, { from: 5, to: 15 }, (n) => done.push(n));
    expect(outcome).toEqual({ status: 'complete', state: inProcess({ seed: 9 }, [{ from: 5, to: 15 }]) });
    expect(done[done.length - 1]).toBe(10);
    await expect(endpoint.runShard(2, { from: 0, to: 1 })).rejects.toThrow('run 2 was not loaded in this worker');
  });

  it('stops between replicates when cancelled', async () => {
    let clock = 0;
    // A fake clock advancing 10 ms per reading: the endpoint yields at once, so cancel() runs.
    const endpoint = createShardEndpoint(countingKernel, { now: () => (clock += 10), yieldEveryMs: 15 });
    endpoint.load(1, { seed: 9 });
    const running = endpoint.runShard(1, { from: 0, to: 1000 });
    endpoint.cancel();
    const outcome = await running;
    expect(outcome.status).toBe('cancelled');
    expect(outcome.status === 'cancelled' && outcome.replicatesDone).toBeLessThan(5);
  });
});

describe('splitIntoShards', () => {
  it('cuts [0, N) into consecutive shards independent of the number of workers', () => {
    expect(splitIntoShards(10, 4)).toEqual([
      { from: 0, to: 4 },
      { from: 4, to: 8 },
      { from: 8, to: 10 },
    ]);
    expect(splitIntoShards(0, 4)).toEqual([]);
    expect(splitIntoShards(1000)).toHaveLength(125); // default size ceil(1000 / 128) = 8
    expect(() => splitIntoShards(10, 0)).toThrow('shardSize must be a positive integer, got 0');
    expect(() => splitIntoShards(2.5, 1)).toThrow('replicates must be a non-negative integer, got 2.5');
  });
});
