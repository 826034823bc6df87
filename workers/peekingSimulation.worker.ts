/**
 * Browser Web Worker entry of the peeking Monte-Carlo workers (bundled by Vite as a module worker,
 * see `peekingSimulationInWorkers.ts`): serves the peeking endpoint over Comlink.
 */
import { expose } from 'comlink';
import { createPeekingSimulationEndpoint } from './peekingSimulationEndpoint.ts';

expose(createPeekingSimulationEndpoint());
