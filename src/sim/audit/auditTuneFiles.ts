/**
 * Tuning the rollout in a team's own files, end to end, for every caller (the CLI's `audit`, the
 * app's audit worker): the tuner searches only the policies the files can carry — each candidate
 * written back and imported again (`writeBack` with the import's options), so a value the
 * importer derives from another field counts too — and the answer (the recommended policy, else
 * the closest) comes back written into the files, with the unified diff of what to edit. Pure.
 */
import type { ImportInput, ImportOptions, ImportResult } from '../../engine/import/importTypes.ts';
import { unifiedDiff } from '../../engine/import/unifiedDiff.ts';
import type { WriteBackResult } from '../../engine/import/writeBack.ts';
import { writeBack } from '../../engine/import/writeBack.ts';
import type { Scenario } from '../scenario.ts';
import type { AuditTuneOptions, AuditTuneResult } from './auditTuning.ts';
import { auditTune } from './auditTuning.ts';

/** What tuning the files found. */
export interface AuditTuneFilesResult extends AuditTuneResult {
  /** The recommended (else closest) policy's setting in words (`error ≤ 2×, every 10m, …`); null without one. */
  label: string | null;
  /** That policy written into the user's files; null without one. */
  written: WriteBackResult | null;
  /** The unified diff of the user's files ('' when nothing changed or there is no policy). */
  diff: string;
}

/**
 * Tunes `imported` (what `importRollout(inputs, importOptions)` returned) in the two worlds
 * (`auditTune`, restricted to what the files can express) and writes the answer back into
 * `inputs`. Options as `auditTune`, without `expressible`, which this function supplies.
 */
export async function auditTuneFiles(
  inputs: ImportInput[],
  imported: ImportResult,
  importOptions: ImportOptions,
  healthy: Scenario,
  regressed: Scenario,
  options: Omit<AuditTuneOptions, 'expressible'>,
): Promise<AuditTuneFilesResult> {
  const result = await auditTune(imported.policy, healthy, regressed, {
    ...options,
    expressible: (policy) => writeBack(inputs, imported, policy, importOptions).unrepresentable,
  });
  const chosen = result.recommended ?? result.closest;
  const candidate = result.tune.recommended ?? result.tune.finalists[0] ?? null;
  const written = chosen === null ? null : writeBack(inputs, imported, chosen, importOptions);
  return {
    ...result,
    label: candidate === null ? null : chosen === imported.policy ? `${candidate.label}: your own setting, no change` : candidate.label,
    written,
    diff: written === null ? '' : unifiedDiff(inputs, written.files),
  };
}
