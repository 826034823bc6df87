/**
 * The A/B stage decided on a list of metrics with roles (abMetrics.ts), and the no-difference
 * ending that is the same for every design (`onInconclusive`).
 *
 * The value sums and the reference z statistics and p-values come from
 * scripts/reference/ab_metrics.py (numpy on simulated per-user data reduced to the sums the
 * windows carry, scipy.stats.norm; CUPED's estimate also by statsmodels OLS): run it with
 * /usr/bin/python3 to reproduce every number pasted below.
 */
import { describe, expect, it } from 'vitest';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import type { DecisionReason } from '../../../src/engine/controller/decision.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { ArmWindow, WindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';
import { parsePolicy } from '../../../src/engine/policy/parsePolicy.ts';
import type { AbMetric, AbTest, Policy } from '../../../src/engine/policy/policy.ts';
import type { BivariateSums } from '../../../src/engine/stats/bivariateMoments.ts';
import { multiMetricSampleSize } from '../../../src/engine/stats/multiMetricDecision.ts';
import { metricsPolicy } from '../../helpers/abMetricsPolicy.ts';

// scripts/reference/ab_metrics.py, section 1: tokens per user, control N(100, 20²), candidate N(104, 20²), two windows of 500 users.
const tokensControl1 = { count: 500, sumX: 50315.134164715535, sumY: 0, sumXSquares: 5282399.676784842, sumYSquares: 0, sumXY: 0 };
const tokensCandidate1 = { count: 500, sumX: 50994.16679664001, sumY: 0, sumXSquares: 5385954.959195054, sumYSquares: 0, sumXY: 0 };
const tokensControl2 = { count: 500, sumX: 50106.210233078484, sumY: 0, sumXSquares: 5226782.23671606, sumYSquares: 0, sumXY: 0 };
const tokensCandidate2 = { count: 500, sumX: 51216.567165692075, sumY: 0, sumXSquares: 5442472.428089401, sumYSquares: 0, sumXY: 0 };
// Section 2: cost per request, x = a user's cost, y = the user's requests; 1,000 users per arm.
const costControl = {
  count: 1000,
  sumX: 8143.767941501666,
  sumY: 7138,
  sumXSquares: 98844.49255357264,
  sumYSquares: 57386,
  sumXY: 65854.60029216667,
};
const costCandidate = {
  count: 1000,
  sumX: 7723.837831163184,
  sumY: 6962,
  sumXSquares: 85104.11022795057,
  sumYSquares: 54440,
  sumXY: 60178.46978132507,
};
// Section 3: latency per user, control N(200, 50²), candidate N(215, 50²), 1,000 users per arm.
const latencyControl = { count: 1000, sumX: 198947.38081874925, sumY: 0, sumXSquares: 42278654.31040546, sumYSquares: 0, sumXY: 0 };
const latencyCandidate = { count: 1000, sumX: 216385.43715360848, sumY: 0, sumXSquares: 49384809.1069785, sumYSquares: 0, sumXY: 0 };
// Section 4: revenue x with its pre-period value y (correlation ≈ 0.8), 400 users per arm.
const revenueControl = {
  count: 400,
  sumX: 20152.004566103442,
  sumY: 20268.98069543903,
  sumXSquares: 1058774.7308681451,
  sumYSquares: 1072033.2939022735,
  sumXY: 1057306.546816736,
};
const revenueCandidate = {
  count: 400,
  sumX: 20496.08198819472,
  sumY: 20087.238175117167,
  sumXSquares: 1088209.8677293474,
  sumYSquares: 1045829.7136614082,
  sumXY: 1059157.713774329,
};

function add(a: BivariateSums, b: BivariateSums): BivariateSums {
  return {
    count: a.count + b.count,
    sumX: a.sumX + b.sumX,
    sumY: a.sumY + b.sumY,
    sumXSquares: a.sumXSquares + b.sumXSquares,
    sumYSquares: a.sumYSquares + b.sumYSquares,
    sumXY: a.sumXY + b.sumXY,
  };
}
const tokensControl = add(tokensControl1, tokensControl2);
const tokensCandidate = add(tokensCandidate1, tokensCandidate2);

const tokens: AbMetric = { name: 'tokens', kind: 'mean', role: 'success', minimumEffect: 4 };

function arm(values: Record<string, BivariateSums>, extra: Partial<ArmWindow> = {}): ArmWindow {
  return { requests: 1000, errors: 0, timeouts: 0, values, ...extra };
}

/** Window k (0-based) of 5 minutes. */
function valuesWindow(k: number, control: Record<string, BivariateSums>, candidate: Record<string, BivariateSums>): WindowMetrics {
  return { startTime: 300 * k, duration: 300, control: arm(control), candidate: arm(candidate) };
}

function run(policy: Policy, windows: WindowMetrics[]) {
  const state = initialState(policy, 0);
  const results = windows.map((window) => step(state, [window], policy));
  return { state, results, decisions: results.map((result) => result.decision) };
}

const reasonFor = (reasons: DecisionReason[], metric: string): DecisionReason => reasons.find((reason) => reason.metric === metric)!;

describe('A/B metrics with roles', () => {
  it('a success mean metric that improves ships (advance) at the fixed design’s planned sample', () => {
    const policy = metricsPolicy({ metrics: [tokens] });
    const { results, decisions } = run(policy, [
      valuesWindow(0, { tokens: tokensControl1 }, { tokens: tokensCandidate1 }),
      valuesWindow(1, { tokens: tokensControl2 }, { tokens: tokensCandidate2 }),
    ]);
    expect(decisions).toEqual(['continue', 'advance']);
    expect(reasonFor(results[0].reasons, 'informationFraction').observed).toBe(0.5);
    const verdict = reasonFor(results[1].reasons, 'tokens');
    // ab_metrics.py: z after window 2 = 1.9919821318159292, one-sided p = 0.023186509208462436 < α/2 = 0.025.
    expect(verdict.statistic).toBeCloseTo(1.9919821318159292, 9);
    expect(verdict.pValue).toBeCloseTo(0.023186509208462436, 9);
    expect(verdict.observed).toBeCloseTo(1.7893895645380553, 9);
    expect(verdict.message).toContain(': improved');
    expect(reasonFor(results[1].reasons, 'abMetrics').message).toContain('ship — improved: tokens');
  });

  it('group-sequential: each metric against the Lan–DeMets boundary of its level at each look', () => {
    // rpact 3.3.4 getDesignGroupSequential(typeOfDesign = "asOF", kMax = 2, alpha = 0.05, sided = 2,
    // informationRates = c(0.5, 1))$criticalValues → 2.962588043, 1.968595646 (scripts/reference/controller.R):
    // the one-sided level α/2 = 0.025 of a single success metric is that design's upper side.
    const policy = metricsPolicy({ metrics: [tokens], design: { type: 'groupSequential', looks: 2, spending: 'obrienFleming' } });
    const { results, decisions } = run(policy, [
      valuesWindow(0, { tokens: tokensControl1 }, { tokens: tokensCandidate1 }),
      valuesWindow(1, { tokens: tokensControl2 }, { tokens: tokensCandidate2 }),
    ]);
    // Look 1: z = 1.066826494666941 (ab_metrics.py) < 2.9626: continue. Look 2: z = 1.99198 ≥ 1.9686: ship.
    expect(decisions).toEqual(['continue', 'advance']);
    const look1 = reasonFor(results[0].reasons, 'tokens');
    expect(look1.statistic).toBeCloseTo(1.066826494666941, 9);
    // The boundary-equivalent p-value 1 − Φ(z − b₁ + z₀.₉₇₅) is above 0.025 exactly when z < b₁.
    expect(look1.pValue!).toBeGreaterThan(0.025);
    expect(reasonFor(results[0].reasons, 'abMetrics').message).toContain('look 1 of 2');
    const look2 = reasonFor(results[1].reasons, 'tokens');
    expect(look2.statistic).toBeCloseTo(1.9919821318159292, 9);
    expect(look2.pValue!).toBeLessThan(0.025);
  });

  it('a guardrail ratio metric whose non-inferiority is not shown keeps the candidate from shipping', () => {
    const cost: AbMetric = { name: 'cost', kind: 'ratio', role: 'guardrail', margin: { relative: 0.01 } };
    const policy = metricsPolicy({ metrics: [tokens, cost] });
    const { results, decisions } = run(policy, [
      valuesWindow(0, { tokens: tokensControl, cost: costControl }, { tokens: tokensCandidate, cost: costCandidate }),
    ]);
    // tokens improved, cost's non-inferiority not shown: the test ends without the ship conclusion → onInconclusive (default hold).
    expect(decisions).toEqual(['hold']);
    const verdict = reasonFor(results[0].reasons, 'cost');
    // ab_metrics.py: delta-method SE 0.02900058958146756, non-inferiority z = 1.4787404767502805, p = 0.06960484489826169 > 0.025.
    expect(verdict.statistic).toBeCloseTo(1.4787404767502805, 9);
    expect(verdict.pValue).toBeCloseTo(0.06960484489826169, 9);
    expect(verdict.observed).toBeCloseTo(1.1094280136689434 - 1.1409033260719623, 12);
    expect(verdict.threshold).toBeCloseTo(0.01 * 1.1409033260719623, 12);
    expect(verdict.message).toContain('non-inferiority not shown');
    expect(reasonFor(results[0].reasons, 'abMetrics').message).toContain('non-inferiority not shown for guardrail(s): cost');
    expect(reasonFor(results[0].reasons, 'onInconclusive').message).toContain('holding (onInconclusive: hold)');
  });

  it('a guardrail that deteriorates rolls back', () => {
    const latency: AbMetric = { name: 'latency', kind: 'mean', role: 'guardrail', margin: { absolute: 5 } };
    const policy = metricsPolicy({ metrics: [tokens, latency] });
    const { results, decisions, state } = run(policy, [
      valuesWindow(0, { tokens: tokensControl, latency: latencyControl }, { tokens: tokensCandidate, latency: latencyCandidate }),
    ]);
    expect(decisions).toEqual(['rollback']);
    expect(state.lastAbConclusion?.conclusion).toBe('candidateWorse');
    // ab_metrics.py: deterioration z = 7.599012645816354 (p = 1.49e-14).
    const verdict = reasonFor(results[0].reasons, 'latency');
    expect(verdict.message).toContain('worse: z 7.599');
    expect(verdict.message).toContain('significantly worse');
    expect(reasonFor(results[0].reasons, 'abMetrics').message).toContain('roll back — significantly worse: latency');
  });

  it('CUPED on a mean metric turns "not improved" into "improved" as the reference predicts', () => {
    const window = valuesWindow(0, { revenue: revenueControl }, { revenue: revenueCandidate });
    const plain = run(metricsPolicy({ sampleSize: 400, metrics: [{ name: 'revenue', kind: 'mean', role: 'success', minimumEffect: 1 }] }), [
      window,
    ]);
    const adjusted = run(
      metricsPolicy({ sampleSize: 400, metrics: [{ name: 'revenue', kind: 'mean', role: 'success', minimumEffect: 1, cuped: true }] }),
      [window],
    );
    // ab_metrics.py: unadjusted z = 1.20372145138926 (p 0.114) → not improved; CUPED z = 2.9089591536668937 (p 0.0018) → improved.
    expect(reasonFor(plain.results[0].reasons, 'revenue').statistic).toBeCloseTo(1.20372145138926, 9);
    expect(plain.decisions).toEqual(['hold']);
    const cuped = reasonFor(adjusted.results[0].reasons, 'revenue');
    expect(cuped.statistic).toBeCloseTo(2.9089591536668937, 9);
    expect(cuped.pValue).toBeCloseTo(0.001813171179615905, 9);
    // CUPED's estimate (statsmodels OLS treatment coefficient 1.2259249026073433).
    expect(cuped.observed).toBeCloseTo(1.2259249026075019, 9);
    expect(adjusted.decisions).toEqual(['advance']);
  });

  it('plans the sample from the control’s data when no sampleSize is given (multiMetricSampleSize, β/(G + 1))', () => {
    const cost: AbMetric = { name: 'cost', kind: 'ratio', role: 'guardrail', margin: { relative: 0.05 } };
    const policy = metricsPolicy({ sampleSize: undefined, metrics: [tokens, cost] });
    const { state } = run(policy, [
      valuesWindow(0, { tokens: tokensControl1, cost: costControl }, { tokens: tokensCandidate1, cost: costCandidate }),
    ]);
    const tokensVariance = (tokensControl1.sumXSquares - tokensControl1.sumX ** 2 / 500) / 499;
    const costMoments = { n: 1000, meanCost: costControl.sumX / 1000, meanRequests: costControl.sumY / 1000 };
    const ratio = costMoments.meanCost / costMoments.meanRequests;
    const varianceCost = (costControl.sumXSquares - costControl.sumX ** 2 / 1000) / 999;
    const varianceRequests = (costControl.sumYSquares - costControl.sumY ** 2 / 1000) / 999;
    const covariance = (costControl.sumXY - (costControl.sumX * costControl.sumY) / 1000) / 999;
    // Deng, Knoblich & Lu 2018 eq. (4), per unit.
    const perUnit =
      varianceCost / costMoments.meanRequests ** 2 -
      (2 * costMoments.meanCost * covariance) / costMoments.meanRequests ** 3 +
      (costMoments.meanCost ** 2 * varianceRequests) / costMoments.meanRequests ** 4;
    const plan = multiMetricSampleSize({
      alpha: 0.025,
      power: 0.8,
      metrics: [
        {
          name: 'tokens',
          role: 'success',
          kind: 'mean',
          baseline: tokensControl1.sumX / 500,
          standardDeviation: Math.sqrt(tokensVariance),
          minimumEffect: 4,
        },
        {
          name: 'cost',
          role: 'guardrail',
          kind: 'ratio',
          baseline: ratio,
          standardDeviation: Math.sqrt(perUnit),
          margin: 0.05,
          relative: true,
          direction: 'lower-is-better',
        },
      ],
    });
    expect(state.ab.metrics?.plannedUnits).toEqual({ tokens: plan.metrics[0].nPerArm, cost: plan.metrics[1].nPerArm });
    // By hand for tokens: ⌈(z₀.₉₇₅ + z₀.₉)²·2σ̂²/δ²⌉ at power 1 − 0.2/2 = 0.9 (one guardrail), with scipy 1.10
    // norm.ppf(0.975) = 1.959963984540054 and norm.ppf(0.9) = 1.2815515655446004: σ̂² = 438.8 gives 577.
    const byHand = Math.ceil(((1.959963984540054 + 1.2815515655446004) ** 2 * 2 * tokensVariance) / 16);
    expect(byHand).toBe(577);
    expect(plan.metrics[0].nPerArm).toBe(byHand);
  });

  it('always-valid: the one-sided mSPRT p-value of each metric at every window', () => {
    // sampleSize above the 1,000 units used, so the test does not reach its planned maximum here.
    const policy = metricsPolicy({ sampleSize: 5000, metrics: [tokens], design: { type: 'alwaysValid' } });
    const { results, decisions } = run(policy, [
      valuesWindow(0, { tokens: tokensControl1 }, { tokens: tokensCandidate1 }),
      valuesWindow(1, { tokens: tokensControl2 }, { tokens: tokensCandidate2 }),
    ]);
    expect(decisions).toEqual(['continue', 'continue']);
    // ab_metrics.py section 5 (Johari et al. 2022 normal mixture, τ = 4): running p 1.0, then 0.6903274908767609.
    expect(reasonFor(results[0].reasons, 'tokens').pValue).toBe(1);
    expect(reasonFor(results[1].reasons, 'tokens').pValue).toBeCloseTo(0.6903274908767609, 9);
    expect(reasonFor(results[1].reasons, 'abMetrics').message).toContain('always-valid, 0.2 of the planned maximum sample');
  });

  it('the success-rate counts as a guardrail: the Wald non-inferiority test with its margin', () => {
    const guardrail: AbMetric = {
      name: 'successRate',
      kind: 'proportion',
      role: 'guardrail',
      direction: 'higher-is-better',
      margin: { absolute: 0.02 },
    };
    const policy = metricsPolicy({ metrics: [tokens, guardrail] });
    const counts = (successes: number): Partial<ArmWindow> => ({ successes, outcomes: 2000 });
    const window: WindowMetrics = {
      startTime: 0,
      duration: 300,
      control: arm({ tokens: tokensControl }, counts(1800)),
      candidate: arm({ tokens: tokensCandidate }, counts(1790)),
    };
    const { results, decisions } = run(policy, [window]);
    // statsmodels 0.13.5 test_proportions_2indep(1790, 2000, 1800, 2000, value=-0.02, method='wald',
    // compare='diff', alternative='larger') → z = 1.5639643566158332, p = 0.05891296962059694 (ab_metrics.py section 6).
    const verdict = reasonFor(results[0].reasons, 'successRate');
    expect(verdict.statistic).toBeCloseTo(1.5639643566158332, 9);
    expect(verdict.pValue).toBeCloseTo(0.05891296962059694, 9);
    expect(verdict.verdict).toBe('inferiority-not-excluded');
    expect(reasonFor(results[0].reasons, 'tokens').verdict).toBe('improved');
    expect(decisions).toEqual(['hold']);
  });

  it('holds a window that lacks a listed metric’s values, naming it', () => {
    const policy = metricsPolicy({ metrics: [tokens] });
    const { results, decisions } = run(policy, [valuesWindow(0, { tokens: tokensControl1 }, {})]);
    expect(decisions).toEqual(['hold']);
    expect(results[0].reasons.find((reason) => reason.rule === 'missingData')?.message).toBe(
      'A/B window without values for tokens in both arms: hold',
    );
  });
});

describe('the no-difference ending is the same for every design', () => {
  // 250 units per arm per window, identical sums in both arms: the difference is exactly 0.
  const same = { count: 250, sumX: 25000, sumY: 0, sumXSquares: 249 * 400 + 250 * 100 * 100, sumYSquares: 0, sumXY: 0 };
  const windows = [0, 1, 2, 3].map((k) => valuesWindow(k, { tokens: same }, { tokens: same }));
  const designs: AbTest['design'][] = [
    { type: 'fixed' },
    { type: 'groupSequential', looks: 2, spending: 'obrienFleming' },
    { type: 'alwaysValid' },
  ];

  it.each(designs)('%o ends at the planned 1,000 units per arm and then does onInconclusive', (design) => {
    for (const onInconclusive of ['rollback', 'advance', 'hold'] as const) {
      const { results, decisions } = run(metricsPolicy({ metrics: [tokens], design, onInconclusive }), windows);
      expect(decisions).toEqual(['continue', 'continue', 'continue', onInconclusive]);
      expect(reasonFor(results[3].reasons, 'abMetrics').message).toContain('ended without showing a difference');
      expect(reasonFor(results[3].reasons, 'onInconclusive').message).toContain(`(onInconclusive: ${onInconclusive})`);
    }
  });

  const rates = (successes: number, outcomes: number, start: number): WindowMetrics => ({
    startTime: start,
    duration: 300,
    control: { requests: outcomes, errors: 0, timeouts: 0, successes, outcomes },
    candidate: { requests: outcomes, errors: 0, timeouts: 0, successes, outcomes },
  });

  it('the success rate alone: a fixed-design TIE follows onInconclusive instead of advancing', () => {
    // 9,000 of 10,000 in both arms: z = 0 and the Newcombe interval (about ±0.0083) lies within ±0.05 → decideAB's TIE.
    const hold = run(metricsPolicy({ sampleSize: 10_000 }), [rates(9000, 10_000, 0)]);
    expect(hold.decisions).toEqual(['hold']);
    expect(hold.state.lastAbConclusion?.conclusion).toBe('equivalent');
    expect(reasonFor(hold.results[0].reasons, 'onInconclusive').message).toBe(
      'A/B test ended equivalent within ±minimumEffect: holding (onInconclusive: hold); no winner is declared',
    );
    expect(run(metricsPolicy({ sampleSize: 10_000, onInconclusive: 'advance' }), [rates(9000, 10_000, 0)]).decisions).toEqual(['advance']);
  });

  it('the success rate alone: the always-valid test ends at its planned sample, like the others', () => {
    const policy = metricsPolicy({ sampleSize: 1000, design: { type: 'alwaysValid' }, onInconclusive: 'rollback' });
    const { results, decisions } = run(policy, [rates(400, 500, 0), rates(400, 500, 300)]);
    expect(decisions).toEqual(['continue', 'rollback']);
    expect(results[1].reasons.find((reason) => reason.rule === 'abTest')!.message).toContain('reached its planned maximum of 1000');
  });
});

describe('AbTest.metrics in the policy', () => {
  function problems(metrics: unknown): string[] {
    const policy = metricsPolicy({}) as unknown as { stages: { test: Record<string, unknown> }[] };
    policy.stages[0].test.metrics = metrics;
    const parsed = parsePolicy(policy);
    return parsed.ok ? [] : parsed.errors.map((error) => `${error.path}: ${error.message}`);
  }

  it('accepts a list with a success metric and a guardrail', () => {
    expect(problems([tokens, { name: 'cost', kind: 'ratio', role: 'guardrail', margin: { relative: 0.01 } }])).toEqual([]);
  });

  it('names the field and the reason of each cross-field rule', () => {
    expect(problems([{ name: 'tokens', kind: 'mean', role: 'success' }])).toEqual([
      'stages[0].test.metrics[0].minimumEffect: is required for a success metric: the planned improvement, in the metric’s units',
    ]);
    expect(problems([tokens, { name: 'cost', kind: 'ratio', role: 'guardrail' }])).toEqual([
      'stages[0].test.metrics[1].margin: is required for a guardrail: { absolute } or { relative } non-inferiority margin',
    ]);
    expect(problems([{ ...tokens, kind: 'ratio', cuped: true }])).toEqual([
      "stages[0].test.metrics[0].cuped: applies only to a 'mean' metric, got kind 'ratio'",
    ]);
    expect(problems([{ name: 'cost', kind: 'ratio', role: 'guardrail', margin: { absolute: 1 } }])).toEqual([
      "stages[0].test.metrics: must include at least one success metric (role 'success')",
    ]);
    expect(problems([tokens, tokens])).toEqual([
      "stages[0].test.metrics[1].name: 'tokens' is already stages[0].test.metrics[0]: names must be unique",
    ]);
    expect(problems([tokens, { name: 'cost', kind: 'ratio', role: 'guardrail', margin: { absolute: 1, relative: 0.1 } }])).toEqual([
      'stages[0].test.metrics[1].margin: must give exactly one of absolute, relative, got both',
    ]);
    expect(problems([{ name: 'successRate', kind: 'mean', role: 'success' }])).toEqual([
      "stages[0].test.metrics[0].kind: must be 'proportion' for 'successRate' (the successes / outcomes counts), got 'mean'",
    ]);
  });
});
