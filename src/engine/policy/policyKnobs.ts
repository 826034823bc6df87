/**
 * The policy's knobs: the numbers a person or a search turns — thresholds of the health rules,
 * the check interval, the guards, the canary's length, the A/B test's size — each with ONE name,
 * the policy document's own field name (`errorRate.maxRatio` is the `maxRatio` of the ratio rules
 * on `errorRate`). The lab's controls, the tuner's search, the sweep's parameters and playback
 * read and write a policy through `knobValue` and `withKnob`, so a knob is spelt the same from
 * the control that edits it to the rule that fires (`CompiledRule` keeps the same field names).
 *
 * Like the other helpers of this folder these return new values; `withKnob` trusts its value
 * (the edge that read it checks it, see `knobKind`), and the edited policy is validated by
 * whoever runs it (`parsePolicy` / `compilePolicy`).
 */
import { durationSeconds } from './duration.ts';
import { defaultGuards } from './healthRules.ts';
import type { Duration, Guards, HealthMetric, HealthRule, Policy, RateMetric, Stage } from './policy.ts';
import { mapRules, policyRules } from './stageRules.ts';

/** A threshold of the health rules on one metric: `maxRatio` of its ratio rules, `max` of its absolute limits, `minimumEffect` of its statistical tests. */
export type RuleKnob = `${HealthMetric}.maxRatio` | `${HealthMetric}.max` | `${RateMetric}.minimumEffect`;

/**
 * A knob of the policy:
 * - a `RuleKnob`: that field of every rule of that type on that metric, in every canary, A/B and full stage;
 * - `alpha`: α of every statistical rule and of every A/B test;
 * - `checkInterval`: every stage's check interval (a duration);
 * - `guards.minRequests`, `guards.failureLimit`, `guards.failureCounting`, `guards.onNoData`: the
 *   policy's guards and every stage's own guards (`failureCounting` and `onNoData` are choice knobs,
 *   `knobChoices`); switching the counting away from 'mOfN' drops the failure window, switching to
 *   it without one sets the window to the failure limit (M of the last M: the consecutive rule,
 *   until the window is widened);
 * - `guards.failureWindow`: N of 'mOfN' counting, wherever the guards count 'mOfN' (nothing carries
 *   it under the other modes);
 * - `canary.minDuration`: every canary stage's minimum duration (its maximum raised to match when shorter);
 * - `ab.traffic`, `ab.test.alpha`, `ab.test.power`, `ab.test.minimumEffect`: the A/B stage's share and test.
 */
export type PolicyKnob =
  | RuleKnob
  | 'alpha'
  | 'checkInterval'
  | 'guards.minRequests'
  | 'guards.failureLimit'
  | 'guards.failureCounting'
  | 'guards.failureWindow'
  | 'guards.onNoData'
  | 'canary.minDuration'
  | 'ab.traffic'
  | 'ab.test.alpha'
  | 'ab.test.power'
  | 'ab.test.minimumEffect';

/** A knob's value: a number, or for the duration knobs (`knobKind`) a duration as the policy writes it (`"5m"` or seconds). */
export type KnobValue = number | Duration;

/** The engine's check interval when a stage sets none, seconds (`compilePolicy`). */
export const defaultCheckIntervalSeconds = 300;

const healthMetrics: readonly HealthMetric[] = ['errorRate', 'timeoutRate', 'latencyP50', 'latencyP95', 'latencyP99'];
const rateMetrics: readonly RateMetric[] = ['errorRate', 'timeoutRate'];

/** Every knob, rule knobs first (by metric: maxRatio, max, then the rate metrics' minimumEffect). */
export const policyKnobs: readonly PolicyKnob[] = [
  ...healthMetrics.map((metric): PolicyKnob => `${metric}.maxRatio`),
  ...healthMetrics.map((metric): PolicyKnob => `${metric}.max`),
  ...rateMetrics.map((metric): PolicyKnob => `${metric}.minimumEffect`),
  'alpha',
  'checkInterval',
  'guards.minRequests',
  'guards.failureLimit',
  'guards.failureCounting',
  'guards.failureWindow',
  'guards.onNoData',
  'canary.minDuration',
  'ab.traffic',
  'ab.test.alpha',
  'ab.test.power',
  'ab.test.minimumEffect',
];

/** Whether `name` is a knob's name. */
export function isPolicyKnob(name: string): name is PolicyKnob {
  return (policyKnobs as readonly string[]).includes(name);
}

/** The knobs whose value is one of a few words (`knobChoices`). */
export type ChoiceKnob = 'guards.failureCounting' | 'guards.onNoData';

/** The knobs whose value is a number or a duration. */
export type NumericKnob = Exclude<PolicyKnob, ChoiceKnob>;

const knobChoiceLists: Record<ChoiceKnob, readonly string[]> = {
  'guards.failureCounting': ['consecutive', 'total', 'mOfN'],
  'guards.onNoData': ['hold', 'fail', 'inconclusive'],
};

/** Whether a knob takes a duration (`checkInterval`, `canary.minDuration`), one of a few words (`knobChoices`) or a number. */
export function knobKind(knob: PolicyKnob): 'duration' | 'number' | 'choice' {
  if (knob in knobChoiceLists) return 'choice';
  return knob === 'checkInterval' || knob === 'canary.minDuration' ? 'duration' : 'number';
}

/** The words a choice knob takes (the policy field's choices); empty for the other knobs. */
export function knobChoices(knob: PolicyKnob): readonly string[] {
  return knobChoiceLists[knob as ChoiceKnob] ?? [];
}

type RuleField = 'maxRatio' | 'max' | 'minimumEffect';
const ruleTypeOf: Record<RuleField, HealthRule['type']> = { maxRatio: 'ratio', max: 'absolute', minimumEffect: 'statistical' };

/** The metric, rule type and field a rule knob names; null for the other knobs. */
export function ruleKnobTarget(knob: PolicyKnob): { metric: HealthMetric; type: HealthRule['type']; field: RuleField } | null {
  const [metric, field] = knob.split('.') as [string, string | undefined];
  if (field === undefined || !(field in ruleTypeOf) || !(healthMetrics as readonly string[]).includes(metric)) return null;
  return { metric: metric as HealthMetric, type: ruleTypeOf[field as RuleField], field: field as RuleField };
}

function seconds(value: Duration): number {
  return durationSeconds(value) as number;
}

/**
 * The value the policy gives `knob`, as the controller uses it (durations in seconds, engine
 * defaults filled in): a rule knob reads the first such rule in stage order; `alpha` the first
 * statistical rule's α (default 0.05), else the A/B test's; `checkInterval` the first stage that
 * sets one (default 300 s); the guards the policy's guards (defaults 100 and 1); the canary and
 * A/B knobs the first such stage. Undefined when nothing in the policy carries the knob
 * (e.g. `latencyP99.max` without such a limit, `ab.traffic` without an A/B stage). O(policy).
 */
export function knobValue(policy: Policy, knob: ChoiceKnob): string;
export function knobValue(policy: Policy, knob: NumericKnob): number | undefined;
export function knobValue(policy: Policy, knob: PolicyKnob): number | string | undefined;
export function knobValue(policy: Policy, knob: PolicyKnob): number | string | undefined {
  const target = ruleKnobTarget(knob);
  if (target !== null) {
    const rule = policyRules(policy).find((candidate) => candidate.type === target.type && candidate.metric === target.metric);
    return rule === undefined ? undefined : (rule as unknown as Record<RuleField, number>)[target.field];
  }
  const ab = policy.stages.find((stage) => stage.kind === 'ab');
  switch (knob) {
    case 'alpha': {
      const statistical = policyRules(policy).find((rule) => rule.type === 'statistical');
      if (statistical?.type === 'statistical') return statistical.alpha ?? 0.05;
      return ab === undefined ? undefined : (ab.test.alpha ?? 0.05);
    }
    case 'checkInterval': {
      const stage = policy.stages.find((candidate) => candidate.kind !== 'promote' && candidate.checkInterval !== undefined);
      return stage !== undefined && stage.kind !== 'promote' ? seconds(stage.checkInterval!) : defaultCheckIntervalSeconds;
    }
    case 'guards.minRequests':
      return policy.guards?.minRequests ?? defaultGuards().minRequests;
    case 'guards.failureLimit':
      return policy.guards?.failureLimit ?? defaultGuards().failureLimit;
    case 'guards.failureCounting':
      return policy.guards?.failureCounting ?? 'consecutive';
    case 'guards.failureWindow':
      return policy.guards?.failureWindow;
    case 'guards.onNoData':
      return policy.guards?.onNoData ?? 'hold';
    case 'canary.minDuration': {
      const canary = policy.stages.find((stage) => stage.kind === 'canary');
      return canary === undefined ? undefined : seconds(canary.minDuration);
    }
    case 'ab.traffic':
      return ab?.traffic;
    case 'ab.test.alpha':
      return ab === undefined ? undefined : (ab.test.alpha ?? 0.05);
    case 'ab.test.power':
      return ab === undefined ? undefined : (ab.test.power ?? 0.8);
    case 'ab.test.minimumEffect':
      return ab?.test.minimumEffect;
  }
  return undefined;
}

/**
 * `policy` with `knob` set to `value` everywhere it applies (see `PolicyKnob`); a new value, and
 * `policy` is not changed. Where nothing carries the knob (no such rule, no canary) the policy
 * comes back unchanged: callers that must vary something check `knobValue` first. Not
 * validated: the caller's `parsePolicy` or `compilePolicy` does that. O(policy).
 */
export function withKnob(policy: Policy, knob: PolicyKnob, value: KnobValue): Policy {
  const copy = JSON.parse(JSON.stringify(policy)) as Policy;
  const target = ruleKnobTarget(knob);
  if (target !== null) {
    return mapRules(copy, (rule) =>
      rule.type === target.type && rule.metric === target.metric ? { ...rule, [target.field]: value } : rule,
    );
  }
  const eachStage = (change: (stage: Stage) => Stage) => ({ ...copy, stages: copy.stages.map(change) });
  switch (knob) {
    case 'alpha': {
      const tested = mapRules(copy, (rule) => (rule.type === 'statistical' ? { ...rule, alpha: value as number } : rule));
      return {
        ...tested,
        stages: tested.stages.map((stage) => (stage.kind === 'ab' ? { ...stage, test: { ...stage.test, alpha: value as number } } : stage)),
      };
    }
    case 'checkInterval':
      return eachStage((stage) => (stage.kind === 'promote' ? stage : { ...stage, checkInterval: value }));
    case 'guards.minRequests':
    case 'guards.failureLimit': {
      const field = knob === 'guards.minRequests' ? 'minRequests' : 'failureLimit';
      const guarded = { ...copy, guards: { ...copy.guards, [field]: value as number } };
      return {
        ...guarded,
        stages: guarded.stages.map((stage) =>
          stage.kind !== 'promote' && stage.guards ? { ...stage, guards: { ...stage.guards, [field]: value as number } } : stage,
        ),
      };
    }
    case 'guards.failureCounting':
    case 'guards.failureWindow':
    case 'guards.onNoData': {
      const field = knob.slice('guards.'.length) as 'failureCounting' | 'failureWindow' | 'onNoData';
      const edit = (guards: Guards): Guards => withCountingField(guards, field, value);
      return {
        ...copy,
        guards: edit(copy.guards ?? {}),
        stages: copy.stages.map((stage) => (stage.kind !== 'promote' && stage.guards ? { ...stage, guards: edit(stage.guards) } : stage)),
      };
    }
    case 'canary.minDuration':
      return eachStage((stage) => {
        if (stage.kind !== 'canary') return stage;
        const max = stage.maxDuration === undefined ? undefined : durationSeconds(stage.maxDuration);
        return max !== undefined && max < seconds(value)
          ? { ...stage, minDuration: value, maxDuration: value }
          : { ...stage, minDuration: value };
      });
    case 'ab.traffic':
      return eachStage((stage) => (stage.kind === 'ab' ? { ...stage, traffic: value as number } : stage));
    case 'ab.test.alpha':
    case 'ab.test.power':
    case 'ab.test.minimumEffect': {
      const field = knob.slice('ab.test.'.length) as 'alpha' | 'power' | 'minimumEffect';
      return eachStage((stage) => (stage.kind === 'ab' ? { ...stage, test: { ...stage.test, [field]: value as number } } : stage));
    }
  }
  return copy;
}

/**
 * `guards` with one counting field set (see `PolicyKnob`): a window only where the guards count
 * 'mOfN'; leaving 'mOfN' drops the window, entering it without one takes the failure limit; a
 * default ('consecutive', 'hold') is not written where the field is absent.
 */
function withCountingField(guards: Guards, field: 'failureCounting' | 'failureWindow' | 'onNoData', value: KnobValue): Guards {
  // The default where the field is absent stays absent, so a policy at its defaults keeps its JSON.
  if (field === 'onNoData')
    return value === 'hold' && guards.onNoData === undefined ? guards : { ...guards, onNoData: value as Guards['onNoData'] };
  if (field === 'failureWindow') return guards.failureCounting === 'mOfN' ? { ...guards, failureWindow: value as number } : guards;
  const counting = value as Guards['failureCounting'];
  const { failureWindow, ...rest } = guards;
  if (counting === 'consecutive' && guards.failureCounting === undefined) return guards;
  if (counting !== 'mOfN') return { ...rest, failureCounting: counting };
  return { ...rest, failureCounting: counting, failureWindow: failureWindow ?? guards.failureLimit ?? defaultGuards().failureLimit };
}

/** `policy` with every knob of `values` set, in the order given (`withKnob` for each). O(knobs × policy). */
export function withKnobs(policy: Policy, values: Partial<Record<PolicyKnob, KnobValue>>): Policy {
  return (Object.entries(values) as [PolicyKnob, KnobValue | undefined][]).reduce(
    (current, [knob, value]) => (value === undefined ? current : withKnob(current, knob, value)),
    policy,
  );
}
