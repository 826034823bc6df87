/**
 * Browser Web Worker entry of the playback worker (bundled by Vite as a module worker, started by
 * `playbackInWorker.ts`): serves the playback endpoint over Comlink.
 */
import { expose } from 'comlink';
import { playbackEndpoint } from './playbackEndpoint.ts';

expose(playbackEndpoint);
