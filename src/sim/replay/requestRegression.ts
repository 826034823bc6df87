/**
 * The injected regression applied request by request to the candidate's copy of a replayed
 * request (issue 12): the request keeps its time, its user and its place in the log's bursts,
 * and only what the regression changes is changed.
 *
 * - Latency: `latency*k` multiplies the request's latency, `latency+d` adds d ms; a leak
 *   `leak:latency*m/h` multiplies by 1 + h·(m − 1) and `leak:latency+d/h` adds h·d ms, h the hours
 *   the candidate has received traffic (the simulator's linear leak, here exact per request).
 * - Errors: each item moves the candidate's error rate from r to r′ (`errors*k`: r′ = k·r,
 *   `errors+a`: r′ = r + a, clamped to [0, 1]; a leak with h as above) by the smallest change
 *   that keeps the log's failures: when r′ > r a request that succeeded in the log fails with
 *   probability (r′ − r)/(1 − r); when r′ < r a failed one succeeds with probability (r − r′)/r.
 *   The failures of the log stay where they were (bursts included) and the extra ones are added
 *   at random, so the candidate's error rate is exactly r′ on average.
 */
import type { Random } from '../../engine/random/prng.ts';
import { formatPercentSignificant } from '../../engine/text/format.ts';
import type { Injection } from './injection.ts';

/** One window's regression, ready for the per-request loop. */
export interface WindowRegression {
  /** Latency operations in order: [scale, shift ms]. */
  latency: [number, number][];
  /** Error-status transitions in order: +p (a success fails with probability p) or −p (a failure succeeds with probability p). */
  errors: number[];
}

/**
 * The regression of `injections` after `hours` of exposure, for a log whose error rate (the
 * base the factors refer to) is `baseErrorRate`. O(injections).
 */
export function windowRegression(injections: readonly Injection[], baseErrorRate: number, hours: number): WindowRegression {
  const latency: [number, number][] = [];
  const errors: number[] = [];
  let rate = baseErrorRate;
  const moveTo = (next: number) => {
    const target = Math.min(1, Math.max(0, next));
    if (target > rate) errors.push(rate >= 1 ? 0 : (target - rate) / (1 - rate));
    else if (target < rate) errors.push(-(rate > 0 ? (rate - target) / rate : 0));
    rate = target;
  };
  for (const injection of injections) {
    switch (injection.kind) {
      case 'latencyScale':
        latency.push([injection.factor, 0]);
        break;
      case 'latencyShift':
        latency.push([1, injection.milliseconds]);
        break;
      case 'errorScale':
        moveTo(rate * injection.factor);
        break;
      case 'errorShift':
        moveTo(rate + injection.rate);
        break;
      case 'leak':
        if (injection.target === 'latency') {
          latency.push(injection.operation === 'scale' ? [1 + hours * (injection.perHour - 1), 0] : [1, hours * injection.perHour]);
        } else {
          moveTo(injection.operation === 'scale' ? rate * (1 + hours * (injection.perHour - 1)) : rate + hours * injection.perHour);
        }
        break;
    }
  }
  return { latency, errors };
}

/** The candidate's latency for a request whose logged latency is `latency` (NaN stays NaN). */
export function regressedLatency(regression: WindowRegression, latency: number): number {
  let value = latency;
  for (const [scale, shift] of regression.latency) value = Math.max(0, value * scale + shift);
  return value;
}

/** The candidate's error status (0/1) for a request whose logged status is `error`; draws one uniform per transition that applies. */
export function regressedError(regression: WindowRegression, error: number, random: Random): number {
  let value = error;
  for (const p of regression.errors) {
    if (p > 0 && value === 0) {
      if (random() < p) value = 1;
    } else if (p < 0 && value === 1) {
      if (random() < -p) value = 0;
    }
  }
  return value;
}

/** What the regression does, in words, for a log with error rate `baseErrorRate`. */
export function describeRegression(injections: readonly Injection[], baseErrorRate: number): string {
  let rate = baseErrorRate;
  const parts = injections.map((injection) => {
    switch (injection.kind) {
      case 'latencyScale':
        return `every candidate latency × ${injection.factor}`;
      case 'latencyShift':
        return `every candidate latency + ${injection.milliseconds} ms`;
      case 'errorScale': {
        const next = Math.min(1, rate * injection.factor);
        const text = `candidate error rate × ${injection.factor} (${formatPercentSignificant(rate, 3)} → ${formatPercentSignificant(next, 3)})`;
        rate = next;
        return text;
      }
      case 'errorShift': {
        const next = Math.min(1, Math.max(0, rate + injection.rate));
        const text = `candidate error rate + ${formatPercentSignificant(injection.rate, 3)} (${formatPercentSignificant(rate, 3)} → ${formatPercentSignificant(next, 3)})`;
        rate = next;
        return text;
      }
      case 'leak':
        if (injection.target === 'latency') {
          return injection.operation === 'scale'
            ? `candidate latency growing by ${formatPercentSignificant(injection.perHour - 1, 3)} of the logged latency per hour of traffic`
            : `candidate latency growing by ${injection.perHour} ms per hour of traffic`;
        }
        return injection.operation === 'scale'
          ? `candidate error rate growing by ${formatPercentSignificant(injection.perHour - 1, 3)} of the log's rate per hour of traffic`
          : `candidate error rate growing by ${formatPercentSignificant(injection.perHour, 3)} per hour of traffic`;
    }
  });
  return parts.join('; ');
}
