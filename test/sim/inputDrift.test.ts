/**
 * Input-distribution drift (src/sim/inputDrift.ts): the windows' input bin counts in both fidelity
 * modes, PSI from those counts against the analytic PSI of binned normals, the agreement of the
 * modes, the accuracy link, and `ArmWindow.inputs` at the engine's edge.
 */
import { describe, expect, it } from 'vitest';
import { binnedPsi, numericPsi } from '../../src/engine/analysis/drift.ts';
import type { ArmWindow, WindowMetrics } from '../../src/engine/metrics/windowMetrics.ts';
import { mergeWindowMetrics, parseWindowMetrics } from '../../src/engine/metrics/windowMetrics.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import { chiSquareSf } from '../../src/engine/stats/distributions.ts';
import { twoSampleKsTest } from '../../src/engine/stats/kolmogorov.ts';
import { inputBinProbabilities, multinomialCounts } from '../../src/sim/inputDrift.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import type { FidelityMode, WindowRequest } from '../../src/sim/windowRequest.ts';
import { orderStatisticsWindows } from '../../src/sim/windowsOrderStatistics.ts';
import { perRequestWindows } from '../../src/sim/windowsPerRequest.ts';
import type { World } from '../../src/sim/world.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../../src/sim/world.ts';

const WEEK = 7 * 86400;
const model = { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: 0.01, accuracy: 0.9 };

// scipy 1.10.1, scripts/reference/inputDrift.py: shares of N(0.5, 1) on the deciles of N(0, 1)
// (np.diff(norm.cdf(norm.ppf(k/10) − 0.5)) with 0 and 1 at the ends) and their PSI against 0.1 each.
const SHIFTED_SHARES = [
  0.037411194400060126, 0.05244822452330639, 0.06296365102928803, 0.07279761032845966, 0.08291685844487268, 0.0940508928755327,
  0.10714499871517291, 0.12394859192391194, 0.14907889733209034, 0.21723908042730522,
];
const PSI_HALF_SD = 0.2377492046862759; // scipy 1.10.1, scripts/reference/inputDrift.py psi(0.5, 1.0)

function world(): World {
  const parsed = parseScenario({
    version: 1,
    name: 'input drift',
    horizon: '100d',
    traffic: { requestsPerSecond: 10, users: { count: 5000 } },
    control: model,
    candidate: model,
    inputs: {
      // 0.5 sd of mean shift over 12 weeks.
      score: { kind: 'normal', mean: 50, sd: 10, shiftPerWeek: 0.5 / 12, accuracyLossPerSd: { candidate: 0.02 } },
      promptLength: { kind: 'lognormal', median: 300, sigma: 0.7, shiftPerWeek: 0.5 / 12 },
      language: { kind: 'categorical', mix: { en: 0.8, de: 0.2 }, target: { en: 0.5, de: 0.5 }, over: '30d' },
    },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compileWorld(parsed.scenario, 'inputs');
}

/** `count` windows of 5 minutes whose midpoint is `middle` (s), 50% of users on the candidate. */
function windowsAt(compiled: World, mode: FidelityMode, middle: number, count: number, seed: number): WindowMetrics[] {
  const random = streamFor(seed, 0, mode);
  const generator = mode === 'window' ? orderStatisticsWindows(compiled, random) : perRequestWindows(compiled, random);
  const control = emptyConditions();
  const candidate = emptyConditions();
  conditionsAt(compiled, middle, 0, control, candidate);
  const request: WindowRequest = {
    start: middle - 150,
    duration: 300,
    stageKind: 'canary',
    candidateShare: 0.5,
    mirrorShare: 0,
    needsLatency: false,
    needsOutcomes: false,
    needsSegments: false,
    control,
    candidate,
    candidateWorse: false,
  };
  return Array.from({ length: count }, () => generator.next(request));
}

function arms(windows: WindowMetrics[]): ArmWindow[] {
  return windows.flatMap((window) => [window.control, window.candidate].filter((arm): arm is ArmWindow => arm !== undefined));
}

function pooled(windows: WindowMetrics[], feature: string): number[] {
  const total = new Array<number>(arms(windows)[0].inputs![feature].length).fill(0);
  for (const arm of arms(windows)) arm.inputs![feature].forEach((count, k) => (total[k] += count));
  return total;
}

describe('input drift', () => {
  const compiled = world();

  it('bins a shifted normal on the reference deciles as scipy does', () => {
    const shares = inputBinProbabilities(compiled.scenario.inputs!.score, 12 * WEEK, new Float64Array(10));
    shares.forEach((share, k) => expect(share).toBeCloseTo(SHIFTED_SHARES[k], 12));
    // The category mix moves linearly: halfway through its 30 days, 0.65 / 0.35.
    const mix = inputBinProbabilities(compiled.scenario.inputs!.language, 15 * 86400, new Float64Array(2));
    expect(mix[0]).toBeCloseTo(0.65, 14);
    expect(mix[1]).toBeCloseTo(0.35, 14);
  });

  for (const mode of ['window', 'request'] as const) {
    it(`${mode} mode: bin counts sum to each arm's requests, and PSI from the bins grows to the analytic value`, () => {
      const reference = windowsAt(compiled, mode, 150, 100, 1);
      for (const arm of arms(reference)) {
        for (const counts of Object.values(arm.inputs!)) expect(counts.reduce((a, b) => a + b, 0)).toBe(arm.requests);
      }
      const psiAt = (weeks: number) =>
        binnedPsi(pooled(reference, 'score'), pooled(windowsAt(compiled, mode, weeks * WEEK, 100, 2 + weeks), 'score')).psi;
      const psis = [4, 8, 12].map(psiAt);
      expect(psis[0]).toBeLessThan(psis[1]);
      expect(psis[1]).toBeLessThan(psis[2]);
      // ~300,000 requests a side: the PSI's sampling sd is about 2·√(PSI/N) ≈ 0.002; 0.01 is 5 sd.
      expect(psis[2]).toBeGreaterThan(PSI_HALF_SD - 0.01);
      expect(psis[2]).toBeLessThan(PSI_HALF_SD + 0.01);
      // The lognormal feature drifts by the same reference sds: the same PSI law.
      const lognormal = binnedPsi(
        pooled(reference, 'promptLength'),
        pooled(windowsAt(compiled, mode, 12 * WEEK, 100, 40), 'promptLength'),
      ).psi;
      expect(Math.abs(lognormal - PSI_HALF_SD)).toBeLessThan(0.01);
      // Shares at 12 weeks within 4 standard errors of the binned normal's.
      const current = pooled(windowsAt(compiled, mode, 12 * WEEK, 100, 50), 'score');
      const n = current.reduce((a, b) => a + b, 0);
      current.forEach((count, k) =>
        expect(Math.abs(count / n - SHIFTED_SHARES[k])).toBeLessThan(4 * Math.sqrt((SHIFTED_SHARES[k] * (1 - SHIFTED_SHARES[k])) / n)),
      );
      // The categorical mix at day 15, likewise.
      const language = pooled(windowsAt(compiled, mode, 15 * 86400, 50, 60), 'language');
      const m = language[0] + language[1];
      expect(Math.abs(language[0] / m - 0.65)).toBeLessThan(4 * Math.sqrt((0.65 * 0.35) / m));
    });
  }

  it('the two modes agree: pooled bin counts (χ² homogeneity) and the per-window counts of the top bin (KS)', () => {
    const window = windowsAt(compiled, 'window', 12 * WEEK, 200, 7);
    const request = windowsAt(compiled, 'request', 12 * WEEK, 200, 8);
    const a = pooled(window, 'score');
    const b = pooled(request, 'score');
    const totalA = a.reduce((x, y) => x + y, 0);
    const totalB = b.reduce((x, y) => x + y, 0);
    let statistic = 0;
    for (let k = 0; k < 10; k++) {
      const column = a[k] + b[k];
      const expectedA = (column * totalA) / (totalA + totalB);
      const expectedB = (column * totalB) / (totalA + totalB);
      statistic += (a[k] - expectedA) ** 2 / expectedA + (b[k] - expectedB) ** 2 / expectedB;
    }
    expect(chiSquareSf(statistic, 9)).toBeGreaterThan(0.001);
    const top = (windows: WindowMetrics[]) => windows.map((w) => w.candidate!.inputs!.score[9]);
    expect(twoSampleKsTest(top(window), top(request)).pValue).toBeGreaterThan(0.001);
  });

  it('draws multinomial counts with the right means', () => {
    const random = streamFor(3, 0);
    const p = Float64Array.from(SHIFTED_SHARES);
    const total = new Array<number>(10).fill(0);
    const into = new Array<number>(10);
    for (let i = 0; i < 2000; i++) multinomialCounts(random, 500, p, 10, into).forEach((count, k) => (total[k] += count));
    const n = 2000 * 500;
    expect(total.reduce((a, b) => a + b, 0)).toBe(n);
    total.forEach((count, k) => expect(Math.abs(count / n - p[k])).toBeLessThan(4 * Math.sqrt((p[k] * (1 - p[k])) / n)));
  });

  it('links accuracy to the shift: the candidate loses 0.02 per sd, 0.01 after 12 weeks', () => {
    const control = emptyConditions();
    const candidate = emptyConditions();
    conditionsAt(compiled, 12 * WEEK, 0, control, candidate);
    expect(control.accuracy).toBe(0.9);
    expect(candidate.accuracy).toBeCloseTo(0.89, 12);
    expect(compiled.timeInvariant).toBe(false);
  });

  it('leaves windows without inputs when the scenario has none', () => {
    const parsed = parseScenario({ version: 1, name: 'plain', traffic: { requestsPerSecond: 10 }, control: model, candidate: model });
    if (!parsed.ok) throw new Error('invalid');
    const plain = compileWorld(parsed.scenario, 'inputs');
    for (const mode of ['window', 'request'] as const) {
      for (const arm of arms(windowsAt(plain, mode, 150, 3, 1))) expect(arm.inputs).toBeUndefined();
    }
  });
});

describe('binned PSI and ArmWindow.inputs', () => {
  it("binnedPsi on numericPsi's bin counts gives numericPsi", () => {
    const random = streamFor(5, 0);
    const reference = Array.from({ length: 500 }, () => random());
    const current = Array.from({ length: 400 }, () => random() ** 1.3);
    const raw = numericPsi(reference, current);
    const binned = binnedPsi(
      raw.bins.map((bin) => bin.referenceCount),
      raw.bins.map((bin) => bin.currentCount),
    );
    expect(binned.psi).toBe(raw.psi);
    expect(() => binnedPsi([1, 2], [1, 2, 3])).toThrow('currentCounts must have as many bins as referenceCounts (2), got 3');
    expect(() => binnedPsi([1, 2.5], [1, 2])).toThrow('referenceCounts[1] must be a whole number ≥ 0, got 2.5');
    expect(() => binnedPsi([0, 0], [1, 2])).toThrow('referenceCounts must have a positive total');
    expect(() => binnedPsi([3], [1])).toThrow('referenceCounts must have at least 2 bins, got 1');
  });

  it('parseWindowMetrics accepts input bin counts and rejects bad ones; merging sums them', () => {
    const window = { startTime: 0, duration: 300, control: { requests: 5, errors: 0, timeouts: 0, inputs: { score: [1, 2, 2] } } };
    expect(parseWindowMetrics(window)).toEqual({ ok: true, window });
    const bad = parseWindowMetrics({
      startTime: 0,
      duration: 300,
      control: { requests: 5, errors: 0, timeouts: 0, inputs: { score: [1, -2], other: [] } },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors).toEqual([
        { path: 'control.inputs.score[1]', message: 'must be at least 0, got -2' },
        { path: 'control.inputs.other', message: 'must be a non-empty array of bin counts, got []' },
      ]);
    }
    const merged = mergeWindowMetrics([
      window,
      { ...window, startTime: 300, control: { ...window.control, inputs: { score: [0, 4, 1] } } },
    ]);
    expect(merged.control!.inputs).toEqual({ score: [1, 6, 3] });
  });
});
