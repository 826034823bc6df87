/**
 * The policy in the form the controller runs: durations in seconds, defaults resolved, group-
 * sequential boundaries of the statistical rules precomputed. Compiled once per policy object
 * and cached in a WeakMap, so `step` does no parsing or planning in its inner loop.
 */

import { durationSeconds } from '../policy/duration.ts';
import { defaultGuards } from '../policy/healthRules.ts';
import { formatPolicyError, parsePolicy } from '../policy/parsePolicy.ts';
import type {
  AbDesign,
  HealthMetric,
  HealthRule,
  Policy,
  RateMetric,
  ShadowComparison,
  ShadowGates,
  SpendingFunction,
  StageCommon,
  StageKind,
  StatisticalRule,
} from '../policy/policy.ts';
import { defaultCheckIntervalSeconds } from '../policy/policyKnobs.ts';
import { stageRules } from '../policy/stageRules.ts';
import { equallySpacedFractions, groupSequentialBoundaries } from '../stats/groupSequential.ts';
import type { FailureCounting } from './failureCount.ts';
import { resolveFailureCounting } from './failureCount.ts';

/**
 * A ratio-to-reference rule ready to evaluate: fails when candidate > `maxRatio` × reference.
 * Compiled rules keep the policy's own field names (`maxRatio`, `max`, `minimumEffect`), so a
 * threshold has one name from the policy document to the reason that reports it.
 */
export interface CompiledRatioRule {
  type: 'ratio';
  metric: HealthMetric;
  maxRatio: number;
}

/** An absolute limit ready to evaluate: fails when candidate > `max`. */
export interface CompiledAbsoluteRule {
  type: 'absolute';
  metric: HealthMetric;
  max: number;
}

/** A statistical rule ready to evaluate, with its alpha-spending plan precomputed. */
export interface CompiledStatisticalRule {
  type: 'statistical';
  metric: RateMetric;
  minimumEffect: number;
  /** One-sided α (default 0.05). */
  alpha: number;
  method: StatisticalRule['method'];
  /** Alpha spending: upper z boundaries for looks 1…K of the stage (K planned looks); null for always-valid. */
  boundaries: number[] | null;
  /** Alpha spending: nominal one-sided p-value thresholds per look; null for always-valid. */
  nominalAlpha: number[] | null;
  /** Index of this rule's slot in `state.ruleStates`. */
  slot: number;
}

/** A health rule ready to evaluate: one member per rule type of the policy (`HealthRule`). */
export type CompiledRule = CompiledRatioRule | CompiledAbsoluteRule | CompiledStatisticalRule;

/** The A/B test, resolved. */
export interface CompiledAbTest {
  alpha: number;
  power: number;
  minimumEffect: number;
  design: AbDesign;
  baselineRate: number | null;
  sampleSize: number | null;
  onInconclusive: 'hold' | 'advance' | 'rollback';
}

/** A stage, resolved. */
export interface CompiledStage {
  index: number;
  kind: StageKind;
  name: string;
  /** Share of users the candidate serves in this stage (0 for baseline and shadow). */
  traffic: number;
  /** Share of traffic mirrored to the candidate (shadow), else 0. */
  mirrorTraffic: number;
  minDuration: number;
  maxDuration: number;
  checkInterval: number;
  onMaxDuration: 'rollback' | 'hold';
  minRequests: number;
  failureLimit: number;
  /** How the stage counts failing and inconclusive checks (failureCount.ts); `failureCounting.limit` is `failureLimit`. */
  failureCounting: FailureCounting;
  /** Baseline stage: control requests needed. */
  baselineMinRequests: number;
  /** Health rules (canary, full) or guardrails (A/B). */
  rules: CompiledRule[];
  /** How many statistical-rule slots `state.ruleStates` needs. */
  statisticalSlots: number;
  /** Whether any rule reads latency. */
  needsLatency: boolean;
  shadow: { comparison: ShadowComparison; gates: ShadowGates } | null;
  ab: CompiledAbTest | null;
  /** A/B stages: the segment keys to report the test by (empty: none). */
  segmentKeys: string[];
}

/** A policy, ready for `step`. */
export interface CompiledPolicy {
  policy: Policy;
  baselineMode: 'historical' | 'concurrent';
  stages: CompiledStage[];
  flagName: string;
  /** Seconds at 100% after which the flag should be retired, or null. */
  retireAfter: number | null;
  killSwitch: boolean;
}

/** Planned looks of an alpha-spending rule are capped so that planning stays cheap (≈ 1 ms per look). */
const maxPlannedLooks = 300;

const cache = new WeakMap<Policy, CompiledPolicy>();

/**
 * Compiled policies by content, for the same policy arriving as a new object: a worker's
 * structured-clone copy of a policy the page already validated, each shard or sweep cell of the
 * same simulation, a policy read again from the same file. Without it each copy missed the
 * identity cache and was validated and planned again. Keyed by the policy's JSON text (with
 * values JSON cannot write marked, so no invalid policy shares a key with a valid one); the
 * `maxContentEntries` most recently used are kept.
 */
const byContent = new Map<string, CompiledPolicy>();
const maxContentEntries = 64;

function contentKey(policy: Policy): string | null {
  try {
    return JSON.stringify(policy, (_key, value: unknown) => {
      if (typeof value === 'number' && !Number.isFinite(value)) return { $notJson: String(value) };
      if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return { $notJson: typeof value };
      return value;
    });
  } catch {
    // A cycle: not JSON, so parsePolicy explains the problem.
    return null;
  }
}

function seconds(value: unknown, fallback: number): number {
  return value === undefined ? fallback : (durationSeconds(value) as number);
}

function stageName(kind: StageKind, traffic: number): string {
  if (kind === 'canary' || kind === 'ab') return `${kind} ${Number((traffic * 100).toPrecision(6))}%`;
  return kind;
}

function compileRules(rules: readonly HealthRule[], plannedLooks: number): { rules: CompiledRule[]; slots: number } {
  let slots = 0;
  const compiled = rules.map((rule): CompiledRule => {
    if (rule.type === 'ratio') return { type: 'ratio', metric: rule.metric, maxRatio: rule.maxRatio };
    if (rule.type === 'absolute') return { type: 'absolute', metric: rule.metric, max: rule.max };
    const alpha = rule.alpha ?? 0.05;
    let boundaries: number[] | null = null;
    let nominalAlpha: number[] | null = null;
    if (rule.method === 'alphaSpending') {
      const spending: SpendingFunction = rule.spending ?? 'obrienFleming';
      const design = groupSequentialBoundaries({
        informationFractions: equallySpacedFractions(plannedLooks),
        alpha,
        sides: 1,
        spending,
      });
      boundaries = design.z;
      nominalAlpha = design.nominalAlpha;
    }
    return {
      type: 'statistical',
      metric: rule.metric,
      minimumEffect: rule.minimumEffect,
      alpha,
      method: rule.method,
      boundaries,
      nominalAlpha,
      slot: slots++,
    };
  });
  return { rules: compiled, slots };
}

/**
 * Validates `policy` (with `parsePolicy`) and resolves it for the controller; the result is
 * cached per policy object and by content (a copy of a compiled policy — e.g. in a worker — is
 * not validated again), so treat a policy as immutable once it has been stepped with.
 * Throws a `RangeError` listing every problem when the policy is invalid.
 *
 * Defaults: guards from `Policy.guards`, else 100 requests per arm and failure limit 1; check
 * interval 5 min; no maximum duration; `onMaxDuration` 'rollback'. Planned looks of a
 * statistical rule with alpha spending = ⌈stage length / check interval⌉ (capped at 300), the
 * stage length being its minimum duration (else maximum, else 24 h).
 * Cost: O(size of the policy) plus O(K · m²) per alpha-spending rule (groupSequential.ts).
 */
export function compilePolicy(policy: Policy): CompiledPolicy {
  const cached = cache.get(policy);
  if (cached) return cached;
  const key = contentKey(policy);
  const same = key === null ? undefined : byContent.get(key);
  if (key !== null && same !== undefined) {
    byContent.delete(key);
    byContent.set(key, same);
    const view: CompiledPolicy = same.policy === policy ? same : { ...same, policy };
    cache.set(policy, view);
    return view;
  }
  const parsed = parsePolicy(policy);
  if (!parsed.ok) {
    throw new RangeError(`invalid policy: ${parsed.errors.map(formatPolicyError).join('; ')}`);
  }
  const fallbackGuards = { ...defaultGuards(), ...policy.guards };
  const policyOnMax = policy.onMaxDuration ?? 'rollback';
  const stages = policy.stages.map((stage, index): CompiledStage => {
    const common: StageCommon = stage.kind === 'promote' ? {} : stage;
    const guards = { ...fallbackGuards, ...common.guards };
    const minDuration = seconds(common.minDuration, 0);
    const maxDuration = seconds(common.maxDuration, Infinity);
    const checkInterval = seconds(common.checkInterval, defaultCheckIntervalSeconds);
    const stageLength = minDuration > 0 ? minDuration : Number.isFinite(maxDuration) ? maxDuration : 86400;
    const plannedLooks = Math.min(maxPlannedLooks, Math.max(1, Math.ceil(stageLength / checkInterval)));
    const { rules, slots } = compileRules(stageRules(stage), plannedLooks);
    const traffic =
      stage.kind === 'canary' || stage.kind === 'ab' ? stage.traffic : stage.kind === 'full' || stage.kind === 'promote' ? 1 : 0;
    return {
      index,
      kind: stage.kind,
      name: stage.name ?? stageName(stage.kind, traffic),
      traffic,
      mirrorTraffic: stage.kind === 'shadow' ? (stage.traffic ?? 1) : 0,
      minDuration,
      maxDuration,
      checkInterval,
      onMaxDuration: common.onMaxDuration ?? policyOnMax,
      minRequests: guards.minRequests,
      failureLimit: guards.failureLimit,
      failureCounting: resolveFailureCounting(guards),
      baselineMinRequests: stage.kind === 'baseline' ? stage.minRequests : 0,
      rules,
      statisticalSlots: slots,
      needsLatency: rules.some((rule) => rule.metric.startsWith('latency')),
      shadow: stage.kind === 'shadow' ? { comparison: stage.comparison, gates: stage.gates } : null,
      ab:
        stage.kind === 'ab'
          ? {
              alpha: stage.test.alpha ?? 0.05,
              power: stage.test.power ?? 0.8,
              minimumEffect: stage.test.minimumEffect,
              design: stage.test.design,
              baselineRate: stage.test.baselineRate ?? null,
              sampleSize: stage.test.sampleSize ?? null,
              onInconclusive: stage.test.onInconclusive ?? 'hold',
            }
          : null,
      segmentKeys: stage.kind === 'ab' ? [...(stage.segmentKeys ?? [])] : [],
    };
  });
  const compiled: CompiledPolicy = {
    policy,
    baselineMode: policy.baseline.mode,
    stages,
    flagName: policy.flag?.name ?? 'the flag',
    retireAfter: policy.flag?.retireAfter !== undefined ? seconds(policy.flag.retireAfter, 0) : null,
    killSwitch: policy.flag?.killSwitch === true,
  };
  cache.set(policy, compiled);
  if (key !== null) {
    byContent.set(key, compiled);
    if (byContent.size > maxContentEntries) byContent.delete(byContent.keys().next().value as string);
  }
  return compiled;
}
