/**
 * The lab's failure-counting controls (src/ui/lab/labState.ts, labSettings.ts, labPolicy.ts): the
 * mode and the M-of-N window reach the policy by their knob names, the window only under 'mOfN',
 * and the framework default stays the default until the counting is changed.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/engine/policy/parsePolicy.ts';
import { knobValue } from '../../src/engine/policy/policyKnobs.ts';
import { labPolicy } from '../../src/ui/lab/labPolicy.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

describe('the lab’s failure counting', () => {
  it('leaves the framework default as it is at the default counting', () => {
    const policy = labPolicy(readLabSettings(initialState(labSchema)));
    expect(policy.guards).toEqual({ minRequests: 100, failureLimit: 1 });
    expect(policy.name).not.toBe('framework default, tuned');
  });

  it("sets 'total' and says so in the description", () => {
    const policy = labPolicy(readLabSettings({ ...initialState(labSchema), failureLimit: '3', failureCounting: 'total' }));
    expect(knobValue(policy, 'guards.failureCounting')).toBe('total');
    expect(policy.description).toMatch(/rollback after 3 failing check\(s\) in total\.$/);
    expect(parsePolicy(policy).ok).toBe(true);
  });

  it("sets 'mOfN' with its window N; the window is ignored under the other modes", () => {
    const typed = { ...initialState(labSchema), failureLimit: '2', failureCounting: 'mOfN' as const, failureWindow: '6' };
    const policy = labPolicy(readLabSettings(typed));
    expect(policy.guards).toMatchObject({ failureLimit: 2, failureCounting: 'mOfN', failureWindow: 6 });
    expect(policy.description).toMatch(/rollback after 2 failing check\(s\) of the last 6 checks\.$/);
    expect(parsePolicy(policy).ok).toBe(true);
    expect(() => readLabSettings({ ...typed, failureWindow: 'six' })).toThrow(
      "failure window (N of M of the last N) must be a number, got 'six'",
    );
    const consecutive = labPolicy(readLabSettings({ ...typed, failureCounting: 'consecutive', failureWindow: 'six' }));
    expect(consecutive.guards).toEqual({ minRequests: 100, failureLimit: 2 });
  });
});
