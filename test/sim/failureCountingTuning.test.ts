/**
 * The simulator's helpers that read the failure counting (src/sim/tuningSpace.ts,
 * src/sim/firstRollbackRules.ts, src/sim/sweep.ts): the tuner keeps an M-of-N policy valid and
 * describes the limit in the policy's mode, a rollback on quiet windows is named, and a sweep
 * varies the counting mode by its knob.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DecisionReason } from '../../src/engine/controller/decision.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { withKnobs } from '../../src/engine/policy/policyKnobs.ts';
import { rollbackRuleLabel } from '../../src/sim/firstRollbackRules.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { withParameter } from '../../src/sim/sweep.ts';
import { applyTuningSetting, defaultTuningSpace, describeTuningSetting } from '../../src/sim/tuningSpace.ts';

function scenario() {
  const parsed = parseScenario(JSON.parse(readFileSync('scenarios/identical-candidate.json', 'utf8')));
  if (!parsed.ok) throw new Error('scenario');
  return parsed.scenario;
}

function reason(rule: DecisionReason['rule'], metric: string): DecisionReason {
  return { rule, metric, observed: null, threshold: null, message: '' };
}

describe('tuning under a counting mode', () => {
  it('offers failure limits no larger than the M-of-N window, each a valid policy', () => {
    const policy: Policy = withKnobs(defaultPolicy(), { 'guards.failureCounting': 'mOfN', 'guards.failureWindow': 2 });
    const space = defaultTuningSpace(policy, scenario());
    expect(space.failureLimit).toEqual([1, 2]);
    for (const failureLimit of space.failureLimit ?? [])
      expect(applyTuningSetting(policy, { failureLimit }).guards?.failureLimit).toBe(failureLimit);
    expect(defaultTuningSpace(defaultPolicy(), scenario()).failureLimit).toEqual([1, 2, 3]);
  });

  it("names the limit in the base policy's mode", () => {
    const setting = { minRequests: 100, failureLimit: 3 };
    expect(describeTuningSetting(setting)).toBe('≥ 100 requests, 3 failures in a row');
    expect(describeTuningSetting(setting, withKnobs(defaultPolicy(), { 'guards.failureCounting': 'total' }))).toBe(
      '≥ 100 requests, 3 failures in total',
    );
    const mOfN = withKnobs(defaultPolicy(), { 'guards.failureCounting': 'mOfN', 'guards.failureWindow': 5 });
    expect(describeTuningSetting(setting, mOfN)).toBe('≥ 100 requests, 3 failures of the last 5 checks');
  });
});

describe('the rule behind a rollback', () => {
  it("names quiet windows counted as failing (onNoData 'fail'), but a firing rule or the maximum duration first", () => {
    expect(rollbackRuleLabel([reason('minRequests', 'candidateRequests'), reason('failureLimit', 'totalFailures')])).toBe(
      'too little data',
    );
    expect(rollbackRuleLabel([reason('minRequests', 'candidateRequests'), reason('maxDuration', 'stageDuration')])).toBe(
      'maximum duration',
    );
    expect(rollbackRuleLabel([reason('failureLimit', 'totalFailures')])).toBe('other');
    expect(rollbackRuleLabel([reason('minRequests', 'candidateRequests')])).toBe('other');
  });
});

describe('a sweep over the counting knobs', () => {
  it('sets the mode by name and refuses a word it does not know, naming the choices', () => {
    expect(withParameter(defaultPolicy(), 'guards.failureCounting', 'total').guards?.failureCounting).toBe('total');
    expect(() => withParameter(defaultPolicy(), 'guards.failureCounting', 'sometimes')).toThrow(
      'guards.failureCounting must be one of consecutive, total, mOfN, got "sometimes"',
    );
    expect(() => withParameter(defaultPolicy(), 'guards.failureWindow', 4)).toThrow(
      "guards.failureWindow: the policy has no failureCounting 'mOfN' whose window",
    );
  });
});
