/**
 * Browser Web Worker entry of the simulation workers (bundled by Vite as a module worker, see
 * `browserPool.ts`): serves the simulation batch endpoint over Comlink.
 */
import { expose } from 'comlink';
import { createSimulationBatchEndpoint } from './simulationBatch.ts';

expose(createSimulationBatchEndpoint());
