/**
 * The policy the lab's settings describe: the framework default's stages as the lab switches and
 * sizes them, with the lab's knobs set through the engine's knob vocabulary (`withKnobs`) and its
 * extra rules added with `withRule`. Plain functions, no DOM.
 */
import { defaultPolicy } from '../../engine/policy/defaultPolicy.ts';
import { durationSeconds } from '../../engine/policy/duration.ts';
import { absoluteRule, defaultHealthRules } from '../../engine/policy/healthRules.ts';
import { formatPolicyError, type PolicyError, parsePolicy } from '../../engine/policy/parsePolicy.ts';
import type { AbDesign, Policy, Stage } from '../../engine/policy/policy.ts';
import { withKnobs } from '../../engine/policy/policyKnobs.ts';
import { type RuledStageKind, withRule } from '../../engine/policy/stageRules.ts';
import { importedPolicyWithKnobs, importedStageNames } from './labImportedPolicy.ts';
import { type LabRuleStages, type LabSettings, labKnobs } from './labSettings.ts';

/** How the lab's failure limit counts, in words: "in a row", "in total", "of the last 5 checks". */
function countingWords(settings: LabSettings): string {
  const counting = settings['guards.failureCounting'];
  return counting === 'total' ? 'in total' : counting === 'mOfN' ? `of the last ${settings['guards.failureWindow']} checks` : 'in a row';
}

/** The stage kinds an extra rule watches, for the lab's choice. */
const ruleStageKinds: Record<LabRuleStages, readonly RuledStageKind[]> = {
  canary: ['canary'],
  'canary+full': ['canary', 'full'],
  all: ['canary', 'ab', 'full'],
};

/**
 * The policy document the lab's settings describe, NOT yet validated: the framework default's
 * baseline, then the shadow stage when on, the lab's canaries (each with its share, minimum and
 * maximum duration and check interval), the A/B stage when on (α, power, minimum effect, design;
 * group-sequential with 5 looks and O'Brien–Fleming spending), the full stage when on, promote;
 * every canary, A/B guardrail and full stage watched by the framework's four ratio rules with the
 * lab's thresholds (the knobs `errorRate.maxRatio` …), then the absolute limits and statistical
 * rule on the stage kinds they apply to. With an imported base policy (`settings.imported`) the
 * stages are the import's, and the knobs apply on top of them (`importedPolicyWithKnobs`).
 */
export function labPolicyDocument(settings: LabSettings): Policy {
  const policy = defaultPolicy();
  const check = settings.checkInterval;
  const byKind = <K extends Stage['kind']>(kind: K) => policy.stages.find((stage) => stage.kind === kind) as Extract<Stage, { kind: K }>;
  const stages: Stage[] = [{ ...byKind('baseline'), checkInterval: check }];
  if (settings.shadow) stages.push({ ...byKind('shadow'), checkInterval: check });
  for (const canary of settings.canaries) {
    stages.push({
      kind: 'canary',
      traffic: canary.trafficPercent / 100,
      minDuration: canary.minDuration,
      ...(canary.maxDuration === '' ? {} : { maxDuration: canary.maxDuration }),
      checkInterval: canary.checkInterval === '' ? check : canary.checkInterval,
      rules: defaultHealthRules(),
    });
  }
  if (settings.ab.enabled) {
    const ab = byKind('ab');
    const design: AbDesign =
      settings.ab.design === 'groupSequential'
        ? { type: 'groupSequential', looks: 5, spending: 'obrienFleming' }
        : { type: settings.ab.design };
    stages.push({
      ...ab,
      traffic: settings.ab.trafficPercent / 100,
      checkInterval: check,
      test: { ...ab.test, alpha: settings.ab.alpha, power: settings.ab.power, minimumEffect: settings.ab.minimumEffect, design },
    });
  }
  if (settings.full) stages.push({ ...byKind('full'), checkInterval: check });
  stages.push(byKind('promote'));
  // Every knob of the lab but the check interval, which is set stage by stage above (a canary may have its own).
  const knobs = Object.fromEntries(labKnobs.filter((knob) => knob !== 'checkInterval').map((knob) => [knob, settings[knob]]));
  // An imported base policy keeps its own stages; the lab's knobs, check interval included, apply on top of it.
  let tuned = settings.imported
    ? importedPolicyWithKnobs(settings.imported, { ...knobs, checkInterval: check }, settings.baselineMode)
    : withKnobs({ ...policy, baseline: { mode: settings.baselineMode }, stages }, knobs);
  const absoluteKinds = ruleStageKinds[settings.absoluteStages];
  if (settings.absoluteErrorRate !== null) tuned = withRule(tuned, absoluteRule('errorRate', settings.absoluteErrorRate), absoluteKinds);
  if (settings.absoluteP95 !== null) tuned = withRule(tuned, absoluteRule('latencyP95', settings.absoluteP95), absoluteKinds);
  if (settings.statistical) {
    tuned = withRule(
      tuned,
      { type: 'statistical', metric: 'errorRate', minimumEffect: settings.statistical.minimumEffect, method: settings.statistical.method },
      ruleStageKinds[settings.statisticalStages],
    );
  }
  if (settings.imported) {
    // An imported policy keeps its name; edited in the lab, it says so.
    if (canonicalJson(tuned) !== canonicalJson(settings.imported.policy))
      tuned.name = `${tuned.name ?? 'imported policy'}, tuned in the lab`;
    return tuned;
  }
  // Say so when the policy is no longer the framework default (which keeps its own name).
  if (canonicalJson(tuned) !== canonicalJson(policy)) {
    tuned.name = 'framework default, tuned';
    tuned.description =
      `The framework default tuned in Rollout Lab's policy lab: ${stages.map((stage) => stageLabel(stage)).join(' → ')}; ` +
      `error rate ≤ ${settings['errorRate.maxRatio']}×, timeout rate ≤ ${settings['timeoutRate.maxRatio']}×, ` +
      `p95 ≤ ${settings['latencyP95.maxRatio']}×, p50 ≤ ${settings['latencyP50.maxRatio']}× the ${settings.baselineMode} baseline` +
      (settings.absoluteErrorRate === null ? '' : `, error rate ≤ ${settings.absoluteErrorRate}`) +
      (settings.absoluteP95 === null ? '' : `, p95 ≤ ${settings.absoluteP95} ms`) +
      (settings.statistical
        ? `, a statistical test (${settings.statistical.method}) for errors worse by more than ${settings.statistical.minimumEffect}`
        : '') +
      `, checked every ${checkMinutes(check)} min, at least ${settings['guards.minRequests']} requests per window, ` +
      `rollback after ${settings['guards.failureLimit']} failing check(s) ${countingWords(settings)}.`;
  }
  return tuned;
}

/** A check interval in minutes for the description ("5m" → 5); the text as written when it is not a duration. */
function checkMinutes(interval: string): number | string {
  const seconds = durationSeconds(interval);
  return seconds === undefined ? interval : seconds / 60;
}

/** JSON with every object's keys sorted, so that key order does not count as a difference. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function stageLabel(stage: Stage): string {
  if (stage.kind === 'canary')
    return `canary ${Math.round(stage.traffic * 1000) / 10}% ${stage.minDuration}${stage.maxDuration ? `–${stage.maxDuration}` : ''}`;
  if (stage.kind === 'ab') return `A/B ${Math.round(stage.traffic * 1000) / 10}% (${stage.test.design.type})`;
  return stage.kind;
}

/**
 * What the lab calls each stage of `labPolicyDocument(settings)`, by index: "baseline", "shadow",
 * "canary 1" …, "A/B", "full", "promote" — to tell the user which row a `stages[i]` path is.
 */
export function labStageNames(settings: LabSettings): string[] {
  if (settings.imported) return importedStageNames(settings.imported.policy);
  return [
    'baseline',
    ...(settings.shadow ? ['shadow'] : []),
    ...settings.canaries.map((_, index) => `canary ${index + 1}`),
    ...(settings.ab.enabled ? ['A/B'] : []),
    ...(settings.full ? ['full'] : []),
    'promote',
  ];
}

/** Every problem of the lab's policy, by JSON path (`parsePolicy`'s errors); [] when it is valid. */
export function labPolicyProblems(settings: LabSettings): PolicyError[] {
  const parsed = parsePolicy(labPolicyDocument(settings));
  return parsed.ok ? [] : parsed.errors;
}

/**
 * The lab's policy (`labPolicyDocument`), validated by `parsePolicy`: throws a `RangeError`
 * listing every problem by JSON path. For the first-visit settings it is the framework default.
 */
export function labPolicy(settings: LabSettings): Policy {
  const parsed = parsePolicy(labPolicyDocument(settings));
  if (!parsed.ok) throw new RangeError(`the policy is invalid: ${parsed.errors.map((error) => formatPolicyError(error)).join('; ')}`);
  return parsed.policy;
}
