/**
 * Export of a policy to Argo Rollouts (argoproj.io/v1alpha1): a `Rollout` whose canary strategy
 * walks the policy's stages as `steps`, and one `AnalysisTemplate` per stage whose metrics
 * express each health rule as a candidate-to-control query ratio on the Prometheus provider
 * (promQueries.ts). Field names follow the Argo Rollouts specification
 * (https://argo-rollouts.readthedocs.io/en/stable/features/specification/ and
 * …/features/analysis/); the run semantics the mapping relies on are encoded, with their source,
 * in argoAnalysisSemantics.ts and checked against every exported policy in the tests.
 *
 * Stage → steps:
 * - baseline: `pause: { duration: minDuration }`, then an `analysis` step whose
 *   `baseline-requests` metric checks that the control served the baseline's `minRequests`
 *   over that time (the simulator does not advance a baseline without them);
 * - shadow: `setCanaryScale { weight }` (candidate pods sized for the mirrored share — without
 *   it the canary ReplicaSet follows the traffic weight, 0, and the mirror reaches no pod),
 *   `setMirrorRoute { name, percentage, match }` on a managed route of the traffic router
 *   (Istio), the `analysis` step, then `setMirrorRoute { name }` (removes the route) and
 *   `setCanaryScale { matchTrafficWeight: true }` (back to the default sizing);
 * - canary, ab, full: `setWeight`, then an `analysis` step;
 * - promote: the end of the steps (Argo promotes the canary when the steps are done).
 *
 * Counts (argoStageLimits): with P = ceil(minDuration / checkInterval) checks the policy needs
 * to pass, F = failureLimit − 1 failures tolerated and, when the stage has a maximum duration,
 * M = floor(maxDuration / checkInterval) checks in all, each metric gets `count` C = max(M, P + F)
 * (2P + F without a maximum: the policy would hold for good, Argo affords P + F held checks
 * before it asks a person), `consecutiveSuccessLimit` P (the run ends Successful as soon as P
 * checks in a row passed — the healthy stage lasts minDuration, as simulated), `failureLimit` F
 * and `inconclusiveLimit` I = max(0, M − P) (P + F without a maximum: the held checks after
 * which P passes no longer fit in the stage's maximum). Argo accepts it (C ≥ F + P, C ≥ I) and no data never passes: an
 * all-inconclusive run ends Inconclusive after I + 1 checks, or at C without P passes in a row,
 * and the rollout PAUSES — the policy's hold. When the policy rolls back at its maximum duration
 * instead, a `enough-requests` metric (success: both arms reached minRequests; failure
 * otherwise, `failureLimit` I) fails the run at the check where the held budget is spent, the
 * health metrics' inconclusiveLimit is I + 1 so that it is the failure that ends the run, and
 * the rollout ABORTS — the policy's rollback. On Argo < 1.8 (no consecutiveSuccessLimit) the
 * run takes all C checks and is Successful with at least P − F passes (P with the default
 * failure limit 1). Errors (the provider unreachable, a query Prometheus
 * rejects) are not measurements: after Argo's default 5 in a row the run ends Error and the
 * rollout aborts, where the policy would hold.
 *
 * Every metric waits one check interval before its first measurement (`initialDelay`): the
 * first check reads the first full window at the new weight, as the simulator's first check does.
 *
 * Failure counting (failureCountingExport.ts): `failureLimit` n − 1 for the policy's limit n, exact
 * for 'total' counting and stricter for 'consecutive' and 'mOfN' (Argo counts in total); the notes
 * say so per stage. The policy's `inconclusiveLimit` L caps the metrics' inconclusiveLimit at L − 1.
 *
 * Counting over the rollout (`failureScope: 'rollout'`): an inline `analysis` step starts a new
 * AnalysisRun, whose counts start at zero, so per-step analyses would count each stage afresh —
 * looser than the policy. When the policy's last canary/full stages (up to promote) all count over
 * the rollout and check the same rules with the same interval, request minimum and counting
 * (`argoBackgroundStages`), they are checked instead by ONE background analysis
 * (`strategy.canary.analysis`, argo-rollouts docs/features/analysis.md "Background Analysis"),
 * started at the first of them (`startingStep`, its `setWeight` step) and run, without `count`,
 * until the rollout completes or the run fails, so `failureLimit` counts the failures of all of
 * them together. Those stages become `setWeight` then `pause { duration: minDuration }`: a
 * background run does not hold a step, so a maximum duration has no form (noted); a quiet check
 * is Inconclusive, and with the policy's onNoData 'hold' the first one pauses the rollout for a
 * person (inconclusiveLimit 0), with 'inconclusive' the L-th (L − 1), with 'fail' it is a failure.
 * Stages before them keep their inline analyses.
 *
 * Conditions: success `len(result) > 0 && result[0] <= k`, failure `len(result) > 0 &&
 * result[0] > k`: an empty result (below minRequests) is neither, i.e. inconclusive — or, with the
 * policy's onNoData 'fail', failure `len(result) == 0 || result[0] > k`. Statistical
 * rules, the shadow agreement gate and the A/B test cannot be computed by a PromQL query: a `web`
 * metric reads the verdict of the decision service (`rollout-lab serve`), `jsonPath:
 * {$.result.verdict}`; its `inconclusive` verdict is an inconclusive measurement.
 */
import { formatDuration } from '../policy/duration.ts';
import type { Policy } from '../policy/policy.ts';
import type { ExportOptions, ResolvedExportOptions } from './exportOptions.ts';
import { resolveExport, stageSlug } from './exportOptions.ts';
import { argoEmptyResultFails, argoFailureLimitOf, argoInconclusiveLimitOf } from './failureCountingExport.ts';
import type { QueryDialect } from './promQueries.ts';
import { absoluteQuery, metricSlug, ratioQuery, requestCountQuery } from './promQueries.ts';
import type { PlannedRule, PlannedStage } from './stagePlan.ts';
import { checkCount, percent, planStages } from './stagePlan.ts';
import type { YamlValue } from './yaml.ts';
import { toYamlDocuments, yamlCommentLines } from './yaml.ts';

/** A Kubernetes object as plain data. */
export type Manifest = { [key: string]: YamlValue };

/** The Argo Rollouts resources of a policy. */
export interface ArgoRolloutsExport {
  rollout: Manifest;
  analysisTemplates: Manifest[];
}

/** Name of the managed mirror route used by shadow stages. */
export const argoMirrorRouteName = 'rollout-lab-shadow';

/**
 * Argo's `failureLimit` (failed measurements tolerated) for our failure limit n (failing checks
 * that roll back): n − 1 — exact for 'total' counting, stricter for 'consecutive' and 'mOfN'
 * (failureCountingExport.ts has the table).
 */
export function argoFailureLimit(failureLimit: number): number {
  return Math.max(0, failureLimit - 1);
}

const argoDialect: QueryDialect = {
  metric: (kind) =>
    `{{args.${kind === 'requests' ? 'request' : kind === 'errors' ? 'error' : kind === 'timeouts' ? 'timeout' : 'latency'}-metric}}`,
  selector: (arm) => `service="{{args.service}}",rollouts_pod_template_hash="{{args.${arm === 'candidate' ? 'canary' : 'stable'}-hash}}"`,
};

/** The counts of a stage's metrics (module comment). */
export interface ArgoStageLimits {
  /** Checks the policy needs to pass (consecutiveSuccessLimit). */
  passes: number;
  /** Failed checks tolerated (failureLimit). */
  failures: number;
  /** Checks in all (count). */
  count: number;
  /** Held (inconclusive) checks the stage can afford: one more and P passes no longer fit in `count`. */
  holds: number;
  /** What the run does when no check has data: pause (the policy holds) or abort (it rolls back). */
  onNoData: 'hold' | 'rollback';
}

/** The counts of `stage`'s metrics (module comment). */
export function argoStageLimits(stage: PlannedStage): ArgoStageLimits {
  const passes = checkCount(stage.minDurationSeconds, stage.intervalSeconds);
  const failures = argoFailureLimit(stage.failureLimit);
  // Without a maximum the policy holds for good; Argo cannot wait for ever, so it affords as many
  // held checks as the stage needs passes (and failures) before it asks a person (Inconclusive → pause).
  const budget =
    stage.maxDurationSeconds === null ? 2 * passes + failures : Math.floor(stage.maxDurationSeconds / stage.intervalSeconds + 1e-9);
  const count = Math.max(budget, passes + failures);
  return { passes, failures, count, holds: Math.max(0, budget - passes), onNoData: stage.onNoData };
}

/** `count`, limits and warm-up shared by a stage's health and decision-service metrics. */
function checkFields(stage: PlannedStage, limits: ArgoStageLimits): Manifest {
  // With a rollback on no data, the enough-requests metric fails at check holds + 1; the health
  // metrics tolerate one more inconclusive so that the failure, not a pause, ends the run.
  const budget = limits.onNoData === 'rollback' ? Math.min(limits.count, limits.holds + 1) : limits.holds;
  // The policy's own inconclusive limit L (onNoData 'inconclusive') pauses at L: Argo at L − 1 tolerated.
  const policyLimit = argoInconclusiveLimitOf(stage.failureCounting);
  return {
    interval: stage.interval,
    initialDelay: stage.interval,
    count: limits.count,
    consecutiveSuccessLimit: limits.passes,
    failureLimit: limits.failures,
    inconclusiveLimit: policyLimit === null ? budget : Math.min(budget, policyLimit),
  };
}

function metricFor(
  rule: PlannedRule,
  stage: PlannedStage,
  limits: ArgoStageLimits,
  referenceRange: string,
  options: ResolvedExportOptions,
): Manifest | undefined {
  if (rule.type === 'statistical') return undefined;
  const limit = rule.type === 'ratio' ? rule.maxRatio : rule.max;
  const compare = rule.strict ? ['<', '>='] : ['<=', '>'];
  // onNoData 'fail': an empty result (below minRequests) is a failed measurement, not an inconclusive one.
  const failure = argoEmptyResultFails(stage.failureCounting)
    ? `len(result) == 0 || result[0] ${compare[1]} ${limit}`
    : `len(result) > 0 && result[0] ${compare[1]} ${limit}`;
  const query =
    rule.type === 'ratio'
      ? ratioQuery(argoDialect, rule.metric, stage.interval, referenceRange, stage.minRequests)
      : absoluteQuery(argoDialect, rule.metric, stage.interval, stage.minRequests);
  return {
    name: `${metricSlug(rule.metric)}-${rule.type === 'ratio' ? 'ratio' : 'max'}`,
    ...checkFields(stage, limits),
    successCondition: `len(result) > 0 && result[0] ${compare[0]} ${limit}`,
    failureCondition: failure,
    provider: { prometheus: { address: options.prometheusAddress, query } },
  };
}

/**
 * The traffic metric of a stage that rolls back on missing data: a check with fewer than
 * minRequests (candidate, and the reference when a ratio rule reads it) FAILS, and `holds` such
 * failures are tolerated — the policy's held time before its maximum duration.
 */
function enoughRequestsMetric(
  stage: PlannedStage,
  limits: ArgoStageLimits,
  referenceRange: string,
  options: ResolvedExportOptions,
): Manifest {
  const readsControl = stage.rules.some((rule) => rule.type === 'ratio');
  const query = requestCountQuery(
    argoDialect,
    'candidate',
    stage.interval,
    readsControl ? { range: referenceRange, minRequests: stage.minRequests } : undefined,
  );
  return {
    name: 'enough-requests',
    interval: stage.interval,
    initialDelay: stage.interval,
    count: limits.count,
    consecutiveSuccessLimit: limits.passes,
    failureLimit: limits.holds,
    successCondition: `len(result) > 0 && result[0] >= ${stage.minRequests}`,
    failureCondition: `len(result) == 0 || result[0] < ${stage.minRequests}`,
    provider: { prometheus: { address: options.prometheusAddress, query } },
  };
}

/**
 * The baseline's check: after the pause, the control must have served the baseline's
 * minRequests over its minimum duration. One check per interval until it passes; `count` covers
 * maxDuration − minDuration (1 without a maximum); when they are used up the run ends
 * Inconclusive (the policy holds: failure never fires) or Failed (it rolls back).
 */
function baselineMetric(stage: PlannedStage, options: ResolvedExportOptions): Manifest {
  const extra =
    stage.maxDurationSeconds === null
      ? 0
      : Math.floor((stage.maxDurationSeconds - stage.minDurationSeconds) / stage.intervalSeconds + 1e-9);
  const count = Math.max(1, extra);
  const rollback = stage.onNoData === 'rollback';
  return {
    name: 'baseline-requests',
    interval: stage.interval,
    count,
    consecutiveSuccessLimit: 1,
    failureLimit: rollback ? count - 1 : 0,
    inconclusiveLimit: rollback ? 0 : count - 1,
    successCondition: `len(result) > 0 && result[0] >= ${stage.baselineRequests}`,
    failureCondition: rollback ? `len(result) == 0 || result[0] < ${stage.baselineRequests}` : 'false',
    provider: {
      prometheus: {
        address: options.prometheusAddress,
        query: requestCountQuery(argoDialect, 'control', formatDuration(stage.minDurationSeconds)),
      },
    },
  };
}

function decisionServiceMetric(stage: PlannedStage, limits: ArgoStageLimits): Manifest {
  return {
    name: 'decision-service',
    ...checkFields(stage, limits),
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

function stageMetrics(stage: PlannedStage, options: ResolvedExportOptions, referenceRange: string): Manifest[] {
  if (stage.kind === 'baseline') return [baselineMetric(stage, options)];
  const limits = argoStageLimits(stage);
  const metrics: Manifest[] = [];
  if (limits.onNoData === 'rollback') metrics.push(enoughRequestsMetric(stage, limits, referenceRange, options));
  for (const rule of stage.rules) {
    const metric = metricFor(rule, stage, limits, referenceRange, options);
    if (metric !== undefined) metrics.push(metric);
  }
  if (stage.needsDecisionService) metrics.push(decisionServiceMetric(stage, limits));
  return metrics;
}

/** What a background analysis must find the same in every stage it checks (module comment). */
function backgroundKey(stage: PlannedStage): string {
  return JSON.stringify([stage.rules, stage.intervalSeconds, stage.minRequests, stage.failureLimit, stage.failureCounting]);
}

/**
 * The stages one background analysis checks in place of per-step analyses: the longest run of
 * canary and full stages that ends the policy (before promote) in which every stage counts its
 * failures over the rollout, has health rules Prometheus can compute (no statistical rule) and
 * the same rules, interval, minRequests and counting as the others. Empty when the policy's last
 * checked stage does not count over the rollout: then every stage keeps its inline analysis.
 */
export function argoBackgroundStages(stages: readonly PlannedStage[]): PlannedStage[] {
  const checked = stages.filter((stage) => stage.kind !== 'promote');
  const run: PlannedStage[] = [];
  for (let i = checked.length - 1; i >= 0; i--) {
    const stage = checked[i];
    const eligible =
      (stage.kind === 'canary' || stage.kind === 'full') &&
      stage.failureCounting.scope === 'rollout' &&
      !stage.needsDecisionService &&
      stage.rules.length > 0 &&
      (run.length === 0 || backgroundKey(stage) === backgroundKey(run[0]));
    if (!eligible) break;
    run.unshift(stage);
  }
  return run;
}

/** The background analysis's `inconclusiveLimit`: the policy's L − 1, or 0 (the first quiet check pauses) under onNoData 'hold'. */
function backgroundInconclusiveLimit(stage: PlannedStage): number | undefined {
  if (stage.failureCounting.onNoData === 'fail') return undefined;
  return argoInconclusiveLimitOf(stage.failureCounting) ?? 0;
}

/**
 * The metrics of the background analysis over `stage` and the stages like it: no `count` (the run
 * measures until the rollout completes) and no consecutiveSuccessLimit (the steps' pauses time
 * the stages), `failureLimit` n − 1 over all of them.
 */
function backgroundMetrics(stage: PlannedStage, options: ResolvedExportOptions, referenceRange: string): Manifest[] {
  const limits = argoStageLimits(stage);
  const inconclusiveLimit = backgroundInconclusiveLimit(stage);
  const metrics: Manifest[] = [];
  for (const rule of stage.rules) {
    const metric = metricFor(rule, stage, limits, referenceRange, options);
    if (metric === undefined) continue;
    const { count: _count, consecutiveSuccessLimit: _passes, inconclusiveLimit: _held, ...rest } = metric;
    metrics.push(inconclusiveLimit === undefined ? rest : { ...rest, inconclusiveLimit });
  }
  return metrics;
}

function analysisTemplate(
  policy: Policy,
  stage: PlannedStage,
  options: ResolvedExportOptions,
  referenceRange: string,
  background = false,
): Manifest {
  const metrics = background ? backgroundMetrics(stage, options, referenceRange) : stageMetrics(stage, options, referenceRange);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: {
      name: background ? `${options.name}-background` : templateName(options, stage),
      namespace: options.namespace,
      labels: {
        'app.kubernetes.io/managed-by': 'rollout-lab',
        'rollout-lab/stage-index': String(stage.index),
        'rollout-lab/stage-kind': background ? 'background' : stage.kind,
      },
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

/** An analysis (inline step or background) of one template, with the pod-template hashes its queries select by. */
function analysisOf(name: string): Manifest {
  return {
    templates: [{ templateName: name }],
    args: [
      { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
    ],
  };
}

function analysisStep(name: string): Manifest {
  return { analysis: analysisOf(name) };
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
  const backgroundStages = new Set(argoBackgroundStages(stages));
  let background: Manifest | undefined;
  for (const stage of stages) {
    const referenceRange = policy.baseline.mode === 'historical' && baseline ? formatDuration(baseline.minDurationSeconds) : stage.interval;
    if (backgroundStages.has(stage)) {
      if (background === undefined) {
        const template = analysisTemplate(policy, stage, options, referenceRange, true);
        analysisTemplates.push(template);
        // startingStep: the index of this stage's setWeight step, where the run starts.
        background = { ...analysisOf((template.metadata as { name: string }).name), startingStep: steps.length };
      }
      steps.push({ setWeight: percent(stage.traffic) });
      steps.push({ pause: { duration: formatDuration(stage.minDurationSeconds) } });
      continue;
    }
    switch (stage.kind) {
      case 'baseline': {
        const template = analysisTemplate(policy, stage, options, stage.interval);
        analysisTemplates.push(template);
        steps.push({ pause: { duration: formatDuration(stage.minDurationSeconds) } });
        steps.push(analysisStep((template.metadata as { name: string }).name));
        break;
      }
      case 'shadow': {
        hasShadow = true;
        const template = analysisTemplate(policy, stage, options, stage.interval);
        analysisTemplates.push(template);
        steps.push({ setCanaryScale: { weight: percent(stage.traffic) } });
        steps.push({
          setMirrorRoute: { name: argoMirrorRouteName, percentage: percent(stage.traffic), match: [{ path: { prefix: '/' } }] },
        });
        steps.push(analysisStep((template.metadata as { name: string }).name));
        steps.push({ setMirrorRoute: { name: argoMirrorRouteName } });
        steps.push({ setCanaryScale: { matchTrafficWeight: true } });
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
          ...(background === undefined ? {} : { analysis: background }),
          steps,
        },
      },
    },
  };
  return { rollout, analysisTemplates };
}

/**
 * What the Argo export chose where Argo cannot say what the policy says, one line per point:
 * warm-up, shadow, and per checked stage the counts and what a run without data does. Written
 * as comments at the top of the YAML (`argoRolloutsYaml`) and returned by `policy export --json`.
 */
export function argoExportNotes(policyInput: unknown): string[] {
  const { policy } = resolveExport(policyInput, {});
  const stages = planStages(policy);
  const notes = [
    'Argo Rollouts export by rollout-lab (needs Argo Rollouts >= 1.8 for consecutiveSuccessLimit; older versions run every count check).',
    'Warm-up: every metric waits one check interval (initialDelay) before its first measurement, so the first check reads the first full window at the new weight, as simulated.',
  ];
  const background = argoBackgroundStages(stages);
  for (const stage of stages) {
    const label = `stage ${stage.index} (${stageSlug(stage.kind, stage.traffic)})`;
    if (stage.kind === 'promote') continue;
    if (background.includes(stage)) {
      notes.push(...backgroundNotes(stages, background, stage, label));
      continue;
    }
    if (stage.kind === 'baseline') {
      notes.push(
        `${label}: pause ${formatDuration(stage.minDurationSeconds)}, then the control must have served ${stage.baselineRequests} requests; without them the run ends ${stage.onNoData === 'rollback' ? 'Failed and the rollout aborts' : 'Inconclusive and the rollout pauses'}, as the policy ${stage.onNoData === 'rollback' ? 'rolls back' : 'holds'}.`,
      );
      continue;
    }
    const limits = argoStageLimits(stage);
    const counting = argoFailureLimitOf(stage.failureCounting);
    if (counting.note !== null)
      notes.push(`${label}: failure counting ${counting.fidelity === 'stricter' ? 'is stricter in Argo' : 'differs'}: ${counting.note}.`);
    if (stage.failureCounting.onNoData === 'fail')
      notes.push(
        `${label}: an empty query result (fewer than ${stage.minRequests} requests) is a failed measurement (failureCondition len(result) == 0), as the policy's onNoData 'fail'.`,
      );
    const policyInconclusive = argoInconclusiveLimitOf(stage.failureCounting);
    if (policyInconclusive !== null && policyInconclusive < limits.holds)
      notes.push(
        `${label}: the run ends Inconclusive after ${policyInconclusive + 1} inconclusive measurements (inconclusiveLimit ${policyInconclusive}) and the rollout pauses, as the policy's stage pauses at its inconclusiveLimit ${policyInconclusive + 1}` +
          (limits.onNoData === 'rollback'
            ? `; the policy then rolls back at its maximum duration (${formatDuration(stage.maxDurationSeconds ?? 0)}), where Argo waits for a person.`
            : '.'),
      );
    if (stage.kind === 'shadow') {
      notes.push(
        `${label}: candidate pods scaled to ${percent(stage.traffic)}% of the replicas (setCanaryScale.weight) and ${percent(stage.traffic)}% of requests mirrored to them (setMirrorRoute, Istio managed route ${argoMirrorRouteName}); scaling returns to the traffic weight after the stage.`,
      );
    }
    const noData =
      limits.onNoData === 'rollback'
        ? `without data the enough-requests metric fails at check ${limits.holds + 1} (${formatDuration((limits.holds + 1) * stage.intervalSeconds)}), the first after which the policy can no longer pass in time, and the rollout aborts; the policy rolls back at its maximum duration (${formatDuration(stage.maxDurationSeconds ?? 0)})`
        : `without data the run ends Inconclusive at check ${limits.holds + 1} (${formatDuration((limits.holds + 1) * stage.intervalSeconds)}) and the rollout pauses for a person, as the policy holds`;
    notes.push(
      `${label}: passes after ${limits.passes} passing checks in a row (${formatDuration(limits.passes * stage.intervalSeconds)}); ${limits.failures} failed check(s) tolerated in total; at most ${limits.count} checks, ${limits.holds} of them may be held; ${noData}. ` +
        'A held check restarts the run of passes in Argo, where the simulator keeps the passes already counted.',
    );
  }
  return notes;
}

/** The notes of a stage checked by the background analysis (module comment), the run's own notes at its first stage. */
function backgroundNotes(
  stages: readonly PlannedStage[],
  background: readonly PlannedStage[],
  stage: PlannedStage,
  label: string,
): string[] {
  const notes: string[] = [];
  if (stage === background[0]) {
    const labels = background.map((other) => `${other.index} (${stageSlug(other.kind, other.traffic)})`).join(', ');
    const limits = argoStageLimits(stage);
    notes.push(
      `stages ${labels}: one background analysis (strategy.canary.analysis, from the setWeight step of stage ${stage.index}) checks them every ${stage.interval} until the rollout completes, so its failureLimit ${limits.failures} counts failed measurements over all of them, as the policy's failureScope 'rollout' counts failing checks; each stage lasts its pause (minDuration), the run does not hold a step.`,
    );
    // The policy's mode against Argo's total count, the scope being expressed by the background run itself.
    const counting = argoFailureLimitOf({ ...stage.failureCounting, scope: 'stage' });
    if (counting.note !== null) notes.push(`stages ${labels}: failure counting is stricter in Argo: ${counting.note}.`);
    const onNoData = stage.failureCounting.onNoData;
    const inconclusive = backgroundInconclusiveLimit(stage);
    notes.push(
      onNoData === 'fail'
        ? `stages ${labels}: an empty query result (fewer than ${stage.minRequests} requests) is a failed measurement (failureCondition len(result) == 0), as the policy's onNoData 'fail'.`
        : onNoData === 'inconclusive'
          ? `stages ${labels}: without data the run ends Inconclusive after ${(inconclusive ?? 0) + 1} quiet measurements (inconclusiveLimit ${inconclusive}) and the rollout pauses for a person, as the policy pauses at its inconclusiveLimit ${(inconclusive ?? 0) + 1}.`
          : `stages ${labels}: without data the run ends Inconclusive at the first quiet measurement (inconclusiveLimit 0) and the rollout pauses for a person, where the policy holds until data returns.`,
    );
    // In the policy a rollout-scoped stage starts with the failures of the stage before it (countOnStageEntry); the run starts at zero.
    const before = stages.slice(0, stages.indexOf(stage)).filter((other) => other.kind !== 'baseline' && other.kind !== 'promote');
    if (before.length > 0)
      notes.push(
        `stage ${stage.index}: the policy carries into it the failures counted in stage ${before[before.length - 1].index}, the background run starts counting at zero: Argo is looser by at most ${limits.failures} failure(s) here.`,
      );
  }
  if (stage.maxDurationSeconds !== null)
    notes.push(
      `${label}: the policy's maximum duration ${formatDuration(stage.maxDurationSeconds)} (${stage.onMaxDuration === 'rollback' ? 'rollback' : 'hold'}) has no background form: Argo moves on after the ${formatDuration(stage.minDurationSeconds)} pause.`,
    );
  return notes;
}

/** The export as one YAML stream: the notes as comments, the AnalysisTemplates (the Rollout refers to them), then the Rollout. */
export function argoRolloutsYaml(policy: unknown, options: ExportOptions = {}): string {
  const { rollout, analysisTemplates } = exportArgoRollouts(policy, options);
  return yamlCommentLines(argoExportNotes(policy)) + toYamlDocuments([...analysisTemplates, rollout]);
}
