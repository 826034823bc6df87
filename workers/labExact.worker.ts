/**
 * Browser Web Worker entry of the lab's exact worker (bundled by Vite as a module worker, started
 * by `labExactInWorker.ts`): serves the exact-curve endpoint over Comlink.
 */
import { expose } from 'comlink';
import { labExactEndpoint } from './labExactEndpoint.ts';

expose(labExactEndpoint);
