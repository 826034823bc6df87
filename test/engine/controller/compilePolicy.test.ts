import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { absoluteRule, ratioRule, statisticalRule } from '../../../src/engine/policy/healthRules.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { canaryStage } from '../../../src/engine/policy/stages.ts';

describe('compilePolicy: compiled rules keep the policy’s own names', () => {
  const base = defaultPolicy();
  const policy: Policy = {
    ...base,
    stages: base.stages.map((stage) =>
      stage.kind === 'canary' && stage.traffic === 0.05
        ? canaryStage({
            traffic: 0.05,
            minDuration: '2h',
            checkInterval: '10m',
            rules: [
              ratioRule('errorRate', 2.5),
              absoluteRule('latencyP95', 800),
              statisticalRule('errorRate', { minimumEffect: 0.004, alpha: 0.01, method: 'alphaSpending' }),
              statisticalRule('timeoutRate', { minimumEffect: 0.002 }),
            ],
          })
        : stage,
    ),
  };

  it('a ratio rule carries maxRatio, an absolute rule max, a statistical rule minimumEffect', () => {
    const canary = compilePolicy(policy).stages.find((stage) => stage.kind === 'canary')!;
    const [ratio, absolute, spending, alwaysValid] = canary.rules;
    expect(ratio).toEqual({ type: 'ratio', metric: 'errorRate', maxRatio: 2.5 });
    expect(absolute).toEqual({ type: 'absolute', metric: 'latencyP95', max: 800 });
    expect(spending.type).toBe('statistical');
    if (spending.type !== 'statistical' || alwaysValid.type !== 'statistical') throw new Error('statistical rules expected');
    expect(spending.minimumEffect).toBe(0.004);
    expect(spending.alpha).toBe(0.01);
    expect(spending.slot).toBe(0);
    // 2 h at one look per 10 min: 12 planned looks, the last O'Brien–Fleming boundary below the first.
    expect(spending.boundaries).toHaveLength(12);
    expect(spending.boundaries![11]).toBeLessThan(spending.boundaries![0]);
    expect(alwaysValid).toEqual({
      type: 'statistical',
      metric: 'timeoutRate',
      minimumEffect: 0.002,
      alpha: 0.05,
      method: 'alwaysValid',
      boundaries: null,
      nominalAlpha: null,
      slot: 1,
    });
    expect(canary.statisticalSlots).toBe(2);
    expect(canary.needsLatency).toBe(true);
  });

  it('the A/B stage compiles its guardrails, the baseline none', () => {
    const stages = compilePolicy(base).stages;
    expect(stages.find((stage) => stage.kind === 'ab')!.rules.map((rule) => (rule.type === 'ratio' ? rule.maxRatio : null))).toEqual([
      2, 1.5, 1.2, 2,
    ]);
    expect(stages.find((stage) => stage.kind === 'baseline')!.rules).toEqual([]);
  });
});

describe('compilePolicy: a copy of a compiled policy is not validated again', () => {
  it('reuses the compiled stages for a structured copy (as a worker receives it)', () => {
    const policy = defaultPolicy();
    const first = compilePolicy(policy);
    const copy = JSON.parse(JSON.stringify(policy)) as Policy;
    const again = compilePolicy(copy);
    expect(again.stages).toBe(first.stages);
    expect(again.policy).toBe(copy);
    expect(compilePolicy(copy)).toBe(again);
  });

  it('still refuses a copy that differs only where JSON cannot tell (NaN is written as null)', () => {
    const policy = defaultPolicy();
    compilePolicy(policy);
    const broken = JSON.parse(JSON.stringify(policy)) as Policy;
    (broken.guards as { minRequests: number }).minRequests = Number.NaN;
    expect(() => compilePolicy(broken)).toThrow(/^invalid policy: guards\.minRequests/);
  });
});
