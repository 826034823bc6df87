/**
 * Browser Web Worker entry of the peeking-cost worker (bundled by Vite as a module worker, started
 * by `peekingCostInWorker.ts`): serves the peeking-cost endpoint over Comlink.
 */
import { expose } from 'comlink';
import { peekingCostEndpoint } from './peekingCostEndpoint.ts';

expose(peekingCostEndpoint);
