/**
 * The bracket of the historical baseline's latency reference (src/sim/exact/latencyBaselineBracket.ts):
 * the Chernoff bound on the request-weighted mean against an exact enumeration (scipy), the lab's
 * first-visit baseline (old union-bound bracket against the new one), and the windowed mode's
 * references, drawn as the simulator draws them, inside the bracket.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addArmWindow, emptyArmTotals, totalsMetric } from '../../../src/engine/controller/armTotals.ts';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import type { HealthMetric } from '../../../src/engine/policy/policy.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import type { BaselineReference } from '../../../src/sim/exact/checkLaw.ts';
import { healthCheckLaw } from '../../../src/sim/exact/healthCheckLaw.ts';
import type { BaselineWindowLatency } from '../../../src/sim/exact/latencyBaselineBracket.ts';
import {
  chernoffBracket,
  latencyBaselineBracket,
  ratioStepsInside,
  sweepOrderStatisticAtMost,
  unionBoundBracket,
  weightedMeanTails,
} from '../../../src/sim/exact/latencyBaselineBracket.ts';
import { bucketRepresentative, orderStatisticAtMost } from '../../../src/sim/exact/latencyLimitLaw.ts';
import { latencyModel } from '../../../src/sim/latencyModel.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import { expectedArrivals } from '../../../src/sim/traffic.ts';
import type { WindowRequest } from '../../../src/sim/windowRequest.ts';
import { orderStatisticsWindows } from '../../../src/sim/windowsOrderStatistics.ts';
import type { World } from '../../../src/sim/world.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../../../src/sim/world.ts';

/** The lab's first visit: scenarios/identical-candidate.json at 20 req/s (daily cycle ±30%). */
function labScenario(): Scenario {
  const base = JSON.parse(readFileSync('scenarios/identical-candidate.json', 'utf8'));
  const parsed = parseScenario({ ...base, traffic: { ...base.traffic, requestsPerSecond: 20 } });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

/** The default policy's baseline stage: its windows' expected arrivals and control multiplier, as baselineLaw.ts builds them. */
function baselineWindows(world: World): BaselineWindowLatency[] {
  const stage = compilePolicy(defaultPolicy()).stages[0];
  const control = emptyConditions();
  const candidate = emptyConditions();
  const windows: BaselineWindowLatency[] = [];
  for (let time = 0; time < stage.minDuration; time += stage.checkInterval) {
    conditionsAt(world, time + stage.checkInterval / 2, 0, control, candidate);
    windows.push({
      expected: expectedArrivals(world.scenario.traffic, time, time + stage.checkInterval),
      multiplier: control.latencyMultiplier,
    });
  }
  return windows;
}

/**
 * The windowed mode's baseline reference for `metric` in replicate `replicate`: the default
 * policy's 288 baseline windows drawn by `orderStatisticsWindows` and pooled by the controller's
 * own `addArmWindow`/`totalsMetric` (the request-weighted mean of the windows' reported percentiles).
 */
function windowedReference(world: World, windows: number, metrics: readonly HealthMetric[], replicate: number): number[] {
  const generator = orderStatisticsWindows(world, streamFor(43, replicate, 'baseline latency reference'));
  const totals = emptyArmTotals();
  const control = emptyConditions();
  const candidate = emptyConditions();
  for (let w = 0; w < windows; w++) {
    conditionsAt(world, w * 300 + 150, 0, control, candidate);
    const request: WindowRequest = {
      start: w * 300,
      duration: 300,
      stageKind: 'baseline',
      candidateShare: 0,
      mirrorShare: 0,
      needsLatency: true,
      needsOutcomes: false,
      needsSegments: false,
      control,
      candidate,
      candidateWorse: false,
    };
    const window = generator.next(request);
    if (window.control && window.control.requests > 0) addArmWindow(totals, window.control);
  }
  return metrics.map((metric) => totalsMetric(totals, metric));
}

describe('latency baseline bracket', () => {
  it('the sweep over n equals the incomplete beta at every count (the recurrences re-anchored every 512 counts)', () => {
    let worst = 0;
    for (const q of [0.5, 0.95, 0.99])
      for (const u of [0.3, 0.5, 0.52, 0.9, 0.95, 0.99, 0.995]) {
        const out = new Float64Array(1200);
        sweepOrderStatisticAtMost(q, u, 5400, out);
        for (let i = 0; i < out.length; i++) {
          const n = 5400 + i;
          worst = Math.max(worst, Math.abs(out[i] - orderStatisticAtMost(n, Math.floor(q * (n - 1)) + 1, u)));
        }
      }
    // Measured 1.3e-11: the incomplete beta's own relative error at a, b ~ 3,000 (its log-gamma terms).
    expect(worst).toBeLessThan(1e-10);
  });

  it('the Chernoff bound is a bound: above the exact tails of 3 windows of Λ = 50 (scipy enumeration), within the stated factors', () => {
    // Exact P(L ≥ b) and P(L ≤ a): scripts/reference/latency_baseline_bracket.py (scipy 1.x, every
    // (n, bucket) atom of each window above 1e-24 enumerated; ≤ 2.5e-22 left out per window).
    const latency = latencyModel({ kind: 'lognormal', median: 120, p95: 400 });
    const windows = [1, 2, 3].map(() => ({ expected: 50, multiplier: 1 }));
    // Blocks of one count (fraction 0): the factor of each window is its exact finite sum.
    const tails = weightedMeanTails('latencyP50', windows, latency, 1e-16, 0);
    const cases: [number, number, number][] = [
      // b, exact tail, the bound's measured ratio to it (rounded up): 4–150× above, 4–11× below.
      [130, 0.1329468566, 4.3],
      [140, 0.01821776418, 6.8],
      [150, 0.001371693045, 13.2],
      [160, 6.512241699e-5, 38.1],
      [170, 2.180713525e-6, 149],
      [110, 0.1336485863, 3.9],
      [100, 0.008987019274, 6.2],
      [90, 9.481844769e-5, 8.7],
      [85, 4.122994689e-6, 10],
    ];
    for (const [b, exact, ratio] of cases) {
      const bound = tails.tailBound(b);
      expect(bound).toBeGreaterThanOrEqual(exact);
      expect(bound / exact).toBeLessThan(ratio);
    }
    // The union bound is the tighter one for so few windows: the bracket returned is never wider than either.
    const both = latencyBaselineBracket('latencyP50', windows, latency, 1e-9);
    const union = unionBoundBracket('latencyP50', windows, latency, 1e-9);
    const chernoff = chernoffBracket('latencyP50', windows, latency, 1e-9);
    expect(both.high - both.low).toBe(Math.min(union.high - union.low, chernoff.high - chernoff.low));
    expect(both.spent).toBeLessThanOrEqual(1e-9);
  });

  it("the lab's first-visit baseline (288 windows, 20 req/s, daily cycle): the Chernoff bracket is a fraction of a bucket wide", () => {
    const world = compileWorld(labScenario(), 'lab');
    const windows = baselineWindows(world);
    expect(windows.length).toBe(288);
    // Old (union bound) and new brackets at ε = 1e-9, measured 2026-12-04:
    //   p50  [108.865, 132.969] ms (10 buckets)  →  [119.386, 120.608] ms (1.22 ms, 0.51 bucket)
    //   p95  [340.408, 478.261] ms (17 buckets)  →  [396.405, 402.822] ms (6.42 ms, 0.79 bucket)
    //   p99  [497.779, 925.355] ms (31 buckets)  →  [647.076, 665.110] ms (18.0 ms, 1.38 buckets)
    const expected: Record<string, [number, number, number, number]> = {
      latencyP50: [108.865, 132.969, 119.386, 120.608],
      latencyP95: [340.408, 478.261, 396.405, 402.822],
      latencyP99: [497.779, 925.355, 647.076, 665.11],
    };
    const bucket = Math.log(1.01 / 0.99);
    for (const metric of ['latencyP50', 'latencyP95', 'latencyP99'] as const) {
      const union = unionBoundBracket(metric, windows, world.controlLatency, 1e-9);
      const bracket = latencyBaselineBracket(metric, windows, world.controlLatency, 1e-9);
      const [oldLow, oldHigh, newLow, newHigh] = expected[metric];
      expect(union.low).toBeCloseTo(oldLow, 2);
      expect(union.high).toBeCloseTo(oldHigh, 2);
      expect(bracket.low).toBeCloseTo(newLow, 2);
      expect(bracket.high).toBeCloseTo(newHigh, 2);
      expect(bracket.spent).toBeLessThanOrEqual(1e-9);
      expect(Math.log(bracket.high / bracket.low) / bucket).toBeLessThan(1.5);
      // The normal approximation's ±6.55 sd (the Chernoff bound is near-Gaussian here): the bracket's half-width.
      const tails = weightedMeanTails(
        metric,
        windows,
        world.controlLatency,
        1e-9 / (64 * 288),
        0.02 / Math.sqrt((2 * Math.log(1e9)) / 288),
      );
      const halfWidth = (bracket.high - bracket.low) / 2;
      expect(halfWidth / tails.sd).toBeGreaterThan(6.3);
      expect(halfWidth / tails.sd).toBeLessThan(6.9);
    }
  });

  it("the windowed mode's references (1,000 replicates of the lab's baseline) fall inside the bracket, with the mean and sd the bracket's moments give", () => {
    const world = compileWorld(labScenario(), 'lab');
    const windows = baselineWindows(world);
    const metrics = ['latencyP50', 'latencyP95', 'latencyP99'] as const;
    const brackets = metrics.map((metric) => latencyBaselineBracket(metric, windows, world.controlLatency, 1e-9));
    const moments = metrics.map((metric) => weightedMeanTails(metric, windows, world.controlLatency, 1e-15, 0.05));
    const replicates = 1000;
    const sums = metrics.map(() => [0, 0]);
    for (let replicate = 0; replicate < replicates; replicate++) {
      const references = windowedReference(world, windows.length, metrics, replicate);
      references.forEach((value, m) => {
        expect(value).toBeGreaterThanOrEqual(brackets[m].low);
        expect(value).toBeLessThanOrEqual(brackets[m].high);
        sums[m][0] += value;
        sums[m][1] += value * value;
      });
    }
    metrics.forEach((_, m) => {
      const mean = sums[m][0] / replicates;
      const sd = Math.sqrt(sums[m][1] / replicates - mean * mean);
      // The sample mean within 4 standard errors of the exact mean; the sd within 10% (its standard error is ~2.2% at 1,000).
      expect(Math.abs(mean - moments[m].mean)).toBeLessThan((4 * moments[m].sd) / Math.sqrt(replicates));
      expect(sd / moments[m].sd).toBeGreaterThan(0.9);
      expect(sd / moments[m].sd).toBeLessThan(1.1);
    });
  });

  it('a bracket holding no step of the ratio rules costs nothing (the check is the same at both ends); one holding a step costs half the difference', () => {
    // The default policy's first canary (5%, p50 ≤ 1.2× and p95 ≤ 1.5× the reference) in the lab's world.
    const world = compileWorld(labScenario(), 'lab');
    const stage = compilePolicy(defaultPolicy()).stages[2];
    expect(stage.kind).toBe('canary');
    const control = emptyConditions();
    const candidate = emptyConditions();
    const start = 2 * 86400;
    conditionsAt(world, start + 150, stage.traffic, control, candidate);
    const check = (reference: BaselineReference) =>
      healthCheckLaw(world, { stage, start, duration: 300, control, candidate, candidateShare: stage.traffic }, reference);
    const point = { errorRate: 0.01, timeoutRate: 0, latencyP50: 119, latencyP95: 400, latencyP99: NaN };
    // The rules' steps in the reference: rep_j / 1.2 = 117.659, 120.036 (p50); rep_j / 1.5 = 397.302, 405.329 (p95).
    expect(bucketRepresentative(249) / 1.2).toBeCloseTo(120.036, 3);
    expect(bucketRepresentative(320) / 1.5).toBeCloseTo(397.302, 3);
    const atPoint = check(point);
    const between = check({ ...point, latencyBrackets: { latencyP50: [117.7, 120.03], latencyP95: [397.4, 405.3] } });
    expect(between.fail).toBe(atPoint.fail);
    expect(between.pass).toBe(atPoint.pass);
    expect(between.hold).toBe(atPoint.hold);
    expect(between.neglected).toBe(atPoint.neglected);
    // The lab's p50 bracket [119.386, 120.608] holds the step at 120.036 (0.43 sd above the mean
    // reference 119.996: no bracket can leave it out): the check at the two ends differs.
    const straddling = check({ ...point, latencyBrackets: { latencyP50: [119.386, 120.608], latencyP95: [397.4, 405.3] } });
    const low = check({ ...point, latencyP50: 119.386 });
    const high = check({ ...point, latencyP50: 120.608 });
    expect(high.fail).toBeLessThan(low.fail);
    const halfWidth = (low.fail - high.fail) / 2 + Math.abs(low.hold - high.hold) / 2;
    // Measured 2026-12-04: 0.00145 of probability per check (the fail probability 0.1057 at the
    // bracket's midpoint, the error ratio rule's mostly), added to `neglected` at every canary check.
    expect(straddling.fail).toBeCloseTo((low.fail + high.fail) / 2, 15);
    expect(straddling.neglected).toBeCloseTo(Math.max(low.neglected ?? 0, high.neglected ?? 0) + halfWidth, 15);
    expect(halfWidth).toBeGreaterThan(1e-3);
    expect(halfWidth).toBeLessThan(2e-3);
  });
});

describe('ratioStepsInside (what a refusal names)', () => {
  // Representatives 2γʲ/(1 + γ), γ = 1.01/0.99, computed in Python: j = 249 → 144.0435485161402
  // (÷ 1.2 = 120.03629043011684); j = 320 → 595.9537183534244 (÷ 1.5 = 397.3024789022829).
  const stages = compilePolicy(defaultPolicy()).stages;
  it("names the framework default's p50 and p95 steps inside the lab's brackets, stage by stage", () => {
    const steps = ratioStepsInside(stages, { latencyP50: [119.386, 120.608], latencyP95: [396.405, 402.822] });
    const p50 = steps.filter((step) => step.metric === 'latencyP50');
    const p95 = steps.filter((step) => step.metric === 'latencyP95');
    expect(p50.map((step) => step.stage)).toEqual(["stage 2 'canary 5%'", "stage 3 'canary 25%'", "stage 4 'ab 50%'", "stage 5 'full'"]);
    for (const step of p50) expect(step.at).toBeCloseTo(120.03629043011684, 10);
    expect(p95).toHaveLength(4);
    for (const step of p95) expect(step.at).toBeCloseTo(397.3024789022829, 10);
  });
  it('names nothing when the bracket holds no step, or the rule is absolute', () => {
    expect(ratioStepsInside(stages, { latencyP50: [120.1, 120.6] })).toEqual([]);
    const absolute = [{ index: 2, name: 'canary', rules: [{ type: 'absolute', metric: 'latencyP50' as HealthMetric, max: 144 }] }];
    expect(ratioStepsInside(absolute, { latencyP50: [119.386, 120.608] })).toEqual([]);
  });
});
