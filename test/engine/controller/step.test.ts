import { describe, expect, it } from 'vitest';
import type { ControllerState } from '../../../src/engine/controller/controllerState.ts';
import { cloneState, initialState } from '../../../src/engine/controller/controllerState.ts';
import type { StepResult } from '../../../src/engine/controller/step.ts';
import { killSwitch, step } from '../../../src/engine/controller/step.ts';
import type { WindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { statisticalRule } from '../../../src/engine/policy/healthRules.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { abStage, baselineStage, canaryStage, fullStage, promoteStage, shadowStage } from '../../../src/engine/policy/stages.ts';
import type { ArmSpec } from './windowFixtures.ts';
import { window } from './windowFixtures.ts';

const perWindow = 5000;

/** Healthy traffic for whichever stage the state is in; `candidate` overrides the candidate's rates. */
function healthyWindow(state: ControllerState, t: number, candidate: Partial<ArmSpec> = {}, control: Partial<ArmSpec> = {}): WindowMetrics {
  const share = state.candidateTraffic;
  const base: ArmSpec = { requests: perWindow, successRate: 0.8, ...control };
  switch (state.stageKind) {
    case 'baseline':
      return window(t, base);
    case 'shadow':
      return window(t, base, { requests: perWindow, successRate: 0.8, agreement: 0.9, ...candidate });
    case 'full':
      return window(t, undefined, { requests: perWindow, successRate: 0.85, ...candidate });
    default:
      return window(
        t,
        { ...base, requests: Math.round(perWindow * (1 - share)) },
        { requests: Math.round(perWindow * share), successRate: 0.85, ...candidate },
      );
  }
}

/** Steps until a decision other than continue, or `limit` steps. */
function runUntilChange(
  policy: Policy,
  state: ControllerState,
  next: (state: ControllerState, t: number) => WindowMetrics,
  limit = 2000,
): StepResult & { steps: number } {
  for (let i = 1; i <= limit; i++) {
    const result = step(state, [next(state, state.time)], policy);
    if (result.decision !== 'continue') return { ...result, steps: i };
  }
  throw new Error('no change within the limit');
}

describe('step on the default policy', () => {
  it('walks the framework stage by stage to promotion with healthy data, with the stated durations', () => {
    const policy = defaultPolicy();
    const state = initialState(policy, 0);
    const path: string[] = [];
    const stepsPerStage: number[] = [];
    while (state.status === 'running') {
      const result = runUntilChange(policy, state, (s, t) => healthyWindow(s, t));
      path.push(`${result.decision}:${state.stageKind}@${state.candidateTraffic}`);
      stepsPerStage.push(result.steps);
    }
    expect(path).toEqual([
      'advance:shadow@0',
      'advance:canary@0.05',
      'advance:canary@0.25',
      'advance:ab@0.5',
      'advance:full@1',
      'promote:promote@1',
    ]);
    // 5-minute windows: 24 h = 288, 2 h = 24, 6 h = 72, 1 h = 12 windows of passing checks.
    expect(stepsPerStage).toEqual([288, 288, 24, 72, 288, 12]);
    expect(state.status).toBe('promoted');
    // The audit trail has one event per decision, JSON round-trips, and names the stages.
    expect(state.events).toHaveLength(288 + 288 + 24 + 72 + 288 + 12);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(state.events.at(-1)).toMatchObject({ decision: 'promote', stage: 'full', kind: 'full', candidateTraffic: 1 });
  });

  it('rolls back within one window when the candidate error rate jumps in the canary', () => {
    const policy = defaultPolicy();
    const state = initialState(policy, 0);
    while (state.stageKind !== 'canary') step(state, [healthyWindow(state, state.time)], policy);
    for (let i = 0; i < 5; i++) expect(step(state, [healthyWindow(state, state.time)], policy).decision).toBe('continue');
    const result = step(state, [healthyWindow(state, state.time, { errorRate: 0.05 })], policy);
    expect(result.decision).toBe('rollback');
    expect(state.candidateTraffic).toBe(0);
    const ratio = result.reasons.find((r) => r.rule === 'ratio');
    // 250 candidate requests, 12.5 → 13 errors (5.2%) vs the baseline's 1%.
    expect(ratio).toMatchObject({ metric: 'errorRate', threshold: 2 });
    expect(ratio!.observed).toBeCloseTo(13 / 250 / 0.01, 10);
    expect(result.reasons.some((r) => r.rule === 'failureLimit')).toBe(true);
    // After the rollback every step repeats the rollback.
    expect(step(state, [healthyWindow(state, state.time)], policy).decision).toBe('rollback');
  });

  it('rolls back mid-A/B when the candidate degrades (guardrail), before the test concludes', () => {
    const policy = defaultPolicy();
    const state = initialState(policy, 0);
    while (state.stageKind !== 'ab') step(state, [healthyWindow(state, state.time)], policy);
    for (let i = 0; i < 10; i++) expect(step(state, [healthyWindow(state, state.time)], policy).decision).toBe('continue');
    const result = step(state, [healthyWindow(state, state.time, { p95: 500 })], policy);
    expect(result.decision).toBe('rollback');
    expect(result.reasons[0]).toMatchObject({ rule: 'ratio', metric: 'latencyP95', observed: 2, threshold: 1.5 });
  });

  it('flags the flag at 100% past its retirement time', () => {
    const policy = defaultPolicy(); // retireAfter 14d
    const state = initialState(policy, 0);
    while (state.status === 'running') step(state, [healthyWindow(state, state.time)], policy);
    const fullSince = state.fullSince!;
    const early = step(state, [window(fullSince + 13 * 86400, undefined, { requests: 100 })], policy);
    expect(early.reasons.some((r) => r.rule === 'flagRetirement')).toBe(false);
    const late = step(state, [window(fullSince + 14 * 86400, undefined, { requests: 100 })], policy);
    const flagged = late.reasons.find((r) => r.rule === 'flagRetirement');
    expect(flagged).toMatchObject({ threshold: 14 * 86400, observed: 14 * 86400 + 300 });
    expect(flagged!.message).toContain("flag 'candidate-model'");
  });
});

/** A concurrent-baseline policy starting at a 5% canary. */
function concurrentCanaryPolicy(overrides: Partial<Policy> = {}, canary = {}): Policy {
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, failureLimit: 1 },
    stages: [canaryStage({ traffic: 0.05, minDuration: '1h', maxDuration: '3h', ...canary }), fullStage(), promoteStage()],
    ...overrides,
  };
}

describe('guards: missing data holds, never passes', () => {
  it('holds on an empty window list, a window without candidate data, and too few requests; held windows do not count', () => {
    const policy = concurrentCanaryPolicy();
    const state = initialState(policy, 0);
    expect(step(state, [], policy)).toMatchObject({ decision: 'hold', reasons: [{ rule: 'missingData' }] });
    expect(step(state, [window(0, { requests: 4750 })], policy)).toMatchObject({
      decision: 'hold',
      reasons: [{ rule: 'minRequests', observed: 0, threshold: 100 }],
    });
    expect(step(state, [window(300, { requests: 4750 }, { requests: 99 })], policy)).toMatchObject({
      decision: 'hold',
      reasons: [{ rule: 'minRequests', observed: 99 }],
    });
    // Concurrent mode without control data: no baseline for the ratios.
    expect(step(state, [window(600, undefined, { requests: 250 })], policy)).toMatchObject({
      decision: 'hold',
      reasons: [{ rule: 'noBaseline' }],
    });
    // A latency rule without latency data cannot pass.
    const noLatency = step(state, [window(900, { requests: 4750, p50: NaN }, { requests: 250, p50: NaN })], policy);
    expect(noLatency.decision).toBe('hold');
    expect(noLatency.reasons.every((r) => r.rule === 'missingData')).toBe(true);
    expect(state.passedDuration).toBe(0);
    // 12 passing windows (1 h) are still needed after all those holds.
    const decisions: string[] = [];
    for (let i = 0; i < 12; i++)
      decisions.push(step(state, [window(1200 + 300 * i, { requests: 4750 }, { requests: 250 })], policy).decision);
    expect(decisions.slice(0, 11).every((d) => d === 'continue')).toBe(true);
    expect(decisions[11]).toBe('advance');
  });

  it('rolls back only after failureLimit consecutive failures; a passing window resets the count', () => {
    const policy = concurrentCanaryPolicy({ guards: { minRequests: 100, failureLimit: 2 } });
    const state = initialState(policy, 0);
    const bad = (t: number) => window(t, { requests: 4750 }, { requests: 250, errorRate: 0.1 });
    const good = (t: number) => window(t, { requests: 4750 }, { requests: 250 });
    expect(step(state, [bad(0)], policy).decision).toBe('hold');
    expect(step(state, [good(300)], policy).decision).toBe('continue');
    expect(state.consecutiveFailures).toBe(0);
    expect(step(state, [bad(600)], policy).decision).toBe('hold');
    const result = step(state, [bad(900)], policy);
    expect(result.decision).toBe('rollback');
    expect(result.reasons.find((r) => r.rule === 'failureLimit')).toMatchObject({ observed: 2, threshold: 2 });
  });

  it('applies onMaxDuration when a stage runs out of time without a conclusion', () => {
    const hold = (t: number) => window(t, { requests: 4750 }, { requests: 50 });
    for (const action of ['rollback', 'hold'] as const) {
      const policy = concurrentCanaryPolicy({}, { onMaxDuration: action });
      const state = initialState(policy, 0);
      let result: StepResult | undefined;
      for (let i = 0; i < 36; i++) result = step(state, [hold(300 * i)], policy); // 3 h of starved windows
      expect(result!.decision).toBe(action);
      expect(result!.reasons.at(-1)).toMatchObject({ rule: 'maxDuration', observed: 10800, threshold: 10800 });
      expect(state.status).toBe(action === 'rollback' ? 'rolledBack' : 'running');
    }
  });
});

describe('baselines', () => {
  it('will not start a canary without an established historical baseline', () => {
    const policy: Policy = {
      version: 1,
      baseline: { mode: 'historical' },
      stages: [baselineStage({ minDuration: '1h', minRequests: 50_000 }), canaryStage({ traffic: 0.05 }), fullStage()],
    };
    const state = initialState(policy, 0);
    // 1 h of 1,000 requests per window: the duration is met but not the 50,000 requests.
    for (let i = 0; i < 12; i++) expect(step(state, [window(300 * i, { requests: 1000 })], policy).decision).toBe('continue');
    for (let i = 12; i < 49; i++) expect(step(state, [window(300 * i, { requests: 1000 })], policy).decision).toBe('continue');
    expect(step(state, [window(300 * 49, { requests: 1000 })], policy).decision).toBe('advance');
    expect(state.baselineEstablished).toBe(true);

    // A state put in the canary by hand, without a baseline, only holds.
    const forced = initialState(policy, 0);
    forced.stageIndex = 1;
    forced.stageKind = 'canary';
    forced.candidateTraffic = 0.05;
    const result = step(forced, [window(0, { requests: 4750 }, { requests: 250 })], policy);
    expect(result).toMatchObject({ decision: 'hold', reasons: [{ rule: 'noBaseline' }] });
  });

  it('a baseline window without control data holds', () => {
    const policy = defaultPolicy();
    const state = initialState(policy, 0);
    expect(step(state, [window(0)], policy)).toMatchObject({ decision: 'hold', reasons: [{ rule: 'missingData' }] });
  });
});

describe('shadow', () => {
  const policy: Policy = {
    version: 1,
    baseline: { mode: 'concurrent' },
    stages: [shadowStage({ minDuration: '1h' }), canaryStage({ traffic: 0.05 }), fullStage()],
  };

  it('a shadow window without comparison data holds', () => {
    const state = initialState(policy, 0);
    const result = step(state, [window(0, { requests: 1000 }, { requests: 1000 })], policy);
    expect(result).toMatchObject({ decision: 'hold', reasons: [{ rule: 'missingData', metric: 'compared' }] });
  });

  it('passes the gates after the minimum duration and advances to the canary', () => {
    const state = initialState(policy, 0);
    const decisions = Array.from({ length: 12 }, (_, i) =>
      step(state, [window(300 * i, { requests: 1000 }, { requests: 1000, agreement: 0.9 })], policy),
    );
    expect(decisions.slice(0, 11).every((r) => r.decision === 'continue')).toBe(true);
    expect(decisions[11].decision).toBe('advance');
    expect(decisions[11].reasons.find((r) => r.metric === 'agreement')).toMatchObject({ observed: 0.9, threshold: 0.85 });
    expect(state.stageKind).toBe('canary');
  });

  it('rolls back when agreement is at or below 85% and holds with fewer than 1,000 comparisons', () => {
    const low = initialState(policy, 0);
    let result: StepResult | undefined;
    for (let i = 0; i < 12; i++) result = step(low, [window(300 * i, { requests: 1000 }, { requests: 1000, agreement: 0.85 })], policy);
    expect(result!.decision).toBe('rollback');
    expect(result!.reasons).toEqual([expect.objectContaining({ rule: 'shadowGate', metric: 'agreement', observed: 0.85 })]);

    const few = initialState(policy, 0);
    for (let i = 0; i < 12; i++) result = step(few, [window(300 * i, { requests: 80 }, { requests: 80, agreement: 0.95 })], policy);
    expect(result!).toMatchObject({
      decision: 'hold',
      reasons: [{ rule: 'shadowGate', metric: 'compared', observed: 960, threshold: 1000 }],
    });
    result = step(few, [window(3600, { requests: 80 }, { requests: 80, agreement: 0.95 })], policy);
    expect(result.decision).toBe('advance');
  });
});

describe('A/B stage', () => {
  function abPolicy(test: Parameters<typeof abStage>[0]['test'], options: Partial<Parameters<typeof abStage>[0]> = {}): Policy {
    return {
      version: 1,
      baseline: { mode: 'concurrent' },
      guards: { minRequests: 10 },
      skipCanary: { reason: 'test of the A/B stage alone' },
      stages: [
        shadowStage({ minDuration: '5m', gates: { minComparisons: 1 } }),
        abStage({ minDuration: '5m', test, ...options }),
        fullStage(),
      ],
    };
  }
  /** Skips the shadow stage with one passing window. */
  function startAb(policy: Policy): ControllerState {
    const state = initialState(policy, 0);
    expect(step(state, [window(0, { requests: 100 }, { requests: 100, agreement: 1 })], policy).decision).toBe('advance');
    return state;
  }
  function counts(t: number, control: [number, number], candidate: [number, number]): WindowMetrics {
    const w = window(t, { requests: control[1] }, { requests: candidate[1] });
    w.control!.successes = control[0];
    w.control!.outcomes = control[1];
    w.candidate!.successes = candidate[0];
    w.candidate!.outcomes = candidate[1];
    return w;
  }

  it('reports a tiny-sample result (43/50 vs 44/50) as inconclusive: hold, not a winner', () => {
    const policy = abPolicy({ minimumEffect: 0.05, sampleSize: 50 });
    const state = startAb(policy);
    const result = step(state, [counts(300, [43, 50], [44, 50])], policy);
    expect(result.decision).toBe('hold');
    const test = result.reasons.find((r) => r.rule === 'abTest' && r.pValue !== undefined)!;
    expect(test.message).toContain('INCONCLUSIVE');
    // statsmodels 0.13.5 proportions_ztest([44, 43], [50, 50]) → z = 0.2973505167250266, p = 0.766198917921233
    // (scripts/reference/controller.py)
    expect(test.statistic).toBeCloseTo(0.2973505167250266, 12);
    expect(test.pValue).toBeCloseTo(0.766198917921233, 12);
    expect(state.ab.conclusion).toBe('inconclusive');
    expect(step(state, [counts(600, [43, 50], [44, 50])], policy).decision).toBe('hold');
  });

  it('does not peek before the fixed horizon, then promotes a clear winner', () => {
    const policy = abPolicy({ minimumEffect: 0.1, sampleSize: 400 });
    const state = startAb(policy);
    // A big early difference is not acted on before 400 per arm.
    expect(step(state, [counts(300, [60, 200], [180, 200])], policy).decision).toBe('continue');
    const result = step(state, [counts(600, [60, 200], [180, 200])], policy);
    expect(result.decision).toBe('advance');
    expect(state.stageKind).toBe('full');
  });

  it('rolls back when the A/B test finds the candidate significantly worse', () => {
    const policy = abPolicy({ minimumEffect: 0.1, sampleSize: 200 });
    const state = startAb(policy);
    expect(step(state, [counts(300, [180, 200], [120, 200])], policy).decision).toBe('rollback');
  });

  it('group-sequential: compares z with the Lan–DeMets boundary at the information fraction n/N', () => {
    // rpact 3.3.4 getDesignGroupSequential(typeOfDesign = "asOF", kMax = 2, alpha = 0.05, sided = 2,
    // informationRates = c(0.5, 1))$criticalValues → 2.962588043, 1.968595646 (scripts/reference/controller.R).
    const policy = abPolicy({
      minimumEffect: 0.1,
      sampleSize: 1000,
      design: { type: 'groupSequential', looks: 2, spending: 'obrienFleming' },
    });
    const state = startAb(policy);
    // Look 1 at n = 500 per arm: 330/500 vs 300/500, z = 1.96494372972965 (statsmodels 0.13.5
    // proportions_ztest([330, 300], [500, 500])) < 2.9626 → continue, though p = 0.049 < 0.05.
    const first = step(state, [counts(300, [300, 500], [330, 500])], policy);
    expect(first.decision).toBe('continue');
    const look1 = first.reasons.find((r) => r.rule === 'abTest')!;
    expect(look1.threshold).toBeCloseTo(2.962588043, 6);
    expect(look1.statistic).toBeCloseTo(1.96494372972965, 12);
    // Look 2 at n = 1000: 665/1000 vs 600/1000, z = 3.0146675220236987 (statsmodels) ≥ 1.9686 → advance.
    const second = step(state, [counts(600, [300, 500], [335, 500])], policy);
    const look2 = second.reasons.find((r) => r.rule === 'abTest')!;
    expect(look2.threshold).toBeCloseTo(1.968595646, 6);
    expect(look2.statistic).toBeCloseTo(3.0146675220236987, 12);
    expect(second.decision).toBe('advance');
  });

  it('always-valid: declares a winner at the first window whose mSPRT p-value is at most alpha', () => {
    // sampleSize: the always-valid test ends at its planned sample (its maximum), set above the 2,000 outcomes used here.
    const policy = abPolicy({ minimumEffect: 0.05, sampleSize: 5000, design: { type: 'alwaysValid' } });
    const state = startAb(policy);
    // Running-minimum mSPRT p-values for 400/500 vs 420/500 per window, τ² = 0.05², computed
    // independently in numpy by scripts/reference/controller.py (Johari et al. 2017 formula).
    const expected = [0.7626396006748184, 0.2709318971819398, 0.08464359403853618, 0.025025906542160827];
    const decisions: string[] = [];
    expected.forEach((p, k) => {
      const result = step(state, [counts(300 * (k + 1), [400, 500], [420, 500])], policy);
      decisions.push(result.decision);
      expect(result.reasons.find((r) => r.rule === 'abTest')!.pValue).toBeCloseTo(p, 12);
    });
    expect(decisions).toEqual(['continue', 'continue', 'continue', 'advance']);
    expect(state.events.at(-1)!.reasons.find((r) => r.rule === 'abTest')!.message).toContain('candidate better');
  });

  it('keeps the conclusion in state.lastAbConclusion after advancing out of the stage (the new stage replaces state.ab)', () => {
    const policy = abPolicy({ minimumEffect: 0.1, sampleSize: 400 });
    const state = startAb(policy);
    const abIndex = state.stageIndex;
    expect(state.lastAbConclusion).toBeNull();
    step(state, [counts(300, [60, 200], [180, 200])], policy);
    expect(state.lastAbConclusion).toBeNull(); // no peeking before the horizon: no conclusion yet
    expect(step(state, [counts(600, [60, 200], [180, 200])], policy).decision).toBe('advance');
    expect(state.ab.conclusion).toBeNull(); // the full stage's fresh A/B state
    expect(state.lastAbConclusion).toEqual({ stageIndex: abIndex, conclusion: 'candidateBetter' });
    // Kept for the rest of the rollout, and in the saved state.
    step(state, [healthyWindow(state, state.time)], policy);
    expect(state.lastAbConclusion).toEqual({ stageIndex: abIndex, conclusion: 'candidateBetter' });
    expect(cloneState(state).lastAbConclusion).toEqual({ stageIndex: abIndex, conclusion: 'candidateBetter' });
  });

  it('keeps a losing conclusion on rollback too', () => {
    const policy = abPolicy({ minimumEffect: 0.1, sampleSize: 200 });
    const state = startAb(policy);
    expect(step(state, [counts(300, [180, 200], [120, 200])], policy).decision).toBe('rollback');
    expect(state.lastAbConclusion).toEqual({ stageIndex: state.stageIndex, conclusion: 'candidateWorse' });
  });
});

describe('kill switch', () => {
  it('rolls back at once from any stage, leaving control at 100%, and records it', () => {
    const policy = defaultPolicy();
    for (const stage of ['baseline', 'shadow', 'canary', 'ab', 'full'] as const) {
      const state = initialState(policy, 0);
      while (state.stageKind !== stage) step(state, [healthyWindow(state, state.time)], policy);
      const before = state.events.length;
      const result = killSwitch(state, 'on-call engineer saw complaints', state.time + 10);
      expect(result.decision).toBe('rollback');
      expect(state.candidateTraffic).toBe(0);
      expect(state.status).toBe('rolledBack');
      expect(state.events).toHaveLength(before + 1);
      expect(state.events.at(-1)).toMatchObject({ decision: 'rollback', kind: stage, reasons: [{ rule: 'killSwitch' }] });
    }
  });

  it("rolls back at the next step when the policy's flag has its kill switch on", () => {
    const policy = concurrentCanaryPolicy({ flag: { name: 'ranker-v2', killSwitch: true } });
    const state = initialState(policy, 0);
    expect(step(state, [window(0, { requests: 4750 }, { requests: 250 })], policy)).toMatchObject({
      decision: 'rollback',
      reasons: [{ rule: 'killSwitch' }],
    });
    expect(state.candidateTraffic).toBe(0);
  });
});

describe('statistical rules', () => {
  it('alpha spending: fires on a clear jump, using the z of the shifted pooled test', () => {
    const policy = concurrentCanaryPolicy({}, { rules: [statisticalRule('errorRate', { minimumEffect: 0.005, method: 'alphaSpending' })] });
    const state = initialState(policy, 0);
    // 1% vs 1% does not fire; 1% vs 4% does at look 2 (O'Brien–Fleming boundaries are high early).
    expect(step(state, [window(0, { requests: 4750 }, { requests: 250 })], policy).decision).toBe('continue');
    const result = step(state, [window(300, { requests: 4750 }, { requests: 250, errorRate: 0.1 })], policy);
    expect(result.decision).toBe('rollback');
    const r = result.reasons.find((x) => x.rule === 'statistical')!;
    // Candidate 3 + 25 errors of 500, control 48 + 48 of 9,500. statsmodels 0.13.5
    // proportions_ztest([28, 96], [500, 9500], value=0.005, alternative='larger') → z = 8.054022516987942
    expect(r.statistic).toBeCloseTo(8.054022516987942, 10);
    expect(r.observed).toBeCloseTo(28 / 500 - 96 / 9500, 14);
  });

  it('snapshots with cloneState are not changed by later steps', () => {
    const policy = concurrentCanaryPolicy();
    const state = initialState(policy, 0);
    step(state, [window(0, { requests: 4750 }, { requests: 250 })], policy);
    const snapshot = cloneState(state);
    step(state, [window(300, { requests: 4750 }, { requests: 250 })], policy);
    expect(snapshot.events).toHaveLength(1);
    expect(state.events).toHaveLength(2);
  });
});

describe('reason messages', () => {
  it('print the values of the step that produced them, even when read after later steps (the state is updated in place)', () => {
    const policy = defaultPolicy();
    const state = initialState(policy, 0);
    // Run the baseline to completion and well into the shadow stage before reading any message.
    while (state.stageKind !== 'canary') step(state, [healthyWindow(state, state.time)], policy);
    for (let i = 0; i < 3; i++) step(state, [healthyWindow(state, state.time)], policy);
    const first = state.events[0].reasons[0];
    expect(first.rule).toBe('baseline');
    expect(first.message).toBe(`baseline has ${perWindow} of ${first.threshold} control requests over 5m of 24h`);
    const completed = state.events.find((event) => event.reasons.some((r) => r.rule === 'stageComplete'))!;
    expect(completed.reasons.find((r) => r.rule === 'stageComplete')!.message).toBe('baseline passed its checks for 24h (minimum 24h)');
    const shadowSoFar = state.events.find((event) => event.kind === 'shadow')!.reasons[0];
    expect(shadowSoFar.message).toBe(`shadow so far: agreement 0.9 over ${perWindow} comparisons (gate > ${shadowSoFar.threshold})`);
  });

  it('are plain strings: JSON, structured clone and spread keep them, in the same key order', () => {
    const policy = defaultPolicy();
    const state = initialState(policy, 0);
    while (state.stageKind !== 'canary') step(state, [healthyWindow(state, state.time)], policy);
    const result = step(state, [healthyWindow(state, state.time)], policy);
    const healthy = result.reasons[0];
    expect(healthy.rule).toBe('ratio');
    const text = healthy.message;
    expect(text).toBe('healthy: closest rule p50 latency at 1× the baseline (limit 1.2×)');
    // Same keys, same order, as a plain reason: rule, metric, observed, threshold, message.
    const json = JSON.parse(JSON.stringify(healthy)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['rule', 'metric', 'observed', 'threshold', 'message']);
    expect(json.message).toBe(text);
    expect(structuredClone(healthy)).toEqual({ ...json });
    expect({ ...healthy }.message).toBe(text);
    expect(JSON.stringify(state.events.at(-1))).toContain(JSON.stringify(text));
    healthy.message = 'edited';
    expect(healthy.message).toBe('edited');
  });
});
