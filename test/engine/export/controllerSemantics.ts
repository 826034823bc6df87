/**
 * Test helpers: every policy the project ships, and each export run through the controllers'
 * encoded semantics (src/engine/export/argoAnalysisSemantics.ts, flaggerAnalysisSemantics.ts)
 * beside the engine's own outcome at zero traffic.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compilePolicy } from '../../../src/engine/controller/compilePolicy.ts';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import type { Decision } from '../../../src/engine/controller/decision.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { ArgoMeasurementPhase, ArgoMetricSpec, ArgoRunOutcome } from '../../../src/engine/export/argoAnalysisSemantics.ts';
import { argoMeasurementPhase, evaluateArgoCondition, runArgoAnalysis } from '../../../src/engine/export/argoAnalysisSemantics.ts';
import { argoRolloutsYaml } from '../../../src/engine/export/argoRollouts.ts';
import { defaultPolicy } from '../../../src/engine/policy/defaultPolicy.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';

const root = join(import.meta.dirname, '../../..');

/** The default policy and every policy held or embedded (`policy`) in scenarios/ and scenarios/library/. */
export function shippedPolicies(): [string, Policy][] {
  const found: [string, Policy][] = [['default policy', defaultPolicy()]];
  for (const folder of ['scenarios', 'scenarios/library']) {
    for (const file of readdirSync(join(root, folder)).sort()) {
      if (!file.endsWith('.json') || file.endsWith('.schema.json')) continue;
      const json = JSON.parse(readFileSync(join(root, folder, file), 'utf8'));
      const policy = Array.isArray(json.stages) ? json : json.policy;
      if (policy !== undefined) found.push([`${folder}/${file}`, policy]);
    }
  }
  return found;
}

/** The export's documents, parsed back by an independent YAML reader. */
export function argoDocuments(policy: Policy): any[] {
  return parseAllDocuments(argoRolloutsYaml(policy)).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map(String).join('; '));
    return doc.toJS();
  });
}

/** What a metric's measurement is when its provider returns `result` (Argo's EvaluateResult). */
export function measurementOf(metric: ArgoMetricSpec, result: readonly number[] | string): ArgoMeasurementPhase {
  const judge = (condition: string | undefined) =>
    condition === undefined || condition === '' ? undefined : evaluateArgoCondition(condition, result);
  return argoMeasurementPhase(judge(metric.successCondition), judge(metric.failureCondition));
}

/** Request-count metrics (they pass with traffic) as opposed to health metrics (they pass at a zero ratio). */
function isTrafficMetric(metric: ArgoMetricSpec): boolean {
  return metric.name === 'enough-requests' || metric.name === 'baseline-requests';
}

/** The run of one AnalysisTemplate when every query is empty and the decision service says `inconclusive`. */
export function argoRunAtZeroTraffic(metrics: ArgoMetricSpec[]): ArgoRunOutcome {
  return runArgoAnalysis(metrics, (metric) => measurementOf(metric, metric.provider?.web !== undefined ? 'inconclusive' : []));
}

/** The run when traffic is plentiful and the candidate healthy (ratios 0, request counts 10⁹, verdict `healthy`). */
export function argoRunWhenHealthy(metrics: ArgoMetricSpec[]): ArgoRunOutcome {
  return runArgoAnalysis(metrics, (metric) =>
    measurementOf(metric, metric.provider?.web !== undefined ? 'healthy' : isTrafficMetric(metric) ? [1e9] : [0]),
  );
}

/** The policy's outcome when stage `index` sees no traffic at all, and after how many windows. */
export interface PolicyZeroTraffic {
  decision: Decision;
  windows: number;
}

/**
 * Runs the engine's `step` on windows in which both arms served 0 requests, starting in stage
 * `index` (the state is moved there as `advance` would, with the baseline established so that
 * only the missing traffic can hold), until the decision is neither hold nor continue or
 * `maxWindows` windows have passed (then `hold`: the policy holds for good).
 */
export function policyAtZeroTraffic(policy: Policy, index: number, intervalSeconds: number, maxWindows: number): PolicyZeroTraffic {
  const compiled = compilePolicy(policy);
  const stage = compiled.stages[index];
  const state = initialState(policy, 0);
  state.stageIndex = index;
  state.stageKind = stage.kind;
  state.candidateTraffic = stage.traffic;
  state.ruleStates = new Array<number>(stage.statisticalSlots).fill(1);
  state.baselineEstablished = index > 0;
  const empty = { requests: 0, errors: 0, timeouts: 0 };
  for (let window = 0; window < maxWindows; window += 1) {
    const { decision } = step(
      state,
      [{ startTime: window * intervalSeconds, duration: intervalSeconds, control: { ...empty }, candidate: { ...empty } }],
      policy,
    );
    if (decision !== 'hold' && decision !== 'continue') return { decision, windows: window + 1 };
  }
  return { decision: 'hold', windows: maxWindows };
}
