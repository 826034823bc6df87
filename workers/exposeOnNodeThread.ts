/**
 * Exposes an object over Comlink from inside a Node `worker_threads` worker, through Comlink's
 * Node adapter (`comlink/dist/esm/node-adapter.mjs` in comlink 4.4.2: it maps `parentPort`'s
 * `on('message')` to the `addEventListener('message')` Comlink expects).
 */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

/** Serves `endpoint` to the thread that started this worker; throws outside a worker thread. */
export function exposeOnNodeThread(endpoint: object): void {
  if (parentPort === null) throw new Error('exposeOnNodeThread must run inside a worker_threads worker');
  expose(endpoint, nodeEndpoint(parentPort));
}
