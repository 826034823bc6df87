/**
 * The counting guards' field rules (policyFields.ts): choices, the failure window's range, and the
 * cross-field rules on each stage's merged guards — failureWindow required by and only with
 * 'mOfN', and at least failureLimit — plus the counting knobs (policyKnobs.ts).
 */
import { describe, expect, it } from 'vitest';
import { formatPolicyError, parsePolicy } from '../../../src/engine/policy/parsePolicy.ts';
import type { Guards, Policy } from '../../../src/engine/policy/policy.ts';
import { knobChoices, knobKind, knobValue, withKnob, withKnobs } from '../../../src/engine/policy/policyKnobs.ts';
import { canaryStage, fullStage, promoteStage } from '../../../src/engine/policy/stages.ts';

function policy(guards: Guards, stageGuards?: Guards): Policy {
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards,
    stages: [canaryStage({ traffic: 0.05, ...(stageGuards ? { guards: stageGuards } : {}) }), fullStage(), promoteStage()],
  };
}

function errorsOf(value: Policy): string[] {
  const parsed = parsePolicy(value);
  return parsed.ok ? [] : parsed.errors.map(formatPolicyError);
}

describe('counting guards', () => {
  it('accepts each mode, scope and no-data action', () => {
    expect(errorsOf(policy({ failureCounting: 'total', failureLimit: 4, failureScope: 'rollout', onNoData: 'fail' }))).toEqual([]);
    expect(
      errorsOf(policy({ failureCounting: 'mOfN', failureLimit: 3, failureWindow: 5, onNoData: 'inconclusive', inconclusiveLimit: 2 })),
    ).toEqual([]);
    expect(errorsOf(policy({ failureCounting: 'consecutive' }))).toEqual([]);
  });

  it('names the field and the reason', () => {
    expect(errorsOf(policy({ failureCounting: 'mOfN', failureLimit: 3 }))).toEqual([
      "guards.failureWindow: is required with failureCounting 'mOfN': the N of 'M of the last N checks'",
    ]);
    expect(errorsOf(policy({ failureCounting: 'mOfN', failureLimit: 3, failureWindow: 2 }))).toEqual([
      'guards.failureWindow: must be at least failureLimit (3): 3 failures cannot fit in the last 2 checks',
    ]);
    expect(errorsOf(policy({ failureCounting: 'total', failureWindow: 5 }))).toEqual([
      "guards.failureWindow: applies only to failureCounting 'mOfN', not 'total'",
    ]);
    expect(errorsOf(policy({ failureWindow: 31, failureCounting: 'mOfN' }))[0]).toBe(
      'guards.failureWindow: must be between 1 and 30, got 31',
    );
    expect(errorsOf(policy({ onNoData: 'pass' as 'hold' }))[0]).toMatch(/^guards\.onNoData: must be one of/);
    expect(errorsOf(policy({ inconclusiveLimit: 0 }))).toEqual(['guards.inconclusiveLimit: must be at least 1, got 0']);
  });

  it("checks each stage's merged guards: a stage raising the limit above the policy's window is refused there", () => {
    const guards: Guards = { failureCounting: 'mOfN', failureLimit: 2, failureWindow: 4 };
    expect(errorsOf(policy(guards, { failureLimit: 3 }))).toEqual([]);
    expect(errorsOf(policy(guards, { failureLimit: 5 }))).toEqual([
      'stages[0].guards.failureWindow: must be at least failureLimit (5): 5 failures cannot fit in the last 4 checks',
    ]);
    expect(errorsOf(policy({}, { failureWindow: 4 }))).toEqual([
      "stages[0].guards.failureWindow: applies only to failureCounting 'mOfN', not 'consecutive'",
    ]);
  });
});

describe('counting knobs', () => {
  it('reads and writes the mode, the window and the no-data action', () => {
    const base = policy({ minRequests: 100, failureLimit: 3 });
    expect(knobKind('guards.failureCounting')).toBe('choice');
    expect(knobChoices('guards.onNoData')).toEqual(['hold', 'fail', 'inconclusive']);
    expect(knobValue(base, 'guards.failureCounting')).toBe('consecutive');
    expect(knobValue(base, 'guards.onNoData')).toBe('hold');
    expect(knobValue(base, 'guards.failureWindow')).toBeUndefined();
    // Nothing carries a window under consecutive counting.
    expect(withKnob(base, 'guards.failureWindow', 6).guards).toEqual({ minRequests: 100, failureLimit: 3 });
    // Entering mOfN without a window takes the limit (M of the last M), then the window knob widens it.
    const mOfN = withKnobs(base, { 'guards.failureCounting': 'mOfN', 'guards.failureWindow': 6, 'guards.onNoData': 'fail' });
    expect(mOfN.guards).toEqual({ minRequests: 100, failureLimit: 3, failureCounting: 'mOfN', failureWindow: 6, onNoData: 'fail' });
    expect(withKnob(base, 'guards.failureCounting', 'mOfN').guards?.failureWindow).toBe(3);
    expect(errorsOf(mOfN)).toEqual([]);
    // Leaving mOfN drops the window, so the policy stays valid.
    const total = withKnob(mOfN, 'guards.failureCounting', 'total');
    expect(total.guards).toEqual({ minRequests: 100, failureLimit: 3, failureCounting: 'total', onNoData: 'fail' });
    expect(errorsOf(total)).toEqual([]);
  });
});

describe('counting knobs at their defaults', () => {
  it('leave a policy without counting fields as it is (its JSON unchanged)', () => {
    const base = policy({ minRequests: 100, failureLimit: 2 }, { failureLimit: 3 });
    const same = withKnobs(base, { 'guards.failureCounting': 'consecutive', 'guards.failureWindow': 5, 'guards.onNoData': 'hold' });
    expect(JSON.stringify(same)).toBe(JSON.stringify(base));
    const total = withKnob(base, 'guards.failureCounting', 'total');
    expect(withKnob(total, 'guards.failureCounting', 'consecutive').guards?.failureCounting).toBe('consecutive');
  });
});
