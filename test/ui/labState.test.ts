import { describe, expect, it } from 'vitest';
import { knobValue } from '../../src/engine/policy/policyKnobs.ts';
import { labPolicy } from '../../src/ui/lab/labPolicy.ts';
import { labKnobFields, labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

describe('the lab’s knobs: one name from the control to the rule', () => {
  const typed = {
    ...initialState(labSchema),
    errorRatio: '2.5',
    p95Ratio: '1.75',
    checkMinutes: '1.5',
    minRequests: '40',
    failureLimit: '3',
  };

  it('reads each control into the knob it edits, by the engine’s name', () => {
    const settings = readLabSettings(typed);
    expect(settings['errorRate.maxRatio']).toBe(2.5);
    expect(settings['latencyP95.maxRatio']).toBe(1.75);
    expect(settings.checkInterval).toBe('1.5m');
    expect(settings['guards.minRequests']).toBe(40);
    expect(settings['guards.failureLimit']).toBe(3);
  });

  it('puts the same values in the policy, read back by the same knob names', () => {
    const policy = labPolicy(readLabSettings(typed));
    expect(knobValue(policy, 'errorRate.maxRatio')).toBe(2.5);
    expect(knobValue(policy, 'latencyP95.maxRatio')).toBe(1.75);
    expect(knobValue(policy, 'checkInterval')).toBe(90);
    expect(knobValue(policy, 'guards.minRequests')).toBe(40);
    expect(knobValue(policy, 'guards.failureLimit')).toBe(3);
  });

  it('names the control when a knob is not a number', () => {
    expect(labKnobFields['errorRate.maxRatio']).toEqual({ field: 'errorRatio', label: 'error-rate threshold' });
    expect(() => readLabSettings({ ...typed, errorRatio: 'two' })).toThrow("error-rate threshold must be a number, got 'two'");
  });
});
