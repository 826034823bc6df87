/**
 * The simulators hand the engine the historical baseline's latency sketches (issue 16): which
 * windows carry one, that the per-request mode's is the window's own, that the windowed mode's
 * banded sketches pool to the per-request mode's pooled percentile in law, and that every other
 * policy's seeded results are bit-identical to those before sketches existed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/engine/controller/compilePolicy.ts';
import type { LatencySummary, WindowMetrics } from '../../src/engine/metrics/windowMetrics.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import type { LatencySketchJson } from '../../src/engine/stats/latencySketch.ts';
import { LatencySketch, mergeSketchJson, sketchJsonQuantile } from '../../src/engine/stats/latencySketch.ts';
import {
  baselineSketchBands,
  bucketOf,
  cellCountsOfSketch,
  referencedQuantiles,
  representative,
  sketchOfCellCounts,
} from '../../src/sim/baselineSketchBands.ts';
import { planPolicy, runReplicate } from '../../src/sim/replicate.ts';
import { prepareSimulation, runOne } from '../../src/sim/runner.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import type { FidelityMode, WindowRequest } from '../../src/sim/windowRequest.ts';
import { orderStatisticsWindows } from '../../src/sim/windowsOrderStatistics.ts';
import { perRequestWindows } from '../../src/sim/windowsPerRequest.ts';
import type { World } from '../../src/sim/world.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../../src/sim/world.ts';

const defaultPolicy = JSON.parse(readFileSync('scenarios/default-policy.json', 'utf8')) as Policy;
const identical = JSON.parse(readFileSync('scenarios/identical-candidate.json', 'utf8'));

/** The default policy with the given rules and guardrails kept (`keep`), and baseline mode. */
function variant(
  name: string,
  keep: (rule: { type: string; metric: string }) => boolean,
  mode: 'historical' | 'concurrent' = 'historical',
): Policy {
  const stages = defaultPolicy.stages.map((stage) => {
    const copy = { ...stage } as Record<string, unknown>;
    for (const key of ['rules', 'guardrails']) {
      const rules = copy[key] as { type: string; metric: string }[] | undefined;
      if (rules) copy[key] = rules.filter(keep);
    }
    return copy;
  });
  return { ...defaultPolicy, name, baseline: { mode }, stages } as unknown as Policy;
}

const concurrent = variant('concurrent', () => true, 'concurrent');
const withoutLatencyRules = variant('historical without latency rules', (rule) => !rule.metric.startsWith('latency'));
const absoluteLatencyOnly = {
  ...variant('historical, absolute latency', (rule) => !rule.metric.startsWith('latency')),
  stages: variant('x', (rule) => !rule.metric.startsWith('latency')).stages.map((stage) =>
    stage.kind === 'canary' ? { ...stage, rules: [...(stage.rules ?? []), { type: 'absolute', metric: 'latencyP95', max: 2000 }] } : stage,
  ),
} as Policy;

function scenarioOf(json: unknown): Scenario {
  const parsed = parseScenario(json);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

/** The lab's default scenario at `rate` req/s, 2,000 users, over `horizon`; a slightly worse candidate. */
function smallScenario(rate: number, horizon: string): Scenario {
  return scenarioOf({
    ...identical,
    horizon,
    traffic: { ...identical.traffic, requestsPerSecond: rate, users: { count: 2000, zipfExponent: 0.8 } },
    candidate: { ...identical.candidate, errorRate: 0.02, latency: { kind: 'lognormal', median: 140, p95: 450 } },
  });
}

interface Seen {
  stage: string;
  controlSketch: LatencySketchJson | undefined;
  controlRequests: number;
  controlLatency: LatencySummary | undefined;
  candidateSketch: boolean;
}

function windowsOf(world: World, policy: Policy, mode: FidelityMode, replicate: number): Seen[] {
  const seen: Seen[] = [];
  runReplicate(world, policy, planPolicy(policy), streamFor('baseline sketches', replicate), {
    mode,
    onWindow(request, metrics) {
      seen.push({
        stage: request.stageKind,
        controlSketch: metrics.control?.latency?.sketch as LatencySketchJson | undefined,
        controlRequests: metrics.control?.requests ?? 0,
        controlLatency: metrics.control?.latency,
        candidateSketch: metrics.candidate?.latency?.sketch !== undefined,
      });
    },
  });
  return seen;
}

describe('which windows carry a latency sketch', () => {
  const world = compileWorld(smallScenario(2, '50h'), 'candidate-model');

  it('the plan asks for them in the baseline stage of a historical policy with latency ratio rules only', () => {
    expect(planPolicy(defaultPolicy).needsLatencySketch).toEqual([true, false, false, false, false, false, false]);
    for (const policy of [concurrent, withoutLatencyRules, absoluteLatencyOnly])
      expect(planPolicy(policy).needsLatencySketch.some(Boolean)).toBe(false);
    // The bands make exact the percentiles the ratio rules read: p50 and p95 in the default policy.
    expect(referencedQuantiles(compilePolicy(defaultPolicy))).toEqual([0.5, 0.95]);
    expect(baselineSketchBands(world, compilePolicy(defaultPolicy))?.quantileBands.map((band) => band.q)).toEqual([0.5, 0.95]);
    const withP99 = variant('p99', () => true);
    (withP99.stages[2] as { rules: unknown[] }).rules.push({ type: 'ratio', metric: 'latencyP99', maxRatio: 2 });
    expect(referencedQuantiles(compilePolicy(withP99))).toEqual([0.5, 0.95, 0.99]);
    expect(baselineSketchBands(world, compilePolicy(withoutLatencyRules))).toBeNull();
    // Computed once per world and baseline stage: a threshold sweep's settings share them.
    const stricter = variant('stricter', () => true);
    // (A new rule object: the variant's rule arrays are copies, their rules are the default policy's.)
    const stricterRules = (stricter.stages[2] as { rules: object[] }).rules;
    stricterRules[1] = { ...stricterRules[1], maxRatio: 1.2 };
    expect(baselineSketchBands(world, compilePolicy(stricter))).toBe(baselineSketchBands(world, compilePolicy(defaultPolicy)));
  });

  for (const mode of ['request', 'window'] as const) {
    it(`${mode} mode: the control arm of every baseline window, and no other window or arm`, () => {
      const seen = windowsOf(world, defaultPolicy, mode, 0);
      const baseline = seen.filter((window) => window.stage === 'baseline');
      expect(baseline.length).toBe(288);
      for (const window of baseline) {
        expect(window.controlSketch).toBeDefined();
        expect(window.controlSketch?.count).toBe(window.controlRequests);
      }
      expect(seen.length).toBeGreaterThan(baseline.length + 100);
      for (const window of seen) {
        expect(window.candidateSketch).toBe(false);
        if (window.stage !== 'baseline') expect(window.controlSketch).toBeUndefined();
      }
      for (const policy of [concurrent, withoutLatencyRules, absoluteLatencyOnly])
        for (const window of windowsOf(world, policy, mode, 0)) expect(window.controlSketch).toBeUndefined();
    });
  }

  it('per-request mode: the sketch is the window’s own (its percentiles are the window’s), and nothing more is drawn', () => {
    const seen = windowsOf(world, defaultPolicy, 'request', 1).filter((window) => window.stage === 'baseline');
    for (const window of seen) {
      const sketch = LatencySketch.fromJSON(window.controlSketch as LatencySketchJson);
      expect(sketch.quantile(0.5)).toBe(window.controlLatency?.p50);
      expect(sketch.quantile(0.95)).toBe(window.controlLatency?.p95);
      expect(sketch.quantile(0.99)).toBe(window.controlLatency?.p99);
      expect(sketch.count).toBe(window.controlRequests);
    }
    // The same stream with and without the sketch: the same windows otherwise.
    const request = baselineRequest(world);
    const withSketch = perRequestWindows(world, streamFor('same draws', 0));
    const without = perRequestWindows(world, streamFor('same draws', 0));
    for (let w = 0; w < 6; w++) {
      request.start = w * 300;
      request.needsLatencySketch = true;
      const a = withSketch.next(request);
      request.needsLatencySketch = false;
      const b = without.next(request);
      expect(a.control?.latency?.sketch).toBeDefined();
      delete a.control?.latency?.sketch;
      expect(a).toEqual(b);
    }
  });
});

/** A baseline window request of 5 minutes (latency asked). */
function baselineRequest(world: World): WindowRequest {
  const control = emptyConditions();
  const candidate = emptyConditions();
  conditionsAt(world, 150, 0, control, candidate);
  return {
    start: 0,
    duration: 300,
    stageKind: 'baseline',
    candidateShare: 0,
    mirrorShare: 0,
    needsLatency: true,
    needsLatencySketch: true,
    needsOutcomes: false,
    needsSegments: false,
    control,
    candidate,
    candidateWorse: false,
  };
}

describe('the windowed mode’s banded sketches pool like the per-request mode’s', () => {
  it('the pooled p95 of 12 windows × 500 requests: mean and distribution within 4 Monte-Carlo standard errors', () => {
    // 500 expected requests per 5-minute window, no daily cycle; a 1-hour baseline of 12 windows.
    const scenario = scenarioOf({
      ...identical,
      horizon: '2h',
      traffic: { requestsPerSecond: 500 / 300, users: { count: 1000 } },
    });
    const world = compileWorld(scenario, 'candidate-model');
    const policy = {
      ...defaultPolicy,
      stages: [{ kind: 'baseline', minDuration: '1h', minRequests: 100, checkInterval: '5m' }, ...defaultPolicy.stages.slice(2)],
    } as Policy;
    const bands = baselineSketchBands(world, compilePolicy(policy));
    expect(bands).not.toBeNull();
    const p95Band = bands!.quantileBands[1];
    expect(p95Band.last - p95Band.first).toBeGreaterThan(20); // the bands span many buckets here
    const replicates = 1000;
    const pooledP95 = (mode: FidelityMode): number[] => {
      const values: number[] = [];
      for (let r = 0; r < replicates; r++) {
        const random = streamFor('pooled p95', r);
        const generator = mode === 'request' ? perRequestWindows(world, random) : orderStatisticsWindows(world, random, 'user', bands);
        const request = baselineRequest(world);
        let pooled: LatencySketchJson | undefined;
        // Per-request: the same windows' sketches converted to the banded form, pooled apart.
        let pooledBanded: LatencySketchJson | undefined;
        for (let w = 0; w < 12; w++) {
          request.start = w * 300;
          const window: WindowMetrics = generator.next(request);
          const sketch = window.control?.latency?.sketch as LatencySketchJson | undefined;
          if (sketch === undefined) continue;
          pooled = mergeSketchJson(pooled, sketch);
          if (mode === 'request')
            pooledBanded = mergeSketchJson(pooledBanded, sketchOfCellCounts(bands!, cellCountsOfSketch(bands!, sketch)));
        }
        const p95 = sketchJsonQuantile(pooled as LatencySketchJson, 0.95);
        values.push(p95);
        if (mode === 'request') {
          // The full sketches' pooled p50 and p95 lie in band buckets, and the banded sketches read them the same.
          for (const q of [0.5, 0.95]) {
            const exact = sketchJsonQuantile(pooled as LatencySketchJson, q);
            const bucket = bucketOf(exact);
            const cell = bands!.cellFirst.findIndex((first, j) => first <= bucket && bucket <= bands!.cellLast[j]);
            expect(bands!.cellIsBand[cell]).toBe(1);
            expect(sketchJsonQuantile(pooledBanded as LatencySketchJson, q)).toBe(representative(bucket));
            if (exact === representative(bucket)) convertedEqual++;
          }
        }
      }
      return values;
    };
    let convertedEqual = 0;
    const perRequest = pooledP95('request');
    expect(convertedEqual).toBeGreaterThan(1900); // of 2,000: the rest clamped at a full sketch's exact min or max
    const windowed = pooledP95('window');
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const variance = (values: number[]) => {
      const m = mean(values);
      return values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1);
    };
    const standardError = Math.sqrt(variance(perRequest) / replicates + variance(windowed) / replicates);
    expect(Math.abs(mean(perRequest) - mean(windowed))).toBeLessThan(4 * standardError);
    // The pooled p95 is lognormal(120, p95 400)'s 0.95-quantile, 400 ms, within a few buckets.
    expect(Math.abs(mean(windowed) / 400 - 1)).toBeLessThan(0.03);
    // The distribution: P(p95 ≤ v) at every value either mode reports, within 4 standard errors.
    const values = [...new Set([...perRequest, ...windowed])].sort((a, b) => a - b);
    expect(values.length).toBeGreaterThan(5);
    for (const value of values) {
      const a = perRequest.filter((x) => x <= value).length / replicates;
      const b = windowed.filter((x) => x <= value).length / replicates;
      const p = (a + b) / 2;
      expect(Math.abs(a - b)).toBeLessThanOrEqual(4 * Math.sqrt((2 * p * (1 - p)) / replicates) + 1e-12);
    }
  });
});

describe('policies that do not read the pooled reference are bit-identical to before', () => {
  // Digests (SHA-256 of the JSON of the outcomes of replicates 0…n − 1, seed 'h56', first 16 hex
  // digits) computed by the same loop on a build of commit 1c4e199, before the simulators made
  // sketches: 40 windowed and 3 per-request replicates of the lab's default scenario at 10 req/s,
  // 2,000 users, 3 days, candidate with 2% errors and median 140 ms / p95 450 ms.
  const scenario = smallScenario(10, '3d');
  const digest = (policy: Policy, mode: FidelityMode): string => {
    const simulation = prepareSimulation(scenario, policy, mode, 'h56');
    const outcomes = [];
    for (let i = 0; i < (mode === 'window' ? 40 : 3); i++) outcomes.push(runOne(simulation, i));
    return createHash('sha256').update(JSON.stringify(outcomes)).digest('hex').slice(0, 16);
  };
  const concurrentPolicy = { ...defaultPolicy, name: 'concurrent', baseline: { mode: 'concurrent' } } as Policy;
  const historicalWithout = { ...withoutLatencyRules, name: 'historical without latency rules' } as Policy;

  it('a concurrent-baseline policy, both modes', () => {
    expect(digest(concurrentPolicy, 'window')).toBe('025184abbf3633ad');
    expect(digest(concurrentPolicy, 'request')).toBe('96aed5d3ef45a0eb');
  });

  it('a historical policy without latency rules, both modes', () => {
    expect(digest(historicalWithout, 'window')).toBe('14eee88991e39418');
    expect(digest(historicalWithout, 'request')).toBe('18bce1454b12290e');
  });
});
