/**
 * Web Worker serving the peeking Monte-Carlo kernel (`sizer/peekingSimulation.ts`) over Comlink,
 * with the shard endpoint of `workers/shardEndpoint.ts` (progress, cooperative cancellation).
 */
import { expose } from 'comlink';
import { createShardEndpoint } from '../../../workers/shardEndpoint.ts';
import { peekingSimulationKernel } from '../sizer/peekingSimulation.ts';

expose(createShardEndpoint(peekingSimulationKernel));
