import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import { absoluteRule, ratioRule } from '../../../src/engine/policy/healthRules.ts';
import { parsePolicy } from '../../../src/engine/policy/parsePolicy.ts';
import type { AbStage, CanaryStage } from '../../../src/engine/policy/policy.ts';
import { isRuledStage, mapRules, policyRules, stageRules, withRule, withStageRules } from '../../../src/engine/policy/stageRules.ts';

describe('stage rules: canary and full list rules, A/B lists guardrails', () => {
  const policy = defaultPolicy();
  const kinds = policy.stages.map((stage) => stage.kind);

  it('reads the rules of every stage kind', () => {
    expect(policy.stages.map((stage) => stageRules(stage).length)).toEqual([0, 0, 4, 4, 4, 4, 0]);
    expect(policy.stages.map(isRuledStage)).toEqual([false, false, true, true, true, true, false]);
    const ab = policy.stages[kinds.indexOf('ab')] as AbStage;
    expect(stageRules(ab)).toBe(ab.guardrails);
    // 4 ruled stages × 4 framework rules, in stage order.
    expect(policyRules(policy)).toHaveLength(16);
    expect(policyRules(policy)[0]).toEqual({ type: 'ratio', metric: 'errorRate', maxRatio: 2 });
  });

  it('writes an A/B stage’s guardrails and a canary’s rules, leaving the input alone', () => {
    const ab = policy.stages[kinds.indexOf('ab')] as AbStage;
    const edited = withStageRules(ab, [ratioRule('errorRate', 3)]);
    expect(edited.guardrails).toEqual([{ type: 'ratio', metric: 'errorRate', maxRatio: 3 }]);
    expect(ab.guardrails).toHaveLength(4);
    expect(withStageRules(policy.stages[0], [ratioRule('errorRate', 3)])).toBe(policy.stages[0]);
  });

  it('maps every rule, and appends a rule to the chosen stage kinds only', () => {
    const doubled = mapRules(policy, (rule) => (rule.type === 'ratio' ? { ...rule, maxRatio: rule.maxRatio * 2 } : rule));
    expect(
      policyRules(doubled)
        .map((rule) => (rule.type === 'ratio' ? rule.maxRatio : null))
        .slice(0, 4),
    ).toEqual([4, 3, 2.4, 4]);
    expect(policyRules(policy)[0]).toEqual({ type: 'ratio', metric: 'errorRate', maxRatio: 2 });
    const limited = withRule(policy, absoluteRule('errorRate', 0.05), ['canary']);
    expect(limited.stages.map((stage) => stageRules(stage).length)).toEqual([0, 0, 5, 5, 4, 4, 0]);
    expect((limited.stages[2] as CanaryStage).rules[4]).toEqual({ type: 'absolute', metric: 'errorRate', max: 0.05 });
    expect(parsePolicy(limited).ok).toBe(true);
  });
});
