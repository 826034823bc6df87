/**
 * Browser Web Worker entry of the lab's exact worker (bundled by Vite as a module worker, started
 * and kept between the lab's requests by `labExactInWorker.ts`): serves the exact-curve endpoint,
 * with its kept scenarios, over Comlink.
 */
import { expose } from 'comlink';
import { labExactEndpoint } from './labExactEndpoint.ts';

expose(labExactEndpoint);
