/**
 * The Playback view's rollout, simulated in a dedicated Web Worker (`playback.worker.ts`): the
 * view stays responsive while one replicate runs (a long scenario takes seconds), and a newer
 * request terminates the older one's worker. Same result as `playbackReplicate` in the page.
 */
import type { Playback } from '../src/sim/playbackReplicate.ts';
import type { WorkerTaskContext } from './callInWorker.ts';
import { callInWorker } from './callInWorker.ts';
import type { PlaybackEndpoint, PlaybackRequest } from './playbackEndpoint.ts';

export type { PlaybackRequest } from './playbackEndpoint.ts';

/** Plays `request` in a worker; rejects with `AbortError` when the task's signal aborts. */
export function playbackInWorker(request: PlaybackRequest, context: WorkerTaskContext): Promise<Playback> {
  return callInWorker<PlaybackEndpoint, Playback>(
    'playback',
    // This exact `new Worker(new URL(...), { type: 'module' })` form is what Vite detects to bundle the worker.
    () => new Worker(new URL('./playback.worker.ts', import.meta.url), { type: 'module', name: 'rollout-lab-playback' }),
    (remote) => remote.play(request) as Promise<Playback>,
    context,
  );
}
