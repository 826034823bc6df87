import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { statisticalRule } from '../../../src/engine/policy/healthRules.ts';
import { parsePolicy } from '../../../src/engine/policy/parsePolicy.ts';
import type { AbStage, CanaryStage } from '../../../src/engine/policy/policy.ts';
import {
  isPolicyKnob,
  knobKind,
  knobValue,
  policyKnobs,
  ruleKnobTarget,
  withKnob,
  withKnobs,
} from '../../../src/engine/policy/policyKnobs.ts';
import { policyRules, withRule } from '../../../src/engine/policy/stageRules.ts';

describe('policy knobs: one name per knob, the policy’s own field names', () => {
  const policy = defaultPolicy();

  it('names rule knobs by metric and field', () => {
    expect(ruleKnobTarget('errorRate.maxRatio')).toEqual({ metric: 'errorRate', type: 'ratio', field: 'maxRatio' });
    expect(ruleKnobTarget('latencyP95.max')).toEqual({ metric: 'latencyP95', type: 'absolute', field: 'max' });
    expect(ruleKnobTarget('timeoutRate.minimumEffect')).toEqual({ metric: 'timeoutRate', type: 'statistical', field: 'minimumEffect' });
    expect(ruleKnobTarget('guards.minRequests')).toBeNull();
    expect(isPolicyKnob('errorRatio')).toBe(false);
    expect(isPolicyKnob('latencyP99.maxRatio')).toBe(true);
    expect(new Set(policyKnobs).size).toBe(policyKnobs.length);
    expect(knobKind('checkInterval')).toBe('duration');
    expect(knobKind('errorRate.maxRatio')).toBe('number');
  });

  it('reads the framework default’s values (defaults filled in, durations in seconds)', () => {
    const read = (knob: Parameters<typeof knobValue>[1]) => knobValue(policy, knob);
    expect(read('errorRate.maxRatio')).toBe(2);
    expect(read('latencyP95.maxRatio')).toBe(1.5);
    expect(read('latencyP50.maxRatio')).toBe(1.2);
    expect(read('timeoutRate.maxRatio')).toBe(2);
    expect(read('latencyP99.maxRatio')).toBeUndefined();
    expect(read('errorRate.max')).toBeUndefined();
    expect(read('checkInterval')).toBe(300);
    expect(read('guards.minRequests')).toBe(100);
    expect(read('guards.failureLimit')).toBe(1);
    expect(read('canary.minDuration')).toBe(7200);
    expect(read('ab.traffic')).toBe(0.5);
    expect(read('ab.test.alpha')).toBe(0.05);
    expect(read('ab.test.power')).toBe(0.8);
    expect(read('ab.test.minimumEffect')).toBe(0.02);
    expect(read('alpha')).toBe(0.05);
    expect(
      knobValue(
        {
          ...policy,
          guards: undefined,
          stages: policy.stages.map((stage) => (stage.kind === 'promote' ? stage : { ...stage, checkInterval: undefined })),
        },
        'checkInterval',
      ),
    ).toBe(300);
  });

  it('sets a threshold in every canary, A/B guardrail and full stage, leaving the input alone', () => {
    const edited = withKnob(policy, 'errorRate.maxRatio', 3);
    expect(
      policyRules(edited)
        .filter((rule) => rule.metric === 'errorRate')
        .map((rule) => (rule.type === 'ratio' ? rule.maxRatio : null)),
    ).toEqual([3, 3, 3, 3]);
    expect(knobValue(policy, 'errorRate.maxRatio')).toBe(2);
    expect(parsePolicy(edited).ok).toBe(true);
    // Nothing carries an absolute limit: the policy comes back equal.
    expect(withKnob(policy, 'errorRate.max', 0.1)).toEqual(policy);
  });

  it('sets the statistical knobs, the guards, the durations and the A/B test', () => {
    const tested = withRule(policy, statisticalRule('errorRate', { minimumEffect: 0.005 }), ['canary']);
    const edited = withKnobs(tested, {
      'errorRate.minimumEffect': 0.002,
      alpha: 0.01,
      'guards.failureLimit': 3,
      checkInterval: '10m',
      'canary.minDuration': '5h',
      'ab.traffic': 0.3,
      'ab.test.power': 0.9,
    });
    expect(knobValue(edited, 'errorRate.minimumEffect')).toBe(0.002);
    expect(knobValue(edited, 'alpha')).toBe(0.01);
    expect(edited.guards).toEqual({ minRequests: 100, failureLimit: 3 });
    expect(
      edited.stages.filter((stage) => stage.kind !== 'promote').every((stage) => 'checkInterval' in stage && stage.checkInterval === '10m'),
    ).toBe(true);
    const canaries = edited.stages.filter((stage): stage is CanaryStage => stage.kind === 'canary');
    // 5 h is longer than the first canary's 4 h maximum (raised to match) and shorter than the second's 12 h.
    expect(canaries.map((stage) => [stage.minDuration, stage.maxDuration])).toEqual([
      ['5h', '5h'],
      ['5h', '12h'],
    ]);
    const ab = edited.stages.find((stage): stage is AbStage => stage.kind === 'ab')!;
    expect([ab.traffic, ab.test.alpha, ab.test.power]).toEqual([0.3, 0.01, 0.9]);
    expect(parsePolicy(edited).ok).toBe(true);
  });
});
