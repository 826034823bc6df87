/**
 * Node `worker_threads` entry of the tuning workers (compiled to
 * `dist/workers/tuning.node-worker.js`, started by `nodePool.ts`): serves the tuning endpoint over
 * Comlink.
 */
import { exposeOnNodeThread } from './exposeOnNodeThread.ts';
import { createTuningEndpoint } from './tuningEndpoint.ts';

exposeOnNodeThread(createTuningEndpoint());
