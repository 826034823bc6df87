/**
 * Browser Web Worker entry of the tuning workers (bundled by Vite as a module worker, see
 * `tuneInWorker.ts`): serves the tuning endpoint over Comlink.
 */
import { expose } from 'comlink';
import { createTuningEndpoint } from './tuningEndpoint.ts';

expose(createTuningEndpoint());
