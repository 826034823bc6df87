/**
 * A Flagger Canary's `spec.analysis.metrics[]` read as Rollout Lab health rules, with where each
 * threshold came from and how to write a tuned value back.
 *
 * What Flagger does with a metric (fluxcd/flagger commit 15bd6ad5, `pkg/controller/scheduler_metrics.go`
 * `runBuiltinMetricChecks` / `runMetricChecks`, and the observers in `pkg/metrics/observers`): the
 * check fails when the value is below `thresholdRange.min` or above `thresholdRange.max` (the
 * bounds pass), or when the query returns no value or NaN ("Halt advancement no values found").
 * Without `thresholdRange`, the deprecated `threshold` is a minimum for `request-success-rate`
 * and a maximum otherwise. Forms read here:
 *
 * - `request-success-rate` (built in): the candidate's non-5xx share in PERCENT over the metric's
 *   `interval` → an absolute error-rate rule, `max = 1 − min / 100`;
 * - `request-duration` (built in): the candidate's p99 latency in MILLISECONDS (Flagger compares
 *   whole milliseconds) → an absolute `latencyP99` rule, `max` unchanged;
 * - a custom metric (`templateRef` to a MetricTemplate, or the deprecated inline `query`) that
 *   `--map` names (or that carries the name Rollout Lab's own export gives it, `error-rate-ratio`,
 *   `latency-p95-max`, …): when its query reads the primary (`{{ target }}-primary`), it is a
 *   candidate-to-primary ratio → a ratio rule, `maxRatio = max`; otherwise an absolute rule on the
 *   candidate. A rate metric's query with a `* 100` factor is read as a percent; a rate metric
 *   with only a `min` is read as a success rate (`max = 1 − min`); a latency query over a
 *   `_seconds` histogram without a `1000 *` factor is read in seconds;
 * - `request-count` from Rollout Lab's export (`thresholdRange.min`) → `guards.minRequests`.
 *
 * Everything else (an unmapped custom metric, a lower bound on a bad-is-high metric, an upper
 * bound on a success rate) is reported as unrepresented with the reason.
 */
import type { HealthMetric } from '../policy/policy.ts';
import type { ImportAssumption, SourceLocation, UnrepresentedField } from './importTypes.ts';
import { ImportError } from './importTypes.ts';

/** The health metrics a metric may be mapped to. */
export const healthMetrics: readonly HealthMetric[] = ['errorRate', 'timeoutRate', 'latencyP50', 'latencyP95', 'latencyP99'];

/** One rule read from a metric, before it is placed in the stages. */
export interface FlaggerRule {
  type: 'ratio' | 'absolute';
  metric: HealthMetric;
  /** maxRatio for ratio rules, max for absolute ones. */
  limit: number;
  /** Where the limit came from, its value there, and the conversion back (absent: identity). */
  source: SourceLocation;
  sourceValue: number;
  note: string;
  toSource?: (policyValue: unknown) => unknown;
}

/** What the metrics give the policy. */
export interface FlaggerMetricsReading {
  rules: FlaggerRule[];
  /** From Rollout Lab's `request-count` metric, when present. */
  minRequests?: { value: number; source: SourceLocation };
  /** Each metric's `interval`, with its location (absent: Flagger's default 1m). */
  intervals: { seconds: number; text: string; source: SourceLocation; explicit: boolean }[];
  unrepresented: UnrepresentedField[];
  assumptions: ImportAssumption[];
  /** Names of the metrics `--map` matched (to report map entries that match nothing). */
  mappedNames: Set<string>;
}

/** A MetricTemplate among the inputs: its query and where it lives. */
export interface FlaggerTemplate {
  name: string;
  namespace: string | undefined;
  query: string | undefined;
  location: Omit<SourceLocation, 'path'>;
}

/** The Canary document's location (path filled per field). */
export type CanaryLocation = Omit<SourceLocation, 'path'>;

/** Everything the metric reader needs from the Canary and the options. */
export interface FlaggerMetricsInput {
  canary: CanaryLocation;
  canaryNamespace: string | undefined;
  metrics: unknown;
  templates: readonly FlaggerTemplate[];
  map: Readonly<Record<string, string>>;
  /** Seconds of a Go duration, or undefined when unreadable. */
  durationSeconds: (text: unknown) => number | undefined;
}

const exportedName = /^(error-rate|timeout-rate|latency-p50|latency-p95|latency-p99)-(ratio|max)$/;
const slugMetric: Record<string, HealthMetric> = {
  'error-rate': 'errorRate',
  'timeout-rate': 'timeoutRate',
  'latency-p50': 'latencyP50',
  'latency-p95': 'latencyP95',
  'latency-p99': 'latencyP99',
};
const percentFactor = /\*\s*100(?![\d.])|(?<![\d.])100\s*\*/;
/** A PromQL range selector: `[5m]`, `[1h30m]`, `[{{ interval }}]` (not a regex class like `[0-9]`). */
const rangeSelector = /\[\s*((?:\d+[smhdwy])+|\{\{\s*interval\s*\}\})\s*\]/g;
const readsPrimary = /\{\{\s*target\s*\}\}-primary/;

/** A number rounded to 12 significant digits, so 1 − 99/100 reads 0.01, not 0.010000000000000009. */
function clean(value: number): number {
  return Number(value.toPrecision(12));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads `spec.analysis.metrics`. Throws an `ImportError` naming the field for a metric that is not
 * a mapping or has no name, a `thresholdRange` bound that is not a number, a `templateRef` to a
 * MetricTemplate that is not among the inputs, and a `--map` value that is not a health metric.
 */
export function readFlaggerMetrics(input: FlaggerMetricsInput): FlaggerMetricsReading {
  const at = (path: (string | number)[]): SourceLocation => ({ ...input.canary, path: ['spec', 'analysis', 'metrics', ...path] });
  const reading: FlaggerMetricsReading = { rules: [], intervals: [], unrepresented: [], assumptions: [], mappedNames: new Set() };
  if (input.metrics === undefined) return reading;
  if (!Array.isArray(input.metrics)) throw new ImportError(at([]), 'must be a list of metrics');
  input.metrics.forEach((metric, index) => {
    if (!isRecord(metric)) throw new ImportError(at([index]), 'must be a mapping with a name');
    const name = metric.name;
    if (typeof name !== 'string' || name === '') throw new ImportError(at([index, 'name']), 'must be the metric name (a string)');
    const bound = (key: 'min' | 'max'): number | undefined => {
      const range = metric.thresholdRange;
      if (range === undefined) return undefined;
      if (!isRecord(range)) throw new ImportError(at([index, 'thresholdRange']), 'must be a mapping with min and/or max');
      const value = range[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new ImportError(at([index, 'thresholdRange', key]), `must be a number, got ${JSON.stringify(value)}`);
      return value;
    };
    if (metric.thresholdRange !== undefined && !isRecord(metric.thresholdRange))
      throw new ImportError(at([index, 'thresholdRange']), 'must be a mapping with min and/or max');
    const range = { min: bound('min'), max: bound('max') };
    const legacy = metric.threshold;
    if (legacy !== undefined && (typeof legacy !== 'number' || !Number.isFinite(legacy)))
      throw new ImportError(at([index, 'threshold']), `must be a number, got ${JSON.stringify(legacy)}`);
    const hasRange = metric.thresholdRange !== undefined;

    // The metric's query window: Flagger's default is 1m (v1beta1 `MetricInterval`).
    if (metric.interval !== undefined) {
      const seconds = input.durationSeconds(metric.interval);
      if (seconds === undefined || seconds <= 0)
        throw new ImportError(at([index, 'interval']), `must be a duration like 30s, 1m or 1h30m, got ${JSON.stringify(metric.interval)}`);
      reading.intervals.push({ seconds, text: String(metric.interval), source: at([index, 'interval']), explicit: true });
    } else {
      reading.intervals.push({ seconds: 60, text: '1m', source: at([index, 'interval']), explicit: false });
    }

    // Where each bound lives: thresholdRange.min/max, or the deprecated threshold.
    const place = (key: 'min' | 'max') => (hasRange ? at([index, 'thresholdRange', key]) : at([index, 'threshold']));

    if (name === 'request-success-rate') {
      const min = hasRange ? range.min : (legacy as number | undefined);
      if (min === undefined) {
        reading.unrepresented.push({
          source: at([index]),
          reason: 'request-success-rate without a minimum checks nothing but the presence of data',
        });
      } else {
        reading.rules.push({
          type: 'absolute',
          metric: 'errorRate',
          limit: clean(1 - min / 100),
          source: place('min'),
          sourceValue: min,
          note: 'Flagger request-success-rate is the non-5xx share in percent: error rate max = 1 − min/100',
          toSource: (value) => clean(100 * (1 - (value as number))),
        });
      }
      if (hasRange && range.max !== undefined)
        reading.unrepresented.push({
          source: at([index, 'thresholdRange', 'max']),
          reason: 'an upper bound on the success rate has no health rule (a rule bounds a metric from above)',
        });
      reading.assumptions.push({
        source: at([index]),
        text: 'request-success-rate counts 5xx responses as errors: the policy reads it as the error rate (errors / requests)',
      });
      return;
    }
    if (name === 'request-duration') {
      const max = hasRange ? range.max : (legacy as number | undefined);
      if (max === undefined) {
        reading.unrepresented.push({
          source: at([index]),
          reason: 'request-duration without a maximum checks nothing but the presence of data',
        });
      } else {
        reading.rules.push({
          type: 'absolute',
          metric: 'latencyP99',
          limit: max,
          source: place('max'),
          sourceValue: max,
          note: `Flagger request-duration is the candidate's p99 in milliseconds${Number.isInteger(max) ? '' : ' (Flagger compares whole milliseconds: the fraction is dropped)'}`,
        });
      }
      if (hasRange && range.min !== undefined)
        reading.unrepresented.push({
          source: at([index, 'thresholdRange', 'min']),
          reason: 'a lower bound on latency has no health rule (a rule bounds a metric from above)',
        });
      return;
    }

    // Custom metrics: a templateRef to a MetricTemplate, or the deprecated inline query.
    let query: string | undefined;
    if (metric.templateRef !== undefined) {
      const ref = metric.templateRef;
      if (!isRecord(ref) || typeof ref.name !== 'string' || ref.name === '')
        throw new ImportError(at([index, 'templateRef', 'name']), 'must name a MetricTemplate');
      const namespace = typeof ref.namespace === 'string' && ref.namespace !== '' ? ref.namespace : input.canaryNamespace;
      const template = input.templates.find(
        (t) => t.name === ref.name && (t.namespace === namespace || t.namespace === undefined || namespace === undefined),
      );
      if (template === undefined)
        throw new ImportError(
          at([index, 'templateRef', 'name']),
          `references MetricTemplate ${ref.name}${namespace ? ` in namespace ${namespace}` : ''}, which is not among the inputs (pass its file too)`,
        );
      if (template.query === undefined)
        throw new ImportError(
          { ...template.location, path: ['spec', 'query'] },
          'the MetricTemplate has no query (spec.query must be a string)',
        );
      query = template.query;
    } else if (typeof metric.query === 'string') {
      query = metric.query;
    }
    if (query === undefined) {
      reading.unrepresented.push({
        source: at([index]),
        reason: `metric ${name} has neither a templateRef nor a query: Flagger fails every check of it`,
      });
      return;
    }
    if (name === 'request-count' && range.min !== undefined && range.max === undefined) {
      reading.minRequests = { value: Math.ceil(range.min), source: at([index, 'thresholdRange', 'min']) };
      reading.assumptions.push({
        source: at([index]),
        text: `request-count (Rollout Lab's export) fails a check with fewer than ${range.min} candidate requests: read as guards.minRequests`,
      });
      return;
    }
    let target: HealthMetric | undefined;
    const mapped =
      input.map[name] ?? (metric.templateRef && isRecord(metric.templateRef) ? input.map[metric.templateRef.name as string] : undefined);
    if (mapped !== undefined) {
      if (!(healthMetrics as readonly string[]).includes(mapped))
        throw new ImportError({ file: '--map' }, `${name}=${mapped}: ${mapped} is not a health metric (${healthMetrics.join(', ')})`);
      target = mapped as HealthMetric;
      reading.mappedNames.add(input.map[name] !== undefined ? name : (metric.templateRef as { name: string }).name);
      reading.assumptions.push({ source: at([index]), text: `${name} is the ${target} (--map)` });
    } else {
      const match = exportedName.exec(name);
      if (match) {
        target = slugMetric[match[1]];
        reading.assumptions.push({ source: at([index]), text: `${name} is the ${target}: the name Rollout Lab's export gives it` });
      }
    }
    if (target === undefined) {
      reading.unrepresented.push({
        source: at([index]),
        reason: `custom metric ${name} is not mapped to a health metric (--map ${JSON.stringify(name)}=errorRate|timeoutRate|latencyP50|latencyP95|latencyP99): its check is left out, so the policy misses the failures it would catch`,
      });
      return;
    }
    const ranges = new Set([...query.matchAll(rangeSelector)].map((m) => m[1].replace(/\s+/g, '')));
    if (readsPrimary.test(query)) {
      const max = hasRange ? range.max : (legacy as number | undefined);
      if (max === undefined) {
        reading.unrepresented.push({ source: at([index]), reason: `${name} compares with the primary but has no maximum ratio` });
      } else {
        reading.rules.push({
          type: 'ratio',
          metric: target,
          limit: max,
          source: place('max'),
          sourceValue: max,
          note: `the query divides the canary's ${target} by the primary's: a ratio rule with maxRatio = max`,
        });
      }
      if (hasRange && range.min !== undefined)
        reading.unrepresented.push({ source: at([index, 'thresholdRange', 'min']), reason: 'a lower bound on a ratio has no health rule' });
      if (ranges.size > 1)
        reading.unrepresented.push({
          source: at([index]),
          reason: `the query reads its series over different ranges (${[...ranges].join(', ')}); the policy's concurrent reference reads the primary over the same check window`,
        });
      return;
    }
    const isRate = target === 'errorRate' || target === 'timeoutRate';
    if (isRate) {
      const scale = percentFactor.test(query) ? 100 : 1;
      const unit = scale === 100 ? 'percent' : 'a fraction';
      const max = hasRange ? range.max : (legacy as number | undefined);
      if (max !== undefined) {
        reading.rules.push({
          type: 'absolute',
          metric: target,
          limit: clean(max / scale),
          source: place('max'),
          sourceValue: max,
          note: `the query gives the candidate's ${target} in ${unit}: an absolute rule with max = ${scale === 100 ? 'max / 100' : 'max'}`,
          ...(scale === 100 ? { toSource: (value: unknown) => clean((value as number) * 100) } : {}),
        });
        if (range.min !== undefined)
          reading.unrepresented.push({
            source: at([index, 'thresholdRange', 'min']),
            reason: `a lower bound on ${target} has no health rule`,
          });
      } else if (range.min !== undefined) {
        reading.rules.push({
          type: 'absolute',
          metric: target,
          limit: clean(1 - range.min / scale),
          source: place('min'),
          sourceValue: range.min,
          note: `only a minimum: the query is read as a success rate in ${unit}, so max ${target} = 1 − min${scale === 100 ? ' / 100' : ''}`,
          toSource: (value) => clean(scale * (1 - (value as number))),
        });
      }
      return;
    }
    const inSeconds = /_seconds/.test(query) && !/1000\s*\*|\*\s*1000(?![\d.])/.test(query);
    const max = hasRange ? range.max : (legacy as number | undefined);
    if (max === undefined) {
      reading.unrepresented.push({ source: at([index]), reason: `${name} has no maximum: a lower bound on latency has no health rule` });
      return;
    }
    reading.rules.push({
      type: 'absolute',
      metric: target,
      limit: inSeconds ? clean(max * 1000) : max,
      source: place('max'),
      sourceValue: max,
      note: inSeconds
        ? `the query reads a _seconds histogram: max ${max} s = ${clean(max * 1000)} ms`
        : `the query gives the candidate's ${target} in milliseconds`,
      ...(inSeconds ? { toSource: (value: unknown) => clean((value as number) / 1000) } : {}),
    });
    if (range.min !== undefined)
      reading.unrepresented.push({ source: at([index, 'thresholdRange', 'min']), reason: 'a lower bound on latency has no health rule' });
  });
  return reading;
}
