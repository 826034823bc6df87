/**
 * Browser Web Worker entry of the simulation workers (bundled by Vite as a module worker, see
 * `browserPool.ts`): serves the simulation endpoint over Comlink.
 */
import { expose } from 'comlink';
import { createSimulationEndpoint } from './simulationEndpoint.ts';

expose(createSimulationEndpoint());
