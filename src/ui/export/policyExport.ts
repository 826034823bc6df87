/**
 * Export and import of a policy with its validation evidence. Plain functions (no DOM): the
 * export is `{ policy, evidence }`, where `policy` is exactly the document `parsePolicy` accepts
 * (and `scenarios/policy.schema.json` describes), and `evidence` says how it was validated: the
 * scenario documents, seed, replicates, mode, engine version and the measured rates with their
 * 95% Wilson intervals.
 */

import packageJson from '../../../package.json';
import { formatPolicyError, parsePolicy } from '../../engine/policy/parsePolicy.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { type RateEstimate, summaryValue } from '../../sim/summary.ts';
import { checkRunSettings, type SimulationRunner } from '../lab/labModel.ts';
import { labPolicy } from '../lab/labPolicy.ts';
import type { LabSettings } from '../lab/labSettings.ts';
import { labScenarioDocuments, labScenarios } from '../lab/labWorlds.ts';

/** The engine that produced the evidence. */
export const engineVersion = `rollout-lab ${packageJson.version}`;

/** What one scenario's simulation measured. */
export interface ScenarioEvidence {
  /** The scenario document, as a `scenarios/*.json` file would hold it. */
  scenario: Record<string, unknown>;
  /** Replicates that ran: `replicates`, or fewer when a worker failed (`complete: false`). */
  replicatesCompleted: number;
  falseRollbackRate: RateEstimate;
  missedRegressionRate: RateEstimate;
  rollbackRate: RateEstimate;
  promoteRate: RateEstimate;
  /** Median seconds from the regression to the rollback; null when nothing was caught. */
  medianDetectionSeconds: number | null;
  /** Mean users served by a worse candidate per rollout. */
  usersServedWhileWorse: number;
}

/** How a policy was validated. */
export interface PolicyEvidence {
  engineVersion: string;
  mode: 'window';
  seed: number;
  replicates: number;
  /** True when every replicate ran (no worker failed). */
  complete: boolean;
  results: ScenarioEvidence[];
}

/** The exported document. */
export interface PolicyExport {
  policy: Policy;
  evidence: PolicyEvidence;
}

/**
 * Simulates the lab's policy in its two worlds (`replicates` replicates from `seed`, windowed
 * mode — the same computation as `rollout-lab simulate SCENARIO --policy POLICY --seed S
 * --replicates N`, whose results do not depend on the number of workers) and returns the export.
 */
export async function buildPolicyExport(
  settings: LabSettings,
  runSimulation: SimulationRunner,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<PolicyExport> {
  checkRunSettings(settings);
  const policy = labPolicy(settings);
  const documents = labScenarioDocuments(settings);
  const scenarios = labScenarios(settings);
  const results: ScenarioEvidence[] = [];
  let complete = true;
  const worlds = [
    { document: documents.healthy, scenario: scenarios.healthy },
    { document: documents.regressed, scenario: scenarios.regressed },
  ];
  for (const [index, world] of worlds.entries()) {
    const run = await runSimulation(
      { scenario: world.scenario, policy, mode: 'window', seed: settings.seed },
      settings.replicates,
      (fraction) => onProgress((index + fraction) / worlds.length),
      signal,
    );
    if (signal.aborted) throw new DOMException('export cancelled', 'AbortError');
    complete &&= run.complete;
    const summary = summaryValue(run.state);
    results.push({
      scenario: world.document,
      replicatesCompleted: summary.replicates,
      falseRollbackRate: summary.falseRollbackRate,
      missedRegressionRate: summary.missedRegressionRate,
      rollbackRate: summary.rollbackRate,
      promoteRate: summary.promoteRate,
      medianDetectionSeconds: summary.detectionTime.median,
      usersServedWhileWorse: summary.exposure.usersServedWhileWorse,
    });
  }
  return {
    policy,
    evidence: { engineVersion, mode: 'window', seed: settings.seed, replicates: settings.replicates, complete, results },
  };
}

/** The result of reading an imported file. */
export type PolicyImport = { ok: true; policy: Policy; evidence: unknown } | { ok: false; errors: string[] };

/**
 * Reads an imported policy: a bare policy document, or an export `{ policy, evidence }`. Every
 * problem is listed, each as "JSON path: reason" (`parsePolicy`); text that is not JSON is
 * reported with the parser's message.
 */
export function readPolicyImport(text: string): PolicyImport {
  if (text.trim() === '') return { ok: false, errors: ['the file is empty: paste or upload a policy JSON'] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`not valid JSON: ${(error as Error).message}`] };
  }
  const isExport = typeof json === 'object' && json !== null && !Array.isArray(json) && 'policy' in json && 'evidence' in json;
  const document = isExport ? (json as { policy: unknown }).policy : json;
  const parsed = parsePolicy(document);
  if (!parsed.ok) {
    // Inside an export, paths start at its `policy` field.
    const withinExport = (path: string) => (path === '' ? 'policy' : path.startsWith('[') ? `policy${path}` : `policy.${path}`);
    return {
      ok: false,
      errors: parsed.errors.map((error) => formatPolicyError(isExport ? { ...error, path: withinExport(error.path) } : error)),
    };
  }
  return { ok: true, policy: parsed.policy, evidence: isExport ? (json as { evidence: unknown }).evidence : null };
}
