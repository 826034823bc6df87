/**
 * Argo Rollouts → Rollout Lab policy: a `Rollout` (argoproj.io/v1alpha1) with a canary strategy,
 * and the `AnalysisTemplate` / `ClusterAnalysisTemplate`s its analyses reference, become a policy
 * with a report of every mapped field (with the conversion back, for the audit's write-back),
 * every field the policy cannot represent, and every assumption. The inverse of our exporter
 * (../export/argoRollouts.ts); Argo's run semantics come from ../export/argoAnalysisSemantics.ts.
 *
 * Steps → stages (argo-rollouts docs/features/canary.md):
 * - `setWeight: w` starts a stage: canary w/100 (0 < w < 100) or full (100);
 * - `setMirrorRoute { name, percentage }` starts a shadow stage mirroring percentage/100 (default 100);
 *   `setMirrorRoute { name }` alone removes the route and ends it;
 * - `pause { duration }` adds to the stage's time; `pause: {}` waits for a person (not represented);
 * - `analysis { templates }` (inline) checks the stage: its health metrics become the stage's rules;
 * - a pause and a request-count check before the first weight is a baseline stage;
 * - `setCanaryScale`, `setHeaderRoute`, `experiment`, `plugin` are not represented (reasons in the report);
 * - the end of the steps promotes (a promote stage).
 * Background analysis (`strategy.canary.analysis`, from `startingStep`, default 0) adds its rules to
 * every stage from that step on, counted over the whole rollout.
 *
 * Time and counts of an inline analysis (metric interval I, count C, consecutiveSuccessLimit S,
 * failureLimit F, inconclusiveLimit L; argoAnalysisSemantics.ts `argoMetricPhase`):
 * - checkInterval = I; the first check one interval in (initialDelay I: the first full window);
 * - S > 0: the run succeeds after S passes in a row → minDuration = pauses + S·I; at C measurements
 *   without them it is Inconclusive and the rollout pauses → maxDuration = pauses + C·I with
 *   onMaxDuration 'hold' ('rollback' when a request-count check fails the run on missing data);
 * - S = 0 with C: the run takes C measurements → minDuration = pauses + C·I;
 * - failureLimit F → guards.failureLimit F + 1, failureCounting 'total' (identical to the default
 *   'consecutive' when F = 0, then omitted), failureScope 'stage' (background: 'rollout');
 * - no data (argoMetric.ts): a Failed measurement → onNoData 'fail'; Inconclusive → 'inconclusive'
 *   with inconclusiveLimit L + 1 — or the default 'hold' when the pause at L + 1 comes only once
 *   S passes no longer fit in C (L ≥ C − S: the same as holding to maxDuration); Error or
 *   Successful → 'hold' with the difference reported.
 */
import { argoDefaultConsecutiveErrorLimit } from '../export/argoAnalysisSemantics.ts';
import { argoFailureLimit } from '../export/argoRollouts.ts';
import { formatDuration, parseDuration } from '../policy/duration.ts';
import { formatPolicyError, parsePolicy } from '../policy/parsePolicy.ts';
import type { Guards, HealthRule, Policy, Stage } from '../policy/policy.ts';
import { argoDurationText, pauseDurationSeconds } from './argoDurations.ts';
import type { ArgumentValues, ReadMetric } from './argoMetric.ts';
import { readArgoMetric } from './argoMetric.ts';
import type { ImportAssumption, ImportOptions, ImportResult, MappedField, SourceLocation, UnrepresentedField } from './importTypes.ts';
import { ImportError } from './importTypes.ts';
import type { SourceDocument } from './yamlDocuments.ts';
import { resourceName } from './yamlDocuments.ts';

/** Our stage guards as the importer builds them (before the ones all stages share move to the policy). */
type StageGuards = Guards & { minRequests: number; failureLimit: number };

interface Segment {
  kind: 'zero' | 'shadow' | 'weight';
  weight: number;
  firstStep: number;
  weightLocation?: SourceLocation;
  pauses: { seconds: number; location: SourceLocation }[];
  indefinitePause?: SourceLocation;
  analyses: { step: number; metrics: ReadMetric[] }[];
}

interface Context {
  docs: SourceDocument[];
  rollout: SourceDocument;
  options: ImportOptions;
  mapped: MappedField[];
  unrepresented: UnrepresentedField[];
  assumptions: ImportAssumption[];
  /** Per checked stage, what its metrics do without data (grouped by text in the report). */
  zeroTraffic: { label: string; text: string }[];
  /** Names of the template metrics read (to warn about a --map entry that names none). */
  metricNames: Set<string>;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(document: SourceDocument, path: (string | number)[]): SourceLocation {
  return { file: document.file, document: document.index, resource: resourceName(document), path };
}

function getIn(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[part];
  }
  return current;
}

/** The template documents an analysis (inline step or background) references, each metric read. */
function analysisMetrics(context: Context, analysis: unknown, location: SourceLocation, inline: boolean): ReadMetric[] {
  if (!isMapping(analysis)) throw new ImportError(location, 'must be a mapping with templates');
  const templates = analysis.templates;
  if (!Array.isArray(templates) || templates.length === 0) {
    throw new ImportError({ ...location, path: [...location.path, 'templates'] }, 'must list at least one template');
  }
  for (const field of ['dryRun', 'measurementRetention', 'analysisRunMetadata'] as const) {
    if (analysis[field] !== undefined) {
      context.unrepresented.push({
        source: { ...location, path: [...location.path, field] },
        reason:
          field === 'dryRun'
            ? 'dry-run metrics are measured but never fail the rollout; the policy has no dry-run rules (they are left out)'
            : 'bookkeeping of the AnalysisRun; no effect on decisions',
      });
    }
  }
  const metrics: ReadMetric[] = [];
  // Values the analysis passes override the templates' defaults (argo-rollouts `analysisutil.MergeArgs`).
  const analysisArguments = literalArguments(analysis.args, (k) => ({ ...location, path: [...location.path, 'args', k, 'value'] }));
  templates.forEach((reference, i) => {
    const referenceLocation = { ...location, path: [...location.path, 'templates', i] };
    if (!isMapping(reference) || typeof reference.templateName !== 'string') {
      throw new ImportError(
        { ...(referenceLocation.path.length ? referenceLocation : location), path: [...referenceLocation.path, 'templateName'] },
        'is missing',
      );
    }
    const kind = reference.clusterScope === true ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    const template = context.docs.find((doc) => doc.kind === kind && doc.name === reference.templateName);
    if (template === undefined) {
      throw new ImportError(
        { ...referenceLocation, path: [...referenceLocation.path, 'templateName'] },
        `references ${kind} '${reference.templateName}', which is not in the files (pass its YAML too)`,
      );
    }
    const templateMetrics = getIn(template.value, ['spec', 'metrics']);
    if (!Array.isArray(templateMetrics) || templateMetrics.length === 0) {
      throw new ImportError(at(template, ['spec', 'metrics']), 'must list at least one metric');
    }
    const dryRun = new Set(
      (Array.isArray(getIn(template.value, ['spec', 'dryRun'])) ? (getIn(template.value, ['spec', 'dryRun']) as unknown[]) : [])
        .map((entry) => (isMapping(entry) ? entry.metricName : undefined))
        .filter((name): name is string => typeof name === 'string'),
    );
    templateMetrics.forEach((metric, m) => {
      const metricLocation = at(template, ['spec', 'metrics', m]);
      if (!isMapping(metric)) throw new ImportError(metricLocation, 'must be a mapping');
      if (dryRun.has(String(metric.name)) || dryRun.has('.*')) {
        context.unrepresented.push({
          source: metricLocation,
          reason: `metric '${String(metric.name)}' runs dry (never fails the rollout): left out`,
        });
        return;
      }
      if (inline && metric.count === 0) {
        // docs/features/analysis.md: "if the count has value 0 and the analysis is defined in the steps, the analysis won't be executed".
        context.unrepresented.push({
          source: { ...metricLocation, path: [...metricLocation.path, 'count'] },
          reason: `count 0 in a step: Argo does not run metric '${String(metric.name)}' (left out)`,
        });
        return;
      }
      const read = readArgoMetric(metricLocation, metric, context.options.map, { ...templateArguments(template), ...analysisArguments });
      context.metricNames.add(read.name);
      context.assumptions.push(...read.assumptions);
      if (read.role === 'unread') context.unrepresented.push({ source: metricLocation, reason: read.unreadReason ?? 'not read' });
      metrics.push(read);
    });
  });
  return metrics;
}

/** The stages' no-data sentences, one per distinct text, naming the stages it holds for. */
function zeroTrafficText(entries: readonly { label: string; text: string }[]): string {
  const byText = new Map<string, string[]>();
  for (const entry of entries) byText.set(entry.text, [...(byText.get(entry.text) ?? []), entry.label]);
  if (byText.size === 0) return 'no stage has a metric Rollout Lab reads, so nothing is checked without data.';
  return [...byText].map(([text, labels]) => `${labels.join('; ')}: ${text}`).join(' ');
}

/** A request-count condition (`result[0] >= n`, `result[0] < n`) with n replaced. */
function replaceRequestCount(condition: string, count: number, value: number): string {
  return condition.replace(new RegExp(`(>=|<)(\\s*)${count}(?![0-9.])`, 'g'), `$1$2${value}`);
}

/** The arguments of a list that carry a literal `value` (not `valueFrom`), with where each is written. */
function literalArguments(list: unknown, locate: (index: number) => SourceLocation): ArgumentValues {
  const values: ArgumentValues = {};
  if (!Array.isArray(list)) return values;
  list.forEach((entry, k) => {
    if (isMapping(entry) && typeof entry.name === 'string' && (typeof entry.value === 'string' || typeof entry.value === 'number')) {
      values[entry.name] = { value: String(entry.value), location: locate(k) };
    }
  });
  return values;
}

function templateArguments(template: SourceDocument): ArgumentValues {
  return literalArguments(getIn(template.value, ['spec', 'args']), (k) => at(template, ['spec', 'args', k, 'value']));
}

/** The phase words of what Argo does with a run that ends in a phase (rollout/analysis.go). */
const runAction: Record<string, string> = {
  Successful: 'passes',
  Failed: 'fails (counted towards failureLimit)',
  Inconclusive: 'is inconclusive (counted towards inconclusiveLimit; past it the rollout pauses)',
  Error: `is an error (after consecutiveErrorLimit + 1 in a row, default ${argoDefaultConsecutiveErrorLimit + 1}, the run errors and the rollout aborts)`,
};

/** The guards, no-data behaviour and time of a stage from its health and request metrics. */
function stageChecks(
  context: Context,
  metrics: ReadMetric[],
  scope: 'stage' | 'rollout',
  label: string,
): {
  guards: Partial<StageGuards>;
  guardSources: { key: keyof Guards; field: Omit<MappedField, 'policyPath'> }[];
  rules: { rule: HealthRule; metric: ReadMetric }[];
} {
  const health = metrics.filter((metric) => metric.role === 'health');
  const requests = metrics.filter((metric) => metric.role === 'requests');
  const guards: Partial<StageGuards> = {};
  const guardSources: { key: keyof Guards; field: Omit<MappedField, 'policyPath'> }[] = [];
  const rules = health.map((metric) => {
    const rule = metric.rule!;
    const healthRule: HealthRule =
      rule.type === 'ratio'
        ? { type: 'ratio', metric: rule.metric, maxRatio: rule.value }
        : { type: 'absolute', metric: rule.metric, max: rule.value };
    return { rule: healthRule, metric };
  });
  if (health.length === 0) return { guards, guardSources, rules };
  const strictest = Math.min(...health.map((metric) => (metric.failureLimit < 0 ? Number.POSITIVE_INFINITY : metric.failureLimit)));
  if (strictest === Number.POSITIVE_INFINITY) {
    for (const metric of health) {
      context.unrepresented.push({
        source: { ...metric.location, path: [...metric.location.path, 'failureLimit'] },
        reason: 'failureLimit -1: failures never end the run; the policy always has a failure limit (taken as 1 failure)',
      });
    }
  } else {
    guards.failureLimit = strictest + 1;
    if (new Set(health.map((metric) => metric.failureLimit)).size > 1) {
      context.assumptions.push({
        source: health[0].location,
        text: `${label}: the metrics tolerate different numbers of failures (${health.map((metric) => `${metric.name} ${metric.failureLimit}`).join(', ')}); Argo counts each metric on its own, the policy counts failing checks once — the strictest is used`,
      });
    }
    for (const metric of health) {
      guardSources.push({
        key: 'failureLimit',
        field: {
          source: { ...metric.location, path: [...metric.location.path, 'failureLimit'] },
          sourceValue: metric.failureLimit,
          policyValue: strictest + 1,
          note: 'Argo failureLimit counts tolerated failures, in total: n + 1',
          toSource: (value) => argoFailureLimit(Number(value)),
        },
      });
    }
    if (strictest > 0) guards.failureCounting = 'total';
  }
  if (scope === 'rollout') guards.failureScope = 'rollout';
  const guarded = health.map((metric) => metric.minRequests).filter((n): n is number => n !== undefined);
  const requestMinimum = requests.map((metric) => metric.minRequests).filter((n): n is number => n !== undefined);
  const minimum = [...guarded, ...requestMinimum];
  if (minimum.length > 0) guards.minRequests = Math.max(...minimum);
  for (const metric of [...health, ...requests]) {
    if (metric.minRequests === undefined) continue;
    const fromQuery = metric.role === 'health';
    const path = fromQuery
      ? [...metric.location.path, 'provider', metric.provider, 'query']
      : [...metric.location.path, 'successCondition'];
    const text = fromQuery ? (metric.query ?? '') : String(getIn(docAt(context, metric.location).value, path) ?? '');
    const count = metric.minRequests;
    guardSources.push({
      key: 'minRequests',
      field: {
        source: { ...metric.location, path },
        sourceValue: text,
        policyValue: guards.minRequests,
        note: fromQuery ? "the query's request guard (and on() … >= n) empties the result below n requests" : 'a request-count check',
        // The guard's number (every `and on() sum(increase(…)) >= n` of the query, or the condition's limit) becomes the tuned one.
        toSource: (value) =>
          fromQuery
            ? text.replace(/(and\s+on\s*\(\s*\)\s*sum\s*\(\s*increase\([\s\S]*?\)\s*\)\s*>=\s*)(\d+)/g, `$1${Number(value)}`)
            : replaceRequestCount(text, count, Number(value)),
      },
    });
  }
  for (const metric of health) {
    if (metric.consecutiveErrorLimit !== undefined) {
      context.unrepresented.push({
        source: { ...metric.location, path: [...metric.location.path, 'consecutiveErrorLimit'] },
        reason:
          'errors (the provider unreachable, a query rejected) are not measurements the simulator makes; the policy has no error limit',
      });
    }
    if (
      metric.initialDelaySeconds !== undefined &&
      metric.intervalSeconds !== undefined &&
      metric.initialDelaySeconds !== metric.intervalSeconds
    ) {
      context.unrepresented.push({
        source: { ...metric.location, path: [...metric.location.path, 'initialDelay'] },
        reason: `the policy's first check reads the first full window, one interval in; Argo measures first after ${formatDuration(metric.initialDelaySeconds)}`,
      });
    }
  }
  // No data: what the health metrics' measurements are when the query has nothing to say.
  const phases = new Set(health.map((metric) => metric.noData[metric.noData.atZeroTraffic]));
  const phase = phases.has('Failed')
    ? 'Failed'
    : phases.has('Inconclusive')
      ? 'Inconclusive'
      : phases.has('Error')
        ? 'Error'
        : 'Successful';
  const described = health
    .map(
      (metric) =>
        `'${metric.name}' ${metric.noData.atZeroTraffic === 'nan' ? 'divides 0 by 0 (NaN)' : 'returns nothing'}, so its measurement ${runAction[metric.noData[metric.noData.atZeroTraffic]]}`,
    )
    .join('; ');
  context.zeroTraffic.push({ label, text: `at zero traffic ${described}.` });
  if (phase === 'Failed') guards.onNoData = 'fail';
  else if (phase === 'Inconclusive') {
    const limit = Math.min(...health.map((metric) => metric.inconclusiveLimit));
    const count = Math.min(...health.map((metric) => metric.count ?? Number.POSITIVE_INFINITY));
    const passes = Math.max(...health.map((metric) => metric.consecutiveSuccessLimit));
    // Pausing after L + 1 inconclusive checks when S passes can no longer fit in C is the policy's hold to maxDuration.
    if (!(passes > 0 && Number.isFinite(count) && limit >= count - passes)) {
      guards.onNoData = 'inconclusive';
      guards.inconclusiveLimit = limit + 1;
      for (const metric of health) {
        guardSources.push({
          key: 'inconclusiveLimit',
          field: {
            source: { ...metric.location, path: [...metric.location.path, 'inconclusiveLimit'] },
            sourceValue: metric.inconclusiveLimit,
            policyValue: limit + 1,
            note: 'Argo inconclusiveLimit counts tolerated inconclusive measurements: n + 1',
            toSource: (value) => Number(value) - 1,
          },
        });
      }
    }
  } else if (phase === 'Error' || phase === 'Successful') {
    context.unrepresented.push({
      source: health[0].location,
      reason:
        phase === 'Error'
          ? `${label}: without data the conditions fail to evaluate (an Error measurement, e.g. result[0] of an empty result); Argo aborts after ${argoDefaultConsecutiveErrorLimit + 1} in a row, the policy holds`
          : `${label}: without data the conditions pass; the policy never passes a check without data (it holds)`,
    });
  }
  return { guards, guardSources, rules };
}

/** Imports a Rollout and its templates (module comment). Throws ImportError naming the document and field it cannot read. */
export function importArgo(docs: SourceDocument[], options: ImportOptions = {}): ImportResult {
  const rollouts = docs.filter((doc) => doc.kind === 'Rollout' && doc.apiVersion.startsWith('argoproj.io/'));
  if (rollouts.length !== 1) {
    const files = [...new Set(docs.map((doc) => doc.file))].join(', ');
    throw new ImportError(
      { file: files },
      rollouts.length === 0
        ? `no Argo Rollouts Rollout (argoproj.io/v1alpha1) among the documents (found ${docs.map(resourceName).join(', ')})`
        : `${rollouts.length} Rollouts (${rollouts.map(resourceName).join(', ')}); import one at a time`,
    );
  }
  const rollout = rollouts[0];
  const context: Context = {
    docs,
    rollout,
    options,
    mapped: [],
    unrepresented: [],
    assumptions: [],
    zeroTraffic: [],
    metricNames: new Set(),
  };
  for (const doc of docs) {
    if (doc !== rollout && doc.kind !== 'AnalysisTemplate' && doc.kind !== 'ClusterAnalysisTemplate') {
      context.unrepresented.push({ source: at(doc, []), reason: `a ${doc.kind} is not part of the rollout's analysis: not read` });
    }
  }
  const strategy = getIn(rollout.value, ['spec', 'strategy']);
  if (isMapping(strategy) && strategy.blueGreen !== undefined) {
    throw new ImportError(
      at(rollout, ['spec', 'strategy', 'blueGreen']),
      'a blue-green strategy has no traffic stages to import; only canary strategies are read',
    );
  }
  const canary = getIn(strategy, ['canary']);
  if (!isMapping(canary))
    throw new ImportError(at(rollout, ['spec', 'strategy', 'canary']), 'is missing: only canary strategies are imported');
  const stepsPath = ['spec', 'strategy', 'canary', 'steps'];
  const steps = Array.isArray(canary.steps) ? canary.steps : [];
  if (steps.length === 0)
    throw new ImportError(at(rollout, stepsPath), 'has no steps: Argo would go to 100% at once, which is not a rollout policy');

  for (const field of [
    'maxSurge',
    'maxUnavailable',
    'antiAffinity',
    'scaleDownDelaySeconds',
    'abortScaleDownDelaySeconds',
    'dynamicStableScale',
    'minPodsPerReplicaSet',
  ] as const) {
    if (canary[field] !== undefined) {
      context.unrepresented.push({
        source: at(rollout, ['spec', 'strategy', 'canary', field]),
        reason: 'pod scheduling and scaling; the simulator models traffic shares, not replicas',
      });
    }
  }

  // Background analysis.
  let background: { metrics: ReadMetric[]; startingStep: number } | undefined;
  if (canary.analysis !== undefined) {
    const location = at(rollout, ['spec', 'strategy', 'canary', 'analysis']);
    const startingStep =
      isMapping(canary.analysis) && canary.analysis.startingStep !== undefined ? Number(canary.analysis.startingStep) : 0;
    if (!Number.isInteger(startingStep) || startingStep < 0 || startingStep > steps.length) {
      throw new ImportError(
        { ...location, path: [...location.path, 'startingStep'] },
        `must be a step index between 0 and ${steps.length}`,
      );
    }
    background = { metrics: analysisMetrics(context, canary.analysis, location, false), startingStep };
    for (const metric of background.metrics) {
      if (metric.count !== undefined && metric.count > 0) {
        context.unrepresented.push({
          source: { ...metric.location, path: [...metric.location.path, 'count'] },
          reason: `a background metric with count ${metric.count} stops after ${metric.count} measurements; the policy checks every stage to the end`,
        });
      }
    }
  }

  // Walk the steps into segments.
  const segments: Segment[] = [];
  let current: Segment = { kind: 'zero', weight: 0, firstStep: 0, pauses: [], analyses: [] };
  let weight = 0;
  const close = (next: Segment) => {
    segments.push(current);
    current = next;
  };
  steps.forEach((step, i) => {
    const location = at(rollout, [...stepsPath, i]);
    if (!isMapping(step)) throw new ImportError(location, 'must be a mapping with one step');
    const [kind] = Object.keys(step);
    switch (kind) {
      case 'setWeight': {
        const value = step.setWeight;
        if (typeof value !== 'number' || value < 0 || value > 100)
          throw new ImportError(
            { ...location, path: [...location.path, 'setWeight'] },
            `must be a percentage 0–100, got ${JSON.stringify(value)}`,
          );
        weight = value;
        close({
          kind: value === 0 ? 'zero' : 'weight',
          weight: value,
          firstStep: i,
          weightLocation: { ...location, path: [...location.path, 'setWeight'] },
          pauses: [],
          analyses: [],
        });
        return;
      }
      case 'setMirrorRoute': {
        const mirror = isMapping(step.setMirrorRoute) ? step.setMirrorRoute : {};
        // Without match the route is removed (docs/features/traffic-management: "If omitted, the route will be removed").
        if (mirror.match === undefined) {
          close({ kind: weight === 0 ? 'zero' : 'weight', weight, firstStep: i, pauses: [], analyses: [] });
          return;
        }
        const percentage = mirror.percentage === undefined ? 100 : Number(mirror.percentage);
        if (!(percentage > 0 && percentage <= 100))
          throw new ImportError(
            { ...location, path: [...location.path, 'setMirrorRoute', 'percentage'] },
            `must be between 1 and 100, got ${JSON.stringify(mirror.percentage)}`,
          );
        close({
          kind: 'shadow',
          weight: percentage,
          firstStep: i,
          weightLocation: { ...location, path: [...location.path, 'setMirrorRoute', 'percentage'] },
          pauses: [],
          analyses: [],
        });
        if (JSON.stringify(mirror.match) !== JSON.stringify([{ path: { prefix: '/' } }])) {
          context.unrepresented.push({
            source: { ...location, path: [...location.path, 'setMirrorRoute', 'match'] },
            reason: 'the shadow stage mirrors a share of all requests; request matching is not modelled',
          });
        }
        return;
      }
      case 'pause': {
        const pause = step.pause;
        const duration = isMapping(pause) ? pause.duration : undefined;
        if (duration === undefined) {
          current.indefinitePause = { ...location, path: [...location.path, 'pause'] };
          context.unrepresented.push({
            source: current.indefinitePause,
            reason: 'an indefinite pause waits for a person to promote; the simulator advances when the checks allow',
          });
          return;
        }
        const seconds = pauseDurationSeconds(duration);
        if (seconds === undefined)
          throw new ImportError(
            { ...location, path: [...location.path, 'pause', 'duration'] },
            `must be seconds or a duration like 30s, 10m, 1h, got ${JSON.stringify(duration)}`,
          );
        current.pauses.push({ seconds, location: { ...location, path: [...location.path, 'pause', 'duration'] } });
        return;
      }
      case 'analysis':
        current.analyses.push({
          step: i,
          metrics: analysisMetrics(context, step.analysis, { ...location, path: [...location.path, 'analysis'] }, true),
        });
        return;
      case 'setCanaryScale':
        context.unrepresented.push({
          source: { ...location, path: [...location.path, kind] },
          reason: 'sizes the canary pods; the simulator models traffic shares, not replicas',
        });
        return;
      case 'experiment':
        context.unrepresented.push({
          source: { ...location, path: [...location.path, kind] },
          reason: 'an experiment runs extra ReplicaSets beside the rollout; the policy has no experiments (its analyses are not read)',
        });
        return;
      case 'setHeaderRoute':
        context.unrepresented.push({
          source: { ...location, path: [...location.path, kind] },
          reason: 'routes requests by header to the canary; the simulator routes by share (the weight steps)',
        });
        return;
      default:
        context.unrepresented.push({
          source: { ...location, path: [...location.path, kind ?? ''] },
          reason: `a '${kind}' step is not represented`,
        });
    }
  });
  segments.push(current);

  // Segments → stages.
  const stages: Stage[] = [];
  const stageGuards: Partial<StageGuards>[] = [];
  const guardFields: { stage: number; key: keyof Guards; field: Omit<MappedField, 'policyPath'> }[] = [];
  let lastInterval: number | undefined;
  for (const segment of segments) {
    const pauseSeconds = segment.pauses.reduce((sum, pause) => sum + pause.seconds, 0);
    const inline = segment.analyses.flatMap((analysis) => analysis.metrics);
    const backgroundApplies =
      background !== undefined && segment.kind !== 'zero' && segmentLastStep(segment, segments, steps.length) >= background.startingStep;
    const checked = inline.some((metric) => metric.role !== 'unread') || backgroundApplies;
    const index = stages.length;
    const where = `step ${segment.firstStep}${segment.kind === 'shadow' ? ', mirror' : `, weight ${segment.weight}`}`;
    const label = `stage ${index} (${where})`;
    if (segment.kind === 'zero') {
      const requests = inline.filter((metric) => metric.role === 'requests');
      if (requests.length === 0) {
        if (pauseSeconds > 0 || inline.length > 0) {
          context.unrepresented.push({
            source: segment.pauses[0]?.location ?? at(rollout, [...stepsPath, segment.firstStep]),
            reason: 'steps before any traffic reaches the canary (no request-count check to read as a baseline): they only wait',
          });
        }
        continue;
      }
      const metric = requests[0];
      const interval = metric.intervalSeconds ?? 300;
      const count = metric.count ?? 1;
      const rollback = metric.noData[metric.noData.atZeroTraffic] === 'Failed';
      const minDuration = pauseSeconds > 0 ? pauseSeconds : interval;
      const stage: Stage = {
        kind: 'baseline',
        minDuration: formatDuration(minDuration),
        minRequests: metric.minRequests ?? 0,
        checkInterval: formatDuration(interval),
      };
      if (count > 1 || rollback) {
        stage.maxDuration = formatDuration(minDuration + count * interval);
        stage.onMaxDuration = rollback ? 'rollback' : 'hold';
      }
      stages.push(stage);
      stageGuards.push({});
      recordPauses(context, segment, index, 0);
      const condition = String(getIn(docAt(context, metric.location).value, [...metric.location.path, 'successCondition']) ?? '');
      context.mapped.push({
        source: { ...metric.location, path: [...metric.location.path, 'successCondition'] },
        sourceValue: condition,
        policyPath: ['stages', index, 'minRequests'],
        policyValue: stage.minRequests,
        note: 'requests the control must have served over the pause',
        toSource: (value) => replaceRequestCount(condition, stage.minRequests, Number(value)),
      });
      continue;
    }
    if (!checked) {
      context.unrepresented.push({
        source: segment.weightLocation ?? at(rollout, [...stepsPath, segment.firstStep]),
        reason: `${where}: no analysis checks this step, so Rollout Lab (which needs at least one rule per stage) leaves it out; Argo ${pauseSeconds > 0 ? `waits ${formatDuration(pauseSeconds)} here unchecked` : 'moves on at once'}`,
      });
      continue;
    }
    const inlineChecks = stageChecks(context, inline, 'stage', label);
    const backgroundChecks = backgroundApplies
      ? stageChecks(context, background!.metrics, 'rollout', `${label}, background analysis`)
      : undefined;
    const guards: Partial<StageGuards> = inlineChecks.rules.length > 0 ? inlineChecks.guards : { ...backgroundChecks?.guards };
    for (const source of inlineChecks.rules.length > 0 ? inlineChecks.guardSources : (backgroundChecks?.guardSources ?? [])) {
      guardFields.push({ stage: index, ...source });
    }
    if (inlineChecks.rules.length > 0 && backgroundChecks !== undefined && backgroundChecks.rules.length > 0) {
      context.assumptions.push({
        text: `${label}: checked by both an inline and the background analysis; the policy counts the stage's failures once, with the inline analysis's limits`,
      });
    }
    const ruled = [...inlineChecks.rules, ...(backgroundChecks?.rules ?? [])];
    const health = inline.filter((metric) => metric.role === 'health');
    const timing = health.length > 0 ? health : (background?.metrics.filter((metric) => metric.role === 'health') ?? []);
    const interval = Math.min(...timing.map((metric) => metric.intervalSeconds ?? Number.POSITIVE_INFINITY));
    // Without an interval Argo measures once (Metric.EffectiveCount 1), at the end of the step's pauses: one check over the pause.
    const intervalSeconds = Number.isFinite(interval) ? interval : pauseSeconds > 0 ? pauseSeconds : (lastInterval ?? 300);
    if (!Number.isFinite(interval)) {
      context.assumptions.push({
        text: `${label}: no metric sets an interval, so Argo measures once${pauseSeconds > 0 ? ' after the pause: one check over the pause' : ''}; the policy checks every ${formatDuration(intervalSeconds)}`,
      });
    }
    lastInterval = intervalSeconds;
    if (new Set(timing.map((metric) => metric.intervalSeconds)).size > 1) {
      context.assumptions.push({
        text: `${label}: the metrics measure at different intervals; the policy checks every ${formatDuration(intervalSeconds)} (the shortest)`,
      });
    }
    // Time: pauses, then the inline analysis's run.
    const passes = Math.max(0, ...health.map((metric) => metric.consecutiveSuccessLimit));
    const singleMeasurement =
      health.length > 0 && health.every((metric) => metric.intervalSeconds === undefined && metric.count === undefined);
    const counts = health.map((metric) => metric.count).filter((count): count is number => count !== undefined && count > 0);
    const count = counts.length > 0 ? Math.min(...counts) : undefined;
    let analysisSeconds = 0;
    let maxDuration: number | undefined;
    const requestMetric = inline.find((metric) => metric.role === 'requests');
    const rollbackOnNoData = requestMetric !== undefined && requestMetric.noData[requestMetric.noData.atZeroTraffic] === 'Failed';
    if (singleMeasurement) {
      analysisSeconds = pauseSeconds > 0 ? 0 : intervalSeconds;
    } else if (health.length > 0) {
      if (passes > 0) {
        analysisSeconds = passes * intervalSeconds;
        if (count !== undefined) maxDuration = pauseSeconds + count * intervalSeconds;
      } else if (count !== undefined) {
        analysisSeconds = count * intervalSeconds;
      } else {
        context.unrepresented.push({
          source: health[0].location,
          reason: `${label}: an inline metric without count or consecutiveSuccessLimit measures until it fails: Argo never completes the step; the policy advances after one check interval`,
        });
        analysisSeconds = intervalSeconds;
      }
    }
    const stepSeconds = pauseSeconds + analysisSeconds;
    // A stage lasts at least one check (the policy's checkInterval may not exceed its minDuration).
    const minDurationSeconds = stepSeconds > 0 || segment.indefinitePause !== undefined ? Math.max(stepSeconds, intervalSeconds) : 0;
    if (stepSeconds > 0 && stepSeconds < intervalSeconds) {
      context.unrepresented.push({
        source: segment.pauses[0]?.location ?? segment.weightLocation ?? at(rollout, [...stepsPath, segment.firstStep]),
        reason: `${label}: the step lasts ${formatDuration(stepSeconds)}, less than one ${formatDuration(intervalSeconds)} measurement (Argo may take none here); the policy's stage lasts one check interval`,
      });
    }
    if (pauseSeconds > 0 && analysisSeconds > 0 && !backgroundApplies) {
      // Argo measures only once the pause is over; the policy checks the whole stage.
      context.unrepresented.push({
        source: segment.pauses[0].location,
        reason: `${label}: Argo does not measure during the ${formatDuration(pauseSeconds)} pause, the policy checks it too (${Math.round((pauseSeconds + analysisSeconds) / intervalSeconds)} checks instead of ${Math.round(analysisSeconds / intervalSeconds)}): its false-rollback rate is an upper bound for this stage`,
      });
    }
    if (minDurationSeconds === 0) {
      context.unrepresented.push({
        source: segment.weightLocation ?? at(rollout, [...stepsPath, segment.firstStep]),
        reason: `${where}: Argo moves on at once (no pause or inline analysis); left out`,
      });
      continue;
    }
    const common = {
      minDuration: formatDuration(minDurationSeconds),
      ...(maxDuration !== undefined
        ? { maxDuration: formatDuration(maxDuration), onMaxDuration: rollbackOnNoData ? ('rollback' as const) : ('hold' as const) }
        : {}),
      checkInterval: formatDuration(intervalSeconds),
    };
    const rules = ruled.map((entry) => entry.rule);
    let stage: Stage;
    if (segment.kind === 'shadow') {
      const errorGate = rules.find((rule) => rule.type === 'ratio' && rule.metric === 'errorRate');
      const latencyGate = rules.find((rule) => rule.type === 'ratio' && rule.metric === 'latencyP95');
      stage = {
        kind: 'shadow',
        ...common,
        traffic: segment.weight / 100,
        comparison: { method: 'exact' },
        gates: {
          minAgreement: 0.85,
          maxLatencyRatio: latencyGate?.type === 'ratio' ? latencyGate.maxRatio : 1.5,
          maxErrorRatio: errorGate?.type === 'ratio' ? errorGate.maxRatio : 2,
          minComparisons: 1000,
        },
      };
      context.assumptions.push({
        source: segment.weightLocation,
        text: `${label}: Argo mirrors without comparing answers; the shadow stage's agreement gate (0.85 over 1000 comparisons, exact match) is the framework default${errorGate && latencyGate ? '' : ', and a missing error or p95 latency ratio gate too (2, 1.5)'}`,
      });
      for (const entry of ruled) {
        if (entry.rule !== errorGate && entry.rule !== latencyGate) {
          context.unrepresented.push({
            source: entry.metric.location,
            reason: `${label}: a shadow stage is judged by its error and p95 latency ratios; '${entry.metric.name}' is left out`,
          });
        }
      }
      ruled.forEach((entry) => {
        if (entry.rule === errorGate) recordRule(context, entry.metric, ['stages', index, 'gates', 'maxErrorRatio']);
        if (entry.rule === latencyGate) recordRule(context, entry.metric, ['stages', index, 'gates', 'maxLatencyRatio']);
      });
    } else if (segment.weight >= 100) {
      stage = { kind: 'full', ...common, rules };
      ruled.forEach((entry, r) =>
        recordRule(context, entry.metric, ['stages', index, 'rules', r, entry.rule.type === 'ratio' ? 'maxRatio' : 'max']),
      );
    } else {
      stage = { kind: 'canary', traffic: segment.weight / 100, ...common, rules };
      ruled.forEach((entry, r) =>
        recordRule(context, entry.metric, ['stages', index, 'rules', r, entry.rule.type === 'ratio' ? 'maxRatio' : 'max']),
      );
    }
    if (segment.weightLocation !== undefined && stage.kind !== 'full') {
      context.mapped.push({
        source: segment.weightLocation,
        sourceValue: segment.weight,
        policyPath: ['stages', index, 'traffic'],
        policyValue: segment.weight / 100,
        note: 'a percentage: the share × 100',
        toSource: (value) => Number((Number(value) * 100).toFixed(6)),
      });
    }
    for (const metric of timing) {
      if (metric.intervalSeconds === undefined) continue;
      context.mapped.push({
        source: { ...metric.location, path: [...metric.location.path, 'interval'] },
        sourceValue: argoDurationText(metric.intervalSeconds),
        policyPath: ['stages', index, 'checkInterval'],
        policyValue: common.checkInterval,
        toSource: (value) => argoDurationText(parseDuration(value as string)),
      });
    }
    if (health.length > 0 && passes > 0) {
      for (const metric of health) {
        context.mapped.push({
          source: { ...metric.location, path: [...metric.location.path, 'consecutiveSuccessLimit'] },
          sourceValue: metric.consecutiveSuccessLimit,
          policyPath: ['stages', index, 'minDuration'],
          policyValue: common.minDuration,
          note: `passes in a row × interval${pauseSeconds > 0 ? ' + the pauses' : ''}`,
          toSource: (value) => Math.max(1, Math.ceil((parseDuration(value as string) - pauseSeconds) / intervalSeconds - 1e-9)),
        });
        if (maxDuration !== undefined && metric.count !== undefined) {
          context.mapped.push({
            source: { ...metric.location, path: [...metric.location.path, 'count'] },
            sourceValue: metric.count,
            policyPath: ['stages', index, 'maxDuration'],
            policyValue: common.maxDuration,
            note: `measurements × interval${pauseSeconds > 0 ? ' + the pauses' : ''}; then Argo pauses (Inconclusive)`,
            toSource: (value) => Math.max(1, Math.floor((parseDuration(value as string) - pauseSeconds) / intervalSeconds + 1e-9)),
          });
        }
      }
    } else if (health.length > 0 && count !== undefined) {
      for (const metric of health) {
        context.mapped.push({
          source: { ...metric.location, path: [...metric.location.path, 'count'] },
          sourceValue: metric.count,
          policyPath: ['stages', index, 'minDuration'],
          policyValue: common.minDuration,
          note: `measurements × interval${pauseSeconds > 0 ? ' + the pauses' : ''}`,
          toSource: (value) => Math.max(1, Math.ceil((parseDuration(value as string) - pauseSeconds) / intervalSeconds - 1e-9)),
        });
      }
    } else if (minDurationSeconds === stepSeconds) {
      recordPauses(context, segment, index, analysisSeconds);
    }
    stages.push(stage);
    stageGuards.push(guards);
  }
  stages.push({ kind: 'promote' });
  if (!stages.some((stage) => stage.kind === 'canary' || stage.kind === 'full')) {
    throw new ImportError(
      at(rollout, stepsPath),
      'no step is checked by a metric Rollout Lab can read (see --map); there is no policy to audit',
    );
  }

  // Guards shared by every checked stage go to the policy; the rest stay on their stage.
  const checkedGuards = stageGuards.filter((_, i) => stages[i].kind !== 'baseline');
  const keys = ['minRequests', 'failureLimit', 'failureCounting', 'failureScope', 'onNoData', 'inconclusiveLimit'] as const;
  const shared: Guards = {};
  for (const key of keys) {
    const values = new Set(checkedGuards.map((guards) => guards[key]));
    const [value] = values;
    if (values.size === 1 && value !== undefined) (shared as Record<string, unknown>)[key] = value;
  }
  if (shared.minRequests === undefined && !checkedGuards.some((guards) => guards.minRequests !== undefined)) {
    shared.minRequests = 1;
    context.assumptions.push({
      text: 'no query guards its request count (and on() … >= n): a window with at least 1 request is data (minRequests 1); Argo evaluates whatever the query returns',
    });
  }
  stages.forEach((stage, i) => {
    if (stage.kind === 'promote' || stage.kind === 'baseline') return;
    const own: Guards = {};
    for (const key of keys) {
      const value = stageGuards[i][key];
      if (value !== undefined && shared[key] === undefined) (own as Record<string, unknown>)[key] = value;
    }
    if (Object.keys(own).length > 0) stage.guards = own;
  });
  for (const { stage, key, field } of guardFields) {
    context.mapped.push({ ...field, policyPath: shared[key] !== undefined ? ['guards', key] : ['stages', stage, 'guards', key] });
  }

  for (const name of Object.keys(options.map ?? {})) {
    if (!context.metricNames.has(name))
      context.assumptions.push({ text: `--map names '${name}', which no metric of the referenced templates has (ignored)` });
  }
  const annotations = getIn(rollout.value, ['metadata', 'annotations']);
  const annotatedMode = isMapping(annotations) ? annotations['rollout-lab/baseline-mode'] : undefined;
  const mode =
    annotatedMode === 'historical' || annotatedMode === 'concurrent'
      ? annotatedMode
      : stages.some((stage) => stage.kind === 'baseline')
        ? 'historical'
        : 'concurrent';
  if (annotatedMode === undefined) {
    context.assumptions.push({
      text:
        mode === 'historical'
          ? 'a baseline stage was read: the reference is historical'
          : 'no baseline stage: ratio rules compare with the control in the same window (a concurrent baseline)',
    });
  }
  const policyName =
    isMapping(annotations) && typeof annotations['rollout-lab/policy'] === 'string' ? annotations['rollout-lab/policy'] : rollout.name;
  const policy: Policy = { version: 1, name: policyName, baseline: { mode }, guards: shared, stages };
  const parsed = parsePolicy(policy);
  if (!parsed.ok) {
    throw new ImportError(
      at(rollout, stepsPath),
      `the steps give a policy Rollout Lab cannot run: ${parsed.errors.map(formatPolicyError).join('; ')}`,
    );
  }
  return {
    policy,
    report: {
      source: 'argo',
      // A template used by several steps maps the same field to the same policy path once.
      mapped: context.mapped.filter(
        (field, i, all) =>
          all.findIndex(
            (other) => JSON.stringify([other.source, other.policyPath]) === JSON.stringify([field.source, field.policyPath]),
          ) === i,
      ),
      unrepresented: context.unrepresented.filter(
        (field, i, all) => all.findIndex((other) => JSON.stringify(other) === JSON.stringify(field)) === i,
      ),
      // A template used by several steps is read once per step: each assumption is said once.
      assumptions: context.assumptions.filter(
        (assumption, i, all) => all.findIndex((other) => JSON.stringify(other) === JSON.stringify(assumption)) === i,
      ),
      zeroTraffic: zeroTrafficText(context.zeroTraffic),
    },
  };
}

function docAt(context: Context, location: SourceLocation): SourceDocument {
  return context.docs.find((doc) => doc.file === location.file && doc.index === location.document)!;
}

/** The last step a segment covers (the step before the next segment starts). */
function segmentLastStep(segment: Segment, segments: Segment[], stepCount: number): number {
  const next = segments[segments.indexOf(segment) + 1];
  return next === undefined ? stepCount - 1 : Math.max(segment.firstStep, next.firstStep - 1);
}

function recordRule(context: Context, metric: ReadMetric, policyPath: (string | number)[]): void {
  const rule = metric.rule!;
  if (metric.query !== undefined && policyPath[2] === 'rules') {
    context.mapped.push({
      source: { ...metric.location, path: [...metric.location.path, 'provider', metric.provider, 'query'] },
      sourceValue: metric.query,
      policyPath: [...policyPath.slice(0, -1), 'metric'],
      policyValue: rule.metric,
      note: `the query of '${metric.name}', kept for the report: the simulator measures ${rule.metric} itself`,
    });
  }
  if (rule.conditions.length === 0) {
    context.mapped.push({
      source: metric.location,
      sourceValue: metric.name,
      policyPath,
      policyValue: rule.value,
      note: `${rule.note} (the limit is an argument, not written back)`,
    });
    return;
  }
  for (const condition of rule.conditions) {
    context.mapped.push({
      source: condition.source,
      sourceValue: condition.text,
      policyPath,
      policyValue: rule.value,
      note: rule.note,
      toSource: condition.toSource,
    });
  }
}

/** A stage's time read from its pauses: a single pause converts back; several are reported as such. */
function recordPauses(context: Context, segment: Segment, index: number, analysisSeconds: number): void {
  if (segment.pauses.length === 0) return;
  const total = segment.pauses.reduce((sum, pause) => sum + pause.seconds, 0) + analysisSeconds;
  const last = segment.pauses[segment.pauses.length - 1];
  const others = total - last.seconds;
  context.mapped.push({
    source: last.location,
    sourceValue: argoDurationText(last.seconds),
    policyPath: ['stages', index, 'minDuration'],
    policyValue: formatDuration(total),
    note:
      segment.pauses.length > 1 || analysisSeconds > 0
        ? 'the stage lasts all its pauses; a change goes to the last one'
        : "the pause is the stage's time",
    toSource: (value) => argoDurationText(Math.max(0, parseDuration(value as string) - others)),
  });
}
