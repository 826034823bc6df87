/**
 * Node `worker_threads` entry of the simulation workers (compiled to
 * `dist/workers/simulation.node-worker.js`, started by `nodePool.ts`): serves the simulation
 * endpoint over Comlink.
 */
import { exposeOnNodeThread } from './exposeOnNodeThread.ts';
import { createSimulationEndpoint } from './simulationEndpoint.ts';

exposeOnNodeThread(createSimulationEndpoint());
