/**
 * What the auto-tuner may change in a policy, and how a setting is applied: the error-rate rule
 * (a ratio threshold, or a statistical test with a minimum effect instead), the latency and
 * timeout ratio thresholds, the check interval, and the guards (minimum requests per window,
 * consecutive failures before a rollback). Everything else in the base policy — its stages,
 * durations, baseline mode, shadow gates, A/B test — is kept as it is.
 */
import { formatDuration } from '../engine/policy/duration.ts';
import { statisticalRule } from '../engine/policy/healthRules.ts';
import { formatPolicyError, parsePolicy } from '../engine/policy/parsePolicy.ts';
import type { HealthRule, Policy } from '../engine/policy/policy.ts';
import { knobValue, type PolicyKnob } from '../engine/policy/policyKnobs.ts';
import { mapRules, policyRules } from '../engine/policy/stageRules.ts';
import type { Scenario } from './scenario.ts';
import type { SweepParameter } from './sweep.ts';
import { sweepParameterKnobs, withParameter } from './sweep.ts';

/** The error-rate rule of a setting: the framework's ratio to baseline, or a statistical test (always-valid). */
export type ErrorRuleChoice =
  | { type: 'ratio'; maxRatio: number }
  | { type: 'statistical' /** Absolute difference of error rates that matters. */; minimumEffect: number; alpha: number };

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
export const tuningCoordinates: readonly TuningCoordinate[] = [
  'errorRule',
  'p95Ratio',
  'p50Ratio',
  'timeoutRatio',
  'checkInterval',
  'minRequests',
  'failureLimit',
];

/** The coordinates that are one policy knob each, with the sweep's names (`sweepParameterKnobs`), in the order a setting lists them. */
const knobCoordinates = [
  'p95Ratio',
  'p50Ratio',
  'timeoutRatio',
  'checkInterval',
  'minRequests',
  'failureLimit',
] as const satisfies readonly (TuningCoordinate & SweepParameter)[];

/** The rule a setting's `errorRule` replaces: the error-rate rules that are not absolute limits. */
function isErrorRule(rule: HealthRule): boolean {
  return rule.metric === 'errorRate' && rule.type !== 'absolute';
}

/**
 * The base policy's own setting: its first error-rate rule (ratio, or statistical), and the
 * values of its knobs (`knobValue`): its first ratio thresholds on p95, p50 and timeouts, the
 * check interval of its first stage that sets one (else 5 minutes, the engine's default), and
 * its guards (defaults 100 and 1). O(policy).
 */
export function baseTuningSetting(policy: Policy): TuningSetting {
  const setting: TuningSetting = {};
  const errorRule = policyRules(policy).find(isErrorRule);
  if (errorRule?.type === 'ratio') setting.errorRule = { type: 'ratio', maxRatio: errorRule.maxRatio };
  if (errorRule?.type === 'statistical')
    setting.errorRule = { type: 'statistical', minimumEffect: errorRule.minimumEffect, alpha: errorRule.alpha ?? 0.05 };
  for (const coordinate of knobCoordinates) {
    const value = knobValue(policy, sweepParameterKnobs[coordinate]);
    if (value !== undefined) setting[coordinate] = value;
  }
  return setting;
}

/**
 * The knob values a setting sets (`PolicyKnob` names; the check interval in seconds): a ratio
 * error rule's `errorRate.maxRatio`, a statistical one's `errorRate.minimumEffect`, and each
 * other coordinate's knob. What a setting means in the engine's vocabulary, for editors such as
 * the lab's form.
 */
export function tuningSettingKnobs(setting: TuningSetting): Partial<Record<PolicyKnob, number>> {
  const knobs: Partial<Record<PolicyKnob, number>> = {};
  if (setting.errorRule?.type === 'ratio') knobs['errorRate.maxRatio'] = setting.errorRule.maxRatio;
  if (setting.errorRule?.type === 'statistical') knobs['errorRate.minimumEffect'] = setting.errorRule.minimumEffect;
  for (const coordinate of knobCoordinates) {
    const value = setting[coordinate];
    if (value !== undefined) knobs[sweepParameterKnobs[coordinate]] = value;
  }
  return knobs;
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
 *   failure limit 1, 2, 3 (at most the window N under M-of-N counting; the counting mode itself is
 *   the base policy's).
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
  // Under M-of-N counting the limit M may not exceed the window N (parsePolicy refuses it).
  const window = knobValue(policy, 'guards.failureWindow');
  space.failureLimit = withBase([1, 2, 3], base.failureLimit).filter((limit) => window === undefined || limit <= window);
  return space;
}

/** A stable text key of a setting (same setting ⇔ same key), for caching evaluations. */
export function tuningSettingKey(setting: TuningSetting): string {
  return JSON.stringify(tuningCoordinates.map((coordinate) => setting[coordinate] ?? null));
}

/**
 * A setting in words: `error ≤ 2×, p95 ≤ 1.5×, every 5m, ≥ 100 requests, 1 failure in a row`; the
 * failure limit is read in the counting mode of `policy` (the base policy, whose mode the setting
 * keeps; 'consecutive' without one): "2 failures in a row", "3 failures in total", "3 failures of
 * the last 5 checks".
 */
export function describeTuningSetting(setting: TuningSetting, policy?: Policy): string {
  const parts: string[] = [];
  const rule = setting.errorRule;
  if (rule?.type === 'ratio') parts.push(`error ≤ ${rule.maxRatio}×`);
  if (rule?.type === 'statistical') parts.push(`error test (effect ${Number(rule.minimumEffect.toPrecision(3))}, α ${rule.alpha})`);
  if (setting.p95Ratio !== undefined) parts.push(`p95 ≤ ${setting.p95Ratio}×`);
  if (setting.p50Ratio !== undefined) parts.push(`p50 ≤ ${setting.p50Ratio}×`);
  if (setting.timeoutRatio !== undefined) parts.push(`timeouts ≤ ${setting.timeoutRatio}×`);
  if (setting.checkInterval !== undefined) parts.push(`every ${formatDuration(setting.checkInterval)}`);
  if (setting.minRequests !== undefined) parts.push(`≥ ${setting.minRequests} requests`);
  if (setting.failureLimit !== undefined) {
    const counting = policy === undefined ? 'consecutive' : knobValue(policy, 'guards.failureCounting');
    const how =
      counting === 'total'
        ? 'in total'
        : counting === 'mOfN' && policy !== undefined
          ? `of the last ${knobValue(policy, 'guards.failureWindow')} checks`
          : 'in a row';
    parts.push(`${setting.failureLimit} failure${setting.failureLimit === 1 ? '' : 's'} ${how}`);
  }
  return parts.join(', ');
}

/**
 * `policy` with `setting` applied (a new value; `policy` is not changed): ratio thresholds,
 * check interval and guards through their knobs (the sweep's `withParameter`); a statistical
 * error rule replaces every error-rate ratio rule of the canary and full stages and A/B
 * guardrails (and a ratio rule replaces every statistical one). Checked by `parsePolicy`: RangeError listing the
 * problems when the setting makes the policy invalid (e.g. a check interval longer than a stage).
 * O(policy).
 */
export function applyTuningSetting(policy: Policy, setting: TuningSetting): Policy {
  let tuned = policy;
  const errorRule = setting.errorRule;
  if (errorRule !== undefined) {
    const replacement: HealthRule =
      errorRule.type === 'ratio'
        ? { type: 'ratio', metric: 'errorRate', maxRatio: errorRule.maxRatio }
        : statisticalRule('errorRate', { minimumEffect: errorRule.minimumEffect, alpha: errorRule.alpha, method: 'alwaysValid' });
    if (!policyRules(policy).some(isErrorRule))
      throw new RangeError('errorRule: the policy has no error-rate ratio or statistical rule to tune');
    tuned = mapRules(policy, (rule) => (isErrorRule(rule) ? { ...replacement } : rule));
  }
  for (const coordinate of knobCoordinates) {
    const value = setting[coordinate];
    // The policy writes the check interval as a duration ("5m"), as the base policies do.
    if (value !== undefined) tuned = withParameter(tuned, coordinate, coordinate === 'checkInterval' ? formatDuration(value) : value);
  }
  const parsed = parsePolicy(tuned);
  if (!parsed.ok) throw new RangeError(`the setting makes the policy invalid: ${parsed.errors.map(formatPolicyError).join('; ')}`);
  return parsed.policy;
}
