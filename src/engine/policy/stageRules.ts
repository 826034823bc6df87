/**
 * "The rules of a stage", in one place: canary and full stages list `rules`, an A/B stage lists
 * `guardrails` (the same health rules, checked every window while the test runs), and the other
 * stages have none. Every reader and editor of a policy's health rules — the controller's
 * compiler, the exports, the sweep, the tuner, the lab, playback — goes through these helpers, so
 * a new kind of stage with rules is taught here once.
 *
 * Like the helpers in `stages.ts` and `healthRules.ts` they return new values (Observable Plot's
 * "options in, options out"), never changing their argument.
 */
import type { AbStage, CanaryStage, FullStage, HealthRule, Policy, Stage } from './policy.ts';

/** A stage that is watched by health rules: canary and full (`rules`), A/B (`guardrails`). */
export type RuledStage = CanaryStage | AbStage | FullStage;

/** The kinds of stage that carry health rules. */
export type RuledStageKind = RuledStage['kind'];

/** Whether `stage` carries health rules (canary, A/B, full). */
export function isRuledStage(stage: Stage): stage is RuledStage {
  return stage.kind === 'canary' || stage.kind === 'ab' || stage.kind === 'full';
}

/** The health rules of `stage`: a canary's or full stage's `rules`, an A/B stage's `guardrails`, else none. O(1). */
export function stageRules(stage: Stage): readonly HealthRule[] {
  if (stage.kind === 'canary' || stage.kind === 'full') return stage.rules;
  if (stage.kind === 'ab') return stage.guardrails;
  return [];
}

/** `stage` with its health rules replaced by `rules` (a new stage); a stage without rules is returned as it is. */
export function withStageRules<S extends Stage>(stage: S, rules: HealthRule[]): S {
  if (stage.kind === 'canary' || stage.kind === 'full') return { ...stage, rules };
  if (stage.kind === 'ab') return { ...stage, guardrails: rules };
  return stage;
}

/** Every health rule of the policy, stage by stage in order (the rules of one stage in their order). O(rules). */
export function policyRules(policy: Policy): HealthRule[] {
  return policy.stages.flatMap((stage) => [...stageRules(stage)]);
}

/**
 * `policy` with every health rule passed through `change` (a new policy; `change` returns the
 * rule itself to keep it). The stages keep their order and their other fields. O(rules).
 */
export function mapRules(policy: Policy, change: (rule: HealthRule, stage: RuledStage) => HealthRule): Policy {
  return {
    ...policy,
    stages: policy.stages.map((stage) =>
      isRuledStage(stage)
        ? withStageRules(
            stage,
            stageRules(stage).map((rule) => change(rule, stage)),
          )
        : stage,
    ),
  };
}

/**
 * `policy` with `rule` appended to the rules of every stage whose kind is in `kinds` (default:
 * every canary, A/B and full stage). Each stage gets its own copy of the rule. O(stages).
 */
export function withRule(policy: Policy, rule: HealthRule, kinds: readonly RuledStageKind[] = ['canary', 'ab', 'full']): Policy {
  return {
    ...policy,
    stages: policy.stages.map((stage) =>
      isRuledStage(stage) && kinds.includes(stage.kind) ? withStageRules(stage, [...stageRules(stage), { ...rule }]) : stage,
    ),
  };
}
