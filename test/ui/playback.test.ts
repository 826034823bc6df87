import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { metricLimit, playbackReplicate, pooledZ } from '../../src/sim/playbackReplicate.ts';
import { prepareSimulation, runOne } from '../../src/sim/runner.ts';
import { PlaybackClock } from '../../src/ui/controllers/playbackClock.ts';
import { labPolicy } from '../../src/ui/lab/labPolicy.ts';
import type { LabSettings } from '../../src/ui/lab/labSettings.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { labScenarios } from '../../src/ui/lab/labWorlds.ts';
import {
  abRatesPlot,
  abRatesTitle,
  abZPlot,
  errorRatioPlot,
  errorRatioTitle,
  metricPanelPlot,
  shadowAgreementPlot,
  shadowAgreementTitle,
  trafficSplitPlot,
  trafficSplitTitle,
} from '../../src/ui/plots/playbackPlots.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

const settings: LabSettings = { ...readLabSettings(initialState(labSchema)), requestsPerSecond: 200, 'timeoutRate.maxRatio': 10 };

describe('playbackReplicate', () => {
  const { healthy, regressed } = labScenarios(settings);
  const policy = labPolicy(settings);

  it('is replicate i of the seed, window by window, and ends with its decision', () => {
    for (const [scenario, replicate] of [
      [healthy, 0],
      [healthy, 3],
      [regressed, 1],
    ] as const) {
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
    expect(playback.windows[0]).toMatchObject({
      startHours: 0,
      candidateShare: 0,
      trueControlErrorRate: 0.01,
      trueCandidateErrorRate: 0.03,
    });
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

describe('every metric against its threshold', () => {
  const policy = labPolicy(settings);
  const playback = playbackReplicate(labScenarios(settings).healthy, policy, 7, 0);
  const firstOf = (kind: string) => playback.windows.find((w) => w.stage.startsWith(kind))!;

  it('reads each metric against the historical baseline, with the stage rule’s limit', () => {
    const canary = firstOf('canary');
    // Default policy: error ≤ 2×, p95 ≤ 1.5×, p50 ≤ 1.2×, timeout ≤ 10× (this test's setting) the historical baseline.
    const { errorRate, latencyP95, latencyP50, timeoutRate } = canary.metrics;
    expect(errorRate.reference).toBeGreaterThan(0);
    expect(errorRate.limit).toBeCloseTo(2 * errorRate.reference!, 15);
    expect(latencyP95.limit).toBeCloseTo(1.5 * latencyP95.reference!, 12);
    expect(latencyP50.limit).toBeCloseTo(1.2 * latencyP50.reference!, 12);
    expect(timeoutRate.limit).toBe(10 * timeoutRate.reference!);
    // The candidate's values are the window's own.
    expect(errorRate.candidate).toBe(canary.candidateErrorRate);
    // The baseline stage has no candidate and no rule.
    expect(playback.windows[0].metrics.errorRate).toMatchObject({ candidate: null, limit: null });
  });

  it('shows the shadow gates against control’s totals so far, and the agreement against its gate', () => {
    const shadow = firstOf('shadow');
    expect(shadow.metrics.errorRate.limit).toBeCloseTo(2 * shadow.metrics.errorRate.reference!, 15);
    expect(shadow.metrics.latencyP95.limit).toBeCloseTo(1.5 * shadow.metrics.latencyP95.reference!, 12);
    expect(shadow.metrics.latencyP50.limit).toBeNull();
    expect(shadow.shadow).toMatchObject({ minAgreement: 0.85 });
    // identical-candidate.json: the candidate agrees with control 95% of the time.
    const last = playback.windows.filter((w) => w.shadow).at(-1)!;
    expect(last.shadow!.agreement).toBeGreaterThan(0.93);
    expect(last.shadow!.agreement).toBeLessThan(0.97);
    expect(playback.windows[0].shadow).toBeNull();
  });

  it('takes the lowest of the ratio and absolute limits, ignoring statistical rules', () => {
    const rules = [
      { type: 'ratio' as const, metric: 'latencyP95' as const, maxRatio: 1.5 },
      { type: 'absolute' as const, metric: 'latencyP95' as const, max: 500 },
      { type: 'statistical' as const, metric: 'errorRate' as const, minimumEffect: 0.01, method: 'alwaysValid' as const },
    ];
    expect(metricLimit(rules, 'latencyP95', 400)).toBe(500);
    expect(metricLimit(rules, 'latencyP95', 300)).toBe(450);
    expect(metricLimit(rules, 'latencyP95', null)).toBe(500);
    expect(metricLimit(rules, 'errorRate', 0.01)).toBeNull();
  });

  it('computes the pooled two-proportion z', () => {
    // statsmodels 0.13.5 proportions_ztest([460, 500], [1000, 1000]) (candidate first, control second) → z = -1.7902871850985813.
    expect(pooledZ(500, 1000, 460, 1000)).toBeCloseTo(-1.7902871850985813, 12);
    expect(pooledZ(0, 0, 5, 10)).toBeNull();
    expect(pooledZ(0, 10, 0, 10)).toBeNull();
  });

  it('builds titled, labelled panel specs with the candidate, the reference and the threshold line', () => {
    const position = playback.windows.indexOf(firstOf('canary'));
    const p95 = metricPanelPlot(playback.windows, position, 'latencyP95');
    expect(p95.title).toBe('p95 latency: candidate against its reference and limit');
    expect(p95.y).toMatchObject({ label: 'p95 latency (ms)', zero: true });
    expect(p95.x).toMatchObject({ label: 'Hours since the rollout began' });
    const marks = p95.marks as unknown as { ariaDescription?: string; data: { value: number | undefined }[] }[];
    expect(marks.map((mark) => mark.ariaDescription)).toEqual(['reference', 'threshold', 'candidate']);
    expect(marks[1].data.at(-1)!.value).toBeCloseTo(1.5 * playback.windows[position].metrics.latencyP95.reference!, 12);
    expect(marks[1].data[0].value).toBeUndefined();
    expect(metricPanelPlot(playback.windows, position, 'errorRate').y).toMatchObject({ label: 'Error rate', tickFormat: '.1%' });
    const agreement = shadowAgreementPlot(playback.windows, position);
    expect(agreement.title).toBe(shadowAgreementTitle);
    expect((agreement.marks![0] as unknown as { data: number[] }).data).toEqual([0.85]);
  });

  it('reads the A/B test so far: each arm’s success rate and z', () => {
    const withAb = playbackReplicate(
      labScenarios({ ...settings, 'errorRate.maxRatio': 50, 'latencyP50.maxRatio': 50, 'latencyP95.maxRatio': 50 }).healthy,
      labPolicy({ ...settings, 'errorRate.maxRatio': 50, 'latencyP50.maxRatio': 50, 'latencyP95.maxRatio': 50 }),
      7,
      0,
    );
    const abWindows = withAb.windows.filter((w) => w.ab);
    expect(abWindows.length).toBeGreaterThan(0);
    const last = abWindows.at(-1)!;
    // identical-candidate.json: both arms 90% accurate.
    expect(last.ab!.controlRate).toBeGreaterThan(0.85);
    expect(last.ab!.candidateRate).toBeGreaterThan(0.85);
    expect(Math.abs(last.ab!.z!)).toBeLessThan(5);
    const position = withAb.windows.indexOf(last);
    expect(abRatesPlot(withAb.windows, position)).toMatchObject({ title: abRatesTitle, y: { label: 'Success rate' } });
    expect((abZPlot(withAb.windows, position).marks![0] as unknown as { data: number[] }).data).toEqual([-1.96, 1.96]);
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
