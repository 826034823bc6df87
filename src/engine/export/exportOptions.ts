/**
 * What an export needs besides the policy: the user's metric names, where the metrics and the
 * decision service live, and the names of the resources. Checked once here (the export's
 * public edge) with `RangeError`s naming the field.
 */
import { formatPolicyError, parsePolicy } from '../policy/parsePolicy.ts';
import type { Policy } from '../policy/policy.ts';

/** Options of `exportArgoRollouts` and `exportFlagger`. */
export interface ExportOptions {
  /** Name of the Rollout / Canary and prefix of the templates (a DNS-1123 label; default from the policy name, else `model`). */
  name?: string;
  /** Namespace of the resources (omitted when absent). */
  namespace?: string;
  /** The Kubernetes Service / workload of the model (default `name`). */
  service?: string;
  /** Counter of requests served, per arm (default `http_requests_total`). */
  requestMetric?: string;
  /** Counter of failed requests (default `http_requests_errors_total`). */
  errorMetric?: string;
  /** Counter of timed-out requests (default `http_requests_timeouts_total`). */
  timeoutMetric?: string;
  /** Latency histogram base name in seconds; `_bucket` is appended (default `http_request_duration_seconds`). */
  latencyMetric?: string;
  /** Prometheus address (default `http://prometheus.monitoring:9090`). */
  prometheusAddress?: string;
  /** Base URL of `rollout-lab serve` (default `http://rollout-lab.rollout-lab:8080`). */
  decisionServiceUrl?: string;
}

/** The options with every default filled in. */
export type ResolvedExportOptions = Required<Omit<ExportOptions, 'namespace'>> & { namespace?: string };

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const prometheusName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function slug(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return cleaned === '' ? 'model' : cleaned;
}

/**
 * Validates `policy` (throwing a `RangeError` that lists every problem, as `parsePolicy` reports
 * them) and the options (names must be DNS-1123 labels, metric names Prometheus identifiers,
 * URLs http(s)), and fills in the defaults.
 */
export function resolveExport(policyInput: unknown, options: ExportOptions = {}): { policy: Policy; options: ResolvedExportOptions } {
  const parsed = parsePolicy(policyInput);
  if (!parsed.ok) throw new RangeError(`policy is not valid: ${parsed.errors.map(formatPolicyError).join('; ')}`);
  const policy = parsed.policy;
  const name = options.name ?? slug(policy.name ?? 'model');
  const resolved: ResolvedExportOptions = {
    name,
    namespace: options.namespace,
    service: options.service ?? name,
    requestMetric: options.requestMetric ?? 'http_requests_total',
    errorMetric: options.errorMetric ?? 'http_requests_errors_total',
    timeoutMetric: options.timeoutMetric ?? 'http_requests_timeouts_total',
    latencyMetric: options.latencyMetric ?? 'http_request_duration_seconds',
    prometheusAddress: options.prometheusAddress ?? 'http://prometheus.monitoring:9090',
    decisionServiceUrl: (options.decisionServiceUrl ?? 'http://rollout-lab.rollout-lab:8080').replace(/\/+$/, ''),
  };
  for (const key of ['name', 'service', 'namespace'] as const) {
    const value = resolved[key];
    if (value !== undefined && (!dnsLabel.test(value) || value.length > 50)) {
      throw new RangeError(
        `${key} must be a Kubernetes name (lowercase letters, digits and '-', at most 50 characters), got ${JSON.stringify(value)}`,
      );
    }
  }
  for (const key of ['requestMetric', 'errorMetric', 'timeoutMetric', 'latencyMetric'] as const) {
    if (!prometheusName.test(resolved[key]))
      throw new RangeError(`${key} must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${JSON.stringify(resolved[key])}`);
  }
  for (const key of ['prometheusAddress', 'decisionServiceUrl'] as const) {
    if (!/^https?:\/\/[^\s"'{}]+$/.test(resolved[key]))
      throw new RangeError(`${key} must be an http(s) URL, got ${JSON.stringify(resolved[key])}`);
  }
  return { policy, options: resolved };
}

/** A stage's label for resource names: `canary-5`, `ab-50`, `full`, `shadow`. */
export function stageSlug(kind: string, traffic: number | undefined): string {
  if (kind === 'canary' || kind === 'ab') return `${kind}-${Number(((traffic ?? 0) * 100).toFixed(4))}`.replace('.', 'p');
  return kind;
}
