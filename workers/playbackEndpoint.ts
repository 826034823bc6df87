/**
 * The endpoint the playback worker exposes over Comlink: one simulated rollout, window by window
 * (`playbackReplicate` of src/sim), so that the Playback view never simulates on the main thread.
 */
import type { Policy } from '../src/engine/policy/policy.ts';
import type { Playback } from '../src/sim/playbackReplicate.ts';
import { playbackReplicate } from '../src/sim/playbackReplicate.ts';
import type { Scenario } from '../src/sim/scenario.ts';

/** One rollout to play: replicate `replicate` of seed `seed` of `policy` in `scenario` (plain data). */
export interface PlaybackRequest {
  /** A scenario as returned by `parseScenario` (already validated). */
  scenario: Scenario;
  policy: Policy;
  seed: number;
  replicate: number;
}

/** What the worker serves. */
export interface PlaybackEndpoint {
  /** `playbackReplicate(scenario, policy, seed, replicate)`; its RangeError for a bad replicate number. */
  play(request: PlaybackRequest): Playback;
}

/** The endpoint (also callable in-process: the worker adds nothing to the result). */
export const playbackEndpoint: PlaybackEndpoint = {
  play: ({ scenario, policy, seed, replicate }) => playbackReplicate(scenario, policy, seed, replicate),
};
