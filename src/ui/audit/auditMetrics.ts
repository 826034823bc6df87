/**
 * The user's metrics the audit offers a `--map` choice for: the names of the metrics in the
 * files (an Argo `AnalysisTemplate`/`ClusterAnalysisTemplate`'s `spec.metrics[].name`, a Flagger
 * `Canary`'s `spec.analysis.metrics[].name` other than Flagger's built-ins, which the importer
 * knows), and the map written as the CLI's `--map name=metric,…` so the app and the CLI spell it
 * the same. Which metric is which stays the importer's decision (`ImportOptions.map`). Pure.
 */
import type { MetricMapping } from '../../engine/import/importTypes.ts';
import type { SourceDocument } from '../../engine/import/yamlDocuments.ts';
import type { HealthMetric } from '../../engine/policy/policy.ts';

/** The health metrics a user's metric can be mapped to, in the order the selects offer them. */
export const mappableMetrics: readonly HealthMetric[] = ['errorRate', 'timeoutRate', 'latencyP50', 'latencyP95', 'latencyP99'];

/** Flagger's built-in metrics: the importer maps them itself (success rate in percent, duration in ms, p99). */
const flaggerBuiltIns = new Set(['request-success-rate', 'request-duration']);

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function metricNamesIn(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((metric) => {
    const name = record(metric)?.name;
    return typeof name === 'string' && name !== '' ? [name] : [];
  });
}

/** The names of the user's own metrics in the documents, each once, in file order. */
export function customMetricNames(documents: readonly SourceDocument[]): string[] {
  const names: string[] = [];
  for (const document of documents) {
    const spec = record(record(document.value)?.spec);
    if (document.kind === 'AnalysisTemplate' || document.kind === 'ClusterAnalysisTemplate') names.push(...metricNamesIn(spec?.metrics));
    if (document.kind === 'Canary')
      names.push(...metricNamesIn(record(spec?.analysis)?.metrics).filter((name) => !flaggerBuiltIns.has(name)));
  }
  return [...new Set(names)];
}

/**
 * The map written as `--map` takes it (`success-rate=errorRate,latency=latencyP95`); empty for
 * none. Throws a RangeError naming the entry when it is not `name=metric` with a health metric.
 */
export function readMetricMap(text: string): MetricMapping {
  const map: MetricMapping = {};
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const equals = entry.lastIndexOf('=');
    const name = entry.slice(0, Math.max(0, equals)).trim();
    const metric = entry.slice(equals + 1).trim();
    if (equals <= 0 || name === '') throw new RangeError(`metric map: '${entry.trim()}' must be NAME=METRIC`);
    if (!(mappableMetrics as readonly string[]).includes(metric)) {
      throw new RangeError(`metric map: ${name}=${metric}: ${metric} is not a health metric (${mappableMetrics.join(', ')})`);
    }
    map[name] = metric as HealthMetric;
  }
  return map;
}

/** The inverse of `readMetricMap`, in the map's order. */
export function formatMetricMap(map: Readonly<MetricMapping>): string {
  return Object.entries(map)
    .map(([name, metric]) => `${name}=${metric}`)
    .join(',');
}

/** The map with `name` mapped to `metric`, or left to the importer (removed from the map) for an empty choice. */
export function withMapping(map: Readonly<MetricMapping>, name: string, metric: HealthMetric | ''): MetricMapping {
  const next: MetricMapping = { ...map };
  if (metric === '') delete next[name];
  else next[name] = metric;
  return next;
}
