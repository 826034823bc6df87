/**
 * The endpoint of the app's audit worker ("Audit my rollout", issue 14): the audit of the user's
 * imported rollout at their traffic (`auditRollout`, src/sim/audit) and its tuned replacement
 * written back into their own files (`auditTuneFiles`, as the CLI's `audit` does it), off the main
 * thread, so the page never blocks while the chains run or the tuner simulates.
 *
 * The worker imports the files again from their text (`importRollout` is pure and fast): an
 * import result carries functions (`MappedField.toSource`) that cannot cross to a worker, and the
 * write-back needs them. The page has imported the same text already, so an import error here
 * means the page sent something else.
 */

import type { ImportInput, ImportOptions } from '../src/engine/import/importTypes.ts';
import { formatLocation } from '../src/engine/import/importTypes.ts';
import { importRollout } from '../src/engine/import/index.ts';
import { formatPolicyPath } from '../src/engine/import/writeBack.ts';
import type { Policy } from '../src/engine/policy/policy.ts';
import type { AuditWorldOptions } from '../src/sim/audit/auditScenario.ts';
import { auditTuneFiles } from '../src/sim/audit/auditTuneFiles.ts';
import type { ExcludedCoordinate, RolloutAudit } from '../src/sim/audit/index.ts';
import { auditRollout, auditScenario } from '../src/sim/audit/index.ts';
import type { TuningTargets } from '../src/sim/tuningTargets.ts';

/** What the page asks: the user's files, how to read them, their world, targets and run. */
export interface AuditRequest {
  inputs: ImportInput[];
  importOptions: ImportOptions;
  world: AuditWorldOptions;
  targets: TuningTargets;
  /** Monte-Carlo replicates per world (the audit when the exact evaluator refuses the policy; the tuner's search). */
  replicates: number;
  seed: number;
  /** Candidates the tuner may simulate, the imported policy included. */
  candidates: number;
}

/** One value written back into the user's files. */
export interface AuditChange {
  /** `file#document Kind/name .path` (`formatLocation`). */
  location: string;
  from: unknown;
  to: unknown;
  /** The policy field it carries (`stages[1].rules[0].maxRatio`). */
  policyPath: string;
}

/** The tuned replacement: the tuner's verdict, the policy and its audit, and the user's files with it written in. */
export interface AuditTuning {
  targets: TuningTargets;
  /** The tuner's one sentence. */
  message: string;
  /** True when a policy meets the targets (else `policy` is the closest one, or null). */
  meetsTargets: boolean;
  /** The setting in words (`errorRate.maxRatio 3, failureLimit 2`), null without a policy. */
  label: string | null;
  policy: Policy | null;
  audit: RolloutAudit | null;
  /** Coordinates of the search the files cannot express (left out), and why. */
  excluded: ExcludedCoordinate[];
  candidatesSimulated: number;
  /** Every input, in order, with the tuned values written in (empty without a policy). */
  files: ImportInput[];
  changes: AuditChange[];
  /** The tuned policy's changes the files cannot carry, one line each. */
  unrepresentable: string[];
  /** The per-file unified diff of the user's files (empty when nothing changed). */
  diff: string;
}

/** What the audit worker serves. */
export interface AuditEndpoint {
  /** The imported policy's audit, stage by stage (exact when the evaluator covers it, else Monte-Carlo). RangeErrors for bad options. */
  audit(request: AuditRequest): RolloutAudit;
  /** The tuned replacement for the targets, reporting the fraction of the tuner's planned replicates done. */
  tune(request: AuditRequest, onProgress?: (fraction: number) => void): Promise<AuditTuning>;
}

function worldsOf(request: AuditRequest) {
  return auditScenario(request.world);
}

/** The endpoint (callable in-process too). */
export const auditEndpoint: AuditEndpoint = {
  audit(request) {
    const { policy } = importRollout(request.inputs, request.importOptions);
    const { healthy, regressed } = worldsOf(request);
    return auditRollout(policy, healthy, regressed, {
      replicates: request.replicates,
      seed: request.seed,
      detectWithin: request.targets.detectWithin,
    });
  },

  async tune(request, onProgress) {
    const imported = importRollout(request.inputs, request.importOptions);
    const { healthy, regressed } = worldsOf(request);
    // Only the policies the user's own files can carry, and the answer written into them (auditTuneFiles, as the CLI).
    const result = await auditTuneFiles(request.inputs, imported, request.importOptions, healthy, regressed, {
      targets: request.targets,
      seed: request.seed,
      searchReplicates: request.replicates,
      maxEvaluations: request.candidates,
      audit: { replicates: request.replicates, seed: request.seed, detectWithin: request.targets.detectWithin },
      ...(onProgress === undefined ? {} : { onProgress: (progress) => onProgress(progress.replicatesDone / progress.replicatesPlanned) }),
    });
    return {
      targets: result.targets,
      message: result.tune.message,
      meetsTargets: result.recommended !== null,
      label: result.label,
      policy: result.recommended ?? result.closest,
      audit: result.audit,
      excluded: result.excluded,
      candidatesSimulated: result.tune.candidates.length,
      files: result.written?.files ?? [],
      changes: (result.written?.changes ?? []).map((change) => ({
        location: formatLocation(change.source),
        from: change.from,
        to: change.to,
        policyPath: formatPolicyPath(change.policyPath),
      })),
      unrepresentable: result.written?.unrepresentable ?? [],
      diff: result.diff,
    };
  },
};
