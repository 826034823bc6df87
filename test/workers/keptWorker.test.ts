// The kept worker (workers/keptWorker.ts) with a stand-in Web Worker (channelWorker.ts): one
// worker serves call after call and keeps its state; an abort terminates it at once and the next
// call starts a fresh one; a crash rejects with the worker's message; an input error keeps the
// worker, any other error discards it; an overlapping call gets a worker of its own; an idle
// worker is closed after its idle time.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAbortError } from '../../workers/callInWorker.ts';
import type { KeptWorker } from '../../workers/keptWorker.ts';
import { keptWorker } from '../../workers/keptWorker.ts';
import { ChannelWorker } from './channelWorker.ts';

/** A test endpoint whose state is per worker: `count` counts the calls it served. */
interface TestEndpoint {
  count(): number;
  /** Resolves with `value` when the test calls `release()` (a long computation). */
  slow(value: number): Promise<number>;
  fail(kind: 'range' | 'other'): number;
  progress(steps: number, onProgress?: (fraction: number) => void): number;
}

let pending: (() => void)[] = [];
const release = () => {
  for (const resolve of pending) resolve();
  pending = [];
};

function testEndpoint(): TestEndpoint {
  let calls = 0;
  return {
    count: () => ++calls,
    slow: (value) =>
      new Promise((resolve) => {
        calls++;
        pending.push(() => resolve(value));
      }),
    fail(kind) {
      calls++;
      if (kind === 'range') throw new RangeError('steps must be a whole number ≥ 1, got -1');
      throw new Error('the kernel broke');
    },
    progress(steps, onProgress) {
      calls++;
      for (let i = 1; i <= steps; i++) onProgress?.(i / steps);
      return steps;
    },
  };
}

const spawned: ChannelWorker[] = [];
const workers: KeptWorker<TestEndpoint>[] = [];
function kept(idleMs = Number.POSITIVE_INFINITY): KeptWorker<TestEndpoint> {
  const worker = keptWorker<TestEndpoint>(
    'test',
    () => {
      const channel = new ChannelWorker(testEndpoint());
      spawned.push(channel);
      return channel.asWorker();
    },
    { idleMs },
  );
  workers.push(worker);
  return worker;
}
const running = () => ({ signal: new AbortController().signal });
/** Lets the channel's messages through (each hop is a macrotask). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  release();
  for (const worker of workers.splice(0)) worker.close();
  for (const channel of spawned.splice(0)) channel.terminate();
  vi.useRealTimers();
});

describe('keptWorker', () => {
  it('serves call after call on one worker, which keeps its state', async () => {
    const worker = kept();
    expect(worker.alive).toBe(false);
    expect(await worker.call((remote) => remote.count(), running())).toBe(1);
    expect(await worker.call((remote) => remote.count(), running())).toBe(2);
    expect(await worker.call((remote) => remote.count(), running())).toBe(3);
    expect(spawned).toHaveLength(1);
    expect(spawned[0].terminated).toBe(false);
    expect(worker.alive).toBe(true);
  });

  it('an abort terminates the worker at once and rejects with AbortError; the next call starts a fresh worker', async () => {
    const worker = kept();
    expect(await worker.call((remote) => remote.count(), running())).toBe(1);
    const controller = new AbortController();
    const aborted = worker.call((remote) => remote.slow(7), { signal: controller.signal });
    await settle();
    expect(pending).toHaveLength(1); // the endpoint is computing
    controller.abort();
    const error = await aborted.catch((reason: unknown) => reason);
    expect(isAbortError(error)).toBe(true);
    expect((error as Error).message).toBe('test cancelled');
    expect(spawned[0].terminated).toBe(true);
    expect(worker.alive).toBe(false);
    // A fresh worker: its state starts again.
    expect(await worker.call((remote) => remote.count(), running())).toBe(1);
    expect(spawned).toHaveLength(2);
    expect(spawned[1].terminated).toBe(false);
  });

  it('rejects at once, without starting a worker, when the signal is already aborted', async () => {
    const worker = kept();
    const controller = new AbortController();
    controller.abort();
    const error = await worker.call((remote) => remote.count(), { signal: controller.signal }).catch((reason: unknown) => reason);
    expect(isAbortError(error)).toBe(true);
    expect(spawned).toHaveLength(0);
  });

  it("an input error is the endpoint's RangeError, and the worker is kept", async () => {
    const worker = kept();
    await expect(worker.call((remote) => remote.fail('range'), running())).rejects.toThrow(
      new RangeError('steps must be a whole number ≥ 1, got -1'),
    );
    const error = await worker.call((remote) => remote.fail('range'), running()).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(RangeError);
    expect(await worker.call((remote) => remote.count(), running())).toBe(3);
    expect(spawned).toHaveLength(1);
  });

  it('any other error of the endpoint is passed on and the worker discarded', async () => {
    const worker = kept();
    expect(await worker.call((remote) => remote.count(), running())).toBe(1);
    await expect(worker.call((remote) => remote.fail('other'), running())).rejects.toThrow('the kernel broke');
    expect(spawned[0].terminated).toBe(true);
    expect(await worker.call((remote) => remote.count(), running())).toBe(1);
    expect(spawned).toHaveLength(2);
  });

  it("a worker that crashes mid-call rejects with the worker's message and is discarded", async () => {
    const worker = kept();
    const call = worker.call((remote) => remote.slow(1), running());
    await settle();
    spawned[0].crash('Uncaught SyntaxError: Unexpected token');
    await expect(call).rejects.toThrow(new Error('the test worker failed: Uncaught SyntaxError: Unexpected token'));
    expect(spawned[0].terminated).toBe(true);
    expect(worker.alive).toBe(false);
    expect(await worker.call((remote) => remote.count(), running())).toBe(1);
  });

  it('a call made while another runs gets a worker of its own, terminated when it settles; the kept worker stays', async () => {
    const worker = kept();
    const first = worker.call((remote) => remote.slow(5), running());
    const second = worker.call((remote) => remote.count(), running());
    expect(await second).toBe(1); // a fresh worker's first call
    expect(spawned).toHaveLength(2);
    expect(spawned[1].terminated).toBe(true);
    release();
    expect(await first).toBe(5);
    expect(await worker.call((remote) => remote.count(), running())).toBe(2); // the kept worker's second call
    expect(spawned[0].terminated).toBe(false);
  });

  it('passes progress through a proxy of reportProgress', async () => {
    const worker = kept();
    const fractions: number[] = [];
    const result = await worker.call((remote, onProgress) => remote.progress(4, onProgress), {
      signal: new AbortController().signal,
      reportProgress: (fraction) => fractions.push(fraction),
    });
    expect(result).toBe(4);
    await settle();
    expect(fractions).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('closes an idle worker after its idle time, not before; a call in between restarts the clock', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const worker = kept(60_000);
    const call = worker.call((remote) => remote.count(), running());
    // The channel's messages are not timers: let them through while the clock stands still.
    await vi.waitFor(() => expect(spawned).toHaveLength(1));
    expect(await call).toBe(1);
    vi.advanceTimersByTime(59_999);
    expect(worker.alive).toBe(true);
    expect(await worker.call((remote) => remote.count(), running())).toBe(2);
    vi.advanceTimersByTime(59_999);
    expect(worker.alive).toBe(true);
    vi.advanceTimersByTime(1);
    expect(worker.alive).toBe(false);
    expect(spawned[0].terminated).toBe(true);
  });

  it('rejects an idle time that is not positive', () => {
    expect(() => keptWorker('test', () => new ChannelWorker(testEndpoint()).asWorker(), { idleMs: 0 })).toThrow(
      new RangeError('idleMs must be a positive number of milliseconds (or Infinity), got 0'),
    );
  });
});
