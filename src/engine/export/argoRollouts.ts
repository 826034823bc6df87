/**
 * Export of a policy to Argo Rollouts (argoproj.io/v1alpha1): a `Rollout` whose canary strategy
 * walks the policy's stages as `steps`, and one `AnalysisTemplate` per checked stage whose
 * metrics express each health rule as a candidate-to-control query ratio on the Prometheus
 * provider (promQueries.ts). Field names follow the Argo Rollouts specification
 * (https://argo-rollouts.readthedocs.io/en/stable/features/specification/ and
 * …/features/analysis/).
 *
 * Stage → steps:
 * - baseline: `pause: { duration }` (no candidate traffic; control metrics accumulate);
 * - shadow: `setMirrorRoute { name, percentage, match }` on a managed route of the traffic
 *   router, an `analysis` step for the gates, then `setMirrorRoute { name }` (removes it);
 * - canary, ab, full: `setWeight`, then an `analysis` step (it blocks for count × interval);
 * - promote: the end of the steps (Argo promotes the canary when the steps are done).
 *
 * Conversions (docs/production.md):
 * - `count` = ceil(minDuration / checkInterval); `inconclusiveLimit` = the checks that fit in
 *   maxDuration − minDuration (0 without a maximum): holds beyond it make the run Inconclusive,
 *   which pauses the rollout for a person — Argo's "hold";
 * - our `failureLimit` n (consecutive failing checks that roll back) → Argo `failureLimit`
 *   n − 1 (failed measurements tolerated; Argo counts them in total, not consecutively, so it is
 *   at least as strict);
 * - success `len(result) > 0 && result[0] <= k` and failure `len(result) > 0 && result[0] > k`:
 *   an empty result (below minRequests) is neither, i.e. inconclusive — missing data holds;
 * - statistical rules, the shadow agreement gate and the A/B test cannot be computed by a
 *   PromQL query: a `web` metric reads the verdict of the decision service (`rollout-lab serve`),
 *   `jsonPath: {$.result.verdict}`.
 */
import { formatDuration } from '../policy/duration.ts';
import type { Policy } from '../policy/policy.ts';
import type { ExportOptions, ResolvedExportOptions } from './exportOptions.ts';
import { resolveExport, stageSlug } from './exportOptions.ts';
import { absoluteQuery, metricSlug, ratioQuery } from './promQueries.ts';
import type { QueryDialect } from './promQueries.ts';
import { checkCount, percent, planStages } from './stagePlan.ts';
import type { PlannedRule, PlannedStage } from './stagePlan.ts';
import { toYamlDocuments } from './yaml.ts';
import type { YamlValue } from './yaml.ts';

/** A Kubernetes object as plain data. */
export type Manifest = { [key: string]: YamlValue };

/** The Argo Rollouts resources of a policy. */
export interface ArgoRolloutsExport {
  rollout: Manifest;
  analysisTemplates: Manifest[];
}

/** Name of the managed mirror route used by shadow stages. */
export const argoMirrorRouteName = 'rollout-lab-shadow';

/** Argo's `failureLimit` (failed measurements tolerated) for our failure limit (consecutive failures that roll back): n − 1. */
export function argoFailureLimit(consecutiveFailures: number): number {
  return Math.max(0, consecutiveFailures - 1);
}

const argoDialect: QueryDialect = {
  metric: (kind) => `{{args.${kind === 'requests' ? 'request' : kind === 'errors' ? 'error' : kind === 'timeouts' ? 'timeout' : 'latency'}-metric}}`,
  selector: (arm) => `service="{{args.service}}",rollouts_pod_template_hash="{{args.${arm === 'candidate' ? 'canary' : 'stable'}-hash}}"`,
};

function metricFor(rule: PlannedRule, stage: PlannedStage, referenceRange: string, options: ResolvedExportOptions): Manifest | undefined {
  if (rule.type === 'statistical') return undefined;
  const limit = rule.type === 'ratio' ? rule.maxRatio : rule.max;
  const compare = rule.strict ? ['<', '>='] : ['<=', '>'];
  const query = rule.type === 'ratio' ? ratioQuery(argoDialect, rule.metric, stage.interval, referenceRange, stage.minRequests) : absoluteQuery(argoDialect, rule.metric, stage.interval, stage.minRequests);
  return {
    name: `${metricSlug(rule.metric)}-${rule.type === 'ratio' ? 'ratio' : 'max'}`,
    interval: stage.interval,
    count: checkCount(stage.minDurationSeconds, stage.intervalSeconds),
    failureLimit: argoFailureLimit(stage.failureLimit),
    inconclusiveLimit: inconclusiveLimit(stage),
    successCondition: `len(result) > 0 && result[0] ${compare[0]} ${limit}`,
    failureCondition: `len(result) > 0 && result[0] ${compare[1]} ${limit}`,
    provider: { prometheus: { address: options.prometheusAddress, query } },
  };
}

function inconclusiveLimit(stage: PlannedStage): number {
  if (stage.maxDurationSeconds === null) return 0;
  return Math.max(0, Math.floor((stage.maxDurationSeconds - stage.minDurationSeconds) / stage.intervalSeconds + 1e-9));
}

function decisionServiceMetric(stage: PlannedStage): Manifest {
  return {
    name: 'decision-service',
    interval: stage.interval,
    count: checkCount(stage.minDurationSeconds, stage.intervalSeconds),
    failureLimit: argoFailureLimit(stage.failureLimit),
    inconclusiveLimit: inconclusiveLimit(stage),
    successCondition: 'result == "healthy"',
    failureCondition: 'result == "failing"',
    provider: {
      web: {
        url: '{{args.decision-service}}/v1/state',
        timeoutSeconds: 10,
        jsonPath: '{$.result.verdict}',
      },
    },
  };
}

function templateName(options: ResolvedExportOptions, stage: PlannedStage): string {
  return `${options.name}-${stageSlug(stage.kind, stage.traffic)}`;
}

function analysisTemplate(policy: Policy, stage: PlannedStage, options: ResolvedExportOptions, referenceRange: string): Manifest {
  const metrics = stage.rules.map((rule) => metricFor(rule, stage, referenceRange, options)).filter((m): m is Manifest => m !== undefined);
  if (stage.needsDecisionService) metrics.push(decisionServiceMetric(stage));
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: {
      name: templateName(options, stage),
      namespace: options.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'rollout-lab', 'rollout-lab/stage-index': String(stage.index), 'rollout-lab/stage-kind': stage.kind },
      annotations: { 'rollout-lab/policy': policy.name ?? 'policy', 'rollout-lab/baseline-mode': policy.baseline.mode },
    },
    spec: {
      args: [
        { name: 'service', value: options.service },
        { name: 'request-metric', value: options.requestMetric },
        { name: 'error-metric', value: options.errorMetric },
        { name: 'timeout-metric', value: options.timeoutMetric },
        { name: 'latency-metric', value: options.latencyMetric },
        { name: 'decision-service', value: options.decisionServiceUrl },
        { name: 'canary-hash' },
        { name: 'stable-hash' },
      ],
      metrics,
    },
  };
}

function analysisStep(name: string): Manifest {
  return {
    analysis: {
      templates: [{ templateName: name }],
      args: [
        { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
        { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
      ],
    },
  };
}

/**
 * The Argo Rollouts `Rollout` and `AnalysisTemplate`s of `policy` (validated here: a
 * `RangeError` lists its problems). The Rollout references the user's Deployment
 * (`workloadRef`) and routes with Istio (`trafficRouting.istio`), whose mirror routes Argo
 * manages (`managedRoutes`). Historical baselines compare the candidate with the control over
 * the baseline stage's length (`[24h]`); concurrent ones over the same interval. Cost O(stages × rules).
 */
export function exportArgoRollouts(policyInput: unknown, exportOptions: ExportOptions = {}): ArgoRolloutsExport {
  const { policy, options } = resolveExport(policyInput, exportOptions);
  const stages = planStages(policy);
  const baseline = stages.find((stage) => stage.kind === 'baseline');
  const steps: Manifest[] = [];
  const analysisTemplates: Manifest[] = [];
  let hasShadow = false;
  for (const stage of stages) {
    const referenceRange = policy.baseline.mode === 'historical' && baseline ? formatDuration(baseline.minDurationSeconds) : stage.interval;
    switch (stage.kind) {
      case 'baseline':
        steps.push({ pause: { duration: formatDuration(stage.minDurationSeconds) } });
        break;
      case 'shadow': {
        hasShadow = true;
        const template = analysisTemplate(policy, stage, options, stage.interval);
        analysisTemplates.push(template);
        steps.push({ setMirrorRoute: { name: argoMirrorRouteName, percentage: percent(stage.traffic), match: [{ path: { prefix: '/' } }] } });
        steps.push(analysisStep((template.metadata as { name: string }).name));
        steps.push({ setMirrorRoute: { name: argoMirrorRouteName } });
        break;
      }
      case 'canary':
      case 'ab':
      case 'full': {
        const template = analysisTemplate(policy, stage, options, referenceRange);
        analysisTemplates.push(template);
        steps.push({ setWeight: percent(stage.traffic) });
        steps.push(analysisStep((template.metadata as { name: string }).name));
        break;
      }
      case 'promote':
        break;
    }
  }
  const trafficRouting: Manifest = {
    istio: { virtualService: { name: `${options.service}-vsvc`, routes: ['primary'] } },
  };
  if (hasShadow) trafficRouting.managedRoutes = [{ name: argoMirrorRouteName }];
  const rollout: Manifest = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'rollout-lab' },
      annotations: { 'rollout-lab/policy': policy.name ?? 'policy', 'rollout-lab/baseline-mode': policy.baseline.mode },
    },
    spec: {
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: options.service },
      strategy: {
        canary: {
          canaryService: `${options.service}-canary`,
          stableService: `${options.service}-stable`,
          trafficRouting,
          steps,
        },
      },
    },
  };
  return { rollout, analysisTemplates };
}

/** The export as one YAML stream: the AnalysisTemplates first (the Rollout refers to them), then the Rollout. */
export function argoRolloutsYaml(policy: unknown, options: ExportOptions = {}): string {
  const { rollout, analysisTemplates } = exportArgoRollouts(policy, options);
  return toYamlDocuments([...analysisTemplates, rollout]);
}
