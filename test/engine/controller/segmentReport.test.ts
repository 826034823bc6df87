import { describe, expect, it } from 'vitest';
import type { ControllerState } from '../../../src/engine/controller/controllerState.ts';
import { cloneState, initialState } from '../../../src/engine/controller/controllerState.ts';
import { segmentReports } from '../../../src/engine/controller/segmentReport.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { ArmWindow, WindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { abStage, fullStage, shadowStage } from '../../../src/engine/policy/stages.ts';
import { window } from './windowFixtures.ts';

// The A/B stage's report by segment (`segmentKeys`): tallied from the windows' `segments`,
// analysed when the test concludes, never decisive.

function abPolicy(segmentKeys: string[] | undefined, sampleSize: number): Policy {
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 10 },
    skipCanary: { reason: 'test of the A/B stage alone' },
    stages: [
      shadowStage({ minDuration: '5m', gates: { minComparisons: 1 } }),
      abStage({
        minDuration: '5m',
        test: { minimumEffect: 0.05, sampleSize, onInconclusive: 'advance' },
        ...(segmentKeys ? { segmentKeys } : {}),
      }),
      fullStage(),
    ],
  };
}

function startAb(policy: Policy): ControllerState {
  const state = initialState(policy, 0);
  expect(step(state, [window(0, { requests: 100 }, { requests: 100, agreement: 1 })], policy).decision).toBe('advance');
  return state;
}

/** An arm with successes/outcomes per segment ([successes, outcomes]) and their sums. */
function armOf(segments: Record<string, [number, number]>): ArmWindow {
  const arm: ArmWindow = { requests: 0, errors: 0, timeouts: 0, successes: 0, outcomes: 0, segments: {} };
  for (const [name, [successes, outcomes]] of Object.entries(segments)) {
    arm.requests += outcomes;
    arm.successes! += successes;
    arm.outcomes! += outcomes;
    arm.segments![name] = { requests: outcomes, errors: 0, timeouts: 0, successes, outcomes };
  }
  arm.latency = { p50: 100, p95: 250, p99: 400 };
  return arm;
}

function abWindow(t: number, control: Record<string, [number, number]>, candidate: Record<string, [number, number]>): WindowMetrics {
  return { startTime: t, duration: 300, control: armOf(control), candidate: armOf(candidate) };
}

// Charig et al. 1986 kidney-stone counts (../shared/data): control = open surgery, candidate = PCNL.
const kidneyControl: Record<string, [number, number]> = { small: [81, 87], large: [192, 263] };
const kidneyCandidate: Record<string, [number, number]> = { small: [234, 270], large: [55, 80] };

describe('A/B report by segment', () => {
  it('reports Simpson’s paradox in the kidney-stone counts when the test concludes, without changing the decision', () => {
    const policy = abPolicy(['stone size'], 350);
    const state = startAb(policy);
    // Half of the counts per window: the first window is below the planned 350 per arm.
    const half = (counts: Record<string, [number, number]>) =>
      Object.fromEntries(Object.entries(counts).map(([k, [s, n]]) => [k, [Math.floor(s / 2), Math.floor(n / 2)] as [number, number]]));
    const rest = (counts: Record<string, [number, number]>) =>
      Object.fromEntries(
        Object.entries(counts).map(([k, [s, n]]) => [k, [s - Math.floor(s / 2), n - Math.floor(n / 2)] as [number, number]]),
      );
    const first = step(state, [abWindow(300, half(kidneyControl), half(kidneyCandidate))], policy);
    expect(first.decision).toBe('continue');
    expect(first.reasons.some((r) => r.rule === 'segments')).toBe(false);
    expect(state.ab.segments).toEqual({
      small: { controlSuccesses: 40, controlOutcomes: 43, candidateSuccesses: 117, candidateOutcomes: 135 },
      large: { controlSuccesses: 96, controlOutcomes: 131, candidateSuccesses: 27, candidateOutcomes: 40 },
    });

    const second = step(state, [abWindow(600, rest(kidneyControl), rest(kidneyCandidate))], policy);
    // The aggregate test: 289/350 vs 273/350, statsmodels 0.13.5 proportions_ztest([289, 273], [350, 350])
    // → z = 1.5200619980786936, p = 0.12849539443997515: not significant; onInconclusive: advance.
    const test = second.reasons.find((r) => r.rule === 'abTest')!;
    expect(test.statistic).toBeCloseTo(1.5200619980786936, 12);
    expect(second.decision).toBe('advance');
    const report = second.reasons.find((r) => r.rule === 'segments')!;
    // Per segment, statsmodels 0.13.5 proportions_ztest: small [81, 234]/[87, 270] → p = 0.10511255428297253;
    // large [192, 55]/[263, 80] → p = 0.45802602222862765.
    expect(report.message).toMatch(
      /^A\/B by stone size: 'small' candidate 86\.7% vs control 93\.1% \(−6\.4 points, p 0\.11, not significant\); 'large' candidate 68\.8% vs control 73\.0% \(−4\.3 points, p 0\.46, not significant\)\. Simpson's paradox: candidate is ahead overall/,
    );
    // The arms' stone-size mixes: scipy 1.10.1 chi2_contingency([[87, 263], [270, 80]], correction=False)
    // → χ² 191.44229120219518, p 1.539983728314052e-43 (scripts/reference/contingency.py): a real paradox.
    expect(report.message).toContain(
      "The arms' segment mixes differ (χ² 191.4, p 1.5e-43): a randomised assignment should not do this; check it.",
    );
    // Standardised to the pooled segment mix: control everywhere 0.8325462173856037, candidate 0.778875 (numpy, above counts).
    // No difference is significant (overall p = 0.13; the strata after Holm's correction 0.21 and 0.46): no winner is named.
    expect(report.message).toContain(
      "No winner: neither control nor candidate is significantly better overall (p = 0.13) or in any segment after Holm's correction for 2 segments at α = 0.05",
    );
    expect(report.observed).toBe(0); // routing by segment gains nothing over control for all
    expect(report.threshold).toBeNull();
  });

  it('finds the winner an aggregate test hides, and analyses each key of `key=value` names separately', () => {
    const policy = abPolicy(['device', 'region'], 4000);
    const state = startAb(policy);
    // device: candidate +8 points on mobile (20%), −2 on web (80%); region: no difference.
    const control = {
      'device=mobile': [640, 800],
      'device=web': [2880, 3200],
      'region=eu': [1760, 2000],
      'region=us': [1760, 2000],
    } as Record<string, [number, number]>;
    const candidate = {
      'device=mobile': [704, 800],
      'device=web': [2816, 3200],
      'region=eu': [1760, 2000],
      'region=us': [1760, 2000],
    } as Record<string, [number, number]>;
    const w = abWindow(300, control, candidate);
    // The aggregate counts are those of one key (each request is counted once per key).
    for (const arm of [w.control!, w.candidate!]) {
      arm.requests = arm.outcomes = 4000;
      arm.successes = 3520;
    }
    const result = step(state, [w], policy);
    const reports = result.reasons.filter((r) => r.rule === 'segments');
    expect(reports.map((r) => r.message.slice(0, 16))).toEqual(["A/B by device: '", "A/B by region: '"]);
    expect(reports[0].message).toContain("Route per segment ('mobile' → candidate, 'web' → control): expected success rate 89.6%");
    // Mobile: 704/800 vs 640/800, statsmodels 0.13.5 proportions_ztest([704, 640], [800, 800]) → p = 1.2749674921097242e-05.
    expect(reports[0].message).toContain("'mobile' candidate 88.0% vs control 80.0% (+8.0 points, p 1.3e-5)");
    // Gain of routing by device: 0.2·0.88 + 0.8·0.90 − 0.88 = 0.016.
    expect(reports[0].observed).toBeCloseTo(0.016, 12);
    expect(reports[1].message).toContain("'eu' candidate 88.0% vs control 88.0% (±0.0 points, p 1, not significant)");
    expect(reports[1].observed).toBe(0);
  });

  it('says so when the windows carry no breakdown, and reports nothing without segment keys', () => {
    const withKeys = abPolicy(['segment'], 100);
    const state = startAb(withKeys);
    const plain = window(300, { requests: 100, successRate: 0.8 }, { requests: 100, successRate: 0.9 });
    const result = step(state, [plain], withKeys);
    expect(result.reasons.filter((r) => r.rule === 'segments').map((r) => r.message)).toEqual([
      'A/B by segment: fewer than two segments with outcomes in both arms; no breakdown to report (the windows carry none, or the producer sends no `segments`)',
    ]);

    const withoutKeys = abPolicy(undefined, 100);
    const other = startAb(withoutKeys);
    const segmented = step(other, [abWindow(300, { a: [40, 50], b: [40, 50] }, { a: [45, 50], b: [45, 50] })], withoutKeys);
    expect(segmented.reasons.some((r) => r.rule === 'segments')).toBe(false);
    expect(other.ab.segments).toEqual({});
  });

  it('reads a state saved before the tallies existed, and keeps them in a saved state', () => {
    const policy = abPolicy(['segment'], 100);
    const state = startAb(policy);
    delete state.ab.segments;
    const saved = JSON.parse(JSON.stringify(state)) as ControllerState;
    const result = step(saved, [abWindow(300, { a: [40, 50], b: [40, 50] }, { a: [45, 50], b: [30, 50] })], policy);
    expect(result.reasons.find((r) => r.rule === 'segments')!.message).toMatch(/^A\/B by segment: 'a' candidate 90\.0% vs control 80\.0%/);
    expect(cloneState(saved).ab).toEqual(saved.ab);
  });

  it('names segments with no outcomes in one arm and leaves them out', () => {
    const [report] = segmentReports(
      {
        a: { controlSuccesses: 40, controlOutcomes: 50, candidateSuccesses: 45, candidateOutcomes: 50 },
        b: { controlSuccesses: 40, controlOutcomes: 50, candidateSuccesses: 30, candidateOutcomes: 50 },
        c: { controlSuccesses: 5, controlOutcomes: 5, candidateSuccesses: 0, candidateOutcomes: 0 },
      },
      ['segment'],
      0.05,
    );
    expect(report.message).toMatch(/^A\/B by segment \(no outcomes in one arm: 'c'\): 'a' candidate 90\.0%/);
    expect(report.message).not.toContain("'c' candidate");
  });
});
