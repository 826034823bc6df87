/**
 * The facts both exports read from a validated policy, per stage: share, durations, check
 * interval, guards (stage over policy over defaults) and the health rules to express — the
 * shadow gates are turned into the equivalent strict ratio rules.
 */

import type { FailureCounting } from '../controller/failureCount.ts';
import { resolveFailureCounting } from '../controller/failureCount.ts';
import { formatDuration, parseDuration } from '../policy/duration.ts';
import { defaultGuards } from '../policy/healthRules.ts';
import type { HealthRule, Policy, Stage, StageCommon, StageKind } from '../policy/policy.ts';
import { stageRules } from '../policy/stageRules.ts';

/** A rule as a target expresses it: the engine's rule plus whether the limit is strict (`<`, shadow gates) or not (`≤`). */
export type PlannedRule = HealthRule & { strict?: boolean };

/** One stage, with everything resolved. */
export interface PlannedStage {
  index: number;
  kind: StageKind;
  /** Candidate share 0–1 (the mirrored share for shadow). */
  traffic: number;
  minDurationSeconds: number;
  maxDurationSeconds: number | null;
  intervalSeconds: number;
  /** Go-style duration text of the check interval (`5m`). */
  interval: string;
  minRequests: number;
  failureLimit: number;
  /** How the stage counts failing and inconclusive checks (failureCountingExport.ts maps it to each target). */
  failureCounting: FailureCounting;
  /** Health rules (canary, full), guardrails (A/B) or the shadow gates as strict ratio rules. */
  rules: PlannedRule[];
  /** Checks the Prometheus targets cannot compute: shadow agreement, the A/B test. */
  needsDecisionService: boolean;
  onMaxDuration: 'rollback' | 'hold';
  /** Baseline stage: control requests the baseline must hold before it counts as established (0 for other stages). */
  baselineRequests: number;
  /**
   * What the policy does when every window of the stage lacks data (zero traffic, a broken
   * query): every check holds, so the stage ends at its maximum duration with `onMaxDuration`,
   * or, without a maximum, holds for good.
   */
  onNoData: 'rollback' | 'hold';
}

/** The rules a target expresses for `stage`: its health rules, or for shadow the gates as strict ratio rules. */
function plannedRules(stage: Stage): PlannedRule[] {
  if (stage.kind === 'shadow') {
    return [
      { type: 'ratio', metric: 'errorRate', maxRatio: stage.gates.maxErrorRatio, strict: true },
      { type: 'ratio', metric: 'latencyP95', maxRatio: stage.gates.maxLatencyRatio, strict: true },
    ];
  }
  return [...stageRules(stage)];
}

/** The stages of a VALID policy (see `resolveExport`), resolved. Cost O(stages × rules). */
export function planStages(policy: Policy): PlannedStage[] {
  const defaults = defaultGuards();
  return policy.stages.map((stage, index) => {
    const common: StageCommon = stage.kind === 'promote' ? {} : stage;
    const guards = { ...defaults, ...policy.guards, ...common.guards };
    const intervalSeconds = parseDuration(common.checkInterval ?? '5m', `stages[${index}].checkInterval`);
    const minDurationSeconds = common.minDuration !== undefined ? parseDuration(common.minDuration) : 0;
    const maxDurationSeconds = common.maxDuration !== undefined ? parseDuration(common.maxDuration) : null;
    const traffic =
      stage.kind === 'baseline' || stage.kind === 'promote'
        ? 0
        : stage.kind === 'full'
          ? 1
          : stage.kind === 'shadow'
            ? (stage.traffic ?? 1)
            : stage.traffic;
    const rules = plannedRules(stage);
    const onMaxDuration = common.onMaxDuration ?? policy.onMaxDuration ?? 'rollback';
    return {
      index,
      kind: stage.kind,
      traffic,
      minDurationSeconds,
      maxDurationSeconds,
      intervalSeconds,
      interval: formatDuration(intervalSeconds),
      minRequests: guards.minRequests,
      failureLimit: guards.failureLimit,
      // The controller applies onNoData and the inconclusive limit to health checks only (canary,
      // A/B guardrails, full): shadow and baseline stages hold on missing data whatever they say.
      failureCounting: resolveFailureCounting(
        stage.kind === 'canary' || stage.kind === 'ab' || stage.kind === 'full'
          ? guards
          : { ...guards, onNoData: 'hold', inconclusiveLimit: undefined },
      ),
      rules,
      needsDecisionService: stage.kind === 'shadow' || stage.kind === 'ab' || rules.some((rule) => rule.type === 'statistical'),
      onMaxDuration,
      baselineRequests: stage.kind === 'baseline' ? stage.minRequests : 0,
      onNoData: maxDurationSeconds === null ? 'hold' : onMaxDuration,
    };
  });
}

/** Checks needed to cover `seconds` at one per `intervalSeconds` (at least 1). */
export function checkCount(seconds: number, intervalSeconds: number): number {
  return Math.max(1, Math.ceil(seconds / intervalSeconds - 1e-9));
}

/** Percent from a share, without float noise: 0.05 → 5. */
export function percent(share: number): number {
  return Number((share * 100).toFixed(6));
}
