// The playback worker's endpoint gives the page exactly what `playbackReplicate` gave when it ran
// on the main thread: same seed and replicate → the same windows, decisions and outcome, and the
// result is plain data (it crosses the thread by structured clone unchanged).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { playbackReplicate } from '../../src/sim/playbackReplicate.ts';
import { prepareSimulation, runOne } from '../../src/sim/runner.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import type { PlaybackRequest } from '../../workers/playbackEndpoint.ts';
import { playbackEndpoint } from '../../workers/playbackEndpoint.ts';

const parsed = parseScenario(JSON.parse(readFileSync(new URL('../../scenarios/error-regression.json', import.meta.url), 'utf8')));
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const scenario = parsed.scenario;

describe('playback endpoint', () => {
  it('plays replicate i of the seed exactly as the page did, as plain data', () => {
    const request: PlaybackRequest = { scenario, policy: defaultPolicy(), seed: 1, replicate: 3 };
    // What crosses to the worker and back: structured clones.
    const played = structuredClone(playbackEndpoint.play(structuredClone(request)));
    const inPage = playbackReplicate(scenario, defaultPolicy(), 1, 3);
    expect(played).toStrictEqual(inPage);
    // The same replicate as the simulator's replicate 3 of seed 1 (what the lab counts).
    expect(played.outcome).toEqual(runOne(prepareSimulation(scenario, defaultPolicy(), 'window', 1), 3));
    expect(played.windows.length).toBe(played.outcome.windows);
    // What the main-thread playback showed for this rollout (error-regression.json, default
    // policy, seed 1, replicate 3; recorded with the kernel's code unchanged by the move): the
    // shadow stage's gate rolls it back after 48 h, at the 576th 5-minute window.
    expect(played.outcome).toMatchObject({ decision: 'rollback', decisionTime: 172_800, stageName: 'shadow' });
    expect(played.windows).toHaveLength(576);
    expect(played.windows.at(-1)?.decision).toBe('rollback');
    // (17,291,191 since the windowed mode draws the baseline's latency sketches from a forked
    // sub-stream for policies that read the pooled latency reference, as the default does: the
    // replicate's later Poisson draws moved by the fork's two numbers; 17,291,147 before.)
    expect(played.naive.requests).toBe(17_291_191);
  });

  it('rejects a bad replicate number with the kernel’s RangeError', () => {
    expect(() => playbackEndpoint.play({ scenario, policy: defaultPolicy(), seed: 1, replicate: -1 })).toThrow(
      new RangeError('replicate must be a whole number ≥ 0, got -1'),
    );
  });
});
