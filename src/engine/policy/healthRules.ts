/**
 * Health-rule helpers: small functions returning new rule values, so policies compose like
 * Observable Plot options (`canaryStage({ traffic: 0.05, rules: [...defaultHealthRules(), absoluteRule('errorRate', 0.05)] })`).
 */
import type { AbsoluteRule, Guards, HealthMetric, HealthRule, RateMetric, RatioRule, StatisticalRule } from './policy.ts';

/** `candidate metric ≤ maxRatio × reference metric`. */
export function ratioRule(metric: HealthMetric, maxRatio: number): RatioRule {
  return { type: 'ratio', metric, maxRatio };
}

/** `candidate metric ≤ max`. */
export function absoluteRule(metric: HealthMetric, max: number): AbsoluteRule {
  return { type: 'absolute', metric, max };
}

/**
 * One-sided test that the candidate's rate exceeds the reference's by more than `minimumEffect`,
 * corrected for repeated looks (defaults: α = 0.05, always-valid).
 */
export function statisticalRule(
  metric: RateMetric,
  options: { minimumEffect: number; alpha?: number; method?: StatisticalRule['method']; spending?: StatisticalRule['spending'] },
): StatisticalRule {
  const rule: StatisticalRule = {
    type: 'statistical',
    metric,
    minimumEffect: options.minimumEffect,
    alpha: options.alpha ?? 0.05,
    method: options.method ?? 'alwaysValid',
  };
  if (rule.method === 'alphaSpending') rule.spending = options.spending ?? 'obrienFleming';
  return rule;
}

/**
 * The framework's ratio-to-baseline rules: error rate ≤ 2×, latency p95 ≤ 1.5×, p50 ≤ 1.2×,
 * timeout rate ≤ 2× the baseline.
 */
export function defaultHealthRules(): HealthRule[] {
  return [ratioRule('errorRate', 2), ratioRule('latencyP95', 1.5), ratioRule('latencyP50', 1.2), ratioRule('timeoutRate', 2)];
}

/** Default guards: at least 100 requests per arm per window; roll back at the first failing check. */
export function defaultGuards(): Required<Pick<Guards, 'minRequests' | 'failureLimit'>> {
  return { minRequests: 100, failureLimit: 1 };
}
