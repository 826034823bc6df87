import type { SpendingFunctionName } from '../../engine/stats/groupSequential.ts';
import type { PeekingPoint } from '../sizer/sizerModel.ts';

/** What the peeking-cost worker is asked. */
export interface PeekingRequest {
  alpha: number;
  maxLooks: number;
  spending: SpendingFunctionName;
}

/** What it answers. */
export type PeekingResponse = { ok: true; points: PeekingPoint[] } | { ok: false; message: string };

/**
 * Computes `peekingCost` in a dedicated Web Worker. Aborting the signal terminates the worker at
 * once (real cancellation, not just a dropped result) and rejects with an `AbortError`.
 * An input error is rejected as a `RangeError` carrying the engine's message.
 */
export function peekingCostInWorker(request: PeekingRequest, signal: AbortSignal): Promise<PeekingPoint[]> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new DOMException('peeking cost cancelled', 'AbortError'));
      return;
    }
    const worker = new Worker(new URL('./peekingCost.worker.ts', import.meta.url), { type: 'module' });
    const stop = () => {
      worker.terminate();
      reject(new DOMException('peeking cost cancelled', 'AbortError'));
    };
    signal.addEventListener('abort', stop, { once: true });
    worker.onmessage = (event: MessageEvent<PeekingResponse>) => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
      if (event.data.ok) resolve(event.data.points);
      else reject(new RangeError(event.data.message));
    };
    worker.onerror = (event) => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
      reject(new Error(`peeking-cost worker failed: ${event.message}`));
    };
    worker.postMessage(request);
  });
}
