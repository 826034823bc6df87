import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import type { AbStage, CanaryStage } from '../../src/engine/policy/policy.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { sweep, withParameter } from '../../src/sim/sweep.ts';

describe('withParameter', () => {
  const policy = defaultPolicy();

  it('sets a ratio threshold on every rule of that metric, and nothing else', () => {
    const changed = withParameter(policy, 'errorRatio', 1.5);
    const canary = changed.stages[2] as CanaryStage;
    const ab = changed.stages[4] as AbStage;
    expect(canary.rules.find((rule) => rule.type === 'ratio' && rule.metric === 'errorRate')).toEqual({
      type: 'ratio',
      metric: 'errorRate',
      maxRatio: 1.5,
    });
    expect(ab.guardrails.find((rule) => rule.type === 'ratio' && rule.metric === 'errorRate')).toEqual({
      type: 'ratio',
      metric: 'errorRate',
      maxRatio: 1.5,
    });
    expect(canary.rules.find((rule) => rule.type === 'ratio' && rule.metric === 'latencyP95')).toEqual({
      type: 'ratio',
      metric: 'latencyP95',
      maxRatio: 1.5,
    });
    expect(canary.rules.find((rule) => rule.type === 'ratio' && rule.metric === 'latencyP50')).toEqual({
      type: 'ratio',
      metric: 'latencyP50',
      maxRatio: 1.2,
    });
    // The input policy is not modified.
    expect((policy.stages[2] as CanaryStage).rules.find((rule) => rule.type === 'ratio' && rule.metric === 'errorRate')).toEqual({
      type: 'ratio',
      metric: 'errorRate',
      maxRatio: 2,
    });
  });

  it('sets check intervals, guards, canary durations and alpha', () => {
    expect(
      withParameter(policy, 'checkInterval', '10m')
        .stages.filter((stage) => stage.kind !== 'promote')
        .every((stage) => 'checkInterval' in stage && stage.checkInterval === '10m'),
    ).toBe(true);
    expect(withParameter(policy, 'failureLimit', 3).guards).toEqual({ minRequests: 100, failureLimit: 3 });
    const longer = withParameter(policy, 'canaryDuration', '5h');
    expect(
      longer.stages
        .filter((stage) => stage.kind === 'canary')
        .map((stage) => [(stage as CanaryStage).minDuration, (stage as CanaryStage).maxDuration]),
    ).toEqual([
      ['5h', '5h'],
      ['5h', '12h'],
    ]);
    expect((withParameter(policy, 'alpha', 0.01).stages[4] as AbStage).test.alpha).toBe(0.01);
  });

  it('refuses settings the policy cannot take, naming them', () => {
    expect(() => withParameter(policy, 'errorRatio', 0)).toThrow(/errorRatio = 0 makes the policy invalid/);
    expect(() => withParameter(policy, 'checkInterval', 'often')).toThrow(/checkInterval must be seconds or a duration/);
    expect(() =>
      withParameter(
        { ...policy, stages: policy.stages.filter((stage) => stage.kind !== 'canary'), skipCanary: { reason: 'x' } },
        'canaryDuration',
        '1h',
      ),
    ).toThrow(/no canary stage/);
  });

  it('takes a policy knob by its own name too, and names what is missing', () => {
    expect(withParameter(policy, 'errorRate.maxRatio', 1.5)).toEqual(withParameter(policy, 'errorRatio', 1.5));
    expect((withParameter(policy, 'ab.traffic', 0.3).stages[4] as AbStage).traffic).toBe(0.3);
    expect(() => withParameter(policy, 'latencyP95.max', 500)).toThrow(
      'latencyP95.max: the policy has no absolute rule on latencyP95 to vary',
    );
    expect(() => withParameter(policy, 'p99Ratio' as never, 2)).toThrow(/unknown sweep parameter 'p99Ratio'/);
  });

  it('sweeps the cartesian product of two parameters', () => {
    const model = { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01 };
    const parsed = parseScenario({
      version: 1,
      name: 's',
      horizon: '3h',
      traffic: { requestsPerSecond: 5 },
      control: model,
      candidate: model,
    });
    if (!parsed.ok) throw new Error();
    const policy2 = {
      version: 1 as const,
      baseline: { mode: 'concurrent' as const },
      stages: [
        {
          kind: 'canary' as const,
          traffic: 0.2,
          minDuration: '1h',
          rules: [{ type: 'ratio' as const, metric: 'errorRate' as const, maxRatio: 2 }],
        },
        { kind: 'promote' as const },
      ],
    };
    const rows = sweep(
      [parsed.scenario],
      policy2,
      [
        { name: 'errorRatio', values: [2, 3] },
        { name: 'failureLimit', values: [1, 2, 3] },
      ],
      { replicates: 20, seed: 1 },
    );
    expect(rows.map((row) => row.setting)).toEqual([
      { errorRatio: 2, failureLimit: 1 },
      { errorRatio: 2, failureLimit: 2 },
      { errorRatio: 2, failureLimit: 3 },
      { errorRatio: 3, failureLimit: 1 },
      { errorRatio: 3, failureLimit: 2 },
      { errorRatio: 3, failureLimit: 3 },
    ]);
    expect(rows.every((row) => row.summary.replicates === 20)).toBe(true);
  });
});
