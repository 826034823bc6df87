/**
 * The scenario library (`scenarios/library/*.json`, issue 6) bundled for the app: each failure of
 * rolling out a model as a playable scenario with its story, its lesson and an embedded policy.
 * Vite bundles the JSON files and the arrival trace they replay, so the app needs no network.
 */

import azureCodeTrace from '../../../scenarios/data/azure_llm2023_code_arrivals.csv?raw';
import abTestTinySamples from '../../../scenarios/library/ab-test-tiny-samples.json';
import azureLlmTrace from '../../../scenarios/library/azure-llm-trace.json';
import canaryWithoutMetrics from '../../../scenarios/library/canary-without-metrics.json';
import dailyCycleHistoricalBaseline from '../../../scenarios/library/daily-cycle-historical-baseline.json';
import degradationDuringAbTest from '../../../scenarios/library/degradation-during-ab-test.json';
import deployingWithoutBaseline from '../../../scenarios/library/deploying-without-baseline.json';
import driftAfterThreeMonths from '../../../scenarios/library/drift-after-three-months.json';
import featureFlagLeftAtHundred from '../../../scenarios/library/feature-flag-left-at-100.json';
import ignoringLatencyRegression from '../../../scenarios/library/ignoring-latency-regression.json';
import instantHundredPercent from '../../../scenarios/library/instant-100-percent.json';
import noRollbackPlan from '../../../scenarios/library/no-rollback-plan.json';
import segmentsHidingAWinner from '../../../scenarios/library/segments-hiding-a-winner.json';
import shadowAgreementSeventy from '../../../scenarios/library/shadow-agreement-70.json';
import shadowWithoutComparison from '../../../scenarios/library/shadow-without-comparison.json';
import skippingCanaryAfterShadow from '../../../scenarios/library/skipping-canary-after-shadow.json';
import untestedRollback from '../../../scenarios/library/untested-rollback.json';
import { defaultPolicy } from '../../engine/policy/defaultPolicy.ts';
import { formatPolicyError, parsePolicy } from '../../engine/policy/parsePolicy.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { knobValue } from '../../engine/policy/policyKnobs.ts';
import { arrivalTimesFromCsv } from '../../sim/arrivalTrace.ts';
import { parseScenario, type Scenario } from '../../sim/scenario.ts';

/** One library scenario: its id (the file name without `.json`) and its raw JSON document. */
export interface LibraryEntry {
  id: string;
  document: unknown;
}

/** Every library scenario, in the order of issue 6's list. */
export const scenarioLibrary: readonly LibraryEntry[] = [
  { id: 'instant-100-percent', document: instantHundredPercent },
  { id: 'ab-test-tiny-samples', document: abTestTinySamples },
  { id: 'canary-without-metrics', document: canaryWithoutMetrics },
  { id: 'shadow-without-comparison', document: shadowWithoutComparison },
  { id: 'no-rollback-plan', document: noRollbackPlan },
  { id: 'deploying-without-baseline', document: deployingWithoutBaseline },
  { id: 'ignoring-latency-regression', document: ignoringLatencyRegression },
  { id: 'shadow-agreement-70', document: shadowAgreementSeventy },
  { id: 'degradation-during-ab-test', document: degradationDuringAbTest },
  { id: 'skipping-canary-after-shadow', document: skippingCanaryAfterShadow },
  { id: 'feature-flag-left-at-100', document: featureFlagLeftAtHundred },
  { id: 'untested-rollback', document: untestedRollback },
  { id: 'segments-hiding-a-winner', document: segmentsHidingAWinner },
  { id: 'drift-after-three-months', document: driftAfterThreeMonths },
  { id: 'daily-cycle-historical-baseline', document: dailyCycleHistoricalBaseline },
  { id: 'azure-llm-trace', document: azureLlmTrace },
];

/** Arrival traces the library's replay scenarios name in `traffic.arrivals.file`, by that name. */
const traces: Record<string, string> = { '../data/azure_llm2023_code_arrivals.csv': azureCodeTrace };

/** The ids of the library, in order. */
export function libraryIds(): string[] {
  return scenarioLibrary.map((entry) => entry.id);
}

/**
 * The parsed scenario `id` of the library, with a replayed trace named by `traffic.arrivals.file`
 * loaded into `times` (as the CLI's `loadScenario` does). Throws a RangeError for an unknown id,
 * or listing the problems of an invalid document. Cost: parsing the document (and the trace).
 */
export function libraryScenario(id: string): Scenario {
  const entry = scenarioLibrary.find((candidate) => candidate.id === id);
  if (!entry) throw new RangeError(`scenario must be one of ${libraryIds().join(', ')}, got '${id}'`);
  const document = structuredClone(entry.document) as { traffic?: { arrivals?: { kind?: string; file?: string; times?: number[] } } };
  const arrivals = document.traffic?.arrivals;
  if (arrivals?.kind === 'replay' && typeof arrivals.file === 'string' && arrivals.times === undefined) {
    const trace = traces[arrivals.file];
    if (trace === undefined) throw new RangeError(`scenario '${id}' replays '${arrivals.file}', which the app does not bundle`);
    arrivals.times = arrivalTimesFromCsv(trace, arrivals.file);
    delete arrivals.file;
  }
  const parsed = parseScenario(document);
  if (!parsed.ok)
    throw new RangeError(
      `scenario '${id}' is invalid: ${parsed.errors.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
    );
  return parsed.scenario;
}

/** The policy a scenario plays: its embedded `policy` (checked by `parsePolicy`), else the framework default. */
export function scenarioPolicy(scenario: Scenario): Policy {
  if (scenario.policy === undefined) return defaultPolicy();
  const parsed = parsePolicy(scenario.policy);
  if (!parsed.ok) throw new RangeError(`the scenario's policy is invalid: ${parsed.errors.map(formatPolicyError).join('; ')}`);
  return parsed.policy;
}

/** The engine's error messages for the scenario's `refusedPolicy` (`path: reason`), or [] when it has none. */
export function refusedPolicyErrors(scenario: Scenario): string[] {
  if (scenario.refusedPolicy === undefined) return [];
  const parsed = parsePolicy(scenario.refusedPolicy);
  return parsed.ok ? [] : parsed.errors.map(formatPolicyError);
}

/**
 * The error-rate ratio limit to draw on the playback's ratio chart: the policy's
 * `errorRate.maxRatio` knob (its first ratio rule on `errorRate` of the canary, A/B or full
 * stages), or `fallback` when none has one.
 */
export function errorRatioLimit(policy: Policy, fallback: number): number {
  return knobValue(policy, 'errorRate.maxRatio') ?? fallback;
}
