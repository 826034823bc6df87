/**
 * Export of a policy to Flagger (flagger.app/v1beta1): a `Canary` and the `MetricTemplate`s its
 * analysis refers to, each health rule a candidate-to-primary query ratio on Prometheus, with
 * the user's metric names passed as `templateVariables` (Flagger ≥ 1.21). Field names follow
 * the Flagger reference (https://docs.flagger.app/usage/how-it-works, …/usage/metrics,
 * …/usage/deployment-strategies).
 *
 * A Flagger Canary runs ONE analysis mode, so the policy's phases map to three modes, chosen
 * with `mode`:
 * - `progressive` (default): `stepWeights` = the canary stages' shares, `maxWeight` the largest;
 * - `shadow`: Blue/Green with traffic mirroring, `iterations` = shadow minDuration / interval,
 *   `mirror: true`, `mirrorWeight` = the mirrored share;
 * - `ab`: `iterations` = A/B minDuration / interval with a `match` on a header that the edge
 *   sets for the candidate's users (Flagger routes A/B by header or cookie, not by weight).
 *
 * Conversions (docs/production.md): `threshold` = our failure limit, the strictest stage's (Flagger
 * counts failed checks in total over the analysis: exact for 'total' counting with scope 'rollout'
 * and onNoData 'fail', stricter otherwise — failureCountingExport.ts); one `interval` and one metric set
 * for all steps: the smallest check interval and, per metric, the strictest limit across the
 * mode's stages; rules that need the decision service (statistical rules, shadow agreement, the
 * A/B test) become a `rollout` webhook to `rollout-lab serve` (`POST /v1/gate`, non-2xx = a
 * failed check).
 *
 * Missing data (flaggerAnalysisSemantics.ts encodes the rules): Flagger has no "hold" — an
 * empty or NaN query result is a FAILED check, counted toward `threshold` like any other. The
 * export makes `minRequests` explicit as a first metric, `request-count` (the candidate's
 * requests in the interval, empty when a ratio rule's reference is below minRequests;
 * `thresholdRange.min: minRequests`), so a quiet window fails with a named reason instead of
 * "no values found", and it never passes: Flagger rolls back after `threshold` quiet checks
 * where the simulator holds. `flaggerExportNotes` states by how much, per step, and the YAML
 * carries it as comments. Warm-up: Flagger has no per-metric initialDelay; its first check
 * comes one `interval` after the candidate first receives traffic (the first tick only sets the
 * weight), which is the simulator's first check window.
 */
import { formatDuration } from '../policy/duration.ts';
import type { HealthMetric } from '../policy/policy.ts';
import type { Manifest } from './argoRollouts.ts';
import type { ExportOptions, ResolvedExportOptions } from './exportOptions.ts';
import { resolveExport, stageSlug } from './exportOptions.ts';
import { flaggerThresholdOf } from './failureCountingExport.ts';
import type { QueryDialect } from './promQueries.ts';
import { absoluteQuery, metricSlug, ratioQuery, requestCountQuery } from './promQueries.ts';
import type { PlannedStage } from './stagePlan.ts';
import { checkCount, percent, planStages } from './stagePlan.ts';
import { toYamlDocuments, yamlCommentLines } from './yaml.ts';

/** Which Flagger analysis mode to emit. */
export type FlaggerMode = 'progressive' | 'shadow' | 'ab';

/** Options of the Flagger export. */
export interface FlaggerExportOptions extends ExportOptions {
  mode?: FlaggerMode;
  /** Service port of the Canary (default 80). */
  port?: number;
  /** A/B mode: header that marks the candidate's users, and its exact value (default `x-rollout-lab-variant: candidate`). */
  abHeader?: string;
  abHeaderValue?: string;
}

/** The Flagger resources of a policy. */
export interface FlaggerExport {
  canary: Manifest;
  metricTemplates: Manifest[];
}

const flaggerDialect: QueryDialect = {
  metric: (kind) =>
    `{{ variables.${kind === 'requests' ? 'requestMetric' : kind === 'errors' ? 'errorMetric' : kind === 'timeouts' ? 'timeoutMetric' : 'latencyMetric'} }}`,
  selector: (arm) => `namespace="{{ namespace }}",pod=~"{{ target }}-${arm === 'control' ? 'primary-' : ''}[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"`,
};

interface MetricLimit {
  type: 'ratio' | 'absolute';
  metric: HealthMetric;
  limit: number;
  strict: boolean;
}

/** Per metric and rule type, the strictest (smallest) limit across `stages`. */
function strictestRules(stages: PlannedStage[]): MetricLimit[] {
  const byKey = new Map<string, MetricLimit>();
  for (const stage of stages) {
    for (const rule of stage.rules) {
      if (rule.type === 'statistical') continue;
      const limit = rule.type === 'ratio' ? rule.maxRatio : rule.max;
      const key = `${rule.type}:${rule.metric}`;
      const current = byKey.get(key);
      if (!current || limit < current.limit) byKey.set(key, { type: rule.type, metric: rule.metric, limit, strict: rule.strict === true });
    }
  }
  return [...byKey.values()];
}

function metricTemplate(
  rule: MetricLimit,
  options: ResolvedExportOptions,
  interval: string,
  referenceRange: string,
  minRequests: number,
): Manifest {
  const query =
    rule.type === 'ratio'
      ? ratioQuery(flaggerDialect, rule.metric, interval, referenceRange, minRequests)
      : absoluteQuery(flaggerDialect, rule.metric, interval, minRequests);
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'MetricTemplate',
    metadata: {
      name: `${options.name}-${metricSlug(rule.metric)}-${rule.type === 'ratio' ? 'ratio' : 'max'}`,
      namespace: options.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'rollout-lab' },
    },
    spec: { provider: { type: 'prometheus', address: options.prometheusAddress }, query },
  };
}

/** The `request-count` template: the candidate's requests in the interval (empty when the reference is below minRequests). */
function requestCountTemplate(
  options: ResolvedExportOptions,
  interval: string,
  controlGuard: { range: string; minRequests: number } | undefined,
): Manifest {
  return {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'MetricTemplate',
    metadata: {
      name: `${options.name}-request-count`,
      namespace: options.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'rollout-lab' },
    },
    spec: {
      provider: { type: 'prometheus', address: options.prometheusAddress },
      query: requestCountQuery(flaggerDialect, 'candidate', interval, controlGuard),
    },
  };
}

/**
 * The Flagger `Canary` (in `options.mode`) and `MetricTemplate`s of `policy` (validated here: a
 * `RangeError` lists its problems, or says the policy has no stage for the mode). Thresholds
 * are `thresholdRange.max` (Flagger fails a check when the value is outside the range; a strict
 * shadow gate `< k` is exported as `max: k`, the closest Flagger can say). Cost O(stages × rules).
 */
export function exportFlagger(policyInput: unknown, exportOptions: FlaggerExportOptions = {}): FlaggerExport {
  const { policy, options } = resolveExport(policyInput, exportOptions);
  const mode = exportOptions.mode ?? 'progressive';
  const port = exportOptions.port ?? 80;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new RangeError(`port must be a whole number between 1 and 65535, got ${port}`);
  const abHeader = exportOptions.abHeader ?? 'x-rollout-lab-variant';
  const abHeaderValue = exportOptions.abHeaderValue ?? 'candidate';
  if (!/^[A-Za-z0-9-]+$/.test(abHeader)) throw new RangeError(`abHeader must be an HTTP header name, got ${JSON.stringify(abHeader)}`);
  const all = planStages(policy);
  const kind = mode === 'progressive' ? 'canary' : mode;
  const stages = all.filter((stage) => stage.kind === kind);
  if (stages.length === 0) throw new RangeError(`policy has no ${kind} stage to export in Flagger ${mode} mode`);
  const intervalSeconds = Math.min(...stages.map((stage) => stage.intervalSeconds));
  const interval = formatDuration(intervalSeconds);
  const baseline = all.find((stage) => stage.kind === 'baseline');
  const referenceRange =
    mode !== 'shadow' && policy.baseline.mode === 'historical' && baseline ? formatDuration(baseline.minDurationSeconds) : interval;
  const minRequests = Math.max(...stages.map((stage) => stage.minRequests));
  const threshold = flaggerThresholdOf(stages.map((stage) => stage.failureCounting)).value;
  const rules = strictestRules(stages);
  const readsControl = rules.some((rule) => rule.type === 'ratio');
  const metricTemplates = [
    requestCountTemplate(options, interval, readsControl ? { range: referenceRange, minRequests } : undefined),
    ...rules.map((rule) => metricTemplate(rule, options, interval, referenceRange, minRequests)),
  ];
  const ranges = [{ min: minRequests }, ...rules.map((rule) => ({ max: rule.limit }))];
  const metrics = metricTemplates.map((template, i) => ({
    name: (template.metadata as { name: string }).name.slice(options.name.length + 1),
    templateRef: { name: (template.metadata as { name: string }).name, namespace: options.namespace },
    templateVariables: {
      requestMetric: options.requestMetric,
      errorMetric: options.errorMetric,
      timeoutMetric: options.timeoutMetric,
      latencyMetric: options.latencyMetric,
    },
    thresholdRange: ranges[i],
    interval,
  }));
  const analysis: Manifest = { interval, threshold };
  if (mode === 'progressive') {
    const weights = stages.map((stage) => percent(stage.traffic));
    analysis.maxWeight = Math.max(...weights);
    analysis.stepWeights = weights;
  } else {
    const stage = stages[0];
    analysis.iterations = checkCount(stage.minDurationSeconds, intervalSeconds);
    if (mode === 'shadow') {
      analysis.mirror = true;
      analysis.mirrorWeight = percent(stage.traffic);
    } else {
      analysis.match = [{ headers: { [abHeader]: { exact: abHeaderValue } } }];
    }
  }
  analysis.metrics = metrics;
  if (stages.some((stage) => stage.needsDecisionService)) {
    analysis.webhooks = [{ name: 'rollout-lab-decision', type: 'rollout', url: `${options.decisionServiceUrl}/v1/gate`, timeout: '10s' }];
  }
  const canary: Manifest = {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'rollout-lab' },
      annotations: {
        'rollout-lab/policy': policy.name ?? 'policy',
        'rollout-lab/mode': mode,
        'rollout-lab/baseline-mode': policy.baseline.mode,
      },
    },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: options.service },
      service: { port },
      analysis,
    },
  };
  return { canary, metricTemplates };
}

/** How Flagger's threshold counts against the policy's counting (failureCountingExport.ts). */
function failuresNote(stages: PlannedStage[]): string {
  const counting = flaggerThresholdOf(stages.map((stage) => stage.failureCounting));
  const head = `Failures: Flagger counts failed checks in total over the whole analysis and rolls back at failedChecks >= threshold (${counting.value})`;
  return counting.note === null ? `${head}, exactly as the policy counts them.` : `${head}. ${counting.note}`;
}

/** A request rate in requests per second, three significant digits. */
function perSecond(rate: number): string {
  return `${Number(rate.toPrecision(3))} req/s`;
}

/**
 * What Flagger does differently from the simulated policy, with the numbers: warm-up, what a
 * quiet window does (a failed check: `threshold` of them roll back, where the policy holds),
 * the traffic below which a window is quiet at each step, failures counted in total, and how
 * long a step lasts. Written as comments at the top of the YAML (`flaggerYaml`) and returned by
 * `policy export --json`.
 */
export function flaggerExportNotes(policyInput: unknown, exportOptions: FlaggerExportOptions = {}): string[] {
  const { policy } = resolveExport(policyInput, exportOptions);
  const { canary } = exportFlagger(policyInput, exportOptions);
  const mode = exportOptions.mode ?? 'progressive';
  const analysis = (canary.spec as { analysis: { interval: string; threshold: number; metrics: { thresholdRange: { min?: number } }[] } })
    .analysis;
  const kind = mode === 'progressive' ? 'canary' : mode;
  const stages = planStages(policy).filter((stage) => stage.kind === kind);
  const intervalSeconds = Math.min(...stages.map((stage) => stage.intervalSeconds));
  const minRequests = analysis.metrics[0].thresholdRange.min ?? 0;
  const quietTime = formatDuration(analysis.threshold * intervalSeconds);
  const policyNoData = stages.map((stage) =>
    stage.onNoData === 'rollback' && stage.maxDurationSeconds !== null
      ? `${stageSlug(stage.kind, stage.traffic)} rolls back at its maximum duration ${formatDuration(stage.maxDurationSeconds)}`
      : `${stageSlug(stage.kind, stage.traffic)} holds until traffic returns`,
  );
  const notes = [
    `Flagger export by rollout-lab (${mode} mode).`,
    `Warm-up: Flagger has no per-metric initialDelay; the first tick only routes traffic to the candidate and the first check comes one interval (${analysis.interval}) later, reading that first window, as the simulator's first check does.`,
    `No data: Flagger has no hold. A check whose query returns nothing or not-a-number, or with fewer than ${minRequests} candidate requests in ${analysis.interval} (the request-count metric), is a failed check; ${analysis.threshold} failed check(s), i.e. ${quietTime} of quiet, roll the canary back. The simulated policy holds instead: ${policyNoData.join('; ')}.`,
    `Quiet windows: ${stages.map((stage) => `at ${percent(stage.traffic)}% a window is quiet when total traffic is below ${perSecond(minRequests / (stage.traffic * intervalSeconds))}`).join('; ')}.`,
    failuresNote(stages),
  ];
  if (mode === 'progressive') {
    notes.push(
      `Steps: Flagger moves to the next weight after each passing check (${analysis.interval}); the policy's stages last ${stages.map((stage) => `${formatDuration(stage.minDurationSeconds)} at ${percent(stage.traffic)}%`).join(', ')}. Hold longer steps with a confirm-traffic-increase webhook if they matter.`,
    );
  } else {
    const stage = stages[0];
    // Blue/Green (scheduler.go runBlueGreen): after the mirrored iterations, one more check with all traffic on the candidate.
    const blueGreen =
      mode === 'shadow'
        ? ` Then Flagger (Blue/Green) routes all traffic to the candidate and promotes after one more passing check (${analysis.interval} at 100%), beyond the shadow stage: ${checkCount(stage.minDurationSeconds, intervalSeconds) + 1} checks in all.`
        : '';
    notes.push(
      `Iterations: ${checkCount(stage.minDurationSeconds, intervalSeconds)} passing checks of ${analysis.interval} cover the ${stage.kind} stage's ${formatDuration(stage.minDurationSeconds)}.${blueGreen}`,
    );
  }
  return notes;
}

/** The export as one YAML stream: the notes as comments, the MetricTemplates, then the Canary. */
export function flaggerYaml(policy: unknown, options: FlaggerExportOptions = {}): string {
  const { canary, metricTemplates } = exportFlagger(policy, options);
  return yamlCommentLines(flaggerExportNotes(policy, options)) + toYamlDocuments([...metricTemplates, canary]);
}
