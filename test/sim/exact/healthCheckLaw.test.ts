/**
 * The per-check laws (src/sim/exact/healthCheckLaw.ts and friends) against
 * (1) an independent brute-force computation in scipy (scripts/reference/exact_laws.py), and
 * (2) the windowed Monte-Carlo draws classified by the engine's own controller (`step`),
 *     within 4 standard errors.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledPolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import { step } from '../../../src/engine/controller/step.ts';
import { absoluteRule, ratioRule } from '../../../src/engine/policy/healthRules.ts';
import type { HealthRule, Policy } from '../../../src/engine/policy/policy.ts';
import { baselineStage, canaryStage } from '../../../src/engine/policy/stages.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { rateBelow, rateQuantiles } from '../../../src/sim/exact/baselineLaw.ts';
import type { BaselineReference, CheckProbabilities } from '../../../src/sim/exact/checkLaw.ts';
import { ExactUnsupportedError } from '../../../src/sim/exact/checkLaw.ts';
import { binomialLaw, poissonLaw } from '../../../src/sim/exact/countRange.ts';
import { healthCheckLaw } from '../../../src/sim/exact/healthCheckLaw.ts';
import { bucketRepresentative, jointOrderStatisticsAtMost, largestIndexWithin } from '../../../src/sim/exact/latencyLimitLaw.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';
import { sketchRoundingFromLog } from '../../../src/sim/sketchRounding.ts';
import { exposedShare } from '../../../src/sim/traffic.ts';
import { orderStatisticsWindows } from '../../../src/sim/windowsOrderStatistics.ts';
import type { World } from '../../../src/sim/world.ts';
import { compileWorld, conditionsAt, emptyConditions } from '../../../src/sim/world.ts';

interface Setup {
  world: World;
  policy: Policy;
  compiled: CompiledPolicy;
}

function setup(
  scenarioJson: Record<string, unknown>,
  mode: 'historical' | 'concurrent',
  traffic: number,
  rules: HealthRule[],
  minRequests: number,
  minDuration = '30d',
): Setup {
  const parsed = parseScenario({
    version: 1,
    name: 'law test',
    horizon: '7d',
    truth: { errorRateRatio: 1.2, p95Ratio: 1.1 },
    ...scenarioJson,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const scenario: Scenario = parsed.scenario;
  const policy: Policy = {
    version: 1,
    name: 'law test',
    baseline: { mode },
    guards: { minRequests, failureLimit: 1 },
    onMaxDuration: 'hold',
    flag: { name: 'f' },
    stages: [baselineStage({ minDuration: '1h' }), canaryStage({ traffic, minDuration, maxDuration: '60d', rules })],
  } as Policy;
  const compiled = compilePolicy(policy);
  return { world: compileWorld(scenario, 'f'), policy, compiled };
}

function exactAt({ world, compiled }: Setup, start: number, reference: BaselineReference | null): CheckProbabilities {
  const control = emptyConditions();
  const candidate = emptyConditions();
  conditionsAt(world, start + 150, 0, control, candidate);
  const stage = compiled.stages[1];
  return healthCheckLaw(world, { stage, start, duration: 300, control, candidate, candidateShare: stage.traffic }, reference);
}

/** Draws `replicates` windows in the windowed mode and lets the controller classify each. */
function monteCarlo(
  { world, policy, compiled }: Setup,
  start: number,
  reference: BaselineReference | null,
  replicates: number,
): CheckProbabilities {
  const control = emptyConditions();
  const candidate = emptyConditions();
  conditionsAt(world, start + 150, 0, control, candidate);
  const stage = compiled.stages[1];
  const request = {
    start,
    duration: 300,
    stageKind: 'canary' as const,
    candidateShare: stage.traffic,
    mirrorShare: 0,
    needsLatency: true,
    needsOutcomes: false,
    needsSegments: false,
    control,
    candidate,
    candidateWorse: false,
  };
  const generator = orderStatisticsWindows(world, streamFor(16, 0, 'exact laws'));
  const counts = { hold: 0, pass: 0, fail: 0 };
  for (let r = 0; r < replicates; r++) {
    const state = initialState(policy, start);
    Object.assign(state, { time: start, stageStartTime: start, stageIndex: 1, stageKind: 'canary', candidateTraffic: stage.traffic });
    if (reference) {
      state.baselineEstablished = true;
      // Totals whose totalsMetric is the reference.
      Object.assign(state.baseline, {
        requests: 1e6,
        errors: reference.errorRate * 1e6,
        timeouts: reference.timeoutRate * 1e6,
        latencyRequests: 1,
        p50Sum: reference.latencyP50,
        p95Sum: reference.latencyP95,
        p99Sum: reference.latencyP99,
      });
    }
    const decision = step(state, [generator.next(request)], policy).decision;
    if (decision === 'rollback') counts.fail++;
    else if (decision === 'hold') counts.hold++;
    else counts.pass++;
  }
  return { hold: counts.hold / replicates, pass: counts.pass / replicates, fail: counts.fail / replicates };
}

function expectWithinStandardErrors(estimate: CheckProbabilities, exact: CheckProbabilities, replicates: number): void {
  for (const key of ['hold', 'pass', 'fail'] as const) {
    const p = exact[key];
    const standardError = Math.sqrt(Math.max(p * (1 - p), 1 / replicates) / replicates);
    expect(Math.abs(estimate[key] - p), `${key}: Monte-Carlo ${estimate[key]} vs exact ${p}`).toBeLessThan(4 * standardError);
  }
}

const historicalScenario = {
  traffic: { requestsPerSecond: 2, dailyCycle: { amplitude: 0.3, peakHour: 14 }, users: { count: 1000, zipfExponent: 0 } },
  control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01, timeout: 600 },
  candidate: { latency: { kind: 'lognormal', median: 130, p95: 420 }, errorRate: 0.02, timeout: 600 },
};
const historicalRules = [
  ratioRule('errorRate', 2),
  absoluteRule('timeoutRate', 0.1),
  absoluteRule('latencyP50', 140),
  ratioRule('latencyP95', 1.05),
];
const historicalReference: BaselineReference = { errorRate: 0.015, timeoutRate: NaN, latencyP50: NaN, latencyP95: 400, latencyP99: NaN };

const concurrentScenario = {
  traffic: { requestsPerSecond: 1, dailyCycle: { amplitude: 0.3, peakHour: 14 }, users: { count: 1000, zipfExponent: 0 } },
  control: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.02 },
  candidate: { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.03 },
  faults: [{ kind: 'step', at: 0, effect: { latencyMultiplier: 1.1 } }],
};
const concurrentRules = [ratioRule('errorRate', 1.5), ratioRule('latencyP95', 1.2)];

describe('count laws', () => {
  it('keep all but the tolerance, with scipy pmf values', () => {
    // scripts/reference/exact_laws.py (scipy 1.10.1): poisson.pmf(1000, 1000), binom.pmf(30, 1500, 0.02)
    const poisson = poissonLaw(1000, 1e-12);
    expect(poisson.pmf[1000 - poisson.first]).toBeCloseTo(0.01261461134870819, 12);
    expect(poisson.neglected).toBeLessThan(1e-12);
    const binomial = binomialLaw(1500, 0.02, 1e-12);
    expect(binomial.pmf[30 - binomial.first]).toBeCloseTo(0.07337186854952021, 12);
    expect(binomial.pmf.reduce((a, b) => a + b, 0) + binomial.neglected).toBeCloseTo(1, 14);
  });
});

describe('latency limit law', () => {
  it('finds the largest bucket whose representative the simulator reports within a limit', () => {
    const round = sketchRoundingFromLog();
    for (const limit of [140, 420, 420.0001, 1234.5]) {
      const index = largestIndexWithin(limit);
      expect(bucketRepresentative(index)).toBeLessThanOrEqual(limit);
      expect(bucketRepresentative(index + 1)).toBeGreaterThan(limit);
      // The simulator's rounding of a value just below the bucket's upper edge is that representative.
      expect(round(index * Math.log(1.01 / 0.99) - 1e-9)).toBe(bucketRepresentative(index));
    }
  });

  it('joint law of two order statistics equals the brute-force multinomial sum', () => {
    // scripts/reference/exact_laws.py joint_pass(40, 20, 0.55, 38, 0.97): scipy 1.10.1 multinomial double sum
    const joint = jointOrderStatisticsAtMost(40, 20, 0.55, 38, 0.97, 1e-14);
    expect(joint.probability).toBeCloseTo(0.7083586346895863, 12);
  });
});

describe('health check law', () => {
  it('historical reference: equals the scipy brute force (realized share pinned)', () => {
    const s = setup(historicalScenario, 'historical', 0.2, historicalRules, 20);
    // The realized sticky share of 1000 users at 20% under group 'f' — an input of the scipy script.
    expect(exposedShare(s.world.population, 0.2)).toBe(0.20300000000000012);
    const exact = exactAt(s, 3600, historicalReference);
    // scripts/reference/exact_laws.py case_historical (scipy 1.10.1):
    expect(exact.hold).toBeCloseTo(1.9504123670715188e-18, 15);
    expect(exact.pass).toBeCloseTo(0.4397160149137706, 10);
    expect(exact.fail).toBeCloseTo(0.5602839850862072, 10);
    expect(exact.neglected).toBeLessThan(1e-10);
  });

  it('historical reference: a window read after another of the daily cycle (a different Λ, the same per-n tables) keeps the scipy value', () => {
    // The check's P(pass | n) does not depend on the window's expected arrivals, so the windows of
    // a day read the same binomial rows and latency table over n (healthCheckLaw.ts, SharedLaws); the peak-hour window
    // fills part of it first, then the 01:00 window must still equal case_historical.
    const s = setup(historicalScenario, 'historical', 0.2, historicalRules, 20);
    const peak = exactAt(s, 14 * 3600, historicalReference);
    expect(peak.fail).not.toBeCloseTo(0.5602839850862072, 3);
    const exact = exactAt(s, 3600, historicalReference);
    // scripts/reference/exact_laws.py case_historical (scipy 1.10.1), as above:
    expect(exact.pass).toBeCloseTo(0.4397160149137706, 10);
    expect(exact.fail).toBeCloseTo(0.5602839850862072, 10);
    expect(exact.neglected).toBeLessThan(1e-10);
  });

  it('historical reference with a rate range but no cell: the hint changes nothing, at every rate', () => {
    // A rate range (`rateSupports`) without a cell (`rateCell`) is read at its point by the sum
    // over n (healthCheckLaw.ts: only a cell reads the shared matrix). Checked against the sum
    // without the hint at rates spread over the range and AT breakpoints (x/(2n) for counts x and
    // request counts n near the window's mean), where a rounding slip would show.
    const rulesWithAbsolute = [...historicalRules, absoluteRule('errorRate', 0.045), ratioRule('errorRate', 3)];
    for (const rules of [historicalRules, rulesWithAbsolute]) {
      const s = setup(historicalScenario, 'historical', 0.2, rules, 20);
      const rateSupports = { errorRate: [0.004, 0.04] as const };
      const rates = Array.from({ length: 60 }, (_, i) => 0.004 + (0.036 * i) / 59);
      for (let n = 110; n <= 130; n += 5) for (let x = 1; x <= 10; x++) rates.push(x / n / 2);
      for (const rate of rates) {
        const direct = exactAt(s, 3600, { ...historicalReference, errorRate: rate });
        const curve = exactAt(s, 3600, { ...historicalReference, errorRate: rate, rateSupports });
        expect(Math.abs(curve.pass - direct.pass), `pass at ${rate}`).toBeLessThan(1e-13);
        expect(Math.abs(curve.fail - direct.fail), `fail at ${rate}`).toBeLessThan(1e-13);
        expect(Math.abs(curve.hold - direct.hold), `hold at ${rate}`).toBeLessThan(1e-15);
        expect(curve.neglected).toBeLessThan(1e-10);
      }
      // The scipy case (rate 0.015, the first rule set) read from the curve too.
      if (rules === historicalRules) {
        const exact = exactAt(s, 3600, { ...historicalReference, rateSupports });
        // scripts/reference/exact_laws.py case_historical (scipy 1.10.1):
        expect(exact.pass).toBeCloseTo(0.4397160149137706, 10);
        expect(exact.fail).toBeCloseTo(0.5602839850862072, 10);
      }
    }
  });

  it('historical reference with a cell of the baseline law: the check averaged over the cell equals the sum over every atom of the rate in it', () => {
    // baselineLaw.ts gives each node a cell U ∈ [from, to] of R = F⁻¹(U); the check law returns
    // (1/(to − from))·∫ P(pass; F⁻¹(u)) du. Brute force: every (C, O) pair of a small baseline
    // (C ~ Poisson(15) errors, O ~ Poisson(985) other requests), its rate as the controller
    // computes it, the direct sum at that rate, weighted by the part of [from, to] its atom covers.
    const s = setup(historicalScenario, 'historical', 0.2, [ratioRule('errorRate', 2), absoluteRule('timeoutRate', 0.1)], 20);
    const counted = poissonLaw(15, 1e-15);
    const others = poissonLaw(985, 1e-15);
    const atoms = new Map<number, number>();
    const keptCounted = counted.pmf.reduce((a, b) => a + b, 0);
    const keptOthers = others.pmf.reduce((a, b) => a + b, 0);
    for (let i = 0; i < counted.pmf.length; i++)
      for (let j = 0; j < others.pmf.length; j++) {
        const c = counted.first + i;
        const rate = c / (c + others.first + j);
        atoms.set(rate, (atoms.get(rate) ?? 0) + (counted.pmf[i] * others.pmf[j]) / (keptCounted * keptOthers));
      }
    const sorted = [...atoms.keys()].sort((a, b) => a - b);
    const rateSupports = { errorRate: rateQuantiles(counted, others, [1e-13, 1 - 1e-13]) as [number, number] };
    const below = rateBelow(counted, others);
    for (const [from, to] of [
      [0, 0.25],
      [0.25, 0.5],
      [0.6, 0.65],
      [0.875, 1],
    ]) {
      let cumulative = 0;
      let pass = 0;
      let fail = 0;
      const point = new Map<number, CheckProbabilities>();
      for (const rate of sorted) {
        const mass = atoms.get(rate)!;
        const overlap = Math.max(0, Math.min(to, cumulative + mass) - Math.max(from, cumulative));
        cumulative += mass;
        if (overlap <= 0) continue;
        const value = point.get(rate) ?? exactAt(s, 3600, { ...historicalReference, errorRate: rate });
        point.set(rate, value);
        pass += (overlap / (to - from)) * value.pass;
        fail += (overlap / (to - from)) * value.fail;
      }
      const rateCell = { metric: 'errorRate' as const, from, to, below, key: 'test law' };
      const averaged = exactAt(s, 3600, { ...historicalReference, rateSupports, rateCell });
      expect(Math.abs(averaged.pass - pass), `pass over [${from}, ${to}]`).toBeLessThan(1e-11);
      expect(Math.abs(averaged.fail - fail), `fail over [${from}, ${to}]`).toBeLessThan(1e-11);
      // The cell's average differs from the check at any one rate of the cell (the point of averaging).
      expect(point.size).toBeGreaterThan(3);
    }
  });

  it('concurrent control: equals the scipy brute force (realized share pinned)', () => {
    const s = setup(concurrentScenario, 'concurrent', 0.3, concurrentRules, 30);
    expect(exposedShare(s.world.population, 0.3)).toBe(0.2920000000000002);
    const exact = exactAt(s, 7200, null);
    // scripts/reference/exact_laws.py case_concurrent (scipy 1.10.1):
    expect(exact.hold).toBeCloseTo(3.3874368436702655e-6, 10);
    expect(exact.pass).toBeCloseTo(0.3973872083311929, 10);
    expect(exact.fail).toBeCloseTo(0.602609404231963, 10);
  });

  it('agrees with the windowed draws classified by the controller (historical, 20,000 windows)', () => {
    const s = setup(historicalScenario, 'historical', 0.2, historicalRules, 20);
    const replicates = 20_000;
    expectWithinStandardErrors(monteCarlo(s, 3600, historicalReference, replicates), exactAt(s, 3600, historicalReference), replicates);
  });

  it('agrees with the windowed draws classified by the controller (concurrent, minRequests holds, 20,000 windows)', () => {
    // minRequests near the candidate's mean count: holds carry real mass.
    const s = setup(concurrentScenario, 'concurrent', 0.3, [...concurrentRules, absoluteRule('latencyP50', 150)], 85);
    const replicates = 20_000;
    const exact = exactAt(s, 7200, null);
    expect(exact.hold).toBeGreaterThan(0.1);
    expectWithinStandardErrors(monteCarlo(s, 7200, null, replicates), exact, replicates);
  });

  it('concurrent, one count metric against the control: the independent-Poisson shortcut equals the pair sum', () => {
    const s = setup(
      { ...concurrentScenario, faults: [] },
      'concurrent',
      0.3,
      [ratioRule('errorRate', 1.5), absoluteRule('latencyP95', 500)],
      55,
    );
    const control = emptyConditions();
    const candidate = emptyConditions();
    conditionsAt(s.world, 7350, 0, control, candidate);
    const window = { stage: s.compiled.stages[1], start: 7200, duration: 300, control, candidate, candidateShare: 0.3 };
    const shortcut = healthCheckLaw(s.world, window, null);
    const pairs = healthCheckLaw(s.world, window, null, { pairwise: true });
    for (const key of ['hold', 'pass', 'fail'] as const) expect(Math.abs(shortcut[key] - pairs[key])).toBeLessThan(1e-11); // both exact within their neglected mass (~1e-12)
    expect(shortcut.hold).toBeGreaterThan(0.001);
    const replicates = 20_000;
    expectWithinStandardErrors(monteCarlo(s, 7200, null, replicates), shortcut, replicates);
  });

  it('concurrent, one latency percentile against the control: the control-bucket marginal equals the pair sum', () => {
    const s = setup(
      concurrentScenario,
      'concurrent',
      0.3,
      [ratioRule('latencyP95', 1.2), absoluteRule('latencyP50', 150), absoluteRule('errorRate', 0.05)],
      55,
    );
    const control = emptyConditions();
    const candidate = emptyConditions();
    conditionsAt(s.world, 7350, 0, control, candidate);
    const window = { stage: s.compiled.stages[1], start: 7200, duration: 300, control, candidate, candidateShare: 0.3 };
    const shortcut = healthCheckLaw(s.world, window, null);
    const pairs = healthCheckLaw(s.world, window, null, { pairwise: true });
    for (const key of ['hold', 'pass', 'fail'] as const) expect(Math.abs(shortcut[key] - pairs[key])).toBeLessThan(1e-11);
    expect(shortcut.fail).toBeGreaterThan(0.01);
  });

  it('a missing historical reference holds instead of passing, as the controller does', () => {
    const s = setup(historicalScenario, 'historical', 0.2, [ratioRule('timeoutRate', 2), absoluteRule('errorRate', 0.03)], 20);
    const reference: BaselineReference = { ...historicalReference, timeoutRate: NaN };
    const exact = exactAt(s, 3600, reference);
    expect(exact.pass).toBe(0);
    const replicates = 5_000;
    expectWithinStandardErrors(monteCarlo(s, 3600, reference, replicates), exact, replicates);
  });

  it('refuses statistical rules with the feature named', () => {
    const s = setup(
      historicalScenario,
      'historical',
      0.2,
      [{ type: 'statistical', metric: 'errorRate', minimumEffect: 0.01, method: 'alphaSpending' } as HealthRule],
      20,
      '1h',
    );
    expect(() => exactAt(s, 3600, historicalReference)).toThrow(ExactUnsupportedError);
  });
});
