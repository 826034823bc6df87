/**
 * The Policy lab's imported base policy (issue 14): a policy imported from the user's Argo
 * Rollouts or Flagger files ("Audit my rollout") replaces the framework default as the lab's
 * starting point. Its stage list is the import's own; the lab's knobs (thresholds, check interval,
 * guards, …) apply on top of it through the engine's knob vocabulary (`withKnob`), so a knob means
 * the same on an imported policy as on the default. Plain functions, no DOM.
 *
 * A knob left at the imported policy's own value (`knobValue`) leaves the import as it is — its
 * per-stage thresholds stay per stage; a knob the user moves sets every rule or guard it names,
 * exactly as on the framework default.
 */
import type { ImportSource } from '../../engine/import/importTypes.ts';
import { durationSeconds } from '../../engine/policy/duration.ts';
import type { Duration, HealthRule, Policy, Stage } from '../../engine/policy/policy.ts';
import { type KnobValue, knobKind, knobValue, type PolicyKnob, withKnob } from '../../engine/policy/policyKnobs.ts';
import { formatDuration, formatPercent } from '../../engine/text/format.ts';

/** The lab's imported base policy: where it came from and the policy as imported. */
export interface LabImportedPolicy {
  /** The input file names, as the user gave them ("rollout.yaml, analysis.yaml"). */
  file: string;
  source: ImportSource;
  policy: Policy;
}

/** Each import source as people call it. */
export const importSourceLabels: Readonly<Record<ImportSource, string>> = { argo: 'Argo Rollouts', flagger: 'Flagger' };

/** The lab's banner: "Imported from rollout.yaml (Argo Rollouts)". */
export function importedBanner(imported: LabImportedPolicy): string {
  return `Imported from ${imported.file} (${importSourceLabels[imported.source]})`;
}

/** The lab state's text of an imported policy (compact JSON; the inverse of `readLabImport`). */
export function formatLabImport(imported: LabImportedPolicy): string {
  return JSON.stringify({ file: imported.file, source: imported.source, policy: imported.policy });
}

/**
 * The imported policy the lab state's text holds; undefined for an empty text (the framework
 * default). Throws a RangeError naming what is wrong when the text is not such a record (a
 * hand-edited URL); whether the policy itself is valid is `parsePolicy`'s to say, with the rest of
 * the lab's policy.
 */
export function readLabImport(text: string): LabImportedPolicy | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RangeError('imported policy: the saved text is not JSON (import the files again or go back to the framework default)');
  }
  const record = value as Partial<LabImportedPolicy> | null;
  if (record === null || typeof record !== 'object') throw new RangeError('imported policy: expected an object');
  if (typeof record.file !== 'string' || record.file === '') throw new RangeError('imported policy: file must be a non-empty string');
  if (!(record.source !== undefined && record.source in importSourceLabels))
    throw new RangeError(
      `imported policy: source must be one of ${Object.keys(importSourceLabels).join(', ')}, got ${String(record.source)}`,
    );
  const policy = record.policy as Policy | undefined;
  if (policy === null || typeof policy !== 'object' || !Array.isArray(policy.stages))
    throw new RangeError('imported policy: policy must be a policy document with a stages list');
  return { file: record.file, source: record.source, policy };
}

/** Whether a knob's value in the lab is the value a policy already gives it (durations compared in seconds). */
function sameKnobValue(knob: PolicyKnob, policyValue: unknown, labValue: KnobValue): boolean {
  if (policyValue === undefined) return false;
  if (knobKind(knob) === 'duration') return durationSeconds(labValue) === policyValue;
  return policyValue === labValue;
}

/**
 * The imported policy with the lab's knobs applied (`withKnob`), each only where it differs from
 * the import's own value (see the module comment), and the lab's baseline mode. Not validated:
 * the lab's `parsePolicy` does that.
 */
export function importedPolicyWithKnobs(
  imported: LabImportedPolicy,
  knobs: Readonly<Partial<Record<PolicyKnob, KnobValue>>>,
  baselineMode: Policy['baseline']['mode'],
): Policy {
  const base = imported.policy;
  let policy: Policy = { ...base, baseline: { ...base.baseline, mode: baselineMode } };
  for (const [knob, value] of Object.entries(knobs) as [PolicyKnob, KnobValue | undefined][]) {
    if (value === undefined || sameKnobValue(knob, knobValue(base, knob), value)) continue;
    policy = withKnob(policy, knob, value);
  }
  return policy;
}

/**
 * The knobs of `knobs` that an imported policy does not carry (`knobValue` undefined: no ratio rule
 * on that metric, say): the lab shows them, but moving them changes nothing.
 */
export function uncarriedKnobs<K extends PolicyKnob>(policy: Policy, knobs: readonly K[]): K[] {
  return knobs.filter((knob) => knobValue(policy, knob) === undefined);
}

/**
 * What the lab calls each stage of an imported policy, by index: the stage's own name when the
 * import gave one, else "baseline", "canary 1" …, "A/B", "full", "promote".
 */
export function importedStageNames(policy: Policy): string[] {
  let canaries = 0;
  return policy.stages.map((stage) => {
    if (stage.name) return stage.name;
    if (stage.kind === 'canary') return `canary ${++canaries}`;
    return stage.kind === 'ab' ? 'A/B' : stage.kind;
  });
}

/** One row of the lab's read-only list of imported stages. */
export interface ImportedStageRow {
  name: string;
  kind: Stage['kind'];
  /** The candidate's share ("25%"), "—" for stages that serve no candidate traffic. */
  traffic: string;
  /** "2h – 4h", "10m", "—". */
  duration: string;
  /** "5m", "—" for the promote stage. */
  checkInterval: string;
  /** The stage's health rules, one short phrase each ("errorRate ≤ 2× baseline"). */
  rules: string[];
}

function durationText(value: Duration | undefined): string {
  if (value === undefined) return '';
  const seconds = durationSeconds(value);
  return seconds === undefined ? String(value) : formatDuration(seconds);
}

/** A health rule in a few words: "errorRate ≤ 2× baseline", "latencyP95 ≤ 500", "errorRate: test for +0.01". */
export function ruleText(rule: HealthRule): string {
  if (rule.type === 'ratio') return `${rule.metric} ≤ ${rule.maxRatio}× baseline`;
  if (rule.type === 'absolute') return `${rule.metric} ≤ ${rule.max}`;
  return `${rule.metric}: ${rule.method} test for +${rule.minimumEffect}`;
}

/** The imported policy's stages as the lab lists them (the stage list is the import's; the lab does not edit it). */
export function importedStageRows(policy: Policy): ImportedStageRow[] {
  const names = importedStageNames(policy);
  return policy.stages.map((stage, index) => {
    if (stage.kind === 'promote')
      return { name: names[index], kind: stage.kind, traffic: '—', duration: '—', checkInterval: '—', rules: [] };
    const traffic =
      stage.kind === 'canary' || stage.kind === 'ab'
        ? formatPercent(stage.traffic)
        : stage.kind === 'full'
          ? formatPercent(1)
          : stage.kind === 'shadow'
            ? `mirrored ${formatPercent(stage.traffic ?? 1)}`
            : '—';
    const min = durationText(stage.minDuration);
    const max = durationText(stage.maxDuration);
    const rules = stage.kind === 'canary' || stage.kind === 'full' ? stage.rules : stage.kind === 'ab' ? stage.guardrails : [];
    return {
      name: names[index],
      kind: stage.kind,
      traffic,
      duration: min && max ? `${min} – ${max}` : min || (max ? `up to ${max}` : '—'),
      checkInterval: stage.checkInterval === undefined ? 'policy default' : durationText(stage.checkInterval),
      rules: rules.map(ruleText),
    };
  });
}
