/**
 * Runs the auto-tuner in a dedicated Web Worker (`tune.worker.ts`, bundled by Vite as a module
 * worker), with progress and real cancellation.
 */
import type { TuneProgress, TuneResult } from '../src/sim/tune.ts';
import type { TuneMessage, TuneRequest } from './tuneRequest.ts';

export type { TuneRequest } from './tuneRequest.ts';

/**
 * Tunes `request` in a new Web Worker. `onProgress` receives the tuner's progress after every
 * simulated candidate. Aborting `signal` terminates the worker at once and rejects with an
 * `AbortError`; the tuner's input errors are rejected as `RangeError`s with its message.
 */
export function tuneInWorker(request: TuneRequest, options: { signal: AbortSignal; onProgress?: (progress: TuneProgress) => void }): Promise<TuneResult> {
  const { signal, onProgress } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new DOMException('tuning cancelled', 'AbortError'));
      return;
    }
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    const worker = new Worker(new URL('./tune.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-tune' });
    const finish = () => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
    };
    function stop() {
      finish();
      reject(new DOMException('tuning cancelled', 'AbortError'));
    }
    signal.addEventListener('abort', stop, { once: true });
    worker.onmessage = (event: MessageEvent<TuneMessage>) => {
      const message = event.data;
      if (message.type === 'progress') {
        onProgress?.(message.progress);
        return;
      }
      finish();
      if (message.type === 'result') resolve(message.result);
      else reject(message.rangeError ? new RangeError(message.message) : new Error(message.message));
    };
    worker.onerror = (event) => {
      finish();
      reject(new Error(`the tuning worker failed: ${event.message || 'it did not load or crashed'}`));
    };
    worker.postMessage(request);
  });
}
