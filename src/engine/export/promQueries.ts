/**
 * PromQL for the health rules, shared by the Argo Rollouts and Flagger exports.
 *
 * Each ratio rule becomes a candidate-to-reference query ratio, `candidate / reference`, with
 * the reference clamped away from zero (`clamp_min(…, 1e-12)`) so that the engine's rule
 * `candidate ≤ k × reference` holds exactly at a zero reference too: 0 errors against 0 passes
 * (0 / 1e-12 = 0), any error against 0 fails (a huge ratio). A window with fewer requests than
 * the policy's `minRequests` in either arm yields an EMPTY result (`and on() …`), which both
 * targets treat as no data (Argo: inconclusive with our conditions; Flagger: "no values
 * found", the advance halts) — missing data holds, never passes.
 *
 * The arms are told apart by a label selector the target fills in (template placeholders):
 * Argo passes the pod-template hashes as args, Flagger uses `{{ target }}` / `{{ target }}-primary`.
 */
import type { HealthMetric } from '../policy/policy.ts';

/** How a target names things inside its query templates. */
export interface QueryDialect {
  /** A metric name placeholder, e.g. `{{args.error-metric}}`. */
  metric(kind: 'requests' | 'errors' | 'timeouts' | 'latency'): string;
  /** The label matchers of an arm, without braces. */
  selector(arm: 'candidate' | 'control'): string;
}

/** Quantile of each latency metric. */
const latencyQuantiles: Partial<Record<HealthMetric, number>> = { latencyP50: 0.5, latencyP95: 0.95, latencyP99: 0.99 };

/** The PromQL of one arm's metric over `range` (e.g. `5m`): a rate in 0–1, or a latency quantile in ms. */
export function armQuery(dialect: QueryDialect, metric: HealthMetric, arm: 'candidate' | 'control', range: string): string {
  const selector = dialect.selector(arm);
  const quantile = latencyQuantiles[metric];
  if (quantile !== undefined) {
    // Histograms are in seconds by Prometheus convention; the engine's latencies are ms.
    return `1000 * histogram_quantile(${quantile}, sum by (le) (rate(${dialect.metric('latency')}_bucket{${selector}}[${range}])))`;
  }
  const events = dialect.metric(metric === 'errorRate' ? 'errors' : 'timeouts');
  return `sum(rate(${events}{${selector}}[${range}])) / sum(rate(${dialect.metric('requests')}{${selector}}[${range}]))`;
}

/** `and on() …` clauses that empty the result when an arm has fewer than `minRequests` requests in its range. */
export function minRequestsGuard(dialect: QueryDialect, minRequests: number, ranges: { candidate: string; control?: string }): string {
  if (minRequests <= 0) return '';
  const clause = (arm: 'candidate' | 'control', range: string) =>
    `\nand on() sum(increase(${dialect.metric('requests')}{${dialect.selector(arm)}}[${range}])) >= ${minRequests}`;
  return clause('candidate', ranges.candidate) + (ranges.control !== undefined ? clause('control', ranges.control) : '');
}

/**
 * The candidate-to-reference ratio query of a rule: `(candidate over interval) / clamp_min(control
 * over referenceRange, 1e-12)`, guarded by `minRequests` on both arms.
 */
export function ratioQuery(
  dialect: QueryDialect,
  metric: HealthMetric,
  interval: string,
  referenceRange: string,
  minRequests: number,
): string {
  return (
    `(\n  ${armQuery(dialect, metric, 'candidate', interval)}\n)\n/ clamp_min(\n  ${armQuery(dialect, metric, 'control', referenceRange)},\n  1e-12\n)` +
    minRequestsGuard(dialect, minRequests, { candidate: interval, control: referenceRange })
  );
}

/** The candidate's own metric (absolute rules), guarded by `minRequests` on the candidate. */
export function absoluteQuery(dialect: QueryDialect, metric: HealthMetric, interval: string, minRequests: number): string {
  return `${armQuery(dialect, metric, 'candidate', interval)}${minRequestsGuard(dialect, minRequests, { candidate: interval })}`;
}

/**
 * Requests an arm served over `range` (`sum(increase(requests[range]))`), for the traffic
 * metrics that make `minRequests` explicit; with `controlGuard`, empty unless the control arm
 * also served `minRequests` over its range (a concurrent or historical reference below the
 * guard leaves the rules without data just as the candidate does).
 */
export function requestCountQuery(
  dialect: QueryDialect,
  arm: 'candidate' | 'control',
  range: string,
  controlGuard?: { range: string; minRequests: number },
): string {
  const count = `sum(increase(${dialect.metric('requests')}{${dialect.selector(arm)}}[${range}]))`;
  if (controlGuard === undefined || controlGuard.minRequests <= 0) return count;
  return `${count}\nand on() sum(increase(${dialect.metric('requests')}{${dialect.selector('control')}}[${controlGuard.range}])) >= ${controlGuard.minRequests}`;
}

/** Kebab-case metric label: `errorRate` → `error-rate`. */
export function metricSlug(metric: string): string {
  return metric.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
