/**
 * What the auto-tuner may change in a policy, and how a setting is applied: the error-rate rule
 * (a ratio threshold, or a statistical test with a minimum effect instead), the latency and
 * timeout ratio thresholds, the check interval, and the guards (minimum requests per window,
 * consecutive failures before a rollback). Everything else in the base policy — its stages,
 * durations, baseline mode, shadow gates, A/B test — is kept as it is.
 */
import { durationSeconds, formatDuration } from '../engine/policy/duration.ts';
import { statisticalRule } from '../engine/policy/healthRules.ts';
import { parsePolicy, formatPolicyError } from '../engine/policy/parsePolicy.ts';
import type { HealthMetric, HealthRule, Policy } from '../engine/policy/policy.ts';
import type { Scenario } from './scenario.ts';
import { withParameter } from './sweep.ts';

/** The error-rate rule of a setting: the framework's ratio to baseline, or a statistical test (always-valid). */
export type ErrorRuleChoice =
  | { type: 'ratio'; maxRatio: number }
  | { type: 'statistical'; /** Absolute difference of error rates that matters. */ minimumEffect: number; alpha: number };

/** One point of the search space; an absent field keeps the base policy's value. */
export interface TuningSetting {
  errorRule?: ErrorRuleChoice;
  p95Ratio?: number;
  p50Ratio?: number;
  timeoutRatio?: number;
  /** Check interval of every stage, seconds. */
  checkInterval?: number;
  minRequests?: number;
  failureLimit?: number;
}

/** A coordinate of the search: a field of `TuningSetting`. */
export type TuningCoordinate = keyof TuningSetting;

/** The values each coordinate may take (a coordinate with no values is not searched). */
export type TuningSpace = { [K in TuningCoordinate]?: NonNullable<TuningSetting[K]>[] };

/** The order in which the coordinate search visits the coordinates: the rules' thresholds first, then the check interval and guards. */
export const tuningCoordinates: readonly TuningCoordinate[] = ['errorRule', 'p95Ratio', 'p50Ratio', 'timeoutRatio', 'checkInterval', 'minRequests', 'failureLimit'];

const ratioMetrics: Partial<Record<TuningCoordinate, HealthMetric>> = {
  p95Ratio: 'latencyP95',
  p50Ratio: 'latencyP50',
  timeoutRatio: 'timeoutRate',
};

/** Every health rule of the policy's canary and full stages and A/B guardrails. */
function healthRules(policy: Policy): HealthRule[] {
  return policy.stages.flatMap((stage) =>
    stage.kind === 'canary' || stage.kind === 'full' ? stage.rules : stage.kind === 'ab' ? stage.guardrails : [],
  );
}

function firstRatio(policy: Policy, metric: HealthMetric): number | undefined {
  const rule = healthRules(policy).find((candidate) => candidate.type === 'ratio' && candidate.metric === metric);
  return rule?.type === 'ratio' ? rule.maxRatio : undefined;
}

/**
 * The base policy's own setting: its first error-rate rule (ratio, or statistical), its first
 * ratio thresholds on p95, p50 and timeouts, the check interval of its first stage that sets one
 * (else 5 minutes, the engine's default), and its guards (defaults 100 and 1). O(policy).
 */
export function baseTuningSetting(policy: Policy): TuningSetting {
  const setting: TuningSetting = {};
  const errorRule = healthRules(policy).find((rule) => rule.metric === 'errorRate' && rule.type !== 'absolute');
  if (errorRule?.type === 'ratio') setting.errorRule = { type: 'ratio', maxRatio: errorRule.maxRatio };
  if (errorRule?.type === 'statistical') setting.errorRule = { type: 'statistical', minimumEffect: errorRule.minimumEffect, alpha: errorRule.alpha ?? 0.05 };
  for (const [coordinate, metric] of Object.entries(ratioMetrics) as [TuningCoordinate, HealthMetric][]) {
    const value = firstRatio(policy, metric);
    if (value !== undefined) (setting as Record<string, number>)[coordinate] = value;
  }
  const interval = policy.stages.find((stage) => stage.kind !== 'promote' && stage.checkInterval !== undefined);
  setting.checkInterval = (interval && interval.kind !== 'promote' ? durationSeconds(interval.checkInterval) : undefined) ?? 300;
  setting.minRequests = policy.guards?.minRequests ?? 100;
  setting.failureLimit = policy.guards?.failureLimit ?? 1;
  return setting;
}

/** Options of `defaultTuningSpace`. */
export interface TuningSpaceOptions {
  /** Offer statistical error-rate rules in place of the ratio rule (default true; the app's lab, whose controls are ratios, turns it off). */
  allowStatistical?: boolean;
}

function withBase<T>(values: T[], base: T | undefined, key: (value: T) => string = String): T[] {
  if (base === undefined || values.some((value) => key(value) === key(base))) return values;
  return [...values, base];
}

/**
 * The default search space for `policy`, tested against the healthy scenario:
 * - error-rate rule (when the policy has one): ratio 1.25, 1.5, 2, 3, 4; and, unless
 *   `allowStatistical` is false, an always-valid statistical rule with α 0.01 or 0.05 and a
 *   minimum effect of 0, ¼ or ½ of the healthy control's error rate p₀ (a 2× regression is an
 *   effect of p₀, so these leave it detectable while ignoring noise at low traffic);
 * - p95 ratio 1.1, 1.25, 1.5, 2, 3; p50 ratio 1.1, 1.2, 1.5, 2; timeout ratio 1.5, 2, 3, 4 —
 *   each only when the policy has such a rule;
 * - check interval 1, 2, 5, 10, 15 minutes; minimum requests 25, 50, 100, 200, 500;
 *   failure limit 1, 2, 3.
 * The base policy's own values are always included.
 */
export function defaultTuningSpace(policy: Policy, healthy: Scenario, options: TuningSpaceOptions = {}): TuningSpace {
  const base = baseTuningSetting(policy);
  const space: TuningSpace = {};
  if (base.errorRule !== undefined) {
    const rules: ErrorRuleChoice[] = [1.25, 1.5, 2, 3, 4].map((maxRatio) => ({ type: 'ratio', maxRatio }));
    if (options.allowStatistical !== false) {
      const p0 = healthy.control.errorRate;
      const effects = [...new Set([0, p0 / 4, p0 / 2])].filter((effect) => effect < 1);
      for (const alpha of [0.01, 0.05]) for (const minimumEffect of effects) rules.push({ type: 'statistical', minimumEffect, alpha });
    }
    space.errorRule = withBase(rules, base.errorRule, (rule) => JSON.stringify(rule));
  }
  if (base.p95Ratio !== undefined) space.p95Ratio = withBase([1.1, 1.25, 1.5, 2, 3], base.p95Ratio);
  if (base.p50Ratio !== undefined) space.p50Ratio = withBase([1.1, 1.2, 1.5, 2], base.p50Ratio);
  if (base.timeoutRatio !== undefined) space.timeoutRatio = withBase([1.5, 2, 3, 4], base.timeoutRatio);
  space.checkInterval = withBase([60, 120, 300, 600, 900], base.checkInterval);
  space.minRequests = withBase([25, 50, 100, 200, 500], base.minRequests);
  space.failureLimit = withBase([1, 2, 3], base.failureLimit);
  return space;
}

/** A stable text key of a setting (same setting ⇔ same key), for caching evaluations. */
export function tuningSettingKey(setting: TuningSetting): string {
  return JSON.stringify(tuningCoordinates.map((coordinate) => setting[coordinate] ?? null));
}

/** A setting in words: `error ≤ 2×, p95 ≤ 1.5×, every 5m, ≥ 100 requests, 1 failure`. */
export function describeTuningSetting(setting: TuningSetting): string {
  const parts: string[] = [];
  const rule = setting.errorRule;
  if (rule?.type === 'ratio') parts.push(`error ≤ ${rule.maxRatio}×`);
  if (rule?.type === 'statistical') parts.push(`error test (effect ${Number(rule.minimumEffect.toPrecision(3))}, α ${rule.alpha})`);
  if (setting.p95Ratio !== undefined) parts.push(`p95 ≤ ${setting.p95Ratio}×`);
  if (setting.p50Ratio !== undefined) parts.push(`p50 ≤ ${setting.p50Ratio}×`);
  if (setting.timeoutRatio !== undefined) parts.push(`timeouts ≤ ${setting.timeoutRatio}×`);
  if (setting.checkInterval !== undefined) parts.push(`every ${formatDuration(setting.checkInterval)}`);
  if (setting.minRequests !== undefined) parts.push(`≥ ${setting.minRequests} requests`);
  if (setting.failureLimit !== undefined) parts.push(`${setting.failureLimit} failure${setting.failureLimit === 1 ? '' : 's'} in a row`);
  return parts.join(', ');
}

/**
 * `policy` with `setting` applied (a new value; `policy` is not changed): ratio thresholds,
 * check interval and guards through the sweep's `withParameter`; a statistical error rule
 * replaces every error-rate ratio rule of the canary and full stages and A/B guardrails (and a
 * ratio rule replaces every statistical one). Checked by `parsePolicy`: RangeError listing the
 * problems when the setting makes the policy invalid (e.g. a check interval longer than a stage).
 * O(policy).
 */
export function applyTuningSetting(policy: Policy, setting: TuningSetting): Policy {
  let tuned = JSON.parse(JSON.stringify(policy)) as Policy;
  const errorRule = setting.errorRule;
  if (errorRule !== undefined) {
    const replacement: HealthRule =
      errorRule.type === 'ratio'
        ? { type: 'ratio', metric: 'errorRate', maxRatio: errorRule.maxRatio }
        : statisticalRule('errorRate', { minimumEffect: errorRule.minimumEffect, alpha: errorRule.alpha, method: 'alwaysValid' });
    let found = false;
    const change = (rules: HealthRule[]): HealthRule[] =>
      rules.map((rule) => {
        if (rule.metric !== 'errorRate' || rule.type === 'absolute') return rule;
        found = true;
        return { ...replacement };
      });
    for (const stage of tuned.stages) {
      if (stage.kind === 'canary' || stage.kind === 'full') stage.rules = change(stage.rules);
      if (stage.kind === 'ab') stage.guardrails = change(stage.guardrails);
    }
    if (!found) throw new RangeError('errorRule: the policy has no error-rate ratio or statistical rule to tune');
  }
  if (setting.p95Ratio !== undefined) tuned = withParameter(tuned, 'p95Ratio', setting.p95Ratio);
  if (setting.p50Ratio !== undefined) tuned = withParameter(tuned, 'p50Ratio', setting.p50Ratio);
  if (setting.timeoutRatio !== undefined) tuned = withParameter(tuned, 'timeoutRatio', setting.timeoutRatio);
  if (setting.checkInterval !== undefined) tuned = withParameter(tuned, 'checkInterval', formatDuration(setting.checkInterval));
  if (setting.minRequests !== undefined) tuned = withParameter(tuned, 'minRequests', setting.minRequests);
  if (setting.failureLimit !== undefined) tuned = withParameter(tuned, 'failureLimit', setting.failureLimit);
  const parsed = parsePolicy(tuned);
  if (!parsed.ok) throw new RangeError(`the setting makes the policy invalid: ${parsed.errors.map(formatPolicyError).join('; ')}`);
  return parsed.policy;
}
