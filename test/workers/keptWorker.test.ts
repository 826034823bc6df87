// The kept worker (workers/keptWorker.ts) with a stand-in Web Worker (channelWorker.ts): one
// worker serves call after call and keeps its state; an abort terminates it at once and the next
// call starts a fresh one; a crash rejects with the worker's message; an input error keeps the
// worker, any other error discards it; an overlapping call gets a worker of its own; an idle
// worker is closed after its idle time. With cooperative cancellation: an abort rejects at once,
// the worker that answers within the bound is kept and serves the call queued behind it; one
// that does not (a step that ignores the cancel) is terminated when the bound passes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAbortError } from '../../workers/callInWorker.ts';
import type { CancelOutcome, KeptWorker } from '../../workers/keptWorker.ts';
import { keptWorker } from '../../workers/keptWorker.ts';
import { ChannelWorker } from './channelWorker.ts';

/** A test endpoint whose state is per worker: `count` counts the calls it served. */
interface TestEndpoint {
  count(): number;
  /** Resolves with `value` when the test calls `release()` (a long computation). */
  slow(value: number): Promise<number>;
  fail(kind: 'range' | 'other'): number;
  progress(steps: number, onProgress?: (fraction: number) => void): number;
  /**
   * `steps` steps, each ending when the test calls `release()`, hearing `cancel(callId)` between
   * them (as the lab's exact endpoint does): 'cancelled', or the steps done.
   */
  stepped(steps: number, callId: number): Promise<number | 'cancelled'>;
  cancel(callId: number): void;
}

let pending: (() => void)[] = [];
/** The call ids whose cancel the endpoint has heard, in order. */
let heard: number[] = [];
const release = () => {
  for (const resolve of pending) resolve();
  pending = [];
};

function testEndpoint(): TestEndpoint {
  let calls = 0;
  const cancelled = new Set<number>();
  return {
    async stepped(steps, callId) {
      calls++;
      for (let step = 1; step <= steps; step++) {
        await new Promise<void>((resolve) => pending.push(resolve));
        if (cancelled.has(callId)) return 'cancelled';
      }
      return steps;
    },
    cancel(callId) {
      cancelled.add(callId);
      heard.push(callId);
    },
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
const cancels: CancelOutcome[] = [];
/** A kept test worker; with `cancelWithinMs` it cancels cooperatively (`cancel.send` calls the endpoint's `cancel`). */
function kept(idleMs = Number.POSITIVE_INFINITY, cancelWithinMs?: number): KeptWorker<TestEndpoint> {
  const worker = keptWorker<TestEndpoint>(
    'test',
    () => {
      const channel = new ChannelWorker(testEndpoint());
      spawned.push(channel);
      return channel.asWorker();
    },
    {
      idleMs,
      ...(cancelWithinMs === undefined
        ? {}
        : {
            cancel: {
              send: (remote, callId) => remote.cancel(callId),
              withinMs: cancelWithinMs,
              onCancelSettled: (outcome) => void cancels.push(outcome),
            },
          }),
    },
  );
  workers.push(worker);
  return worker;
}
const running = () => ({ signal: new AbortController().signal });
/**
 * Waits until the endpoint is in a step (a `slow` or `stepped` call is waiting on `release()`).
 * A MessageChannel's message is not ordered against a timer, so waiting one `setTimeout(0)` is
 * not enough on a loaded machine (CI failed on that once).
 */
const inStep = () => vi.waitFor(() => expect(pending).toHaveLength(1));
/** Waits until the endpoint has heard `count` cancels. */
const heardCancels = (count: number) => vi.waitFor(() => expect(heard).toHaveLength(count));

afterEach(() => {
  cancels.splice(0);
  heard = [];
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
    await inStep(); // the endpoint is computing
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
    await inStep();
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
    // The progress proxy is a channel of its own: its messages are not ordered against the result.
    await vi.waitFor(() => expect(fractions).toEqual([0.25, 0.5, 0.75, 1]));
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
  describe('with cooperative cancellation', () => {
    /** A call of `stepped` whose signal the test aborts. */
    function steppedCall(worker: KeptWorker<TestEndpoint>, steps: number) {
      const controller = new AbortController();
      const call = worker.call((remote, _, callId) => remote.stepped(steps, callId) as Promise<number | 'cancelled'>, {
        signal: controller.signal,
      });
      return { call, abort: () => controller.abort() };
    }

    it('an abort rejects at once; the worker hears the cancel at its next step, is kept, and serves the call queued behind it', async () => {
      const worker = kept(Number.POSITIVE_INFINITY, 60_000);
      const { call, abort } = steppedCall(worker, 5);
      await inStep(); // the endpoint is in its first step
      abort();
      const error = await call.catch((reason: unknown) => reason);
      expect(isAbortError(error)).toBe(true);
      expect(worker.alive).toBe(true);
      // The next call waits for the cancelled one, on the same worker.
      const next = worker.call((remote) => remote.count(), running());
      await heardCancels(1);
      expect(cancels).toEqual([]);
      release(); // the step ends; the endpoint finds the cancel and answers 'cancelled'
      expect(await next).toBe(2); // the kept worker's second call: its state is kept
      expect(spawned).toHaveLength(1);
      expect(spawned[0].terminated).toBe(false);
      expect(cancels.map((outcome) => outcome.kept)).toEqual([true]);
    });

    it('a step that ignores the cancel past the bound gets the worker terminated; the queued call runs on a fresh one', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const worker = kept(Number.POSITIVE_INFINITY, 200);
      const controller = new AbortController();
      // `slow` never looks for a cancel (a runaway or very long step).
      const call = worker.call((remote) => remote.slow(7), { signal: controller.signal });
      await vi.waitFor(() => expect(pending).toHaveLength(1));
      controller.abort();
      expect(isAbortError(await call.catch((reason: unknown) => reason))).toBe(true);
      const next = worker.call((remote) => remote.count(), running());
      // The bound is the only clock here (fake): before it passes the worker stands, computing.
      vi.advanceTimersByTime(199);
      expect(spawned).toHaveLength(1);
      expect(spawned[0].terminated).toBe(false);
      vi.advanceTimersByTime(1);
      expect(spawned[0].terminated).toBe(true);
      expect(await next).toBe(1); // a fresh worker's first call
      expect(spawned).toHaveLength(2);
      expect(cancels.map((outcome) => outcome.kept)).toEqual([false]);
      expect(worker.alive).toBe(true);
    });

    it('a call that ends with its result before it hears the cancel keeps the worker too', async () => {
      const worker = kept(Number.POSITIVE_INFINITY, 60_000);
      const { call, abort } = steppedCall(worker, 1);
      await inStep();
      abort();
      release();
      expect(isAbortError(await call.catch((reason: unknown) => reason))).toBe(true);
      expect(await worker.call((remote) => remote.count(), running())).toBe(2);
      expect(spawned).toHaveLength(1);
      expect(cancels.map((outcome) => outcome.kept)).toEqual([true]);
    });

    it('a worker that crashes while cancelling is discarded; the queued call runs on a fresh one', async () => {
      const worker = kept(Number.POSITIVE_INFINITY, 60_000);
      const { call, abort } = steppedCall(worker, 5);
      await inStep();
      abort();
      await call.catch(() => undefined);
      const next = worker.call((remote) => remote.count(), running());
      spawned[0].crash('Uncaught RangeError: Maximum call stack size exceeded');
      expect(await next).toBe(1);
      expect(spawned).toHaveLength(2);
      expect(spawned[0].terminated).toBe(true);
      expect(cancels.map((outcome) => outcome.kept)).toEqual([false]);
    });

    it('a queued call whose own signal aborts rejects without waiting, and starts nothing', async () => {
      const worker = kept(Number.POSITIVE_INFINITY, 60_000);
      const { call, abort } = steppedCall(worker, 5);
      await inStep();
      abort();
      await call.catch(() => undefined);
      const controller = new AbortController();
      const queued = worker.call((remote) => remote.count(), { signal: controller.signal });
      controller.abort();
      expect(isAbortError(await queued.catch((reason: unknown) => reason))).toBe(true);
      await heardCancels(1);
      release();
      expect(await worker.call((remote) => remote.count(), running())).toBe(2); // the queued call never ran
      expect(spawned).toHaveLength(1);
    });

    it("a bound given as a function is asked at the abort with the worker's first call's time (undefined before one is in)", async () => {
      const asked: (number | undefined)[] = [];
      const worker = keptWorker<TestEndpoint>(
        'test',
        () => {
          const channel = new ChannelWorker(testEndpoint());
          spawned.push(channel);
          return channel.asWorker();
        },
        {
          idleMs: Number.POSITIVE_INFINITY,
          cancel: {
            send: (remote, callId) => remote.cancel(callId),
            withinMs: (firstCallMs) => {
              asked.push(firstCallMs);
              return 60_000;
            },
            onCancelSettled: (outcome) => void cancels.push(outcome),
          },
        },
      );
      workers.push(worker);
      // The first call is cancelled: it says nothing of a fresh worker's cost.
      const first = steppedCall(worker, 5);
      await inStep();
      first.abort();
      await first.call.catch(() => undefined);
      await heardCancels(1);
      release();
      expect(await worker.call((remote) => remote.count(), running())).toBe(2);
      const second = steppedCall(worker, 5);
      await inStep();
      second.abort();
      await second.call.catch(() => undefined);
      await heardCancels(2);
      release();
      expect(await worker.call((remote) => remote.count(), running())).toBe(4);
      expect(asked).toEqual([undefined, undefined]);
      // A fresh worker whose first call completes: the next cancel's bound is asked with its time.
      worker.close();
      expect(await worker.call((remote) => remote.count(), running())).toBe(1);
      const third = steppedCall(worker, 5);
      await inStep();
      third.abort();
      await third.call.catch(() => undefined);
      expect(asked).toHaveLength(3);
      expect(asked[2]).toBeGreaterThanOrEqual(0);
      expect(cancels.map((outcome) => [outcome.kept, outcome.withinMs])).toEqual([
        [true, 60_000],
        [true, 60_000],
      ]);
    });

    it('rejects a bound that is not a finite number of milliseconds', () => {
      expect(() =>
        keptWorker<TestEndpoint>('test', () => new ChannelWorker(testEndpoint()).asWorker(), {
          idleMs: 1000,
          cancel: { send: (remote, callId) => remote.cancel(callId), withinMs: Number.NaN },
        }),
      ).toThrow(new RangeError('cancel.withinMs must be a finite number of milliseconds ≥ 0, got NaN'));
    });
  });
});
