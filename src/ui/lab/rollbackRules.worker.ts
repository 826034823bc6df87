/**
 * Web Worker that counts the healthy candidate's rollbacks by rule (`countRollbackRules`) off the
 * main thread, posting progress every 10 replicates. One request per worker: the client
 * terminates the worker to cancel.
 */
import { countRollbackRules } from './firstRollbackRules.ts';
import type { RollbackRulesMessage, RollbackRulesRequest } from './rollbackRulesInWorker.ts';

const post = (message: RollbackRulesMessage) => self.postMessage(message);

self.onmessage = (event: MessageEvent<RollbackRulesRequest>) => {
  const { scenario, policy, seed, replicates } = event.data;
  try {
    const counts = countRollbackRules(scenario, policy, seed, 0, replicates, (done) => post({ type: 'progress', fraction: done / replicates }));
    post({ type: 'result', counts });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
