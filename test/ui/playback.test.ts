import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { runOne, prepareSimulation } from '../../src/sim/runner.ts';
import { PlaybackClock } from '../../src/ui/controllers/playbackClock.ts';
import { labPolicy, labScenarios, type LabSettings } from '../../src/ui/lab/labModel.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { playbackReplicate } from '../../src/ui/playback/playbackModel.ts';
import { errorRatioPlot, errorRatioTitle, trafficSplitPlot, trafficSplitTitle } from '../../src/ui/plots/playbackPlots.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

const settings: LabSettings = { ...readLabSettings(initialState(labSchema)), requestsPerSecond: 200, timeoutRatio: 10 };

describe('playbackReplicate', () => {
  const { healthy, regressed } = labScenarios(settings);
  const policy = labPolicy(settings);

  it('is replicate i of the seed, window by window, and ends with its decision', () => {
    for (const [scenario, replicate] of [[healthy, 0], [healthy, 3], [regressed, 1]] as const) {
      const playback = playbackReplicate(scenario, policy, 7, replicate);
      // The same replicate as a `simulate` run draws: identical outcome.
      expect(playback.outcome).toEqual(runOne(prepareSimulation(scenario, policy, 'window', 7), replicate));
      expect(playback.windows).toHaveLength(playback.outcome.windows);
      const last = playback.windows.at(-1)!;
      expect(last.decision).toBe(playback.outcome.decision);
      expect(last.endHours * 3600).toBe(playback.outcome.decisionTime);
      expect(last.reasons.length).toBeGreaterThan(0);
      // Windows are contiguous.
      playback.windows.forEach((w, i) => i > 0 && expect(w.startHours).toBeCloseTo(playback.windows[i - 1].endHours, 12));
    }
  });

  it('walks the stages in order, and compares with a naive instant rollout on the same traffic', () => {
    const playback = playbackReplicate(regressed, policy, 7, 1);
    const stages = [...new Set(playback.windows.map((w) => w.stage))];
    expect(stages.slice(0, 2)).toEqual(['baseline', 'shadow']);
    expect(playback.windows[0]).toMatchObject({ startHours: 0, candidateShare: 0, trueControlErrorRate: 0.01, trueCandidateErrorRate: 0.03 });
    const served = playback.windows.reduce((sum, w) => sum + w.servedRequests, 0);
    expect(playback.naive.requests).toBe(served);
    // Σ requests × 3% against Σ requests × 1%: the regression triples the failures.
    expect(playback.naive.expectedFailures).toBeCloseTo(0.03 * served, 6);
    expect(playback.naive.controlFailures).toBeCloseTo(0.01 * served, 6);
  });

  it('rejects a bad replicate number', () => {
    expect(() => playbackReplicate(healthy, policy, 7, -1)).toThrow('replicate must be a whole number ≥ 0, got -1');
  });
});

describe('playback plots', () => {
  const playback = playbackReplicate(labScenarios(settings).healthy, labPolicy(settings), 7, 0);
  it('show the windows played so far on the whole run’s axis', () => {
    const split = trafficSplitPlot(playback.windows, 10);
    expect(split.title).toBe(trafficSplitTitle);
    expect(split.x).toMatchObject({ label: 'Hours since the rollout began', domain: [0, playback.windows.at(-1)!.endHours] });
    expect(split.y).toMatchObject({ label: 'Candidate share of traffic', domain: [0, 1] });
    expect((split.marks![0] as unknown as { data: unknown[] }).data).toHaveLength(11);
    const ratio = errorRatioPlot(playback.windows, playback.windows.length - 1, 2);
    expect(ratio.title).toBe(errorRatioTitle);
    expect(ratio.y).toMatchObject({ label: 'Error-rate ratio (candidate ÷ control)' });
    expect((ratio.marks![0] as unknown as { data: unknown[] }).data).toEqual([2]);
    // Only windows where both arms had traffic (shadow onwards) are dotted.
    const dotted = (ratio.marks![1] as unknown as { data: { errorRatio: number | null }[] }).data;
    expect(dotted.length).toBeGreaterThan(0);
    expect(dotted.every((w) => w.errorRatio !== null)).toBe(true);
  });
});

describe('PlaybackClock', () => {
  class Host implements ReactiveControllerHost {
    controllers: ReactiveController[] = [];
    updates = 0;
    addController(controller: ReactiveController) {
      this.controllers.push(controller);
    }
    removeController() {}
    requestUpdate() {
      this.updates++;
    }
    updateComplete = Promise.resolve(true);
  }
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('plays at its speed, stops at the end, steps and seeks within bounds', () => {
    const host = new Host();
    const positions: number[] = [];
    const clock = new PlaybackClock(host, (position) => positions.push(position));
    clock.load(10, 3);
    clock.speed = 2;
    clock.play();
    expect(clock.playing).toBe(true);
    vi.advanceTimersByTime(250);
    expect(clock.position).toBe(7);
    vi.advanceTimersByTime(1000);
    expect(clock.position).toBe(9);
    expect(clock.playing).toBe(false);
    expect(positions).toEqual([5, 7, 9]);
    clock.step(-1);
    clock.step(5);
    expect(clock.position).toBe(9);
    clock.seek(-4);
    expect(clock.position).toBe(0);
    // Play from the end starts over.
    clock.seek(9);
    clock.play();
    expect(clock.position).toBe(0);
    host.controllers.forEach((controller) => controller.hostDisconnected?.());
    expect(clock.playing).toBe(false);
  });
});
