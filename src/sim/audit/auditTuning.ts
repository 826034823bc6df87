/**
 * Tuning an imported policy for the user's targets, within what their own files can say: the
 * auto-tuner's search (tune.ts) from the imported policy's own setting, over the default space
 * (tuningSpace.ts) without statistical rules — Argo Rollouts and Flagger conditions compare a
 * query result with a number, so a sequential test has no place in them — and, for each
 * coordinate, only the values whose tuned policy the files can carry (`expressible`, the
 * write-back's `unrepresentable` list: a check interval when a stage's interval has no field in
 * the files, a minimum request count the importer did not read from them, …). What was left out,
 * and why, is part of the answer. Then the recommended policy (or, when none meets the targets,
 * the closest one) is audited stage by stage like the original (auditRollout.ts). Pure.
 */
import type { Policy } from '../../engine/policy/policy.ts';
import type { Scenario } from '../scenario.ts';
import type { TunedCandidate, TuneOptions, TuneResult } from '../tune.ts';
import { tune } from '../tune.ts';
import type { TuningSetting, TuningSpace } from '../tuningSpace.ts';
import { applyTuningSetting, baseTuningSetting, defaultTuningSpace, tuningCoordinates, tuningSettingKey } from '../tuningSpace.ts';
import type { TuningTargets } from '../tuningTargets.ts';
import type { AuditOptions, RolloutAudit } from './auditRollout.ts';
import { auditRollout } from './auditRollout.ts';

/** The targets `rollout-lab audit` tunes for when the user names none: at most 5% false rollbacks, 90% of the regression caught within 2 hours. */
export const defaultAuditTargets: TuningTargets = { maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, detectWithin: 7200 };

/** A coordinate of the search left out, or narrowed, because the user's files cannot express its other values. */
export interface ExcludedCoordinate {
  coordinate: keyof TuningSetting;
  /** The values left out. */
  values: unknown[];
  /** Why (the first reason the write-back gave). */
  reason: string;
}

/**
 * The search space for tuning `policy` so that the result can be written back: the default
 * space without statistical rules, each coordinate keeping the values whose policy (the base
 * setting with that one value changed) is valid and `expressible` (returns no reasons).
 * O(space values × cost of `expressible`).
 */
export function auditTuningSpace(
  policy: Policy,
  healthy: Scenario,
  expressible: (policy: Policy) => string[] = () => [],
): { space: TuningSpace; excluded: ExcludedCoordinate[] } {
  const full = defaultTuningSpace(policy, healthy, { allowStatistical: false });
  const base = baseTuningSetting(policy);
  const space: TuningSpace = {};
  const excluded: ExcludedCoordinate[] = [];
  for (const coordinate of tuningCoordinates) {
    const values = full[coordinate] as unknown[] | undefined;
    if (values === undefined) continue;
    const kept: unknown[] = [];
    const left: unknown[] = [];
    let reason = '';
    for (const value of values) {
      let reasons: string[];
      try {
        reasons = expressible(applyTuningSetting(policy, { ...base, [coordinate]: value } as TuningSetting));
      } catch (error) {
        reasons = [(error as Error).message];
      }
      if (reasons.length === 0) kept.push(value);
      else {
        left.push(value);
        reason ||= reasons[0];
      }
    }
    if (left.length > 0) excluded.push({ coordinate, values: left, reason });
    if (kept.length > 1) (space as Record<string, unknown[]>)[coordinate] = kept;
  }
  return { space, excluded };
}

/** Settings of `auditTune`. */
export interface AuditTuneOptions extends Omit<TuneOptions, 'space' | 'targets'> {
  targets?: TuningTargets;
  /** Reasons the user's files cannot carry a policy (empty: they can); default: any policy. */
  expressible?: (policy: Policy) => string[];
  /** How the tuned policy is audited (default: as `auditRollout`, with the targets' detection window). */
  audit?: AuditOptions;
  /** Runs the tuner (default `tune`, in this thread); the CLI passes its worker pool (`tuneWith`). */
  run?: (policy: Policy, healthy: Scenario, regressed: Scenario, options: TuneOptions) => TuneResult | Promise<TuneResult>;
}

/** What tuning found. */
export interface AuditTuneResult {
  targets: TuningTargets;
  tune: TuneResult;
  space: TuningSpace;
  excluded: ExcludedCoordinate[];
  /** The recommended policy, or null when no policy meets the targets (the imported policy itself when the answer is its own setting). */
  recommended: Policy | null;
  /** The best finalist when none meets the targets (null when one does). */
  closest: Policy | null;
  /** The stage-by-stage audit of the recommended policy, else of the closest one. */
  audit: RolloutAudit | null;
}

/**
 * Tunes the imported `policy` for `targets` (default `defaultAuditTargets`) in the two worlds
 * (module comment) and audits the answer. Options as `tune` (RangeError naming the field).
 * Cost: the tuner's, plus one audit.
 */
export async function auditTune(
  policy: Policy,
  healthy: Scenario,
  regressed: Scenario,
  options: AuditTuneOptions,
): Promise<AuditTuneResult> {
  const { expressible, audit: auditOptions, run = tune, targets = defaultAuditTargets, ...tuneOptions } = options;
  const { space, excluded } = auditTuningSpace(policy, healthy, expressible);
  const result = await run(policy, healthy, regressed, { ...tuneOptions, targets, space });
  // The tuner's base candidate is the policy's own setting applied through the knobs, which set
  // every stage to the first stage's check interval and guards; when the answer IS that setting,
  // the answer is the policy itself (the files unchanged), not its flattened copy.
  const baseKey = tuningSettingKey(baseTuningSetting(policy));
  const policyOf = (candidate: TunedCandidate) => (tuningSettingKey(candidate.setting) === baseKey ? policy : candidate.policy);
  const recommended = result.recommended === null ? null : policyOf(result.recommended);
  const closest = recommended === null && result.finalists[0] !== undefined ? policyOf(result.finalists[0]) : null;
  const chosen = recommended ?? closest;
  const audit =
    chosen === null
      ? null
      : auditRollout(chosen, healthy, regressed, { seed: options.seed, detectWithin: targets.detectWithin, ...auditOptions });
  return { targets, tune: result, space, excluded, recommended, closest, audit };
}
