/**
 * Runs `countRollbackRules` in a dedicated Web Worker (`rollbackRules.worker.ts`): resolves with
 * the counts, rejects with an AbortError when `signal` aborts (the worker is terminated).
 */
import type { Policy } from '../../engine/policy/policy.ts';
import type { Scenario } from '../../sim/scenario.ts';
import type { RollbackRuleCounts } from './firstRollbackRules.ts';

/** What the worker is asked: replicates 0 … replicates − 1 of `policy` in `scenario`. */
export interface RollbackRulesRequest {
  scenario: Scenario;
  policy: Policy;
  seed: number;
  replicates: number;
}

/** What the worker posts back. */
export type RollbackRulesMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'result'; counts: RollbackRuleCounts }
  | { type: 'error'; message: string };

/** Counts rollbacks by rule in a Web Worker; `onProgress` gets the fraction of replicates done. */
export function rollbackRulesInWorker(
  request: RollbackRulesRequest,
  options: { signal: AbortSignal; onProgress?: (fraction: number) => void },
): Promise<RollbackRuleCounts> {
  const { signal, onProgress } = options;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new DOMException('cancelled', 'AbortError'));
      return;
    }
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    const worker = new Worker(new URL('./rollbackRules.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-rollback-rules' });
    const finish = () => {
      signal.removeEventListener('abort', stop);
      worker.terminate();
    };
    function stop() {
      finish();
      reject(new DOMException('cancelled', 'AbortError'));
    }
    signal.addEventListener('abort', stop, { once: true });
    worker.onmessage = (event: MessageEvent<RollbackRulesMessage>) => {
      const message = event.data;
      if (message.type === 'progress') {
        onProgress?.(message.fraction);
        return;
      }
      finish();
      if (message.type === 'result') resolve(message.counts);
      else reject(new Error(message.message));
    };
    worker.onerror = (event) => {
      finish();
      reject(new Error(`the rollback-rules worker failed: ${event.message || 'it did not load or crashed'}`));
    };
    worker.postMessage(request);
  });
}
