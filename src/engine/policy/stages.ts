/**
 * Stage helpers: each returns a new stage value with the framework's defaults filled in, and
 * takes the fields to override. Compose them into `Policy.stages`.
 */
import { defaultHealthRules } from './healthRules.ts';
import type { AbStage, AbTest, BaselineStage, CanaryStage, FullStage, PromoteStage, ShadowGates, ShadowStage } from './policy.ts';

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/** A historical-baseline stage (default 24 h and 10,000 control requests). */
export function baselineStage(options: Partial<Omit<BaselineStage, 'kind'>> = {}): BaselineStage {
  return { kind: 'baseline', minDuration: '24h', minRequests: 10_000, ...options };
}

/** The framework's shadow gates: agreement > 85%, p95 < 1.5× control, errors < 2× control, ≥ 1,000 comparisons. */
export function defaultShadowGates(): ShadowGates {
  return { minAgreement: 0.85, maxLatencyRatio: 1.5, maxErrorRatio: 2, minComparisons: 1000 };
}

/** A shadow stage (default 24 h, all traffic mirrored, exact-match comparison, framework gates). */
export function shadowStage(options: Partial<Omit<ShadowStage, 'kind' | 'gates'>> & { gates?: Partial<ShadowGates> } = {}): ShadowStage {
  const { gates, ...rest } = options;
  return {
    kind: 'shadow',
    minDuration: '24h',
    traffic: 1,
    comparison: { method: 'exact' },
    ...rest,
    gates: { ...defaultShadowGates(), ...gates },
  };
}

/** A canary stage at `traffic` (required) with the framework's ratio rules unless `rules` is given. */
export function canaryStage(options: Optional<Omit<CanaryStage, 'kind'>, 'rules' | 'minDuration'>): CanaryStage {
  return { kind: 'canary', minDuration: '2h', checkInterval: '5m', ...options, rules: options.rules ?? defaultHealthRules() };
}

/** An A/B stage (default 50%, 24–48 h, fixed design, α 0.05, power 0.8, framework guardrails). */
export function abStage(options: Partial<Omit<AbStage, 'kind' | 'test'>> & { test: Optional<AbTest, 'metric' | 'design'> }): AbStage {
  const { test, ...rest } = options;
  return {
    kind: 'ab',
    traffic: 0.5,
    minDuration: '24h',
    maxDuration: '48h',
    checkInterval: '5m',
    guardrails: defaultHealthRules(),
    ...rest,
    test: { metric: 'successRate', alpha: 0.05, power: 0.8, design: { type: 'fixed' }, ...test },
  };
}

/** The candidate at 100% (default 1 h of passing checks, framework ratio rules). */
export function fullStage(options: Partial<Omit<FullStage, 'kind'>> = {}): FullStage {
  return { kind: 'full', traffic: 1, minDuration: '1h', checkInterval: '5m', ...options, rules: options.rules ?? defaultHealthRules() };
}

/** The candidate becomes control. */
export function promoteStage(options: { name?: string } = {}): PromoteStage {
  return { kind: 'promote', ...options };
}
